"""Surveys (mtlib.survey): stations along a profile, the laterally constrained inversion,
sections, and the chunked runner run here (the Dask cluster: test_survey_dask.py)."""

import csv
import warnings

import numpy as np
import pytest

from mtlib import plotting
from mtlib.cli import main
from mtlib.grid import layer_centres_log_m
from mtlib.inversion import invert_many
from mtlib.survey import (
    PROFILE_A,
    Line,
    Refused,
    column,
    common_grid,
    gabbs_valley,
    lci,
    project_km,
    run,
    synthetic_profile,
)
from mtlib.survey import joint as lci_module
from mtlib.survey.geometry import EARTH_RADIUS_KM
from mtlib.survey.runner import invert_stations
from mtlib.survey.store import Store, fingerprint

# profile A of the Gabbs Valley survey (its README): coordinates, distances along the
# fitted line and offsets from it, km
PROFILE_A_LAT = [38.59456, 38.59369, 38.58528, 38.59646, 38.59413, 38.59884, 38.61234]
PROFILE_A_LON = [-118.35111, -118.27682, -118.20248, -118.13655, -118.07193, -117.94080, -117.88239]
PROFILE_A_KM = [0.0, 6.4, 12.8, 18.6, 24.1, 35.5, 40.6]
PROFILE_A_OFFSET_KM = [0.64, 0.26, -0.95, 0.05, -0.45, -0.42, 0.87]


def haversine_km(lat1, lon1, lat2, lon2):
    p1, p2, dl = np.radians(lat1), np.radians(lat2), np.radians(lon2 - lon1)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))


def test_the_fitted_line_gives_the_surveys_distances_and_offsets():
    line = Line.fit(PROFILE_A_LAT, PROFILE_A_LON)
    assert line.bearing_deg == pytest.approx(88.0, abs=0.6)
    # (the README's projection differs from ours by about 0.4 %)
    assert line.distance_km(PROFILE_A_LAT, PROFILE_A_LON) == pytest.approx(PROFILE_A_KM, abs=0.2)
    offsets = line.offset_km(PROFILE_A_LAT, PROFILE_A_LON)
    assert offsets == pytest.approx(PROFILE_A_OFFSET_KM, abs=0.01)
    assert np.sqrt(np.mean(offsets**2)) == pytest.approx(0.60, abs=0.01)


def test_the_flat_projection_keeps_distances_of_a_survey_to_half_a_percent():
    lat, lon = np.array([38.5, 39.2, 38.9]), np.array([-118.6, -117.8, -118.2])
    xy = project_km(lat, lon, (lat.mean(), lon.mean()))
    for i, j in ((0, 1), (0, 2), (1, 2)):
        flat = np.hypot(*(xy[i] - xy[j]))
        assert flat == pytest.approx(haversine_km(lat[i], lon[i], lat[j], lon[j]), rel=5e-3)


def test_a_chosen_line_measures_from_its_start_and_offsets_to_its_left():
    line = Line.through((38.6, -118.4), (38.6, -117.9))  # west → east
    assert line.bearing_deg == pytest.approx(90.0, abs=0.2)
    end = line.distance_km([38.6], [-117.9])[0]
    assert end == pytest.approx(haversine_km(38.6, -118.4, 38.6, -117.9), rel=5e-3)
    north, south = line.offset_km([38.65, 38.55], [-118.1, -118.1])
    assert north > 0 > south and north == pytest.approx(-south, rel=0.02)
    assert line.points_km([0.0])[0] == pytest.approx(line.start_km)


def test_a_fitted_line_runs_west_to_east_or_south_to_north():
    # two stations, the eastern one slightly south: still west → east
    line = Line.fit(PROFILE_A_LAT[:2], PROFILE_A_LON[:2])
    assert 90 < line.bearing_deg < 91
    assert line.distance_km(PROFILE_A_LAT[:2], PROFILE_A_LON[:2])[0] == pytest.approx(0.0)
    # profile B of the survey, south → north (bearing 358°)
    lat = [38.59884, 38.69569, 38.77921, 38.87059, 38.95866, 39.04511, 39.14941]
    lon = [-117.94080, -117.96514, -117.95784, -117.95857, -117.96252, -117.96133, -117.97277]
    line = Line.fit(lat, lon)
    assert line.bearing_deg == pytest.approx(358.0, abs=0.6)
    assert line.distance_km(lat, lon)[-1] == pytest.approx(61.3, abs=0.3)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: Line.fit([38.6], [-118.0]), "at least 2 stations"),
        (lambda: project_km([95.0], [0.0], (0, 0)), "latitude"),
        (lambda: project_km([10.0, 11.0], [0.0], (0, 0)), "differ in shape"),
        (lambda: Line.through((38.6, -118.0), (38.6, -118.0)), "must differ"),
    ],
)
def test_bad_positions_are_refused_by_name(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_the_shipped_survey_holds_the_profile_and_its_coordinates():
    pytest.importorskip("mt_metadata")
    from mtlib import field

    assert len(gabbs_valley()) == 59
    ends = PROFILE_A[0], PROFILE_A[-1]  # (each file takes a second to read)
    soundings = [field.read(p) for p in gabbs_valley(ends)]
    assert [s.station for s in soundings] == list(ends)
    assert [s.latitude for s in soundings] == pytest.approx(PROFILE_A_LAT[::6], abs=1e-5)
    assert [s.longitude for s in soundings] == pytest.approx(PROFILE_A_LON[::6], abs=1e-5)
    with pytest.raises(ValueError, match="gv999"):
        gabbs_valley(["gv101", "gv999"])


TINY_SAMPLER = dict(
    seed=3,
    burn_in=200,
    first_round=400,
    max_sweeps=800,
    n_ladders=2,
    n_temperatures=2,
    samples_per_chain=50,
    depth_bins=40,
)
"""A few hundred sweeps: the machinery, not a converged posterior."""


# --- the laterally constrained inversion ---------------------------------------------------


@pytest.fixture(scope="module")
def noisy_profile():
    """16 stations over laterally smooth earths, 10 % errors; the common grid, the truth on it
    and independent inversions on it."""
    profile = synthetic_profile(16, z_rel_err=0.1, seed=1)
    thick = common_grid(profile.responses, 40)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a period with its phase pushed out of the quadrant
        independent = invert_many(profile.responses, thick_m=thick)
    return profile, thick, independent


def model_rmse(log10_rho, truth, thick, max_depth_m=20_000.0):
    keep = layer_centres_log_m(thick) < max_depth_m
    return float(np.sqrt(np.mean((log10_rho - truth)[:, keep] ** 2)))


def test_lci_is_closer_to_the_truth_than_independent_inversions_at_equal_fit(noisy_profile):
    profile, thick, independent = noisy_profile
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        joint = lci(profile.responses, profile.distance_km, thick)
    assert joint.stop == "converged"
    truth = profile.true_log10_rho_on(thick)
    m_ind = np.log10([r.rho_ohmm for r in independent])
    nrms_ind = np.array([r.nrms for r in independent])
    # the same fit: every station to its target as far as the independent inversion got it
    assert np.all(joint.nrms <= np.maximum(nrms_ind, 1.0) + 0.02)
    assert abs(joint.nrms.mean() - nrms_ind.mean()) < 0.03
    # a closer model: measured 0.342 against 0.379 decades
    assert model_rmse(joint.log10_rho, truth, thick) < 0.93 * model_rmse(m_ind, truth, thick)
    # and laterally smoother: smaller steps between neighbours
    assert np.abs(np.diff(joint.log10_rho, axis=0)).mean() < np.abs(np.diff(m_ind, axis=0)).mean()


def test_without_lateral_weight_lci_is_the_independent_inversions():
    profile = synthetic_profile(8, z_rel_err=0.05, seed=2)
    thick = common_grid(profile.responses, 30)
    independent = invert_many(profile.responses, thick_m=thick)
    joint = lci(profile.responses, profile.distance_km, thick, lateral_weight=0.0)
    for ind, res in zip(independent, joint.results):
        assert res.rho_network_ohmm == pytest.approx(ind.rho_network_ohmm)  # one reference
        assert res.nrms == pytest.approx(ind.nrms, abs=0.02)
        if ind.stop == "target":  # (a best fit is μ → 0's business: not unique)
            rms = np.sqrt(np.mean(np.log10(res.rho_ohmm / ind.rho_ohmm) ** 2))
            assert rms < 0.05, res.station if hasattr(res, "station") else rms


def test_the_joint_normal_equations_are_the_dense_ones():
    """The sparse assembly (dense blocks per station, diagonal blocks per pair) against the
    dense matrix built term by term."""
    rng = np.random.default_rng(0)
    n, n_lay, n_data = 4, 5, 6
    pairs, weights = lci_module.neighbours(np.array([0.0, 3.0, 4.0, 10.0]))
    assert pairs.tolist() == [[0, 1], [1, 2], [2, 3]]
    # d0 = 3 km: w = 3/3, 3/1 and 3/6
    assert weights == pytest.approx([1.0, 3.0, 0.5])
    m_ref = rng.standard_normal((n, n_lay))
    std = rng.uniform(0.2, 1.0, (n, n_lay))
    arrays = (np.ones((n, n_data)), np.zeros((n, n_data)), np.zeros((n, n_data)),
              np.full((n, n_data), 0.1), np.ones((n, n_data), dtype=bool))  # fmt: skip
    thick = np.ones((n, n_lay - 1))
    joint = lci_module._Joint(arrays, thick, m_ref, std, pairs, weights, smallness=1.0)
    rough = np.diff(np.eye(n_lay), axis=0)
    norm = rough.T @ rough + (1 / std**2)[:, :, None] * np.eye(n_lay)
    g = rng.standard_normal((n, n_data, n_lay))
    gtg = np.einsum("ifk,ifl->ikl", g, g)
    rhs_data = rng.standard_normal((n, n_lay))
    mu, kappa = rng.uniform(0.1, 2.0, n), 2.0
    a = np.zeros((n * n_lay, n * n_lay))
    rhs = np.zeros(n * n_lay)
    for i in range(n):
        s = slice(i * n_lay, (i + 1) * n_lay)
        a[s, s] += gtg[i] + mu[i] * norm[i]
        rhs[s] += rhs_data[i] + mu[i] * norm[i] @ m_ref[i]
    for (i, j), w in zip(pairs, weights):
        c = kappa * w * min(mu[i], mu[j])
        d = np.zeros(n)
        d[i], d[j] = 1.0, -1.0
        a += c * np.kron(np.outer(d, d), np.eye(n_lay))
    dense = np.linalg.solve(a, rhs).reshape(n, n_lay)
    assert joint.solve(gtg, rhs_data, mu, kappa) == pytest.approx(dense, abs=1e-10)
    # each station alone, its neighbours held at the solution: the same models
    assert joint.solve_each(gtg, rhs_data, mu, kappa, dense) == pytest.approx(dense, abs=1e-10)


def test_the_common_grid_covers_every_station():
    profile = synthetic_profile(5, seed=0)
    thick = common_grid(profile.responses, 40)
    from mtlib.inversion import covering_grid

    for r in profile.responses:
        own = covering_grid(r.freq_hz, r.rhoa_ohmm, 40)
        assert thick[0] <= own[0] * (1 + 1e-12) and thick.sum() >= own.sum() * (1 - 1e-12)


@pytest.mark.parametrize(
    ("options", "name"),
    [
        (dict(distance_km=np.zeros(2)), "distance_km"),
        (dict(lateral_weight=-1.0), "lateral_weight"),
        (dict(max_iter=0), "max_iter"),
        (dict(thick_m=np.array([10.0, -1.0])), "thick_m"),
    ],
)
def test_lci_refuses_bad_options_by_name(options, name):
    profile = synthetic_profile(3, seed=0)
    options = {"distance_km": profile.distance_km} | options
    with pytest.raises(ValueError, match=name):
        lci(profile.responses, **options)


# --- sections ------------------------------------------------------------------------------


def test_a_section_fades_below_the_depth_of_investigation_and_keeps_gaps():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.collections import PolyCollection

    profile = synthetic_profile(4, seed=0)
    results = invert_many(profile.responses, thick_m=common_grid(profile.responses, 20))
    x = np.array([0.0, 5.0, 10.0, 30.0])  # a gap after the third station
    fig = plotting.section(
        {"a": results, "b": results}, x, ["s0", "s1", "s2", "s3"], max_depth_m=3e5
    )
    sections = [ax for ax in fig.axes if ax.get_ylabel() == "depth (km)"]
    assert len(sections) == 2  # one per panel, each with its misfit strip
    (cells,) = [c for c in sections[0].collections if isinstance(c, PolyCollection)]
    faces, paths = cells.get_facecolors(), cells.get_paths()
    col = column(results[0])
    tops = np.array([p.vertices[:, 1].min() for p in paths])
    left = np.array([p.vertices[:, 0].min() for p in paths])
    mine = np.isclose(left, left.min())
    below = mine & (tops >= col.doi_m)
    above_and_sure = mine & (tops < col.doi_m)
    above_and_sure[mine] &= col.width_log10[: mine.sum()] <= plotting.SECTION_WIDTH_DECADES
    assert below.any() and above_and_sure.any()
    assert faces[below, :3].min() >= plotting.SECTION_FADE - 1e-9  # most of the way to white
    assert faces[above_and_sure, :3].min() < plotting.SECTION_FADE
    right = np.array([p.vertices[:, 0].max() for p in paths])
    edges = sorted(set(np.round(right, 6)))
    assert edges[-2] < 30.0 - 5.0  # the 20 km gap is not filled (columns ≤ ¾ spacing)


def test_columns_read_inversions_and_posteriors():
    profile = synthetic_profile(2, seed=0)
    (res, _) = invert_many(profile.responses)
    c = column(res)
    assert c.tops_m[0] == 0 and c.log10_rho == pytest.approx(np.log10(res.rho_ohmm))
    assert c.nrms == res.nrms and c.n_data == 2 * res.mask.sum()
    (post,) = run("sample", profile.responses[:1], progress=False, **TINY_SAMPLER)
    p = column(post)
    low, high = post.interval(0.9)
    assert p.width_log10 == pytest.approx(high - low) and p.log10_rho == pytest.approx(post.median)
    assert np.all(np.diff(p.tops_m) > 0) and p.tops_m[0] == 0
    assert p.nrms == pytest.approx(np.sqrt(np.median(post.samples["chi2"]) / post.n_data))


# --- the runner, here (embedded) ------------------------------------------------------------


def test_chunked_inversions_are_those_of_one_batch():
    profile = synthetic_profile(5, seed=4)
    batch = invert_many(profile.responses)
    chunked = run("invert", profile.responses, chunk_size=5, progress=False)
    for a, b in zip(batch, chunked):
        assert np.array_equal(a.rho_ohmm, b.rho_ohmm) and a.nrms == b.nrms


def test_a_refused_sounding_is_named_not_fatal():
    profile = synthetic_profile(3, seed=0)
    bad = profile.responses[1]
    bad.mask = np.zeros(bad.freq_hz.size, dtype=bool)
    bad.mask[:2] = True  # two periods: too few
    out = run("invert", profile.responses, progress=False)
    assert isinstance(out[1], Refused) and out[1].station == bad.station
    assert "usable" in out[1].reason or "periods" in out[1].reason
    refused = {}
    results = invert_stations(profile.responses, refused=refused, progress=False)
    assert results[1] is None and list(refused) == [1] and results[0] is not None
    with pytest.raises(ValueError, match=bad.station):
        invert_stations(profile.responses, progress=False)


def counting(calls: list, fail_at: int | None = None):
    """A task that records the stations it computes (and fails on chunk ``fail_at``)."""

    def task(chunk, net=None, scale=1.0):
        if fail_at is not None and len(calls) >= fail_at:
            raise RuntimeError("stopped")
        calls.append([r.station for r in chunk])
        return [scale * float(np.mean(r.rhoa_ohmm)) for r in chunk]

    return task


def test_a_stopped_run_resumes_from_what_it_wrote(tmp_path):
    profile = synthetic_profile(6, seed=0)
    calls = []
    with pytest.raises(RuntimeError, match="stopped"):
        run(counting(calls, fail_at=2), profile.responses, chunk_size=2, store=tmp_path)
    assert len(list(tmp_path.glob("*.pkl"))) == 4  # two chunks written before the failure
    calls_again = []
    out = run(counting(calls_again), profile.responses, chunk_size=2, store=tmp_path)
    assert calls_again == [["S004", "S005"]]  # only what was missing
    assert out == [float(np.mean(r.rhoa_ohmm)) for r in profile.responses]
    calls_changed = []  # other settings: nothing to reuse
    run(counting(calls_changed), profile.responses, chunk_size=3, store=tmp_path, scale=2.0)
    assert sum(len(c) for c in calls_changed) == 6


def test_the_store_fingerprints_settings_and_data(tmp_path):
    profile = synthetic_profile(2, seed=0)
    a, b = Store(tmp_path, {"x": 1}), Store(tmp_path, {"x": 2})
    r = profile.responses[0]
    assert a.path(r) != b.path(r) and a.path(r) != a.path(profile.responses[1])
    assert fingerprint(np.arange(3.0)) != fingerprint(np.arange(3))  # dtype counts
    assert fingerprint({"a": 1, "b": [1, 2]}) == fingerprint({"b": [1, 2], "a": 1})
    a.save(r, {"value": 1})
    assert a.load(r) == (True, {"value": 1}) and b.load(r) == (False, None)


@pytest.mark.parametrize(
    ("options", "name"),
    [
        (dict(task="nothing"), "task"),
        (dict(task="invert", chunk_size=0), "chunk_size"),
        (dict(task="invert", net=object()), "net"),
        (dict(task="invert", scheduler=3), "scheduler"),
    ],
)
def test_the_runner_refuses_bad_options_by_name(options, name):
    pytest.importorskip("distributed")
    profile = synthetic_profile(2, seed=0)
    with pytest.raises(ValueError, match=name):
        run(responses=profile.responses, progress=False, **options)


# --- the command line -----------------------------------------------------------------------


def test_invert_writes_a_section_and_a_map_and_resumes(tmp_path, capsys):
    pytest.importorskip("mt_metadata")
    files = [str(p) for p in gabbs_valley(["gv102", "gv101"])]
    out = tmp_path / "o"
    assert main(["invert", *files, "--out", str(out), "--section"]) == 0
    assert (out / "section.png").is_file() and (out / "stations.png").is_file()
    with open(out / "section.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["station"] for r in rows] == ["gv101", "gv102"]  # along the line
    assert [float(r["distance_km"]) for r in rows] == pytest.approx([0.0, 6.45], abs=0.05)
    summary = (out / "summary.csv").read_text()
    assert len(list((out / ".stations").glob("*.pkl"))) == 2
    assert main(["invert", *files, "--out", str(out)]) == 0  # resumed from .stations
    again = (out / "summary.csv").read_text()
    assert again == summary


def test_sample_writes_quantiles_figures_and_a_summary(tmp_path):
    pytest.importorskip("mt_metadata")
    (path,) = gabbs_valley(["gv102"])
    out = tmp_path / "s"
    assert main(["sample", str(path), "--out", str(out), "--max-seconds", "1"]) == 0
    with open(out / "gv102_posterior.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    low, mid, high = (np.array([float(r[k]) for r in rows]) for k in
                      ("log10_rho_p05", "log10_rho_p50", "log10_rho_p95"))  # fmt: skip
    assert np.all(low <= mid) and np.all(mid <= high) and len(rows) > 10
    assert (out / "gv102_posterior.png").is_file()
    with open(out / "summary.csv", newline="") as fh:
        (row,) = csv.DictReader(fh)
    assert row["station"] == "gv102" and row["stop"] in ("converged", "max_seconds")
    assert int(row["n_data"]) == 84
