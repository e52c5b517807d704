"""Build the marts tables on a DuckDB connection: the glue the Dagster assets call.

Each ``build_*`` writes one table inside one transaction and returns a small summary for the
materialization metadata. The catalog and settings are passed in (tests use their own).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from pipelines.composite.audit import cronbach_by_group, parent_correlation_flags
from pipelines.composite.coupling import coupling_coordination
from pipelines.indicators.catalog import INDICATOR_SQL_DIR, build_frameworks
from pipelines.indicators.compute import compute_raw_indicators
from pipelines.indicators.config import CompositeConfig
from pipelines.indicators.panel import (
    indicator_cells,
    panel_frame,
    panel_years,
    pillar_scores,
    pillar_shares,
)
from pipelines.indicators.uncertainty import RANK_TYPES, SENSITIVITY_TYPES, rank_uncertainty
from pipelines.warehouse.loads import one_transaction
from pipelines.warehouse.sql_files import sql


@dataclass(frozen=True)
class IndicatorBuild:
    years: list[int]
    observed: int
    imputed: int
    missing: int
    pillars_without_data: list[str]
    origins: dict[str, int]  # cells per value_origin (observed, interpolated, ...)


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


def _empty(types: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({column: pd.Series(dtype=dtype) for column, dtype in types.items()})


def _provinces(conn: duckdb.DuckDBPyConnection) -> list[str]:
    rows = conn.execute(
        "select area_code from reference.area where area_level = 'province' order by area_code"
    ).fetchall()
    return [code for (code,) in rows]


def _register_catalog(
    conn: duckdb.DuckDBPyConnection, catalog: pd.DataFrame, config: CompositeConfig
) -> None:
    conn.register("indicator_catalog", catalog)
    conn.register("pillar_names", pillar_names(config))


def pillar_names(config: CompositeConfig) -> pd.DataFrame:
    """The names of every pillar and index, from composite_settings.yaml (their one source):
    pillar (the id: D1, ..., overall), name_zh, name_en."""
    rows = [(p.code, p.name_zh, p.name_en) for p in config.pillars.values()]
    rows += [(i.code, i.name_zh, i.name_en) for i in config.indices.values()]
    return pd.DataFrame(rows, columns=["pillar", "name_zh", "name_en"])


def build_indicator(
    conn: duckdb.DuckDBPyConnection, catalog: pd.DataFrame, config: CompositeConfig
) -> None:
    """marts.indicator: the catalog as a table."""
    conn.execute(sql("marts/schema"))
    _register_catalog(conn, catalog, config)
    with one_transaction(conn):
        conn.execute(sql("marts/indicator"))


def build_indicator_value(
    conn: duckdb.DuckDBPyConnection,
    catalog: pd.DataFrame,
    config: CompositeConfig,
    sql_dir=INDICATOR_SQL_DIR,
) -> IndicatorBuild:
    """marts.indicator_value: every formula, then the panel through the engine.

    With no year in which every pillar has data (e.g. a warehouse without micro records) the
    table is written empty and ``pillars_without_data`` says which pillars lack data."""
    conn.execute(sql("marts/schema"))
    _register_catalog(conn, catalog, config)
    raw = compute_raw_indicators(conn, catalog, sql_dir)
    years = panel_years(raw, catalog)
    observed_pillars = set(raw["indicator"].map(catalog.set_index("id")["pillar"]))
    without_data = [p for p in config.pillars if p not in observed_pillars]
    if years:
        panel = panel_frame(raw, catalog, _provinces(conn), years)
        cells = indicator_cells(panel, catalog, config)[list(CELL_TYPES)]
    else:
        cells = _empty(CELL_TYPES)
    conn.register("engine_cells", cells)
    with one_transaction(conn):
        conn.execute(sql("marts/indicator_value"))
    return IndicatorBuild(
        years=years,
        observed=int(cells["raw_value"].notna().sum()),
        imputed=int(cells["is_imputed"].sum()),
        missing=int((cells["raw_value"].isna() & ~cells["is_imputed"]).sum()),
        pillars_without_data=without_data,
        origins={str(k): int(v) for k, v in cells["value_origin"].value_counts().items()},
    )


def build_pillar_score(
    conn: duckdb.DuckDBPyConnection, catalog: pd.DataFrame, config: CompositeConfig
) -> None:
    """marts.pillar_score from marts.indicator_value's normalised values, with the shares of
    official and observed inputs and the Monte Carlo rank intervals; marts.sensitivity with
    the Sobol' indices of the same runs."""
    cells = conn.execute(
        "select province_code, year, indicator, raw_value, normalised_value"
        " from marts.indicator_value"
    ).df()
    if len(cells):
        scores = pillar_scores(cells, catalog, config).merge(
            pillar_shares(cells, catalog, config),
            on=["province_code", "year", "pillar"],
            how="left",
            validate="one_to_one",
        )
        raw_panel = cells.pivot_table(
            index=["province_code", "year"],
            columns="indicator",
            values="raw_value",
            aggfunc="first",
            dropna=False,
        )
        intervals, sensitivity = rank_uncertainty(raw_panel, catalog, config)
    else:
        scores, intervals, sensitivity = (
            _empty(SCORE_TYPES),
            _empty(RANK_TYPES),
            _empty(SENSITIVITY_TYPES),
        )
    conn.register("pillar_scores", scores)
    conn.register("pillar_names", pillar_names(config))
    conn.register("rank_intervals", intervals)
    conn.register("sobol_indices", sensitivity)
    groups = config.performance_groups
    with one_transaction(conn):
        conn.execute(sql("marts/pillar_score"), [groups.leader, groups.strong, groups.moderate])
        conn.execute(sql("marts/sensitivity"))


def build_coupling_and_audit(
    conn: duckdb.DuckDBPyConnection, catalog: pd.DataFrame, config: CompositeConfig
) -> None:
    """marts.coupling_coordination (driver index vs upgrading index) and marts.indicator_audit
    (correlations with the parent, Cronbach's alpha), from the published marts."""
    scores = conn.execute("select province_code, year, pillar, score from marts.pillar_score").df()
    cells = conn.execute(
        "select province_code, year, indicator, normalised_value from marts.indicator_value"
    ).df()
    conn.register("coupling_rows", coupling_rows(scores))
    conn.register("audit_rows", audit_rows(cells, scores, catalog, config))
    with one_transaction(conn):
        conn.execute(sql("marts/coupling_coordination"))
        conn.execute(sql("marts/indicator_audit"))


def coupling_rows(scores: pd.DataFrame) -> pd.DataFrame:
    wide = scores.pivot_table(
        index=["province_code", "year"], columns="pillar", values="score", aggfunc="first"
    )
    columns = [
        "province_code",
        "year",
        "driver_index",
        "upgrading_index",
        "coupling",
        "development",
        "coordination",
        "band",
    ]
    if not {"overall", "upgrading"} <= set(wide.columns):
        return pd.DataFrame(columns=columns)
    systems = (wide[["overall", "upgrading"]] / 100).dropna()
    result = coupling_coordination(systems)
    out = pd.concat([wide.loc[systems.index, ["overall", "upgrading"]], result], axis=1)
    out = out.reset_index().rename(
        columns={
            "overall": "driver_index",
            "upgrading": "upgrading_index",
            "C": "coupling",
            "T": "development",
            "D": "coordination",
        }
    )
    return out[columns]


def audit_rows(
    cells: pd.DataFrame, scores: pd.DataFrame, catalog: pd.DataFrame, config: CompositeConfig
) -> pd.DataFrame:
    columns = [
        "code",
        "parent",
        "level",
        "correlation_with_parent",
        "negative_correlation",
        "parent_cronbach_alpha",
    ]
    if cells.empty:
        return pd.DataFrame(columns=columns)
    indicators = cells.pivot_table(
        index=["province_code", "year"],
        columns="indicator",
        values="normalised_value",
        aggfunc="first",
    )
    aggregates = scores.pivot_table(
        index=["province_code", "year"], columns="pillar", values="score", aggfunc="first"
    )
    data = indicators.join(aggregates)
    rows = []
    for _index, framework in build_frameworks(catalog, config).items():
        present = [c for c in framework.nodes.index if c in data.columns]
        flags = parent_correlation_flags(framework, data[present])
        alphas = pd.concat(
            [
                cronbach_by_group(framework, data[present], level=level)
                for level in range(1, framework.top_level)
            ]
        )
        flags["parent_cronbach_alpha"] = flags["parent"].map(alphas)
        rows.append(flags.reset_index())
    audit = pd.concat(rows, ignore_index=True).rename(
        columns={"correlation": "correlation_with_parent", "flag": "negative_correlation"}
    )
    return audit[columns]


def build_northeast_view(conn: duckdb.DuckDBPyConnection, config: CompositeConfig) -> None:
    """marts.northeast_view: the three Northeast provinces against national and benchmark."""
    conn.execute(sql("marts/schema"))
    with one_transaction(conn):
        conn.execute(sql("marts/northeast_view"), [config.benchmark_province])


def traceability(conn: duckdb.DuckDBPyConnection) -> dict:
    """The counts of sql/marts/check_indicator_value_traceable.sql."""
    cursor = conn.execute(sql("marts/check_indicator_value_traceable"))
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchall()[0], strict=True))


def pillar_score_problems(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The failing pillar-years of sql/marts/check_pillar_score.sql (empty when all pass)."""
    return conn.execute(sql("marts/check_pillar_score")).fetchall()


def imputed_only_scores(conn: duckdb.DuckDBPyConnection) -> list[dict]:
    """The scores of marts.pillar_score built from imputed values only (observed_share = 0),
    sql/marts/check_pillar_score_observed.sql: pillar, province_code, year, score, the
    indicators and how each was filled."""
    cursor = conn.execute(sql("marts/check_pillar_score_observed"))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
