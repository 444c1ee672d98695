"""Real soundings: EDI reading, units, invariants, error floors, masks."""

import warnings

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
    z_err = (
        np.full(tensor.shape, err) * np.abs(z)[:, None, None]
        if err
        else np.full(tensor.shape, np.nan)
    )
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


def rotated_2d_tensor(freq, angle_deg=30.0):
    """A 2D earth's tensor (two 1D responses as TE and TM), rotated: every element nonzero,
    skew zero."""
    z_te = forward.impedance(np.array([100.0, 10.0, 300.0]), np.array([200.0, 500.0]), freq)
    z_tm = forward.impedance(np.array([30.0, 100.0]), np.array([300.0]), freq)
    principal = np.zeros((freq.size, 2, 2), complex)
    principal[:, 0, 1], principal[:, 1, 0] = z_te, -z_tm
    c, s = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    rot = np.array([[c, -s], [s, c]])
    return rot @ principal @ rot.T


def test_emtf_xml_round_trip_through_a_file_we_write(tmp_path):
    from mt_metadata.transfer_functions.core import TF

    freq = np.logspace(3, -3, 19)
    z_ohm = rotated_2d_tensor(freq)
    tf = TF()
    tf.station = "SYN01"
    tf.period = 1.0 / freq
    tf.impedance = z_ohm / field.FIELD_UNITS_TO_OHM  # files hold mV/km/nT
    tf.impedance_error = 0.03 * np.abs(z_ohm) / field.FIELD_UNITS_TO_OHM
    path = tmp_path / "SYN01.xml"
    tf.write(fn=str(path), file_type="emtfxml")
    sounding = field.read(path)
    assert sounding.station == "SYN01"
    np.testing.assert_allclose(sounding.freq_hz, freq, rtol=1e-6)
    np.testing.assert_allclose(sounding.z_ohm, z_ohm, rtol=1e-5)
    np.testing.assert_allclose(sounding.z_err_ohm, 0.03 * np.abs(z_ohm), rtol=1e-5)
    # the determinant of a rotated 2D tensor is the geometric mean of TE and TM
    response = sounding.response("det", error_floor=0.01)
    rhoa, phase = forward.apparent_resistivity_phase(np.sqrt(np.linalg.det(z_ohm)), freq)
    np.testing.assert_allclose(response.rhoa_ohmm, rhoa, rtol=1e-5)
    np.testing.assert_allclose(response.phase_deg, phase, atol=1e-4)
    np.testing.assert_allclose(sounding.skew_deg, 0.0, atol=1e-4)  # 2D: no skew


def test_no_data_values_and_truncated_files(tmp_path):
    from mt_metadata.transfer_functions.core import TF

    freq = np.logspace(2, -2, 9)
    z = rotated_2d_tensor(freq, 0.0)  # zero diagonal: the writer stores 1e32 ("no data")
    tf = TF()
    tf.station = "ZEROS"
    tf.period, tf.impedance = 1.0 / freq, z / field.FIELD_UNITS_TO_OHM
    tf.impedance_error = 0.05 * np.abs(z) / field.FIELD_UNITS_TO_OHM
    tf.write(fn=str(tmp_path / "zeros.xml"), file_type="emtfxml")
    sounding = field.read(tmp_path / "zeros.xml")
    assert np.isnan(sounding.z_ohm[:, 0, 0]).all() and np.isfinite(sounding.z_ohm[:, 0, 1]).all()
    assert not sounding.response("det").mask.any()  # no diagonal, no determinant…
    assert sounding.response("berdichevsky").mask.all()  # …but the off-diagonal invariant
    text = next(p for p in field.real_soundings() if p.name == "bwa2890.edi").read_text()
    truncated = tmp_path / "truncated.edi"
    truncated.write_text(text[: text.index(">ZXXR")])  # cut right after the FREQ block
    with pytest.raises(ValueError, match="truncated.edi.*no impedance"):
        field.read(truncated)
    with pytest.raises(ValueError, match="file not found"):
        field.read(tmp_path)  # a folder
    wrong = tmp_path / "notes.txt"
    wrong.write_text("x")
    with pytest.raises(ValueError, match="EDI .* or EMTF-XML"):
        field.read(wrong)


def test_error_cap_masks_and_names_periods_instead_of_refusing():
    sounding, z, freq = synthetic_sounding(err=0.02)
    sounding.z_err_ohm[[3, 7]] *= 100  # 200 % errors on two periods, as real files carry
    with pytest.warns(UserWarning, match=r"masked 2 periods \(T = .*\) whose \|Z\| error"):
        response = sounding.response("berdichevsky")
    assert response.mask.sum() == freq.size - 2 and not response.mask[[3, 7]].any()
    assert np.isfinite(response.rhoa_ohmm[3])  # masked, but its value is kept to be shown
    assert sounding.response("berdichevsky", z_err_cap=3.0).mask.all()


def test_opposite_time_convention_is_conjugated_with_a_warning():
    sounding, z, freq = synthetic_sounding()
    sounding.z_ohm = np.conj(sounding.z_ohm)  # a file written with e^(-iωt)
    with pytest.warns(UserWarning, match="time convention"):
        response = sounding.response("berdichevsky")
    rhoa, phase = forward.apparent_resistivity_phase(z, freq)
    np.testing.assert_allclose(response.phase_deg, phase, atol=1e-8)
    assert response.mask.all()


def test_phase_tensor_skew_is_zero_for_2d_and_masks_3d_periods():
    freq = np.logspace(3, -3, 13)
    for angle in (0.0, 25.0, 70.0):
        z = rotated_2d_tensor(freq, angle)
        z[:, 0, 0] += 1e-9 * np.abs(z[:, 0, 1])  # X must be invertible when unrotated
        np.testing.assert_allclose(field.phase_tensor_skew_deg(z), 0.0, atol=1e-4)
    z3d = rotated_2d_tensor(freq, 30.0)
    z3d[:, 0, 0] += 0.3 * np.abs(z3d[:, 0, 1]) * np.exp(1j * np.radians(80))  # a 3D twist
    beta = field.phase_tensor_skew_deg(z3d)
    assert np.all(np.abs(beta) > 1.0)
    # β is invariant to a rotation of the 3D tensor and to galvanic distortion (real C)
    c, s = np.cos(0.4), np.sin(0.4)
    rot = np.array([[c, -s], [s, c]])
    np.testing.assert_allclose(field.phase_tensor_skew_deg(rot @ z3d @ rot.T), beta, atol=1e-8)
    distortion = np.array([[1.3, 0.2], [-0.1, 0.8]])
    np.testing.assert_allclose(field.phase_tensor_skew_deg(distortion @ z3d), beta, atol=1e-8)
    sounding = field.Sounding("3D", freq, z3d, np.full(z3d.shape, np.nan))
    assert sounding.response(max_skew_deg=0.5).mask.sum() == 0
    assert sounding.response(max_skew_deg=90).mask.sum() == sounding.response().mask.sum()


def test_the_real_data_set_is_read_whole():
    files = field.real_soundings()
    readme = (field.SOUNDINGS_DIR / "README.md").read_text()
    assert len(files) >= 20
    assert {p.suffix for p in files} == {".edi", ".xml"}
    for path in files:
        assert path.name in readme  # every file has its provenance row
    surveys = {
        "Gabbs Valley",
        "USArray",
        "AusLAMP",
        "Yellowstone",
        "Patterson Lake",
        "Southern Thomson",
    }
    assert all(s in readme for s in surveys)
    usable = 0
    for path in files:
        with warnings.catch_warnings():  # capped errors, one e^(-iωt) file: said elsewhere
            warnings.simplefilter("ignore")
            response = field.read(path).response()
        assert response.freq_hz.size >= 20
        usable += response.mask.sum() >= 4
    assert usable == len(files)


def test_phase_tensor_ellipticity_tells_2d_from_1d_where_skew_cannot():
    freq = np.logspace(3, -3, 13)
    sounding, _, _ = synthetic_sounding()
    np.testing.assert_allclose(sounding.ellipticity, 0.0, atol=1e-12)  # 1D: both 0
    np.testing.assert_allclose(sounding.skew_deg, 0.0, atol=1e-10)
    np.testing.assert_allclose(sounding.mode_split_decades, 0.0, atol=1e-12)
    z = rotated_2d_tensor(freq, 0.0)
    z[:, 0, 0] += 1e-9 * np.abs(z[:, 0, 1])  # X must be invertible when unrotated
    z_te, z_tm = z[:, 0, 1], -z[:, 1, 0]
    # unrotated 2D: Φ = diag(tan φ_TE, tan φ_TM), so the ellipticity is, exactly,
    # |tan φ_TE − tan φ_TM| / (tan φ_TE + tan φ_TM); β stays 0
    t_te, t_tm = np.tan(np.angle(z_te)), np.tan(np.angle(z_tm))
    expected = np.abs(t_te - t_tm) / (t_te + t_tm)
    np.testing.assert_allclose(field.phase_tensor_ellipticity(z), expected, rtol=1e-6)
    assert np.median(expected) > 0.1
    np.testing.assert_allclose(field.phase_tensor_skew_deg(z), 0.0, atol=1e-4)
    rhoa_te = forward.apparent_resistivity_phase(z_te, freq)[0]
    rhoa_tm = forward.apparent_resistivity_phase(z_tm, freq)[0]
    np.testing.assert_allclose(field.mode_split_decades(z), np.log10(rhoa_te / rhoa_tm))
    # rotation, galvanic distortion and the time convention leave the ellipticity alone…
    z2d = rotated_2d_tensor(freq, 35.0)
    ell = field.phase_tensor_ellipticity(z2d)
    np.testing.assert_allclose(ell, expected, rtol=1e-6)
    distortion = np.array([[1.3, 0.2], [-0.1, 0.8]])
    np.testing.assert_allclose(field.phase_tensor_ellipticity(distortion @ z2d), ell, rtol=1e-8)
    np.testing.assert_allclose(field.phase_tensor_ellipticity(np.conj(z2d)), ell, rtol=1e-8)
    # …while a static shift of one mode splits a 1D earth's modes by a constant
    shifted = sounding.z_ohm * np.array([[1.0, 2.0], [1.0, 1.0]])
    np.testing.assert_allclose(field.mode_split_decades(shifted), 2 * np.log10(2.0))
    np.testing.assert_allclose(field.phase_tensor_ellipticity(shifted), 0.0, atol=1e-12)


def test_ellipticity_of_noisy_1d_data_stays_a_few_hundredths():
    sounding, z, freq = synthetic_sounding()
    rng = np.random.default_rng(0)
    noise = (
        0.03
        * np.abs(z)[:, None, None]
        * (
            rng.standard_normal(sounding.z_ohm.shape)
            + 1j * rng.standard_normal(sounding.z_ohm.shape)
        )
        / np.sqrt(2)
    )
    noisy = field.phase_tensor_ellipticity(sounding.z_ohm + noise)  # 3 % errors on |Z|
    assert 0.005 < np.median(noisy) < 0.08
