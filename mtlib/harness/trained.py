"""The networks a profile's notebooks use: the ones notebook 06 trained for the profile
when that run finished (and the profile says its notebooks use their own), otherwise the
shipped ones."""

from __future__ import annotations

from ..networks.pretrained import DEFAULT_ENSEMBLE, DEFAULT_NETWORK, load_network, load_pretrained


def profile_network(profile):
    """The paper network for ``profile``'s notebooks (a :class:`~mtlib.harness.config.Profile`): the
    one notebook 06 trained if its run finished and the profile's notebooks use their own
    (``notebooks_use_trained``), otherwise the shipped one."""
    return _trained_or_shipped(profile, profile.run_dir() / "model.pt", DEFAULT_NETWORK)


def profile_ensemble(profile):
    """The uncertainty ensemble for ``profile``'s notebooks, chosen as
    :func:`profile_network` chooses."""
    return _trained_or_shipped(profile, profile.ensemble_dir() / "ensemble.pt", DEFAULT_ENSEMBLE)


def _trained_or_shipped(profile, trained, shipped: str):
    if profile.notebooks_use_trained and trained.exists():
        return load_network(trained)
    return load_pretrained(shipped)
