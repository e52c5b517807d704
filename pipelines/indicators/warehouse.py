"""Write the marts tables on a DuckDB connection, and read back what their checks count.

Each ``build_*`` writes its tables inside one transaction; ``build_index_marts`` writes the
five tables of one composite build (``pipelines.indicators.build``). The catalog and settings
are passed in (tests use their own).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from pipelines.indicators.build import IndexBuild, build_index
from pipelines.indicators.catalog import INDICATOR_SQL_DIR
from pipelines.indicators.compute import compute_raw_indicators
from pipelines.indicators.config import CompositeConfig
from pipelines.warehouse.loads import one_transaction
from pipelines.warehouse.sql_files import sql


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


def build_index_marts(
    conn: duckdb.DuckDBPyConnection,
    catalog: pd.DataFrame,
    config: CompositeConfig,
    sql_dir=INDICATOR_SQL_DIR,
) -> IndexBuild:
    """Every formula, then one ``build_index``, written in one transaction:
    marts.indicator_value, marts.pillar_score (with the Monte Carlo's rank intervals),
    marts.sensitivity, marts.coupling_coordination and marts.indicator_audit.

    With no year in which every pillar has data (e.g. a warehouse without micro records) the
    tables are written empty and the build's ``pillars_without_data`` says which pillars lack
    data."""
    conn.execute(sql("marts/schema"))
    _register_catalog(conn, catalog, config)
    raw = compute_raw_indicators(conn, catalog, sql_dir)
    built = build_index(raw, catalog, config, _provinces(conn))
    conn.register("engine_cells", built.indicator_value)
    conn.register("pillar_scores", built.pillar_score)
    conn.register("rank_intervals", built.rank_intervals)
    conn.register("sobol_indices", built.sensitivity)
    conn.register("coupling_rows", built.coupling_coordination)
    conn.register("audit_rows", built.indicator_audit)
    groups = config.performance_groups
    with one_transaction(conn):
        conn.execute(sql("marts/indicator_value"))
        conn.execute(sql("marts/pillar_score"), [groups.leader, groups.strong, groups.moderate])
        conn.execute(sql("marts/sensitivity"))
        conn.execute(sql("marts/coupling_coordination"))
        conn.execute(sql("marts/indicator_audit"))
    return built


def build_northeast_view(conn: duckdb.DuckDBPyConnection, config: CompositeConfig) -> None:
    """marts.northeast_view: the three Northeast provinces against national and benchmark,
    with the lineage macro (sql/marts/indicator_macros.sql) installed for its source_rows."""
    conn.execute(sql("marts/schema"))
    conn.execute(sql("marts/indicator_macros"))  # TEMP macros of this connection
    with one_transaction(conn):
        conn.execute(sql("marts/northeast_view"), [config.benchmark_province])


def traceability(conn: duckdb.DuckDBPyConnection) -> dict:
    """The counts of sql/checks/marts/indicator_value_traceable.sql."""
    cursor = conn.execute(sql("checks/marts/indicator_value_traceable"))
    names = [d[0] for d in cursor.description]
    return dict(zip(names, cursor.fetchall()[0], strict=True))


def pillar_score_problems(conn: duckdb.DuckDBPyConnection) -> list[tuple]:
    """The failing pillar-years of
    sql/checks/marts/pillar_score_ranks_and_national_reference.sql (empty when all pass)."""
    return conn.execute(sql("checks/marts/pillar_score_ranks_and_national_reference")).fetchall()


def imputed_only_scores(conn: duckdb.DuckDBPyConnection) -> list[dict]:
    """The scores of marts.pillar_score built from imputed values only (observed_share = 0),
    sql/checks/marts/pillar_score_observed_inputs.sql: pillar, province_code, year, score, the
    indicators and how each was filled."""
    cursor = conn.execute(sql("checks/marts/pillar_score_observed_inputs"))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
