"""Rank uncertainty and sensitivity of the published pillar scores (Monte Carlo, Sobol').

The published build is the nominal one; the analysis varies normalisation, weights (equal,
entropy, noisy copies of the nominal weights) and aggregation, as composite_settings.yaml's
``uncertainty`` section says, with ``Coin.sensitivity`` (COINr get_sensitivity). This module
turns those settings into the engine's choices and its results into the marts' rows.
"""

from __future__ import annotations

import pandas as pd

from pipelines.composite import Framework, NormaliseSettings
from pipelines.composite.uncertainty import Choice, SensitivityResult, noisy_weights
from pipelines.indicators.config import UncertaintySettings
from pipelines.indicators.panel import TIME, UNIT

NORMALISATIONS = {
    "minmax_1_100": NormaliseSettings("minmax", {"lower": 1.0, "upper": 100.0}),
    "minmax_0_100": NormaliseSettings("minmax", {"lower": 0.0, "upper": 100.0}),
    "rank": "rank",
    "zscore_10_2": NormaliseSettings("zscore", {"mean": 10.0, "sd": 2.0}),
}
RANK_COLUMNS = {"q5": "rank_p05", "median": "rank_p50", "q95": "rank_p95"}
RANK_TYPES = {
    "province_code": "object",
    "year": "int64",
    "pillar": "object",
    "rank_p05": "float64",
    "rank_p50": "float64",
    "rank_p95": "float64",
}
SENSITIVITY_TYPES = {
    "index": "object",
    "pillar": "object",
    "choice": "object",
    "s1": "float64",
    "s1_conf": "float64",
    "st": "float64",
    "st_conf": "float64",
}


def uncertainty_choices(framework: Framework, settings: UncertaintySettings) -> list[Choice]:
    """The Monte Carlo's choices for one index: normalisations, weight sets (the named ones
    and the noisy copies of the framework's weights at every level below the index) and
    aggregations."""
    weights: list = list(settings.weight_sets)
    weights += noisy_weights(
        framework,
        {level: settings.weight_noise for level in range(1, framework.top_level)},
        settings.noisy_weight_sets,
        seed=settings.seed,
    )
    return [
        Choice.normalisation([NORMALISATIONS[name] for name in settings.normalisations]),
        Choice.weights(weights),
        Choice.aggregation(settings.aggregations),
    ]


def rank_intervals(result: SensitivityResult, codes: list[str]) -> pd.DataFrame:
    """province_code, year, pillar, rank_p05, rank_p50, rank_p95 of the aggregates ``codes``."""
    stats = result.rank_stats.reset_index()
    stats = stats[stats["aggregate"].isin(codes)].rename(
        columns={"aggregate": "pillar", "unit": UNIT, "time": TIME, **RANK_COLUMNS}
    )
    return stats[list(RANK_TYPES)]


def sobol_indices(result: SensitivityResult, codes: list[str], index: str) -> pd.DataFrame:
    """index, pillar, choice, s1, s1_conf, st, st_conf of the aggregates ``codes``."""
    table = result.sensitivity.reset_index()
    table = table[table["aggregate"].isin(codes)].assign(index=index)
    renamed = table.rename(
        columns={
            "aggregate": "pillar",
            "S1": "s1",
            "S1_conf": "s1_conf",
            "ST": "st",
            "ST_conf": "st_conf",
        }
    )
    return renamed[list(SENSITIVITY_TYPES)]
