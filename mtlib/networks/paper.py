"""A trained network packaged for use: checks its input, predicts resistivities in Ω·m.

A bundle file (``torch.save`` of a plain dict) holds the U-Net's architecture and weights,
the normalization bounds, the frequencies and layer thicknesses it was trained on, and a
description of its training; ``mtlib/weights/`` ships such bundles with a model card.
"""

from __future__ import annotations

import copy
import itertools
import os
from pathlib import Path

import numpy as np
import torch

from .._deprecated import renamed
from .._io import atomic_write
from .normalize import Normalizer
from .predictor import Predictor
from .unet import LOG_VAR_MAX, LOG_VAR_MIN, InferenceUNet, UNet1d

BUNDLE_FORMAT = 1


class Bundled:
    """Saving and loading for predictors that convert to and from a bundle (a plain dict of
    tensors and lists, ``to_bundle`` / ``from_bundle``): ``torch.save``, written atomically."""

    def save(self, path: str | os.PathLike) -> Path:
        """Write the bundle atomically to ``path``."""
        bundle = self.to_bundle()
        return atomic_write(path, lambda fh: torch.save(bundle, fh))

    @classmethod
    def load(cls, path: str | os.PathLike):
        return cls.from_bundle(load_bundle(path), str(path))


def unet_bundle(kind: str, net: UNet1d, training: dict, **extra) -> dict:
    """The bundle of a network of ``kind`` made of one U-Net ``net``: its architecture and
    weights (on the CPU), ``extra`` entries (plain lists) and its ``training`` record."""
    return {
        "format": BUNDLE_FORMAT,
        "kind": kind,
        "architecture": net.config,
        "state_dict": {k: v.cpu() for k, v in net.state_dict().items()},
        **extra,
        "training": training,
    }


def unet_of_bundle(bundle: dict, kind: str, source: str) -> UNet1d:
    """The U-Net of a bundle written by :func:`unet_bundle` for ``kind``; a ValueError naming
    ``source`` for any other file."""
    if bundle.get("kind") != kind or bundle.get("format") != BUNDLE_FORMAT:
        raise ValueError(f"{source} is not an mtlib {kind}-network bundle")
    net = UNet1d(**bundle["architecture"])
    net.load_state_dict(bundle["state_dict"])
    return net


class PaperNetwork(Bundled, Predictor):
    """U-Net inversion of soundings sampled at ``freq_hz`` into layers of ``thick_m``.

    ``freq_hz`` (F,) Hz high → low; ``thick_m`` (L-1,) m; ``training`` describes how the
    network was made (profile, data, epochs, device, metrics) and goes into the model card.
    One network has no calibrated uncertainty (``has_uncertainty`` is False); an
    :class:`mtlib.networks.ensemble.PaperEnsemble` of networks with variance heads has.
    """

    def __init__(
        self, net: UNet1d, normalizer: Normalizer, freq_hz, thick_m, training: dict | None = None
    ):
        self.net = net.eval()
        self.normalizer = normalizer
        self.freq_hz = np.asarray(freq_hz, dtype=np.float64)
        self.thick_m = np.asarray(thick_m, dtype=np.float64)
        self.training = dict(training or {})
        self._runners = {}  # device → snapshot of the network for inference there

    def _runner(self, dev: torch.device):
        """The network for inference on ``dev``: on the CPU with BatchNorm folded into the
        convolutions and a functional forward (:class:`mtlib.networks.unet.InferenceUNet`),
        elsewhere a copy moved there (``self.net`` stays where it is). Built on first use and again
        whenever the weights have changed since (in place or replaced)."""
        weights = tuple(
            (t.data_ptr(), t._version)
            for t in itertools.chain(self.net.parameters(), self.net.buffers())
        )
        key, runner = self._runners.get(dev, (None, None))
        if key != weights:
            runner = (
                InferenceUNet(self.net)
                if dev.type == "cpu"
                else copy.deepcopy(self.net).eval().to(dev)
            )
            self._runners[dev] = (weights, runner)
        return runner

    @property
    def takes_noise(self) -> bool:
        """Whether the network is told the noise level of its data (``rel_noise``)."""
        return self.net.config["in_channels"] == 3

    @property
    def has_variance_head(self) -> bool:
        """Whether the network also predicts the variance of its output (an ensemble
        member; its σ is not calibrated on its own)."""
        return self.net.config["out_channels"] == 2

    @property
    def trained_noise_max(self) -> float:
        """Largest relative noise of ρa seen in training (0 when not recorded)."""
        return float(self.training.get("config", {}).get("noise_max", 0.0))

    def normalized_outputs(
        self,
        rhoa_ohmm,
        phase_deg,
        rel_noise=None,
        batch_size: int | None = None,
        device: str | None = None,
    ):
        """Checked ρa, φ (n, F) (and ``rel_noise`` (n, F) for a network that takes it) →
        the network's mean and log-variance of normalized log10 ρ, each (n, L) float64; the
        log-variance is None for a network without a variance head."""
        x = self.normalizer.inputs(rhoa_ohmm, phase_deg, rel_noise).astype(np.float32)
        dev = torch.device(device or "cpu")
        batch_size = batch_size or (2048 if dev.type == "cpu" else 65536)
        net = self._runner(dev)
        out = np.empty((x.shape[0], self.net.config["out_channels"], self.n_layers))
        with torch.inference_mode():
            for start in range(0, x.shape[0], batch_size):
                chunk = torch.from_numpy(x[start : start + batch_size]).to(dev)
                y = net(chunk).double().cpu().numpy()
                out[start : start + batch_size] = y.reshape(y.shape[0], -1, self.n_layers)
        if out.shape[1] == 1:
            return out[:, 0], None
        return out[:, 0], np.clip(out[:, 1], LOG_VAR_MIN, LOG_VAR_MAX)

    def predict(
        self,
        rhoa_ohmm,
        phase_deg,
        freq_hz=None,
        batch_size: int | None = None,
        device: str | None = None,
        return_std: bool = False,
        rel_noise=None,
    ):
        """Resistivities (n, L) in Ω·m (or (L,) for one sounding) from ρa and φ (n, F).

        ``freq_hz``, if given, must be the network's frequencies (a guard against data from
        another band). Runs on ``device`` (default CPU) in chunks of ``batch_size``
        (default 2 048 on CPU, where chunks that fit the caches run fastest, 65 536 on a GPU).
        ``return_std=True`` also returns the standard deviation of log10 ρ (decades, same
        shape) that a network with a variance head predicts for itself (not calibrated);
        the calibrated uncertainty of an ensemble of such networks is
        :class:`mtlib.networks.ensemble.PaperEnsemble`'s.
        ``rel_noise``: the relative noise of ρa, required by (and only by) networks that
        take it (``takes_noise``).
        """
        if return_std and not self.has_variance_head:
            raise ValueError(
                "this network has no variance head, so return_std=True is not "
                "available; use the uncertainty ensemble, "
                "mtlib.load_pretrained('ensemble_quick')"
            )
        rhoa, phase = self.check_inputs(rhoa_ohmm, phase_deg, freq_hz)
        single = rhoa.ndim == 1
        rhoa, phase = np.atleast_2d(rhoa), np.atleast_2d(phase)
        noise = self.check_noise(rel_noise, rhoa.shape)
        mean, log_var = self.normalized_outputs(rhoa, phase, noise, batch_size, device)
        rho = self.normalizer.rho_from_targets(mean)
        if not return_std:
            return rho[0] if single else rho
        std = self.normalizer.log_rho_rmse(np.exp(0.5 * log_var))
        return (rho[0], std[0]) if single else (rho, std)

    def to_bundle(self) -> dict:
        """Everything needed to rebuild this PaperNetwork, as plain tensors and lists."""
        return {
            "format": BUNDLE_FORMAT,
            "architecture": self.net.config,
            "state_dict": {k: v.cpu() for k, v in self.net.state_dict().items()},
            "normalizer": self.normalizer.to_dict(),
            "freq_hz": self.freq_hz.tolist(),
            "thick_m": self.thick_m.tolist(),
            "training": self.training,
        }

    @classmethod
    def from_bundle(cls, bundle: dict, source: str = "bundle") -> "PaperNetwork":
        if bundle.get("format") != BUNDLE_FORMAT or "architecture" not in bundle:
            raise ValueError(f"{source} is not an mtlib network bundle of format {BUNDLE_FORMAT}")
        net = UNet1d(**bundle["architecture"])
        net.load_state_dict(bundle["state_dict"])
        return cls(
            net,
            Normalizer(**bundle["normalizer"]),
            bundle["freq_hz"],
            bundle["thick_m"],
            bundle["training"],
        )


def load_bundle(path: str | os.PathLike) -> dict:
    """The dict saved in a bundle file (a network or an ensemble), with a clear error."""
    path = Path(path)
    if not path.exists():
        raise ValueError(f"no network bundle at {path}")
    return torch.load(path, map_location="cpu", weights_only=False)


def __getattr__(name: str):
    """The names of mtlib 0.1 (:mod:`mtlib._deprecated`), for one release."""
    return renamed(__name__, name)
