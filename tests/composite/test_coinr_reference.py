"""Reproduce COINr 1.1.14's example index (ASEM) stage by stage, and its variants, to 1e-9.

The expected numbers were produced by COINr itself; they are vendored with COINr's licence in
coinr_reference/ (see its README.md).
"""

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
from pipelines.composite.treat import treat_indicator
from pipelines.composite.weighting import principal_components

REFERENCE = Path(__file__).resolve().parent / "coinr_reference"
EXPECTED = REFERENCE / "expected_v1_1_14"
TOLERANCE = 1e-9

EXAMPLE_SETTINGS = Settings(
    impute=ImputeSettings(method="group_mean", group_column="EurAsia_group"),
    screen=ScreenSettings(dat_thresh=0.9, unit_screen="byNA"),
    treat=TreatSettings(winmax=5),
    normalise=NormaliseSettings(method="minmax", params={"lower": 0, "upper": 100}),
    aggregate=AggregateSettings(method="arithmetic"),
)
RAW_ONLY = {"denominate": None, "impute": None, "screen": None}


def expected(name: str) -> pd.DataFrame:
    return pd.read_csv(EXPECTED / f"{name}.csv").set_index("uCode")


def max_abs_difference(actual: pd.DataFrame, reference: pd.DataFrame) -> float:
    """Largest |actual - reference| over the reference's cells; missing must match missing."""
    assert sorted(actual.index) == sorted(reference.index)
    assert set(reference.columns) <= set(actual.columns)
    aligned = actual.loc[reference.index, reference.columns].astype(float)
    assert (aligned.isna() == reference.isna()).all().all(), "missing cells differ"
    difference = (aligned - reference).abs().to_numpy()
    return float(np.nanmax(difference)) if np.isfinite(difference).any() else 0.0


@pytest.fixture(scope="module")
def raw_coin() -> Coin:
    meta = pd.read_csv(REFERENCE / "ASEM_iMeta.csv")
    data = pd.read_csv(REFERENCE / "ASEM_iData.csv").set_index("uCode")
    return Coin.from_data(Framework.from_coinr_meta(meta), data)


@pytest.fixture(scope="module")
def example(raw_coin: Coin) -> Coin:
    return build(raw_coin, EXAMPLE_SETTINGS)


@pytest.mark.parametrize(
    "stage",
    ["Raw", "Denominated", "Imputed", "Screened", "Treated", "Normalised", "Aggregated"],
)
def test_example_build_every_stage(example: Coin, stage: str) -> None:
    reference = expected(f"example_coin_{stage}")
    assert max_abs_difference(example.datasets[stage], reference) <= TOLERANCE


def test_example_imputation_filled_every_gap_and_flagged_it(example: Coin) -> None:
    denominated = example.datasets["Denominated"]
    flags = example.analysis["Imputed"]["imputed_cells"]
    assert denominated.isna().to_numpy().sum() > 0
    assert (flags == denominated.isna()).all().all()
    assert example.datasets["Imputed"].notna().all().all()


def test_example_screening_summary(example: Coin) -> None:
    reference = expected("example_coin_Screen_DataSummary")
    summary = example.analysis["Screened"]["summary"]
    numeric = ["N_missing", "N_zero", "N_miss_or_zero", "Dat_Avail", "Non_Zero"]
    assert max_abs_difference(summary[numeric], reference[numeric]) <= TOLERANCE
    flags = ["LowData", "LowNonZero", "LowDatOrZeroFlag", "Included"]
    assert (summary.loc[reference.index, flags] == reference[flags]).all().all()


def _compare_treatment_details(details: pd.DataFrame, reference: pd.DataFrame) -> float:
    """Pass flags and winsorised counts equal; skew/kurtosis to 1e-9. Returns the max diff."""
    reference = reference.set_index("iCode")
    details = details.loc[reference.index]
    worst = 0.0
    for stage in (0, 1, 2):
        prefix = f"check_SkewKurt{stage}"
        if f"{prefix}.Pass" not in reference.columns:
            assert details[f"pass_{stage}"].isna().all()
            continue
        expected_pass = reference[f"{prefix}.Pass"]
        ran = expected_pass.notna()
        assert (details.loc[ran, f"pass_{stage}"].astype(bool) == expected_pass[ran]).all()
        assert details.loc[~ran, f"pass_{stage}"].isna().all()
        for ours, theirs in ((f"skew_{stage}", "Skew"), (f"kurt_{stage}", "Kurt")):
            difference = (details.loc[ran, ours] - reference.loc[ran, f"{prefix}.{theirs}"]).abs()
            worst = max(worst, float(difference.max()))
    nwin = reference["winsorise.nwin"]
    assert (details["n_winsorised"].fillna(-1) == nwin.fillna(-1)).all()
    return worst


def test_example_treatment_details(example: Coin) -> None:
    reference = pd.read_csv(EXPECTED / "example_coin_Treat_Dets_Table.csv")
    details = example.analysis["Treated"]["details"]
    assert _compare_treatment_details(details, reference) <= TOLERANCE


def test_example_treated_points(example: Coin) -> None:
    reference = pd.read_csv(EXPECTED / "example_coin_Treat_Points.csv", keep_default_na=False)
    # COINr's table has no unit codes; its rows follow its Screened data set
    row_order = expected("example_coin_Screened").index
    points = example.analysis["Treated"]["points"].loc[row_order].reset_index(drop=True)
    assert (points[reference.columns] == reference).all().all()


def test_example_results_table(example: Coin) -> None:
    # COINr's results table is rounded to 10 decimals
    reference = expected("example_coin_results_full")
    results = example.results()
    scores = [c for c in results.columns if c != "Rank"]
    assert max_abs_difference(results[scores], reference[scores]) <= TOLERANCE
    assert (results.loc[reference.index, "Rank"] == reference["Rank"]).all()


def test_example_effective_weights(raw_coin: Coin) -> None:
    reference = pd.read_csv(EXPECTED / "example_coin_effective_weights.csv").set_index("iCode")
    effective = raw_coin.framework.effective_weights()
    difference = (effective[reference.index] - reference["EffWeight"]).abs().max()
    assert difference <= TOLERANCE


def test_pca_of_the_physical_pillar(example: Coin) -> None:
    framework = example.framework
    physical = sorted(framework.children("Physical"))
    pca = principal_components(example.datasets["Normalised"][physical])
    sdev = pd.read_csv(EXPECTED / "example_coin_PCA_Physical_sdev.csv")["sdev"].to_numpy()
    assert np.abs(pca.sdev.to_numpy() - sdev).max() <= TOLERANCE
    rotation = pd.read_csv(EXPECTED / "example_coin_PCA_Physical_rotation.csv").to_numpy()
    ours = pca.loadings.to_numpy()
    # an eigenvector's sign is arbitrary: align each column's sign before comparing
    signs = np.sign((ours * rotation).sum(axis=0))
    assert np.abs(ours * signs - rotation).max() <= TOLERANCE
    weights = pd.read_csv(EXPECTED / "example_coin_PCA_Physical_weights.csv").set_index("iCode")
    pc1 = pca.loadings["PC1"]
    assert (pc1 - weights.loc[physical, "Weight"]).abs().max() <= TOLERANCE


def test_variant_minmax_1_100_then_geometric_mean(raw_coin: Coin) -> None:
    settings = Settings(
        impute=EXAMPLE_SETTINGS.impute,
        screen=EXAMPLE_SETTINGS.screen,
        normalise=NormaliseSettings(params={"lower": 1, "upper": 100}),
        aggregate=AggregateSettings(method="geometric"),
    )
    coin = build(raw_coin, settings)
    normalised = expected("variant_minmax1_100_Normalised")
    aggregated = expected("variant_minmax1_100_gmean_Aggregated")
    assert max_abs_difference(coin.datasets["Normalised"], normalised) <= TOLERANCE
    assert max_abs_difference(coin.datasets["Aggregated"], aggregated) <= TOLERANCE


def test_variant_raw_minmax_arithmetic_mean(raw_coin: Coin) -> None:
    coin = build(raw_coin, Settings(**RAW_ONLY, treat=None))
    assert "Treated" not in coin.datasets
    normalised = expected("variant_raw_minmax_Normalised")
    aggregated = expected("variant_raw_minmax_amean_Aggregated")
    assert max_abs_difference(coin.datasets["Normalised"], normalised) <= TOLERANCE
    assert max_abs_difference(coin.datasets["Aggregated"], aggregated) <= TOLERANCE


def test_variant_zscore_arithmetic_mean(raw_coin: Coin) -> None:
    settings = Settings(
        impute=EXAMPLE_SETTINGS.impute,
        screen=EXAMPLE_SETTINGS.screen,
        normalise=NormaliseSettings(method="zscore", params={"mean": 0, "sd": 1}),
    )
    coin = build(raw_coin, settings)
    aggregated = expected("variant_zscore_amean_Aggregated")
    assert max_abs_difference(coin.datasets["Aggregated"], aggregated) <= TOLERANCE


@pytest.mark.parametrize("name, winmax", [("default", 5), ("winmax1", 1)])
def test_variant_treatment_of_raw_data(raw_coin: Coin, name: str, winmax: int) -> None:
    settings = Settings(
        **RAW_ONLY, treat=TreatSettings(winmax=winmax), normalise=None, aggregate=None
    )
    coin = build(raw_coin, settings)
    treated = expected(f"variant_raw_Treat_{name}_Treated")
    assert max_abs_difference(coin.datasets["Treated"], treated) <= TOLERANCE
    reference = pd.read_csv(EXPECTED / f"variant_raw_Treat_{name}_Dets_Table.csv")
    details = coin.analysis["Treated"]["details"]
    assert _compare_treatment_details(details, reference) <= TOLERANCE


def test_winmax1_sends_nine_indicators_down_the_log_path(raw_coin: Coin) -> None:
    settings = Settings(**RAW_ONLY, treat=TreatSettings(winmax=1), normalise=None, aggregate=None)
    details = build(raw_coin, settings).analysis["Treated"]["details"]
    assert (details["treatment"] == "log_CT").sum() == 9


def test_small_vector_winsorisation() -> None:
    reference = pd.read_csv(EXPECTED / "small_vector_winsorise.csv")
    result = treat_indicator(reference["x"].to_numpy(float))
    assert np.abs(result.values - reference["x_treated"].to_numpy()).max() <= TOLERANCE
    record = result.record
    assert abs(record["skew_0"] - reference["skew_before"][0]) <= TOLERANCE
    assert abs(record["kurt_0"] - reference["kurt_before"][0]) <= TOLERANCE
    assert abs(record["skew_1"] - reference["skew_after"][0]) <= TOLERANCE
    assert abs(record["kurt_1"] - reference["kurt_after"][0]) <= TOLERANCE
    assert record["n_winsorised"] == 1 and record["treatment"] == "winsorise"
