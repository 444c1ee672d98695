"""Real soundings: EDI reading, units, invariants, error floors, masks."""

import numpy as np
import pytest

from mtlib import field, forward, grid

pytest.importorskip("mt_metadata", reason="mt-metadata is installed by the dev extra")


def synthetic_sounding(rho=(100.0, 10.0, 300.0), thick=(200.0, 500.0), err=0.0):
    """A 1D earth's tensor: Zxy = Z, Zyx = -Z, zero diagonal, in Ω."""
    freq = grid.default_frequencies()
    z = forward.impedance(np.array(rho), np.array(thick), freq)
    tensor = np.zeros((freq.size, 2, 2), complex)
    tensor[:, 0, 1], tensor[:, 1, 0] = z, -z
    z_err = np.full(tensor.shape, err) * np.abs(z)[:, None, None] if err else \
        np.full(tensor.shape, np.nan)
    return field.Sounding("synthetic", freq, tensor, z_err), z, freq


@pytest.mark.parametrize("invariant", field.INVARIANTS)
def test_invariants_of_a_1d_tensor_give_the_1d_response(invariant):
    sounding, z, freq = synthetic_sounding()
    response = sounding.response(invariant)
    rhoa, phase = forward.apparent_resistivity_phase(z, freq)
    np.testing.assert_allclose(response.rhoa_ohmm, rhoa, rtol=1e-10)
    np.testing.assert_allclose(response.phase_deg, phase, atol=1e-8)
    assert response.mask.all() and np.all((phase > 0) & (phase < 90))


def test_error_floor_and_its_translation_to_rhoa_and_phase():
    sounding, _, _ = synthetic_sounding(err=0.01)
    response = sounding.response("berdichevsky", error_floor=0.05)
    np.testing.assert_allclose(response.z_rel_err, 0.05)  # 1 % in the file, floored at 5 %
    np.testing.assert_allclose(response.rhoa_rel_err, 0.10)
    np.testing.assert_allclose(response.phase_err_deg, np.degrees(np.arcsin(0.05)))
    assert response.phase_err_deg[0] == pytest.approx(2.866, abs=1e-3)
    large, _, _ = synthetic_sounding(err=0.2)
    # Berdichevsky averages two independent errors: 20 % each → 20/√2 % on the mean
    np.testing.assert_allclose(large.response("berdichevsky").z_rel_err, 0.2 / np.sqrt(2))


def test_missing_periods_are_masked_not_zeroed():
    sounding, _, _ = synthetic_sounding()
    sounding.z_ohm[5] = np.nan
    response = sounding.response("berdichevsky")
    assert not response.mask[5] and response.mask.sum() == sounding.freq_hz.size - 1
    assert np.isnan(response.rhoa_ohmm[5]) and np.isnan(response.phase_deg[5])


def test_units_conversion_factor():
    assert 1 / field.FIELD_UNITS_TO_OHM == pytest.approx(795.77, abs=0.01)


def test_reads_every_shipped_real_edi_file():
    files = field.example_edi_files()
    assert len(files) >= 5
    usable_files = 0
    for path in files:
        sounding = field.read_edi(path)
        assert sounding.z_ohm.shape == (sounding.freq_hz.size, 2, 2)
        assert np.all(np.diff(sounding.freq_hz) < 0)  # high → low
        response = sounding.response()
        if response.mask.any():
            usable_files += 1
            rhoa = response.rhoa_ohmm[response.mask]
            # converted to Ω: real apparent resistivities, not values ~796² too large
            assert 0.1 < np.median(rhoa) < 1e4, path.name
            assert np.all(response.phase_deg[response.mask] < 90)
    assert usable_files >= 5


def test_rho_only_file_needs_the_off_diagonal_invariant():
    path = next(p for p in field.example_edi_files() if "rho_only" in p.name)
    sounding = field.read_edi(path)
    assert not sounding.response("det").mask.any()  # no diagonal: no determinant
    assert sounding.response("berdichevsky").mask.sum() > 10


def test_bad_files_and_options_give_clear_errors(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        field.read_edi(tmp_path / "missing.edi")
    bad = tmp_path / "bad.edi"
    bad.write_text(">HEAD\nthis is not an EDI file\n>END\n")
    with pytest.raises(ValueError, match="bad.edi"):
        field.read_edi(bad)
    sounding, _, _ = synthetic_sounding()
    with pytest.raises(ValueError, match="invariant"):
        sounding.response("average")
    with pytest.raises(ValueError, match="error_floor"):
        sounding.response(error_floor=0)
