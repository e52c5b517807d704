"""Upgrading stage and recommended upgrading path per province-year (seed 001 §2-3)."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import POOL, table_metadata
from pipelines.paths import REPO_ROOT
from pipelines.upgrading.rules import PATHS, RULES_FILE, STAGES
from pipelines.upgrading.warehouse import PILLAR_TABLE, TABLE, build_upgrading_path

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
    threshold, weight and wording is in data/reference/upgrading_paths.csv; the method is in
    docs/methodology.md, "Upgrading stage and path"."""
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


@dg.asset_check(
    pool=POOL,
    asset=ASSET_KEY,
    blocking=True,
    additional_deps=[PILLAR_SCORE],
    description="Exactly one row per province-year of marts.pillar_score, and no other.",
)
def one_row_per_province_year(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as conn:
        (expected, rows, keys, missing, extra) = conn.execute(
            f"""
            with want as (select distinct province_code, year from {PILLAR_TABLE}),
                 have as (select province_code, year from {TABLE})
            select
                (select count(*) from want),
                (select count(*) from have),
                (select count(*) from (select distinct * from have)),
                (select count(*) from (select * from want except select * from have)),
                (select count(*) from (select * from have except select * from want))
            """
        ).fetchall()[0]
    return dg.AssetCheckResult(
        passed=rows == keys == expected and missing == 0 and extra == 0,
        metadata={
            "province_years_in_pillar_score": expected,
            "rows": rows,
            "distinct_province_years": keys,
            "missing": missing,
            "extra": extra,
        },
    )


@dg.asset_check(
    pool=POOL,
    asset=ASSET_KEY,
    blocking=True,
    description=(
        "Stage and path are from their vocabularies, fit scores are in [0, 1], the recommended "
        "path has the highest fit, and both reasons are present."
    ),
)
def stage_path_and_fits_valid(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    stages = ", ".join(f"'{s}'" for s in STAGES)
    paths = ", ".join(f"'{p}'" for p in PATHS)
    fits = [f"fit_{p}" for p in PATHS]
    best = "greatest(" + ", ".join(fits) + ")"
    chosen = "case recommended_path " + " ".join(f"when '{p}' then fit_{p}" for p in PATHS) + " end"
    with warehouse.get_connection() as conn:
        (bad,) = conn.execute(
            f"""
            select count(*) from {TABLE}
            where stage is null or stage not in ({stages})
               or recommended_path is null or recommended_path not in ({paths})
               or {" or ".join(f"{f} is null or {f} < 0 or {f} > 1" for f in fits)}
               or {chosen} < {best} - 1e-9
               or coalesce(reason_zh, '') = '' or coalesce(reason_en, '') = ''
            """
        ).fetchall()[0]
    return dg.AssetCheckResult(passed=bad == 0, metadata={"invalid_rows": bad})


defs = dg.Definitions(
    assets=[upgrading_path],
    asset_checks=[one_row_per_province_year, stage_path_and_fits_valid],
)
