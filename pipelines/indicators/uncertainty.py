"""Rank uncertainty and sensitivity of the published pillar scores (Monte Carlo, Sobol').

The published build is the nominal one; the analysis varies normalisation, weights (equal,
entropy, noisy copies of the nominal weights) and aggregation, as composite_settings.yaml's
``uncertainty`` section says, with pipelines.composite.uncertainty (COINr get_sensitivity).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pipelines.composite import Coin, NormaliseSettings
from pipelines.composite.uncertainty import Choice, noisy_weights, sensitivity_analysis
from pipelines.indicators.catalog import build_frameworks
from pipelines.indicators.config import CompositeConfig
from pipelines.indicators.panel import UNIT, fill_empty_pillars

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


def rank_uncertainty(
    raw_panel: pd.DataFrame, catalog: pd.DataFrame, config: CompositeConfig
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rank intervals: province_code, year, pillar, rank_p05, rank_p50, rank_p95;
    sensitivity: index, pillar, choice, s1, s1_conf, st, st_conf) for every published pillar
    and index. ``raw_panel`` is wide: (province_code, year) rows, one column per indicator."""
    intervals, sensitivity = [], []
    for index, framework in build_frameworks(catalog, config).items():
        coin, nominal = _imputed_coin(raw_panel[framework.indicators], framework, config)
        result = sensitivity_analysis(
            coin,
            _choices(framework, config),
            config.uncertainty.samples,
            settings=nominal,
            kind="SA",
            seed=config.uncertainty.seed,
        )
        published = set(framework.codes_at(2)) | (
            {index} if config.indices[index].publish else set()
        )
        stats = result.rank_stats.reset_index()
        stats = stats[stats["aggregate"].isin(published)].rename(
            columns={"aggregate": "pillar", "unit": UNIT, **RANK_COLUMNS}
        )
        intervals.append(stats[[UNIT, "time", "pillar", *RANK_COLUMNS.values()]])
        table = result.sensitivity.reset_index()
        table = table[table["aggregate"].isin(published)]
        sensitivity.append(table.assign(index=index))
    ranks = pd.concat(intervals, ignore_index=True).rename(columns={"time": "year"})
    return ranks, _tidy_sensitivity(pd.concat(sensitivity, ignore_index=True))


def _imputed_coin(panel: pd.DataFrame, framework, config: CompositeConfig):
    """A coin whose Raw data are the published build's imputed panel, and the nominal
    settings from there on: the Monte Carlo varies what comes after imputation."""
    coin = Coin.from_data(framework, panel)
    if config.engine.impute is not None:
        coin.impute(config.engine.impute)
    if config.empty_pillar_fill == "earliest_observed":
        fill_empty_pillars(coin)
    imputed = Coin.from_data(framework, coin.datasets[coin.latest])
    nominal = replace(config.engine, denominate=None, impute=None)
    return imputed, nominal


def _choices(framework, config: CompositeConfig) -> list[Choice]:
    settings = config.uncertainty
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


def _tidy_sensitivity(table: pd.DataFrame) -> pd.DataFrame:
    renamed = table.rename(
        columns={
            "aggregate": "pillar",
            "S1": "s1",
            "S1_conf": "s1_conf",
            "ST": "st",
            "ST_conf": "st_conf",
        }
    )
    return renamed[["index", "pillar", "choice", "s1", "s1_conf", "st", "st_conf"]]
