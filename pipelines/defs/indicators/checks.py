"""Checks of the marts: every indicator value traceable to staging rows; pillar scores
complete, ranked and referenced to the national mean; scores resting on imputed values alone
(a warning). The queries are in sql/checks/marts/."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.indicators.assets import INDICATOR_VALUE, PILLAR_SCORE, STAGING
from pipelines.defs.pool import POOL
from pipelines.indicators.warehouse import imputed_only_scores, pillar_score_problems, traceability


@dg.asset_check(
    asset=INDICATOR_VALUE,
    name="traceable",
    blocking=True,
    pool=POOL,
    additional_deps=STAGING,
    description="Every observed or imputed indicator value lists source rows, and every "
    "(source_file, source_row) it lists exists in a staging table.",
)
def indicator_value_traceable(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as conn:
        counts = traceability(conn)
    passed = counts["without_sources"] == 0 and counts["unknown_source_rows"] == 0
    return dg.AssetCheckResult(
        passed=passed,
        metadata={
            **{k: v for k, v in counts.items() if k != "examples"},
            "examples": dg.MetadataValue.json(counts["examples"] or []),
        },
    )


@dg.asset_check(
    asset=PILLAR_SCORE,
    name="ranks_and_national_reference",
    blocking=True,
    pool=POOL,
    description="Per pillar and year: 31 scored provinces, ranks a permutation of 1..31, "
    "relative_to_national averaging to 100.",
)
def pillar_score_consistent(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as conn:
        problems = pillar_score_problems(conn)
    return dg.AssetCheckResult(
        passed=not problems,
        metadata={
            "failing_pillar_years": len(problems),
            "examples": dg.MetadataValue.json([list(map(str, p)) for p in problems[:5]]),
        },
    )


@dg.asset_check(
    asset=PILLAR_SCORE,
    name="observed_inputs",
    blocking=False,
    pool=POOL,
    additional_deps=[INDICATOR_VALUE],
    description="WARN when a score rests on imputed values alone (observed_share = 0: every "
    "input interpolated, carried forward or filled with the earliest observed value); the "
    "metadata lists them with how each input was obtained.",
)
def pillar_score_observed(warehouse: DuckDBResource) -> dg.AssetCheckResult:
    with warehouse.get_connection() as conn:
        imputed_only = imputed_only_scores(conn)
    return dg.AssetCheckResult(
        passed=not imputed_only,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "imputed_only_scores": len(imputed_only),
            "scores": dg.MetadataValue.json(imputed_only[:50]),
        },
    )


defs = dg.Definitions(
    asset_checks=[indicator_value_traceable, pillar_score_consistent, pillar_score_observed]
)
