"""The 1D U-Net of the paper: sounding curves in, layer resistivities out.

Input ``(batch, 2, n_freq)``: normalized log10 ρa and phase (see :mod:`mtlib.normalize`),
frequencies high → low. Output ``(batch, n_layers)``: normalized log10 ρ, top layer first;
with ``out_channels=2`` (the networks of an uncertainty ensemble, :mod:`mtlib.ensemble`)
``(batch, 2, n_layers)``: the mean and the log-variance of normalized log10 ρ.

Encoder: ``depth`` levels of (conv → BatchNorm → ReLU) × 2 followed by max-pooling, the
channels doubling at each level; a bottleneck block; decoder: transposed convolutions that
double the length, concatenation with the encoder's feature maps at the same level (skip
connections) and a conv block. A 1×1 convolution and a dense map from the ``n_freq``
positions to the ``n_layers`` layers finish it: a frequency does not sit at one depth, so the
last step is free to route every frequency to every layer.
"""

from __future__ import annotations

import torch
from torch import nn

LOG_VAR_MIN, LOG_VAR_MAX = -18.0, 4.0
"""Bounds on the predicted log-variance (normalized units) that keep e^{-s} finite."""


def split_output(out: torch.Tensor):
    """Network output → (mean ``(n, L)``, log-variance ``(n, L)`` clipped, or None)."""
    if out.ndim == 2:
        return out, None
    return out[:, 0], out[:, 1].clamp(LOG_VAR_MIN, LOG_VAR_MAX)


class ConvBlock(nn.Sequential):
    """(Conv1d → BatchNorm1d → ReLU) × 2, length preserved."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int = 3):
        pad = kernel_size // 2
        super().__init__(
            nn.Conv1d(in_channels, out_channels, kernel_size, padding=pad, bias=False),
            nn.BatchNorm1d(out_channels),
            nn.ReLU(inplace=True),
            nn.Conv1d(out_channels, out_channels, kernel_size, padding=pad, bias=False),
            nn.BatchNorm1d(out_channels),
            nn.ReLU(inplace=True),
        )


class UNet1d(nn.Module):
    """1D U-Net ``(batch, in_channels, n_freq) → (batch, n_layers)``."""

    def __init__(self, n_freq: int = 40, n_layers: int = 40, in_channels: int = 2,
                 base_channels: int = 16, depth: int = 3, kernel_size: int = 3,
                 out_channels: int = 1):
        super().__init__()
        if min(n_freq, n_layers, in_channels, base_channels, depth, out_channels) < 1:
            raise ValueError("n_freq, n_layers, in_channels, base_channels, depth and "
                             "out_channels must be >= 1")
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd and positive, got {kernel_size}")
        self.config = dict(n_freq=n_freq, n_layers=n_layers, in_channels=in_channels,
                           base_channels=base_channels, depth=depth, kernel_size=kernel_size,
                           out_channels=out_channels)
        channels = [base_channels * 2**i for i in range(depth + 1)]
        self.encoders = nn.ModuleList(
            ConvBlock(in_channels if i == 0 else channels[i - 1], channels[i], kernel_size)
            for i in range(depth)
        )
        self.pool = nn.MaxPool1d(2, ceil_mode=True)
        self.bottleneck = ConvBlock(channels[depth - 1], channels[depth], kernel_size)
        self.ups = nn.ModuleList(
            nn.ConvTranspose1d(channels[i + 1], channels[i], kernel_size=2, stride=2)
            for i in reversed(range(depth))
        )
        self.decoders = nn.ModuleList(
            ConvBlock(2 * channels[i], channels[i], kernel_size) for i in reversed(range(depth))
        )
        self.head = nn.Conv1d(channels[0], out_channels, kernel_size=1)
        # every output channel is routed from all channels at all frequencies
        self.to_layers = nn.Linear(out_channels * n_freq, out_channels * n_layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 3 or x.shape[1:] != (self.config["in_channels"], self.config["n_freq"]):
            raise ValueError(
                f"input must have shape (batch, {self.config['in_channels']}, "
                f"{self.config['n_freq']}), got {tuple(x.shape)}")
        skips = []
        for encoder in self.encoders:
            x = encoder(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottleneck(x)
        for up, decoder, skip in zip(self.ups, self.decoders, reversed(skips)):
            x = up(x)[..., : skip.shape[-1]]  # ceil-mode pooling may leave one extra sample
            x = decoder(torch.cat([x, skip], dim=1))
        out = self.to_layers(self.head(x).flatten(1))
        if self.config["out_channels"] == 1:
            return out
        return out.unflatten(1, (self.config["out_channels"], self.config["n_layers"]))

    def n_parameters(self) -> int:
        """Number of trainable parameters."""
        return sum(p.numel() for p in self.parameters() if p.requires_grad)
