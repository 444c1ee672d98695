"""Physics refinement: lowers the misfit of a poor start to the noise level, finds static shifts."""

import numpy as np
import pytest

from mtlib import forward, generator, grid, noise, refine

THICK, FREQ = grid.paper_thicknesses(), grid.default_frequencies()


@pytest.fixture(scope="module")
def noisy_data():
    rho = generator.random_models(40, seed=21)
    rhoa, phase = forward.mt1d(rho, THICK, FREQ)
    rel_err_z = 0.05  # noise equal to the stated errors: 10 % on ρa, arcsin(0.05) on φ
    rhoa_n, phase_n = noise.add_noise(rhoa, phase, 2 * rel_err_z, seed=3)
    return rho, rhoa_n, phase_n, rel_err_z


def test_refinement_brings_a_poor_start_to_the_noise_level(noisy_data):
    rho, rhoa_n, phase_n, err = noisy_data
    start = np.full_like(rho, 50.0)
    result = refine.refine(start, THICK, FREQ, rhoa_n, phase_n, rel_err=err)
    assert np.all(result.nrms < result.nrms_start)
    assert np.median(result.nrms_start) > 3
    assert np.all(result.nrms < 1.3) and np.median(result.nrms) == pytest.approx(1.0, abs=0.2)
    rmse = lambda m: np.sqrt(np.mean((np.log10(m) - np.log10(rho)) ** 2))  # noqa: E731
    assert rmse(result.rho_ohmm) < 0.5 * rmse(start)
    rhoa_check, _ = forward.mt1d(result.rho_ohmm, THICK, FREQ)
    np.testing.assert_allclose(result.rhoa_ohmm, rhoa_check, rtol=1e-10)


def test_static_shift_is_estimated(noisy_data):
    rho, rhoa_n, phase_n, err = noisy_data
    shifted = rhoa_n[:10] * 2.5  # a galvanic distortion: ρa × 2.5 at every frequency
    with_shift = refine.refine(rho[:10], THICK, FREQ, shifted, phase_n[:10], rel_err=err,
                               estimate_static_shift=True)
    without = refine.refine(rho[:10], THICK, FREQ, shifted, phase_n[:10], rel_err=err)
    # shift and model trade off (non-uniqueness): the median is right, each one roughly
    assert np.median(with_shift.static_shift) == pytest.approx(2.5, rel=0.15)
    assert np.all((with_shift.static_shift > 1.25) & (with_shift.static_shift < 5))
    # without the shift the model itself must absorb the factor and drifts from the truth
    rmse = lambda m: np.sqrt(np.mean((np.log10(m) - np.log10(rho[:10])) ** 2))  # noqa: E731
    assert rmse(with_shift.rho_ohmm) < 0.5 * rmse(without.rho_ohmm)
    np.testing.assert_array_equal(without.static_shift, 1.0)


def test_masked_data_are_ignored(noisy_data):
    rho, rhoa_n, phase_n, err = noisy_data
    corrupted = rhoa_n[:5].copy()
    corrupted[:, 10] = 1e6  # a wild outlier...
    mask = np.ones_like(corrupted, dtype=bool)
    mask[:, 10] = False  # ...that the mask removes
    result = refine.refine(rho[:5], THICK, FREQ, corrupted, phase_n[:5], rel_err=err, mask=mask)
    assert np.all(result.nrms < 1.5)


def test_bad_arguments():
    rho = np.full((2, 40), 50.0)
    data = np.full((2, 40), 50.0)
    with pytest.raises(ValueError, match="agree"):
        refine.refine(rho, THICK, FREQ, data[:1], data, rel_err=0.05)
    with pytest.raises(ValueError, match="rel_err"):
        refine.refine(rho, THICK, FREQ, data, np.full((2, 40), 45.0), rel_err=0.0)
    with pytest.raises(ValueError, match="usable"):
        refine.refine(rho, THICK, FREQ, data, np.full((2, 40), 45.0),
                      mask=np.zeros((2, 40), bool))
