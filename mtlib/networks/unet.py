"""The 1D U-Net of the paper: sounding curves in, layer resistivities out.

Input ``(batch, 2, n_freq)``: normalized log10 ρa and phase (see :mod:`mtlib.networks.normalize`),
frequencies high → low. Output ``(batch, n_layers)``: normalized log10 ρ, top layer first;
with ``out_channels=2`` (the networks of an uncertainty ensemble, :mod:`mtlib.networks.ensemble`)
``(batch, 2, n_layers)``: the mean and the log-variance of normalized log10 ρ.

Encoder: ``depth`` levels of (conv → BatchNorm → ReLU) × 2 followed by max-pooling, the
channels doubling at each level; a bottleneck block; decoder: transposed convolutions that
double the length, concatenation with the encoder's feature maps at the same level (skip
connections) and a conv block. A 1×1 convolution and a dense map from the ``n_freq``
positions to the ``n_layers`` layers finish it: a frequency does not sit at one depth, so the
last step is free to route every frequency to every layer.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
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

    def __init__(
        self,
        n_freq: int = 40,
        n_layers: int = 40,
        in_channels: int = 2,
        base_channels: int = 16,
        depth: int = 3,
        kernel_size: int = 3,
        out_channels: int = 1,
    ):
        super().__init__()
        if min(n_freq, n_layers, in_channels, base_channels, depth, out_channels) < 1:
            raise ValueError(
                "n_freq, n_layers, in_channels, base_channels, depth and out_channels must be >= 1"
            )
        if kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be odd and positive, got {kernel_size}")
        self.config = dict(
            n_freq=n_freq,
            n_layers=n_layers,
            in_channels=in_channels,
            base_channels=base_channels,
            depth=depth,
            kernel_size=kernel_size,
            out_channels=out_channels,
        )
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
                f"{self.config['n_freq']}), got {tuple(x.shape)}"
            )
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


class InferenceUNet:
    """A trained :class:`UNet1d` for CPU inference: every BatchNorm folded into the
    convolution before it, and the forward pass spelled out in functional calls, without
    module dispatch — what one sounding at a time costs (measured on 2 cores: ~0.4 ms
    instead of ~1 ms for the field network). The same outputs as the network in evaluation
    mode up to float32 rounding. A snapshot: later changes to the network's weights do not
    reach it."""

    def __init__(self, net: UNet1d):
        from torch.nn.utils.fusion import fuse_conv_bn_weights

        def folded(block: ConvBlock):
            conv1, bn1, _, conv2, bn2, _ = block
            return [
                (
                    *(
                        t.detach()
                        for t in fuse_conv_bn_weights(
                            conv.weight,
                            conv.bias,
                            bn.running_mean,
                            bn.running_var,
                            bn.eps,
                            bn.weight,
                            bn.bias,
                        )
                    ),
                    conv.padding,
                )
                for conv, bn in ((conv1, bn1), (conv2, bn2))
            ]

        self.config = dict(net.config)
        with torch.no_grad():
            self.encoders = [folded(block) for block in net.encoders]
            self.bottleneck = folded(net.bottleneck)
            self.ups = [(up.weight.detach(), up.bias.detach()) for up in net.ups]
            self.decoders = [folded(block) for block in net.decoders]
            self.head = (net.head.weight.detach(), net.head.bias.detach())
            self.to_layers = (net.to_layers.weight.detach(), net.to_layers.bias.detach())
        # lengths along the encoder; an up-sampled level is one sample too long (and is cut)
        # only where ceil-mode pooling rounded an odd length up
        lengths = [net.config["n_freq"]]
        for _ in net.encoders:
            lengths.append(-(-lengths[-1] // 2))
        self._cut = [n if n % 2 else None for n in reversed(lengths[:-1])]

    @staticmethod
    def _block(x: torch.Tensor, convs) -> torch.Tensor:
        for weight, bias, pad in convs:
            # in place: ReLU allocates nothing (the largest cost after the convolutions)
            x = torch.relu_(torch.conv1d(x, weight, bias, 1, pad))
        return x

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        cfg = self.config
        if x.ndim != 3 or x.shape[1] != cfg["in_channels"] or x.shape[2] != cfg["n_freq"]:
            raise ValueError(
                f"input must have shape (batch, {cfg['in_channels']}, "
                f"{cfg['n_freq']}), got {tuple(x.shape)}"
            )
        skips = []
        for convs in self.encoders:
            x = self._block(x, convs)
            skips.append(x)
            x = torch.max_pool1d(x, 2, 2, 0, 1, True)  # F's wrapper costs more than 1 sample
        x = self._block(x, self.bottleneck)
        for (weight, bias), convs, skip, cut in zip(
            self.ups, self.decoders, reversed(skips), self._cut
        ):
            x = torch.conv_transpose1d(x, weight, bias, 2)
            if cut is not None:  # slicing is an op of its own: only where it is needed
                x = x[..., :cut]
            x = self._block(torch.cat([x, skip], dim=1), convs)
        out = F.linear(torch.conv1d(x, *self.head).flatten(1), *self.to_layers)
        if cfg["out_channels"] == 1:
            return out
        return out.unflatten(1, (cfg["out_channels"], cfg["n_layers"]))


def infer_chunked(net: InferenceUNet, x, batch_size: int = 512) -> np.ndarray:
    """The raw outputs (n, C, L) of ``net`` as float64 numpy for inputs ``x`` (n, C_in, F)
    (tensor or array), on the CPU without gradients, in chunks of ``batch_size`` (measured
    fastest on 2 cores: 256–512)."""
    x = torch.as_tensor(x)
    outs = []
    with torch.inference_mode():
        for start in range(0, x.shape[0], batch_size):
            outs.append(net(x[start : start + batch_size].float()).double())
    return torch.cat(outs).numpy()
