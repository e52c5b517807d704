"""Each method against numbers worked out by hand or straight from its formula."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from pipelines.composite import Coin, Framework, FrameworkError, ImputeSettings, Settings, build
from pipelines.composite.aggregate import (
    aggregate,
    weighted_arithmetic_mean,
    weighted_geometric_mean,
)
from pipelines.composite.audit import (
    correlation_matrix,
    cronbach_alpha,
    cronbach_by_group,
    parent_correlation_flags,
)
from pipelines.composite.impute import impute
from pipelines.composite.normalise import normalise
from pipelines.composite.screen import screen_units
from pipelines.composite.stats import sample_excess_kurtosis, sample_skewness
from pipelines.composite.treat import check_skew_kurt, log_ct, treat_indicator, winsorise
from pipelines.composite.weighting import (
    entropy_weights,
    equal_weights,
    pca_weights,
    weights_by_group,
)


def small_framework(weights=(1.0, 1.0, 1.0, 1.0), directions=(1, 1, -1, 1)) -> Framework:
    """Four indicators -> two pillars (P1: a, b; P2: c, d) -> index."""
    table = pd.DataFrame(
        {
            "code": ["a", "b", "c", "d", "P1", "P2", "Index"],
            "level": [1, 1, 1, 1, 2, 2, 3],
            "parent": ["P1", "P1", "P2", "P2", "Index", "Index", None],
            "weight": [*weights, 1.0, 1.0, 1.0],
            "direction": [*directions, 1, 1, 1],
        }
    )
    return Framework.from_table(table)


# --- moments -----------------------------------------------------------------------------------
def test_moments_match_pandas_type_2_estimators() -> None:
    x = pd.Series([1.0, 2.0, 2.5, 7.0, 11.0, np.nan])
    assert sample_skewness(x.to_numpy()) == pytest.approx(x.skew(), abs=1e-12)
    assert sample_excess_kurtosis(x.to_numpy()) == pytest.approx(x.kurt(), abs=1e-12)


# --- entropy weights ---------------------------------------------------------------------------
def test_entropy_weights_with_a_zero_cell_by_hand() -> None:
    # a: p = (0, 1/2, 1/2) -> e = ln2/ln3 (0 ln 0 = 0); b: p = (1/4, 1/4, 1/2) -> e = 1.5 ln2/ln3
    data = pd.DataFrame({"a": [0.0, 1.0, 1.0], "b": [1.0, 1.0, 2.0]})
    ln2, ln3 = math.log(2), math.log(3)
    total = 2 * ln3 - 2.5 * ln2
    weights = entropy_weights(data)
    assert weights["a"] == pytest.approx((ln3 - ln2) / total, abs=1e-12)
    assert weights["b"] == pytest.approx((ln3 - 1.5 * ln2) / total, abs=1e-12)
    assert weights.sum() == pytest.approx(1.0, abs=1e-12)


def test_entropy_weights_panel_form_uses_all_unit_years() -> None:
    # stacking two identical years changes nothing but n: e = -sum p ln p / ln(n) over all rows
    year = pd.DataFrame({"a": [0.0, 1.0, 1.0], "b": [1.0, 1.0, 2.0]})
    panel = pd.concat([year, year], keys=[2020, 2021], names=["year", "unit"])
    p_a = np.array([0, 0.25, 0.25, 0, 0.25, 0.25])
    p_b = np.array([1, 1, 2, 1, 1, 2]) / 8
    e_a = -np.sum(p_a[p_a > 0] * np.log(p_a[p_a > 0])) / np.log(6)
    e_b = -np.sum(p_b * np.log(p_b)) / np.log(6)
    expected_a = (1 - e_a) / ((1 - e_a) + (1 - e_b))
    assert entropy_weights(panel)["a"] == pytest.approx(expected_a, abs=1e-12)


def test_entropy_weights_refuse_negative_or_missing_values() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        entropy_weights(pd.DataFrame({"a": [-1.0, 1.0], "b": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="complete"):
        entropy_weights(pd.DataFrame({"a": [np.nan, 1.0], "b": [1.0, 2.0]}))


def test_entropy_weights_by_group_sum_to_one_in_each_group() -> None:
    framework = small_framework()
    scores = pd.DataFrame(
        {"a": [0.0, 0.5, 1.0], "b": [0.0, 0.0, 1.0], "c": [1.0, 0.2, 0.0], "d": [0.3, 0.3, 0.4]}
    )
    weighted = weights_by_group(framework, scores, "entropy")
    weights = weighted.weights
    assert weights[["a", "b"]].sum() == pytest.approx(1.0)
    assert weights[["c", "d"]].sum() == pytest.approx(1.0)
    # b (one non-zero cell) is more concentrated than a, so it carries more information
    assert weights["b"] > weights["a"]
    assert weights["P1"] == 1.0


def test_equal_weights_reset_every_node() -> None:
    framework = equal_weights(small_framework(weights=(3.0, 1.0, 2.0, 2.0)))
    assert (framework.weights == 1.0).all()


def test_pca_weights_are_the_first_eigenvector_of_the_correlation_matrix() -> None:
    # two perfectly correlated columns and an independent one: PC1 = (1, 1, 0)/sqrt(2)
    data = pd.DataFrame(
        {"x": [1.0, 2.0, 3.0, 4.0], "y": [2.0, 4.0, 6.0, 8.0], "z": [1.0, -1.0, -1.0, 1.0]}
    )
    weights = pca_weights(data)
    assert weights.to_numpy() == pytest.approx([1 / math.sqrt(2), 1 / math.sqrt(2), 0], abs=1e-12)


# --- aggregation -------------------------------------------------------------------------------
def test_weighted_arithmetic_mean_drops_missing_values_and_their_weights() -> None:
    values = np.array([[2.0, 4.0, 6.0], [np.nan, 4.0, 8.0], [np.nan, np.nan, np.nan]])
    weights = np.array([1.0, 1.0, 2.0])
    result = weighted_arithmetic_mean(values, weights)
    assert result[0] == pytest.approx((2 + 4 + 12) / 4)
    assert result[1] == pytest.approx((4 + 16) / 3)
    assert np.isnan(result[2])


def test_weighted_geometric_mean_by_hand() -> None:
    values = np.array([[4.0, 1.0], [8.0, 1.0], [np.nan, 9.0]])
    assert weighted_geometric_mean(values[[0]], np.array([1.0, 1.0]))[0] == pytest.approx(2.0)
    # weights 3:1 -> 8^(3/4) * 1^(1/4)
    assert weighted_geometric_mean(values[[1]], np.array([3.0, 1.0]))[0] == pytest.approx(8**0.75)
    assert weighted_geometric_mean(values[[2]], np.array([1.0, 1.0]))[0] == pytest.approx(9.0)


def test_geometric_mean_with_zeros_errors_like_coinr_or_goes_to_zero() -> None:
    values = np.array([[4.0, 1.0], [0.0, 9.0]])
    weights = np.array([1.0, 1.0])
    with pytest.raises(ValueError, match="positive"):
        weighted_geometric_mean(values, weights)
    result = weighted_geometric_mean(values, weights, nonpositive="zero")
    assert result.tolist() == pytest.approx([2.0, 0.0])
    with pytest.raises(ValueError, match="positive"):
        weighted_geometric_mean(np.array([[-1.0, 2.0]]), weights, nonpositive="zero")


def test_aggregate_level_by_level_with_weights() -> None:
    framework = small_framework(weights=(1.0, 3.0, 1.0, 1.0))
    scores = pd.DataFrame(
        {"a": [0.0, 100.0], "b": [100.0, 0.0], "c": [50.0, np.nan], "d": [10.0, 20.0]}
    )
    result = aggregate(scores, framework)
    assert result["P1"].tolist() == pytest.approx([75.0, 25.0])
    assert result["P2"].tolist() == pytest.approx([30.0, 20.0])
    assert result["Index"].tolist() == pytest.approx([52.5, 22.5])
    thresholded = aggregate(scores, framework, dat_thresh=1.0)
    assert np.isnan(thresholded.loc[1, "P2"])


# --- normalisation -----------------------------------------------------------------------------
@pytest.fixture
def messy() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    data = pd.DataFrame(rng.lognormal(size=(25, 4)) * [1, 10, 100, 1000], columns=list("abcd"))
    data.iloc[3, 1] = np.nan
    return data


@pytest.mark.parametrize("lower, upper", [(0.0, 1.0), (0.0, 100.0), (1.0, 100.0)])
def test_minmax_scores_lie_in_the_interval_and_reach_both_ends(messy, lower, upper) -> None:
    directions = small_framework().directions
    scores = normalise(messy, directions, "minmax", {"lower": lower, "upper": upper})
    assert (scores.min() == lower).all() and (scores.max() == upper).all()
    assert scores.isna().equals(messy.isna())
    # direction -1: the largest raw value gets the lowest score
    assert scores["c"][messy["c"].idxmax()] == lower


def test_ranks_are_a_permutation(messy) -> None:
    ranks = normalise(messy.dropna(), method="rank", params={"ties": "first"})
    for code in ranks.columns:
        assert sorted(ranks[code]) == list(range(1, len(ranks) + 1))


def test_rank_ties_share_the_lowest_rank_by_default() -> None:
    ranks = normalise(pd.DataFrame({"a": [5.0, 1.0, 5.0, 3.0]}), method="rank")
    assert ranks["a"].tolist() == [3.0, 1.0, 3.0, 2.0]


def test_zscore_has_mean_zero_and_sample_sd_one(messy) -> None:
    scores = normalise(messy, method="zscore")
    assert scores.mean().abs().max() < 1e-12
    assert (scores.std(ddof=1) - 1).abs().max() < 1e-12


def test_distance_to_reference_unit_scores_the_reference_one() -> None:
    data = pd.DataFrame({"a": [2.0, 4.0, 6.0, 8.0]}, index=["u1", "u2", "ref", "u4"])
    scores = normalise(data, method="dist_to_ref", params={"reference_unit": "ref"})
    # 1 - (6 - x) / (6 - 2)
    assert scores["a"].tolist() == pytest.approx([0.0, 0.5, 1.0, 1.5])
    capped = normalise(
        data, method="dist_to_ref", params={"reference_unit": "ref", "cap_max": True}
    )
    assert capped["a"].max() == 1.0


# --- treatment ---------------------------------------------------------------------------------
def test_winsorisation_moves_one_extreme_at_a_time_until_it_passes() -> None:
    x = np.array([*range(1, 21), 60.0, 100.0])
    assert not check_skew_kurt(x).passed
    # step 1 moves 100 onto 60; that still fails, so step 2 moves both 60s onto 20
    after_step_one = np.array([*range(1, 21), 60.0, 60.0])
    assert not check_skew_kurt(after_step_one).passed
    result = winsorise(x)
    assert result.values[-2:].tolist() == [20.0, 20.0]
    assert result.n_winsorised == 2
    assert result.points[-2:].tolist() == ["winhi", "winhi"]
    assert check_skew_kurt(result.values).passed


def test_winsorisation_moves_tied_extremes_together_and_low_side_for_negative_skew() -> None:
    x = -np.array([*range(1, 21), 100.0, 100.0])
    result = winsorise(x)
    assert result.values[-2:].tolist() == [-20.0, -20.0]
    assert result.n_winsorised == 2
    assert result.points[-2:].tolist() == ["winlo", "winlo"]


def test_winmax_reached_falls_back_to_log_of_the_untreated_values() -> None:
    x = np.array([*range(1, 21), 60.0, 100.0])
    result = treat_indicator(x, winmax=1)
    assert result.record["n_winsorised"] == 1 and not result.record["pass_1"]
    assert result.record["treatment"] == "log_CT"
    expected = np.log(x - 1 + 0.01 * 99)
    assert result.values == pytest.approx(expected)
    assert np.array_equal(log_ct(x), result.values)


def test_passing_indicator_is_left_alone() -> None:
    x = np.arange(1.0, 11.0)
    result = treat_indicator(x)
    assert result.record == {
        "pass_0": True,
        "skew_0": pytest.approx(0.0),
        "kurt_0": pytest.approx(-1.2),
        "treatment": "none",
    }
    assert np.array_equal(result.values, x)


# --- imputation --------------------------------------------------------------------------------
@pytest.fixture
def panel() -> pd.DataFrame:
    index = pd.MultiIndex.from_product(
        [["A", "B"], [2018, 2019, 2020, 2021, 2022]], names=["unit", "year"]
    )
    values = [np.nan, 1.0, np.nan, 3.0, np.nan, 10.0, np.nan, np.nan, 16.0, 18.0]
    return pd.DataFrame({"x": values}, index=index)


def test_panel_linear_interpolation_fills_interior_gaps_only(panel) -> None:
    result = impute(panel, "linear")
    assert result.data["x"].tolist() == pytest.approx(
        [np.nan, 1.0, 2.0, 3.0, np.nan, 10.0, 12.0, 14.0, 16.0, 18.0], nan_ok=True
    )
    assert result.imputed["x"].tolist() == [
        False,
        False,
        True,
        False,
        False,
        False,
        True,
        True,
        False,
        False,
    ]


def test_panel_linear_interpolation_uses_the_years_themselves() -> None:
    index = pd.MultiIndex.from_tuples([("A", 2015), ("A", 2016), ("A", 2018)])
    data = pd.DataFrame({"x": [1.0, np.nan, 4.0]}, index=index)
    assert impute(data, "linear").data.loc[("A", 2016), "x"] == pytest.approx(2.0)


def test_panel_carry_forward_takes_the_latest_earlier_value(panel) -> None:
    shuffled = panel.iloc[::-1]  # order of rows must not matter
    result = impute(shuffled, "carry_forward")
    assert result.data.loc["A", "x"].sort_index().tolist() == pytest.approx(
        [np.nan, 1.0, 1.0, 3.0, 3.0], nan_ok=True
    )
    assert result.n_imputed == 2 + 2
    both = impute(panel, "linear_then_carry_forward")
    assert both.data.loc["A", "x"].tolist() == pytest.approx([np.nan, 1, 2, 3, 3], nan_ok=True)


def test_group_mean_imputation_and_flags() -> None:
    data = pd.DataFrame({"x": [1.0, 3.0, np.nan, 10.0, np.nan]}, index=list("pqrst"))
    groups = pd.Series(["g", "g", "g", "h", None], index=list("pqrst"))
    result = impute(data, "group_mean", groups)
    assert result.data["x"].tolist() == pytest.approx([1, 3, 2, 10, np.nan], nan_ok=True)
    assert result.imputed["x"].tolist() == [False, False, True, False, False]


def test_a_group_left_empty_in_a_unit_year_takes_the_units_earliest_values() -> None:
    """Unit A has nothing in P1 (a, b) in 2020: a takes 4 (2021), b takes 6 (2022, its first
    value); in 2021 P1 has a, so b's leading gap stays missing. Unit B is complete."""
    index = pd.MultiIndex.from_product([["A", "B"], [2020, 2021, 2022]])
    nan = np.nan
    data = pd.DataFrame(
        {
            "a": [nan, 4.0, nan, 1.0, 2.0, 3.0],
            "b": [nan, nan, 6.0, 1.0, 2.0, 3.0],
            "c": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0],
            "d": [1.0, 2.0, 3.0, 1.0, 2.0, 3.0],
        },
        index=index,
    )
    fill = ImputeSettings("linear_then_carry_forward", empty_group_fill="earliest_observed")
    coin = Coin.from_data(small_framework(), data).impute(fill)
    imputed, found = coin.datasets["Imputed"], coin.analysis["Imputed"]
    assert imputed.loc[("A", 2020), ["a", "b"]].tolist() == [4.0, 6.0]
    assert np.isnan(imputed.loc[("A", 2021), "b"]) and imputed.loc[("A", 2022), "a"] == 4.0
    filled = found["filled_empty_group_cells"]
    assert filled.to_numpy().sum() == 2 and filled.loc[("A", 2020), ["a", "b"]].all()
    assert found["n_imputed"] == 3  # the two filled cells and a's 2022 carried forward
    assert (found["imputed_cells"] == (data.isna() & imputed.notna())).all().all()


# --- screening ---------------------------------------------------------------------------------
def test_screening_by_availability() -> None:
    data = pd.DataFrame({"a": [1.0, np.nan, 0.0], "b": [2.0, np.nan, 0.0], "c": [1, 1, 1.0]})
    result = screen_units(data, dat_thresh=0.5)
    assert result.removed_units == [1]
    assert result.summary["Non_Zero"].tolist() == pytest.approx([1.0, 1.0, 1 / 3])
    by_zeros = screen_units(data, nonzero_thresh=0.5, unit_screen="byzeros")
    assert by_zeros.removed_units == [2]


# --- audit -------------------------------------------------------------------------------------
def test_cronbach_alpha_on_a_3x3_example() -> None:
    # item variances 1, 1, 7/3; row totals (6, 9, 13) have variance 37/3
    # alpha = 3/2 * (1 - (13/3) / (37/3)) = 36/37
    data = pd.DataFrame([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0], [3.0, 4.0, 6.0]])
    assert cronbach_alpha(data) == pytest.approx(36 / 37, abs=1e-12)


def test_audit_flags_an_indicator_correlating_negatively_with_its_parent() -> None:
    framework = small_framework()
    scores = pd.DataFrame(
        {
            "a": [1.0, 2.0, 3.0, 4.0],
            "b": [2.0, 3.0, 5.0, 5.5],
            "c": [1.0, 2.0, 3.0, 4.5],
            "d": [4.0, 3.0, 2.0, 1.0],
        }
    )
    aggregated = aggregate(scores, framework)
    flags = parent_correlation_flags(framework, aggregated)
    assert flags.loc["d", "flag"] and flags.loc["d", "parent"] == "P2"
    assert not flags.loc[["a", "b", "c", "P1"], "flag"].any()
    alphas = cronbach_by_group(framework, aggregated)
    assert alphas["P1"] > 0.9 and alphas["P2"] < 0
    assert correlation_matrix(scores).loc["a", "a"] == pytest.approx(1.0)
    coin = Coin(framework, pd.DataFrame(index=scores.index), {"Aggregated": aggregated}).audit()
    audit = coin.analysis["Audit"]
    assert audit["flag"].equals(flags["flag"])
    assert audit.loc["d", "parent_cronbach_alpha"] == alphas["P2"]
    assert audit.loc["P1", "parent_cronbach_alpha"] == pytest.approx(
        cronbach_alpha(aggregated[["P1", "P2"]])
    )


# --- framework and settings --------------------------------------------------------------------
def test_framework_rejects_a_broken_tree() -> None:
    table = small_framework().nodes.reset_index()
    orphan = table.copy()
    orphan.loc[orphan["code"] == "a", "parent"] = None
    with pytest.raises(FrameworkError, match="without a parent"):
        Framework.from_table(orphan)
    skipping = table.copy()
    skipping.loc[skipping["code"] == "a", "parent"] = "Index"
    with pytest.raises(FrameworkError, match="one level up"):
        Framework.from_table(skipping)
    with pytest.raises(FrameworkError, match="duplicate"):
        Framework.from_table(pd.concat([table, table.iloc[[0]]]))


def test_effective_weights_multiply_down_the_tree() -> None:
    effective = small_framework(weights=(1.0, 3.0, 1.0, 1.0)).effective_weights()
    assert effective[["a", "b", "c", "d"]].tolist() == pytest.approx([0.125, 0.375, 0.25, 0.25])


def test_settings_from_yaml_and_rebuild_with_other_settings() -> None:
    config = yaml.safe_load(
        """
        denominate: null
        impute: {method: mean}
        screen: {dat_thresh: 0.5}
        treat: null
        normalise: {method: minmax, params: {lower: 1, upper: 100}}
        aggregate: {method: [arithmetic, geometric]}
        """
    )
    settings = Settings.from_mapping(config)
    assert settings.denominate is None and settings.aggregate.method == ("arithmetic", "geometric")
    with pytest.raises(ValueError, match="unknown options"):
        Settings.from_mapping({"treat": {"winmx": 3}})

    framework = small_framework()
    data = pd.DataFrame(
        {
            "a": [1.0, 2.0, np.nan, 4.0],
            "b": [3.0, 1.0, 2.0, 5.0],
            "c": [9.0, 7.0, 8.0, 1.0],
            "d": [2.0, 2.5, 3.0, 9.0],
        },
        index=["u1", "u2", "u3", "u4"],
    )
    raw = Coin.from_data(framework, data)
    first = build(raw, settings)
    assert list(first.datasets) == ["Raw", "Imputed", "Screened", "Normalised", "Aggregated"]
    assert first.datasets["Imputed"].loc["u3", "a"] == pytest.approx(7 / 3)
    second = build(raw, Settings(denominate=None, treat=None))
    assert list(raw.datasets) == ["Raw"]  # the raw coin is untouched by either build
    assert second.datasets["Aggregated"]["Index"].between(0, 100).all()
    assert first.results()["Rank"].tolist() == sorted(first.results()["Rank"])
