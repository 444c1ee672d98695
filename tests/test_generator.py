"""The paper's random-model scheme and the layer grid."""

import numpy as np
import pytest

from mtlib import generator, grid


def test_paper_thicknesses():
    thick = grid.paper_thicknesses()
    assert thick.shape == (39,)
    np.testing.assert_allclose(thick[0], 21.0)
    np.testing.assert_allclose(thick[-1], 20 + 10 ** (0.057 * 38))
    assert np.all(np.diff(thick) > 0)
    assert 1960 < thick.sum() < 1970
    tops = grid.layer_tops_m(thick)
    assert tops.shape == (40,) and tops[0] == 0 and np.isclose(tops[-1], thick.sum())


def test_default_frequencies_high_to_low():
    freq = grid.default_frequencies()
    assert freq.shape == (40,)
    np.testing.assert_allclose([freq[0], freq[-1]], [1e4, 0.1])
    assert np.all(np.diff(freq) < 0)
    np.testing.assert_allclose(np.diff(np.log10(freq)), -5 / 39)


def test_step_profile_draws_each_layer_over_its_depth_range():
    depth, values = grid.step_profile(np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0]), 50.0)
    np.testing.assert_array_equal(depth, [0, 10, 10, 30, 30, 50])
    np.testing.assert_array_equal(values, [1, 1, 2, 2, 3, 3])


def test_interval_means_average_over_the_parts_of_layers_inside_each_interval():
    tops = np.array([0.0, 100.0, 150.0, 350.0])  # the last: a half-space
    values = np.array([[1.0, 2.0, 3.0, 4.0], [10.0, 20.0, 30.0, 40.0]])
    top = np.array([[0.0, 50.0, 300.0, 120.0], [0.0, 50.0, 300.0, 120.0]])
    bottom = np.array([[100.0, 200.0, 500.0, 120.0], [100.0, 200.0, 500.0, 60.0]])
    expected = np.array(
        [1.0, (50 * 1 + 50 * 2 + 50 * 3) / 150, (50 * 3 + 150 * 4) / 200, 2.0]
    )  # an empty interval: the value at its top
    np.testing.assert_allclose(
        grid.interval_means(values, tops, top, bottom), [expected, 10 * expected]
    )


def test_onto_grid_keeps_the_conductance_of_thin_layers():
    """A 10 m, 1 Ω·m conductor inside one 100 m layer of the target grid: the target layer
    gets the mean conductivity (conductance kept), the half-space the value at 1.5 × its top."""
    tops = np.array([0.0, 40.0, 50.0, 100.0, 400.0])
    rho = np.array([[100.0, 1.0, 100.0, 10.0, 1000.0]])
    mapped = grid.onto_grid(rho, tops, np.array([[100.0, 100.0]]), resistivity=True)
    np.testing.assert_allclose(mapped, [[1 / (0.9 / 100 + 0.1 / 1), 10.0, 10.0]])
    assert grid.excess_conductance_s(mapped[0], np.array([100.0, 100.0]), 0, 100, np.inf) == (
        pytest.approx(grid.excess_conductance_s(rho[0], np.diff(tops), 0, 100, np.inf))
    )
    np.testing.assert_allclose(
        grid.onto_grid(rho, tops, np.array([[100.0, 200.0]])), [[90.1, 10.0, 1000.0]]
    )


def test_excess_conductance_counts_the_parts_of_layers_inside_the_window():
    thick = np.array([100.0, 50.0, 200.0])  # tops 0, 100, 150, 350 (half-space)
    rho = np.array([[100.0, 5.0, 100.0, 100.0], [100.0, 10.0, 10.0, 1.0]])
    s = grid.excess_conductance_s(rho, thick, 50.0, 400.0, host_ohmm=100.0)
    expected_0 = 50 * (1 / 5 - 1 / 100)
    expected_1 = 250 * (1 / 10 - 1 / 100) + 50 * (1 / 1 - 1 / 100)  # 150–350, half-space
    np.testing.assert_allclose(s, [expected_0, expected_1])
    assert grid.excess_conductance_s(rho[0], thick, 0.0, 90.0, 100.0) == 0.0
    with pytest.raises(ValueError, match="bottom_m must be below"):
        grid.excess_conductance_s(rho, thick, 300.0, 200.0, 100.0)


def test_models_stay_within_bounds_for_every_option():
    for sampling in generator.SAMPLINGS:
        for interp in generator.INTERPS:
            rho = generator.random_models(5000, seed=1, sampling=sampling, interp=interp)
            assert rho.shape == (5000, 40)
            assert rho.min() >= 2.0 and rho.max() <= 220.0


def test_exactly_five_distinct_control_layers_and_piecewise_linear():
    n = 2000
    rho, (idx, ctrl) = generator.random_models(n, seed=2, return_controls=True)
    assert idx.shape == ctrl.shape == (n, 5)
    assert np.all(np.diff(idx, axis=1) > 0)  # sorted, distinct
    np.testing.assert_allclose(np.take_along_axis(rho, idx, axis=1), ctrl)
    for i in range(n):
        kinks = np.flatnonzero(np.abs(np.diff(rho[i], 2)) > 1e-9) + 1  # second differences
        assert set(kinks) <= set(idx[i])  # slopes change only at control layers
        np.testing.assert_array_equal(rho[i, : idx[i, 0]], ctrl[i, 0])  # constant above
        np.testing.assert_array_equal(rho[i, idx[i, -1] :], ctrl[i, -1])  # and below


def test_log_interpolation_is_linear_in_log_rho():
    rho, (idx, _) = generator.random_models(500, seed=3, interp="log", return_controls=True)
    log_rho = np.log10(rho)
    for i in range(500):
        kinks = np.flatnonzero(np.abs(np.diff(log_rho[i], 2)) > 1e-9) + 1
        assert set(kinks) <= set(idx[i])


def test_control_layers_and_values_are_uniformly_distributed():
    n = 40_000
    _, (idx, ctrl) = generator.random_models(n, seed=4, return_controls=True)
    counts = np.bincount(idx.ravel(), minlength=40)
    expected = n * 5 / 40
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))  # every layer equally likely
    assert abs(ctrl.mean() - 111.0) < 1.0 and abs(np.median(ctrl) - 111.0) < 1.5
    _, (_, ctrl_log) = generator.random_models(
        n, seed=4, sampling="loguniform", return_controls=True
    )
    assert abs(np.median(np.log10(ctrl_log)) - np.log10(np.sqrt(2 * 220))) < 0.01


def test_same_seed_same_models_other_seed_other_models():
    a = generator.random_models(100, seed=9)
    np.testing.assert_array_equal(a, generator.random_models(100, seed=9))
    assert not np.allclose(a, generator.random_models(100, seed=10))
    np.testing.assert_array_equal(
        generator.random_models(3, seed=[1, 2]), generator.random_models(3, seed=[1, 2])
    )


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(sampling="normal"), "sampling"),
        (dict(interp="cubic"), "interp"),
        (dict(n_control=0), "n_control"),
        (dict(n_control=41), "n_control"),
        (dict(rho_min_ohmm=0.0), "rho_min_ohmm"),
        (dict(rho_min_ohmm=300.0), "rho_min_ohmm"),
        (dict(n=-1), "n"),
        (dict(n=2.5), "n"),
    ],
)
def test_bad_options_raise(kwargs, name):
    args = dict(n=10)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        generator.random_models(**args)


def test_blocky_models_are_few_sharp_blocks_over_a_wide_range():
    models = generator.blocky_models(200, seed=5)
    assert models.shape == (200, 40)
    n_blocks = 1 + np.count_nonzero(np.diff(models, axis=1), axis=1)
    assert n_blocks.min() == 3 and n_blocks.max() == 5  # every count drawn, none other
    assert models.min() >= 1.0 and models.max() <= 1000.0
    assert models.min() < 2.0 and models.max() > 220.0  # outside the paper's range
    np.testing.assert_array_equal(models, generator.blocky_models(200, seed=5))
    with pytest.raises(ValueError, match="n_blocks"):
        generator.blocky_models(3, n_blocks=(0, 2))


def test_thin_conductor_models_divide_one_layer_of_a_paper_model():
    thin = generator.thin_conductor_models(50, seed=7)
    rng = np.random.default_rng(7)  # the construction: a paper model, then one layer divided
    ratio = generator.random_models(50, seed=rng) / thin
    changed = ratio != 1.0
    assert np.all(changed.sum(axis=1) == 1)
    layers = np.nonzero(changed)[1]
    assert layers.min() >= 3 and layers.max() < 30
    assert np.all((ratio[changed] >= 10.0) & (ratio[changed] <= 10**1.5))
