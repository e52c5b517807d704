"""Upgrading stage and recommended upgrading path per province-year (seed 001 §2-3)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.defs.table_metadata import table_metadata
from pipelines.paths import REPO_ROOT
from pipelines.upgrading.rules import RULES_FILE
from pipelines.upgrading.warehouse import TABLE, build_upgrading_path

GROUP = "indicators"
ASSET_KEY = dg.AssetKey(["marts", "upgrading_path"])
PILLAR_SCORE = dg.AssetKey(["marts", "pillar_score"])


@dg.asset(
    key=ASSET_KEY,
    deps=[PILLAR_SCORE],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    pool=POOL,
)
def upgrading_path(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """One row per province-year: the upgrading stage (factor → value chain → industrial
    structure) and the recommended upgrading path (key common technologies; supporting
    industrial-chain optimisation; industrial innovation platform), with each path's fit score
    (weighted share of its conditions met) and the reasons in Chinese and English. Every
    threshold, weight and condition label is in data/reference/upgrading_paths.csv, the paths'
    names in upgrading_path_names.csv; the method is in docs/methodology.md, "Upgrading stage
    and path"."""
    with warehouse.get_connection() as conn:
        rules = build_upgrading_path(conn, RULES_FILE)
        latest = conn.execute(f"select max(year) from {TABLE}").fetchall()[0][0]
        stages = dict(
            conn.execute(
                f"select stage, count(*) from {TABLE} where year = ? group by stage order by stage",
                [latest],
            ).fetchall()
        )
        paths = dict(
            conn.execute(
                f"select recommended_path, count(*) from {TABLE} where year = ?"
                " group by recommended_path order by recommended_path",
                [latest],
            ).fetchall()
        )
        return dg.MaterializeResult(
            metadata=table_metadata(
                conn,
                TABLE,
                [RULES_FILE.relative_to(REPO_ROOT).as_posix()],
                rules_sha256=rules.sha256,
                conditions=len(rules.conditions),
                latest_year=latest,
                stages_latest_year=dg.MetadataValue.json(stages),
                paths_latest_year=dg.MetadataValue.json(paths),
            )
        )


defs = dg.Definitions(assets=[upgrading_path])
