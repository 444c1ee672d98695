"""Any-band inversion: similarity scaling, network guess, refinement, errors, real EDI data."""

import numpy as np
import pytest

import mtlib
from mtlib import forward, generator, grid, noise
from mtlib.inversion import BandScaling, choose_scaling, invert


@pytest.fixture(scope="module")
def net():
    return mtlib.load_pretrained()


def test_scaled_forward_equals_forward_of_scaled_model():
    rho = generator.random_models(5, seed=1)
    thick, freq = grid.paper_thicknesses(), np.logspace(2, -3, 30)
    scaling = BandScaling(a=0.07, s=0.02)
    rhoa, phase = forward.mt1d(rho, thick, freq)
    f_net, rhoa_net = scaling.to_network(freq, rhoa)
    rho_back, thick_back = scaling.model_from_network(rho * scaling.a, thick * scaling.s)
    np.testing.assert_allclose(rho_back, rho)
    rhoa_s, phase_s = forward.mt1d(rho * scaling.a, thick * scaling.s, f_net)
    np.testing.assert_allclose(rhoa_s, rhoa_net, rtol=1e-12)
    np.testing.assert_allclose(phase_s, phase, atol=1e-10)


def test_scaling_centres_the_sounding_in_the_trained_band(net):
    freq, rhoa = np.logspace(3, -3, 30), np.full(30, 2000.0)
    scaling = choose_scaling(freq, rhoa, net.freq_hz)
    f_net, rhoa_net = scaling.to_network(freq, rhoa)
    assert np.allclose(rhoa_net, np.sqrt(2 * 220))
    assert np.sqrt(f_net.max() * f_net.min()) == pytest.approx(np.sqrt(1e4 * 0.1))


def test_out_of_band_synthetic_sounding_is_fitted(net):
    rho = generator.random_models(1, seed=3)[0] * 5  # 10–1100 Ω·m
    thick = grid.paper_thicknesses() * 10  # a 20 km section
    freq = np.logspace(3, -3, 35)  # another band than the network's
    rhoa, phase = forward.mt1d(rho, thick, freq)
    rhoa_n, phase_n = noise.add_noise(rhoa, phase, 0.10, seed=2)  # = 5 % on |Z|
    result = invert(freq, rhoa_n, phase_n, rel_err=0.05, net=net)
    assert result.nrms <= 1.2 and result.nrms <= result.nrms_network + 1e-9
    assert result.rho_ohmm.shape == (40,) and result.depth_m.shape == (40,)
    assert result.predicted[0].shape == freq.shape
    np.testing.assert_allclose(result.thick_m, net.thick_m / result.scaling.s)
    rmse = np.sqrt(np.mean((np.log10(result.rho_ohmm) - np.log10(rho)) ** 2))
    assert rmse < 0.3  # compared on the same grid, up to the scaling of thicknesses
    assert result.static_shift == 1.0


def test_data_that_cannot_be_brought_into_the_band_are_refused(net):
    freq = np.logspace(1, 0, 10)  # one decade
    with pytest.raises(ValueError, match="decades"):
        invert(freq, np.full(10, 50.0), np.full(10, 45.0), net=net)
    freq = np.logspace(3, -3, 10)
    with pytest.raises(ValueError, match="usable"):
        invert(freq, np.full(10, np.nan), np.full(10, 45.0), net=net)
    with pytest.raises(ValueError, match="1-D"):
        invert(freq, np.full(9, 50.0), np.full(10, 45.0), net=net)


def test_real_edi_sounding_end_to_end(net):
    field = pytest.importorskip("mtlib.field")
    pytest.importorskip("mt_metadata")
    path = next(p for p in field.example_edi_files() if "empower" in p.name)
    response = field.read_edi(path).response(error_floor=0.05)
    result = invert(response.freq_hz, response.rhoa_ohmm, response.phase_deg,
                    rel_err=response.z_rel_err, mask=response.mask, net=net)
    assert result.nrms < result.nrms_network and result.nrms < 1.5
    assert np.all(np.isfinite(result.rho_ohmm)) and np.all(result.rho_ohmm > 0)


def test_package_level_entry_point_matches_design_api():
    freq = np.logspace(3, -2, 30)
    rho = generator.random_models(1, seed=8)[0]
    rhoa, phase = forward.mt1d(rho, grid.paper_thicknesses() * 3, freq)
    res = mtlib.invert(freq, rhoa, phase, rel_err=0.05)
    assert res.rho_ohmm.shape == res.depth_m.shape == (40,) and res.nrms < 1.0
    assert res.predicted[1].shape == freq.shape
    # the default network is the uncertainty ensemble: σ, its interval, a depth cue
    assert res.std_log10.shape == (40,) and np.all(res.std_log10 > 0)
    assert np.all(res.network_low_ohmm < res.rho_network_ohmm)
    assert np.all(res.rho_network_ohmm < res.network_high_ohmm)
    assert res.doi_m == np.inf or res.doi_m in res.depth_m


def test_uncertainty_maps_back_with_the_scaling():
    ens = mtlib.load_pretrained(mtlib.DEFAULT_ENSEMBLE)
    rho = generator.random_models(1, seed=4)[0]
    rhoa, phase = forward.mt1d(rho, ens.thick_m, ens.freq_hz)
    # the same model 10× more resistive and 3× thicker: the same sounding up to the scaling
    freq = ens.freq_hz * 10 / 9
    res = invert(freq, rhoa * 10, phase, net=ens)
    again = invert(ens.freq_hz, rhoa, phase, net=ens)
    np.testing.assert_allclose(res.std_log10, again.std_log10, rtol=1e-6)
    np.testing.assert_allclose(res.rho_network_ohmm / 10, again.rho_network_ohmm, rtol=1e-6)
    np.testing.assert_allclose(res.network_high_ohmm / 10, again.network_high_ohmm, rtol=1e-6)
    assert res.doi_m == pytest.approx(3 * again.doi_m) or res.doi_m == again.doi_m == np.inf


def test_a_plain_network_gives_no_uncertainty(net):
    freq = np.logspace(3, -2, 30)
    rhoa, phase = forward.mt1d(generator.random_models(1, seed=8)[0],
                               grid.paper_thicknesses() * 3, freq)
    res = invert(freq, rhoa, phase, net=net)
    assert res.std_log10 is None and res.doi_m is None
