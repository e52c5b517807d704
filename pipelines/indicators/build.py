"""The catalog's composite indices in one call, ``build_index`` (no Dagster, no DuckDB inside).

From the formulas' values to every table the marts take: the panel of the years in which every
pillar is observed, then per index one coin built with composite_settings.yaml's ``engine``
(``pipelines.composite.build``: impute and fill empty pillars, screen, treat, normalise,
aggregate), its Monte Carlo (``Coin.sensitivity`` with the ``uncertainty`` choices; none when
``uncertainty`` is None) and its audit (``Coin.audit``), and the coupling of the two published
indices. Another build with other settings is one call too:
``build_index(raw, catalog, replace(config, engine=other), provinces)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipelines.composite import Coin, build
from pipelines.composite.coupling import coupling_coordination
from pipelines.indicators.catalog import build_frameworks
from pipelines.indicators.config import CompositeConfig
from pipelines.indicators.panel import (
    TIME,
    UNIT,
    indicator_cells,
    panel_frame,
    panel_years,
    pillar_scores,
    pillar_shares,
)
from pipelines.indicators.uncertainty import (
    RANK_TYPES,
    SENSITIVITY_TYPES,
    rank_intervals,
    sobol_indices,
    uncertainty_choices,
)

CELL_TYPES = {
    "province_code": "object",
    "year": "int64",
    "indicator": "object",
    "raw_value": "float64",
    "treated_value": "float64",
    "normalised_value": "float64",
    "is_imputed": "bool",
    "value_origin": "object",
}
SCORE_TYPES = {
    "province_code": "object",
    "year": "int64",
    "pillar": "object",
    "score": "float64",
    "official_share": "float64",
    "observed_share": "float64",
    "is_synthetic": "boolean",
}
# the two systems of the coupling: the driver index and the upgrading index
DRIVER_INDEX, UPGRADING_INDEX = "overall", "upgrading"
COUPLING_COLUMNS = [
    "province_code",
    "year",
    "driver_index",
    "upgrading_index",
    "coupling",
    "development",
    "coordination",
    "band",
]
AUDIT_COLUMNS = [
    "code",
    "parent",
    "level",
    "correlation_with_parent",
    "negative_correlation",
    "parent_cronbach_alpha",
]


@dataclass(frozen=True)
class IndexBuild:
    """One build of the catalog's indices: the coins and the rows of every mart they feed.

    With no year in which every pillar has data, ``years`` is empty, there are no coins and
    every table is empty; ``pillars_without_data`` says which pillars lack data."""

    years: list[int]
    pillars_without_data: list[str]
    coins: dict[str, Coin]  # index -> every data set; analysis "Audit" (and "Sensitivity")
    indicator_value: pd.DataFrame  # CELL_TYPES
    pillar_score: pd.DataFrame  # SCORE_TYPES
    rank_intervals: pd.DataFrame  # uncertainty.RANK_TYPES
    sensitivity: pd.DataFrame  # uncertainty.SENSITIVITY_TYPES
    coupling_coordination: pd.DataFrame  # COUPLING_COLUMNS
    indicator_audit: pd.DataFrame  # AUDIT_COLUMNS

    @property
    def cell_counts(self) -> dict[str, int]:
        """Cells observed (the formula gave a value), imputed, and missing (neither)."""
        observed = self.indicator_value["raw_value"].notna()
        imputed = self.indicator_value["is_imputed"].astype(bool)
        return {
            "observed": int(observed.sum()),
            "imputed": int(imputed.sum()),
            "missing": int((~observed & ~imputed).sum()),
        }

    @property
    def value_origins(self) -> dict[str, int]:
        """Cells per value_origin (observed, interpolated, ...)."""
        counts = self.indicator_value["value_origin"].value_counts()
        return {str(origin): int(n) for origin, n in counts.items()}


def build_index(
    raw: pd.DataFrame, catalog: pd.DataFrame, config: CompositeConfig, provinces: list[str]
) -> IndexBuild:
    """``raw``: the formulas' values, long (indicator, province_code, year, value); the panel
    has a row for every province of ``provinces`` in every panel year."""
    engine = config.engine
    if engine.normalise is None or engine.aggregate is None:
        raise ValueError("composite_settings.yaml: the marts need engine.normalise and aggregate")
    observed_pillars = set(raw["indicator"].map(catalog.set_index("id")["pillar"]))
    without_data = [p for p in config.pillars if p not in observed_pillars]
    years = panel_years(raw, catalog)
    if not years:
        return IndexBuild(
            years,
            without_data,
            {},
            indicator_value=empty_table(CELL_TYPES),
            pillar_score=empty_table(SCORE_TYPES),
            rank_intervals=empty_table(RANK_TYPES),
            sensitivity=empty_table(SENSITIVITY_TYPES),
            coupling_coordination=pd.DataFrame(columns=COUPLING_COLUMNS),
            indicator_audit=pd.DataFrame(columns=AUDIT_COLUMNS),
        )
    panel = panel_frame(raw, catalog, provinces, years)
    rows = panel.index
    coins, published = {}, {}
    for index, framework in build_frameworks(catalog, config).items():
        coin = build(Coin.from_data(framework, panel[framework.indicators]), engine).audit()
        if config.uncertainty is not None:
            choices = uncertainty_choices(framework, config.uncertainty)
            coin.sensitivity(choices, config.uncertainty.samples, seed=config.uncertainty.seed)
        coins[index] = coin
        pillars = framework.codes_at(2)
        published[index] = [*pillars, index] if config.indices[index].publish else pillars
    cells = pd.concat([indicator_cells(coin, rows) for coin in coins.values()], ignore_index=True)
    scores = pd.concat(
        [pillar_scores(coin, rows, published[index]) for index, coin in coins.items()],
        ignore_index=True,
    ).merge(
        pillar_shares(cells, catalog, config),
        on=[UNIT, TIME, "pillar"],
        how="left",
        validate="one_to_one",
    )
    monte_carlo = {
        i: c.analysis["Sensitivity"] for i, c in coins.items() if "Sensitivity" in c.analysis
    }
    intervals = [rank_intervals(result, published[i]) for i, result in monte_carlo.items()]
    sobol = [sobol_indices(result, published[i], i) for i, result in monte_carlo.items()]
    return IndexBuild(
        years,
        without_data,
        coins,
        indicator_value=cells[list(CELL_TYPES)],
        pillar_score=scores,
        rank_intervals=_stacked(intervals, RANK_TYPES),
        sensitivity=_stacked(sobol, SENSITIVITY_TYPES),
        coupling_coordination=coupling_rows(scores),
        indicator_audit=audit_rows(coins),
    )


def empty_table(types: dict[str, str]) -> pd.DataFrame:
    """No rows, typed columns (so DuckDB gives an empty table its column types)."""
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in types.items()})


def _stacked(tables: list[pd.DataFrame], types: dict[str, str]) -> pd.DataFrame:
    return pd.concat(tables, ignore_index=True) if tables else empty_table(types)


def coupling_rows(scores: pd.DataFrame) -> pd.DataFrame:
    """The coupling coordination of the driver and upgrading indices (scores / 100) in every
    province-year where both are published and scored."""
    wide = scores.pivot_table(index=[UNIT, TIME], columns="pillar", values="score", aggfunc="first")
    if not {DRIVER_INDEX, UPGRADING_INDEX} <= set(wide.columns):
        return pd.DataFrame(columns=COUPLING_COLUMNS)
    indices = wide[[DRIVER_INDEX, UPGRADING_INDEX]]
    systems = (indices / 100).dropna()
    result = coupling_coordination(systems)
    out = pd.concat([indices.loc[systems.index], result], axis=1).reset_index()
    out = out.rename(
        columns={
            DRIVER_INDEX: "driver_index",
            UPGRADING_INDEX: "upgrading_index",
            "C": "coupling",
            "T": "development",
            "D": "coordination",
        }
    )
    return out[COUPLING_COLUMNS]


def audit_rows(coins: dict[str, Coin]) -> pd.DataFrame:
    """Every index's audit (``Coin.audit``), one row per indicator and pillar."""
    audit = pd.concat(
        [coin.analysis["Audit"].reset_index() for coin in coins.values()], ignore_index=True
    )
    renamed = audit.rename(
        columns={"correlation": "correlation_with_parent", "flag": "negative_correlation"}
    )
    return renamed[AUDIT_COLUMNS]
