"""Monte Carlo uncertainty and Sobol sensitivity analysis (pipelines.composite.uncertainty)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipelines.composite import (
    AggregateSettings,
    Coin,
    Framework,
    ImputeSettings,
    NormaliseSettings,
    ScreenSettings,
    Settings,
    TreatSettings,
    build,
)
from pipelines.composite.batch import rank_descending
from pipelines.composite.uncertainty import (
    Choice,
    MonteCarlo,
    noisy_weights,
    sample_design,
    sensitivity_analysis,
    uncertainty_rows,
    unit_rank,
)

COINR = Path(__file__).resolve().parent / "coinr_reference"
SA_EXPECTED = COINR / "expected_vignette_SA_UA"

POSITIVE = NormaliseSettings("minmax", {"lower": 1, "upper": 100})
ZSCORE = NormaliseSettings("zscore", {"mean": 10, "sd": 2})


def framework() -> Framework:
    """Six indicators -> two pillars -> index; ``f`` is lower-is-better."""
    table = pd.DataFrame(
        {
            "code": ["a", "b", "c", "d", "e", "f", "P1", "P2", "Index"],
            "level": [1, 1, 1, 1, 1, 1, 2, 2, 3],
            "parent": ["P1", "P1", "P1", "P2", "P2", "P2", "Index", "Index", None],
            "direction": [1, 1, 1, 1, 1, -1, 1, 1, 1],
        }
    )
    return Framework.from_table(table)


def indicator_data(index: pd.Index, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    level = rng.normal(0, 1, len(index))
    data = {code: level + rng.normal(0, 1, len(index)) + 5 for code in "abcde"}
    data["a"] = np.exp(2 * data["a"] - 8)  # skewed: the winsorisation limit matters
    data["f"] = -level + rng.normal(0, 1, len(index))
    return pd.DataFrame(data, index=index)


@pytest.fixture(scope="module")
def panel_coin() -> Coin:
    index = pd.MultiIndex.from_product([[f"u{i}" for i in range(8)], [2020, 2021, 2022]])
    return Coin.from_data(framework(), indicator_data(index, seed=11))


@pytest.fixture(scope="module")
def all_choices(panel_coin) -> list[Choice]:
    noisy = noisy_weights(panel_coin.framework, {1: 0.3, 2: 0.3}, n=3, seed=5)
    return [
        Choice.winsorisation((1, 3, None)),
        Choice.normalisation([POSITIVE, ZSCORE, "rank"]),
        Choice.weights(["nominal", "equal", "entropy", "pca", *noisy]),
        Choice.aggregation(("arithmetic", "geometric", ("geometric", "arithmetic"))),
    ]


# --- ranking ------------------------------------------------------------------------------------
def test_rank_descending_is_pandas_min_rank_with_ties_and_missing_values() -> None:
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, size=(50, 9)).astype(float)  # many ties
    scores[rng.random(scores.shape) < 0.2] = np.nan
    expected = pd.DataFrame(scores).rank(axis=1, method="min", ascending=False).to_numpy()
    np.testing.assert_array_equal(rank_descending(scores), expected)


# --- vectorised == loop ---------------------------------------------------------------------------
def test_vectorised_runs_equal_the_engine_rebuilt_per_run_on_a_panel(panel_coin, all_choices):
    monte_carlo = MonteCarlo(
        panel_coin, all_choices, Settings(treat=TreatSettings(winmax=5), normalise=POSITIVE)
    )
    indices = sample_design(all_choices, 60, kind="UA", seed=1)
    loop_scores, loop_ranks = monte_carlo.scores_loop(indices)
    scores = monte_carlo.scores(indices)
    assert np.nanmax(np.abs(scores - loop_scores)) <= 1e-9
    ranks, _ = monte_carlo.ranks(indices)
    np.testing.assert_array_equal(ranks, loop_ranks)
    # the design really moved things: every choice changes some scores
    assert len(np.unique(scores[:, -1].round(9), axis=0)) > 30


def test_vectorised_equals_loop_on_a_cross_section_with_missing_values() -> None:
    units = pd.Index([f"u{i}" for i in range(12)])
    data = indicator_data(units, seed=3)
    data.iloc[[1, 4, 7], [0, 3]] = np.nan
    data.iloc[5, [1, 2]] = np.nan
    coin = Coin.from_data(framework(), data)
    settings = Settings(
        denominate=None,
        impute=None,
        screen=ScreenSettings(dat_thresh=0.5),
        normalise=NormaliseSettings("minmax", {"lower": 0, "upper": 100}),
    )
    choices = [
        Choice.normalisation(["minmax", "rank"]),  # min-max 0-100 has zeros
        Choice.weights(["nominal", "equal", *noisy_weights(coin.framework, {1: 0.5}, 2)]),
        Choice.aggregation(
            [
                "arithmetic",
                AggregateSettings("geometric", nonpositive="zero"),
                AggregateSettings("arithmetic", dat_thresh=0.7),
            ]
        ),
    ]
    monte_carlo = MonteCarlo(coin, choices, settings)
    indices = sample_design(choices, 40, kind="UA", seed=2)
    loop_scores, loop_ranks = monte_carlo.scores_loop(indices)
    scores = monte_carlo.scores(indices)
    np.testing.assert_array_equal(np.isnan(scores), np.isnan(loop_scores))
    assert np.nanmax(np.abs(scores - loop_scores)) <= 1e-9
    assert np.isnan(scores).any() and (scores == 0).any()  # both rules were exercised
    np.testing.assert_array_equal(monte_carlo.ranks(indices)[0], loop_ranks)


def test_geometric_mean_of_zeros_is_refused_as_the_engine_does(panel_coin) -> None:
    choices = [Choice.aggregation(("geometric",)), Choice.normalisation(["minmax"])]
    monte_carlo = MonteCarlo(panel_coin, choices)
    with pytest.raises(ValueError, match="positive values"):
        monte_carlo.scores(np.zeros((1, 2), dtype=int))
    with pytest.raises(ValueError, match="positive values"):
        monte_carlo.scores_loop(np.zeros((1, 2), dtype=int))


def test_the_analysis_of_a_built_coin_starts_from_its_imputed_data(panel_coin, all_choices):
    """Coin.sensitivity skips re-imputing (no choice varies it): the same numbers as the
    analysis of the raw coin with the whole nominal settings."""
    raw = panel_coin.datasets["Raw"].copy()
    raw.iloc[[1, 5, 10], [0, 3]] = np.nan  # interior gaps of a panel: interpolated
    coin = Coin.from_data(panel_coin.framework, raw)
    settings = Settings(impute=ImputeSettings("linear_then_carry_forward"), normalise=POSITIVE)
    built = build(coin, settings).sensitivity(all_choices, 16, seed=3)
    result = built.analysis["Sensitivity"]
    reference = sensitivity_analysis(coin, all_choices, 16, settings=settings, seed=3)
    pd.testing.assert_frame_equal(result.rank_stats, reference.rank_stats)
    pd.testing.assert_frame_equal(result.sensitivity, reference.sensitivity)
    with pytest.raises(ValueError, match="build the coin first"):
        coin.sensitivity(all_choices, 16)


# --- rank statistics ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ua_result(panel_coin, all_choices):
    return sensitivity_analysis(
        panel_coin,
        all_choices,
        200,
        settings=Settings(normalise=POSITIVE),
        kind="UA",
        seed=4,
        keep_scores=True,
    )


def test_ranks_are_permutations_within_every_year(ua_result) -> None:
    """1..n in every (run, aggregate, year) whose scores are distinct; ties (which rank
    normalisation produces) share the lowest rank, i.e. rank = 1 + number of higher scores."""
    ranks, scores = ua_result.ranks, ua_result.scores
    n_units = len(ua_result.units)
    assert ranks.shape == (200, 3, 3, n_units)  # runs, aggregates (P1, P2, Index), years, units
    higher = (scores[..., None, :] > scores[..., :, None]).sum(axis=-1)
    np.testing.assert_array_equal(ranks, higher + 1)
    distinct = (np.diff(np.sort(scores, axis=-1), axis=-1) != 0).all(axis=-1)
    assert distinct.mean() > 0.9
    assert (np.sort(ranks, axis=-1)[distinct] == np.arange(1, n_units + 1)).all()
    assert (np.sort(ua_result.nominal_ranks, axis=-1) == np.arange(1, n_units + 1)).all()


def test_rank_interval_contains_the_median(ua_result) -> None:
    stats = ua_result.rank_stats
    assert len(stats) == 3 * 8 * 3 and stats.notna().all().all()
    assert (stats["q5"] <= stats["median"]).all() and (stats["median"] <= stats["q95"]).all()
    assert (stats["q5"] < stats["q95"]).any()  # there is uncertainty to summarise
    table = ua_result.ranks_table("Index")
    assert table.shape == (24, 200)
    assert table.loc[("u0", 2021)].median() == stats.loc[("Index", "u0", 2021), "median"]


def test_without_uncertainty_the_median_rank_is_the_nominal_rank(panel_coin) -> None:
    settings = Settings(treat=TreatSettings(winmax=3), normalise=POSITIVE)
    choices = [
        Choice.winsorisation((3,)),
        Choice.normalisation([POSITIVE]),
        Choice.weights(["nominal"]),
        Choice.aggregation(("arithmetic",)),
    ]
    result = sensitivity_analysis(panel_coin, choices, 20, settings=settings, kind="UA")
    stats = result.rank_stats
    for column in ("median", "mean", "q5", "q95"):
        np.testing.assert_array_equal(stats[column], stats["nominal"])
    assert (result.ranks == result.nominal_ranks).all()
    assert (result.output == 0).all().all()


# --- Sobol indices ------------------------------------------------------------------------------
N_SOBOL = 1024  # base sample: N (d + 2) = 5,120 runs, about a second
DUMMY_BOUND = 1e-12  # the dummy's A_B^(j) rows equal the A rows, so its estimates are exactly 0
TOTAL_BOUND = 0.1  # about 3 standard errors of the estimators at N = 1024 (1/sqrt(N) ~ 0.03)


@pytest.fixture(scope="module")
def one_choice_varies(panel_coin):
    choices = [
        Choice.normalisation([POSITIVE, POSITIVE], name="Dummy normalisation"),
        Choice.aggregation(("arithmetic", "geometric")),
        Choice.weights(["nominal", "nominal", "nominal"], name="Dummy weights"),
    ]
    return sensitivity_analysis(
        panel_coin, choices, N_SOBOL, settings=Settings(normalise=POSITIVE), kind="SA", seed=8
    )


def test_a_choice_that_changes_nothing_has_sobol_indices_zero(one_choice_varies) -> None:
    sensitivity = one_choice_varies.sensitivity
    dummies = sensitivity.xs("Dummy normalisation", level="choice")
    dummies = pd.concat([dummies, sensitivity.xs("Dummy weights", level="choice")])
    assert dummies[["S1", "ST"]].abs().max().max() <= DUMMY_BOUND


def test_the_only_choice_that_varies_has_total_index_one(one_choice_varies) -> None:
    varying = one_choice_varies.sensitivity.xs("Aggregation", level="choice")
    assert (one_choice_varies.output.std() > 0).all()  # aggregation moves every aggregate
    assert ((varying["ST"] - 1).abs() <= TOTAL_BOUND).all()
    assert ((varying["S1"] - 1).abs() <= TOTAL_BOUND).all()


def test_sobol_design_layout_and_a_unit_rank_target(panel_coin, all_choices) -> None:
    indices = sample_design(all_choices, 64, kind="SA", seed=0)
    assert indices.shape == (64 * 6, 4)
    a_b = uncertainty_rows(len(indices), 4, "SA")
    assert len(a_b) == 128 and a_b[0] == 0 and a_b[1] == 5
    for j, choice in enumerate(all_choices):  # every alternative is drawn
        assert set(indices[:, j]) == set(range(len(choice.alternatives)))
    result = MonteCarlo(panel_coin, all_choices, Settings(normalise=POSITIVE)).analyse(
        indices, kind="SA", statistic=unit_rank("u3", 2022)
    )
    assert (result.output["Index"] == result.ranks[:, 2, 2, 3]).all()
    assert set(result.sensitivity.index.get_level_values("choice")) == {c.name for c in all_choices}


# --- COINr's vignette analysis ------------------------------------------------------------------
def test_sobol_indices_of_coinr_vignette_are_of_the_same_order() -> None:
    """COINr's vignette: winmax 1-5, min-max 1-100 or z-score 10/2, 100 sets of weights with
    +-25% noise on the pillars and sub-indices, arithmetic or geometric mean; output = mean
    |rank shift| of the Index. COINr's stored run used N = 100 and R's random numbers, so its
    first-order indices are loose (its own 90% bootstrap intervals are ~0.3-0.7 wide). We use
    N = 256 and require (1) the nominal ranks to equal COINr's; (2) the same most important
    choice by first-order and total index and the same least important by total index; (3)
    every index inside COINr's 5-95% bootstrap interval widened by our own 95% half-width, the
    two estimators' noise added up; (4) median ranks within 5 places of COINr's."""
    meta = pd.read_csv(COINR / "ASEM_iMeta.csv")
    data = pd.read_csv(COINR / "ASEM_iData.csv").set_index("uCode")
    coin = Coin.from_data(Framework.from_coinr_meta(meta), data)
    settings = Settings(
        impute=ImputeSettings(method="group_mean", group_column="EurAsia_group"),
        screen=ScreenSettings(dat_thresh=0.9, unit_screen="byNA"),
        treat=TreatSettings(winmax=5),
        normalise=NormaliseSettings("minmax", {"lower": 0, "upper": 100}),
        aggregate=AggregateSettings("arithmetic"),
    )
    choices = [
        Choice.winsorisation((1, 2, 3, 4, 5)),
        Choice.normalisation([POSITIVE, ZSCORE]),
        Choice.weights(noisy_weights(coin.framework, {2: 0.25, 3: 0.25}, n=100, seed=0)),
        Choice.aggregation(("arithmetic", "geometric")),
    ]
    result = sensitivity_analysis(coin, choices, 256, settings=settings, kind="SA", seed=0)
    ours = result.sensitivity.loc["Index"]
    theirs = pd.read_csv(SA_EXPECTED / "SA_results_Sensitivity.csv").set_index("Variable")

    nominal = pd.read_csv(SA_EXPECTED / "SA_results_Nominal.csv").set_index("uCode")["Rank"]
    stats = result.rank_stats.loc["Index"]
    assert (stats["nominal"] == nominal.reindex(stats.index)).all()

    assert ours["ST"].idxmax() == theirs["STi"].idxmax() == "Aggregation"
    assert ours["ST"].idxmin() == theirs["STi"].idxmin() == "Winmax"
    assert ours["S1"].idxmax() == theirs["Si"].idxmax() == "Aggregation"
    for ours_col, theirs_col in (("S1", "Si"), ("ST", "STi")):
        low = theirs[f"{theirs_col}_q5"] - ours[f"{ours_col}_conf"]
        high = theirs[f"{theirs_col}_q95"] + ours[f"{ours_col}_conf"]
        inside = ours[ours_col].between(low, high)
        assert inside.all(), pd.DataFrame({"ours": ours[ours_col], "low": low, "high": high})

    coinr_stats = pd.read_csv(SA_EXPECTED / "SA_results_RankStats.csv").set_index("uCode")
    difference = (stats["median"] - coinr_stats["Median"].reindex(stats.index)).abs()
    assert difference.max() <= 5
