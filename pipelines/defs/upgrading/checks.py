"""Checks of marts.upgrading_path: one row per province-year of marts.pillar_score, stages and
paths from their vocabularies with fits in [0, 1] and the best-fitting path recommended."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.defs.upgrading.assets import ASSET_KEY, PILLAR_SCORE
from pipelines.upgrading.rules import PATHS, STAGES
from pipelines.upgrading.warehouse import PILLAR_TABLE, TABLE


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


defs = dg.Definitions(asset_checks=[one_row_per_province_year, stage_path_and_fits_valid])
