"""Indicators and composite scores: staging -> sql/indicators -> composite engine -> marts.

The catalog (data/reference/indicators.csv) and the settings
(data/reference/composite_settings.yaml) are read at run time, so an edit takes effect on the
next materialization. The work is in pipelines/indicators; these assets only wire it up.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import POOL, table_metadata
from pipelines.indicators import load_catalog, load_config
from pipelines.indicators.catalog import DEFAULT_CATALOG_FILE
from pipelines.indicators.config import DEFAULT_SETTINGS_FILE
from pipelines.indicators.marts import (
    build_coupling_and_audit,
    build_indicator,
    build_indicator_value,
    build_northeast_view,
    build_pillar_score,
    imputed_only_scores,
    pillar_score_problems,
    traceability,
)
from pipelines.paths import REPO_ROOT

GROUP = "indicators"
KINDS = {"duckdb", "python"}
REFERENCE_FILES = [
    path.relative_to(REPO_ROOT).as_posix() for path in (DEFAULT_CATALOG_FILE, DEFAULT_SETTINGS_FILE)
]
STAGING = [
    dg.AssetKey(["staging", table])
    for table in ("province_year", "enterprises", "patents", "procurement")
]


def _catalog_and_config():
    config = load_config()
    return load_catalog(config), config


@dg.asset(key=["marts", "indicator"], group_name=GROUP, kinds=KINDS, pool=POOL)
def indicator(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """The indicator catalog as a table: id, names zh/en, unit, direction, pillar (with its
    names), weight, formula file under sql/indicators/, source, is_synthetic.
    Edit data/reference/indicators.csv."""
    catalog, config = _catalog_and_config()
    with warehouse.get_connection() as conn:
        build_indicator(conn, catalog, config)
        return dg.MaterializeResult(
            metadata=table_metadata(conn, "marts.indicator", REFERENCE_FILES)
        )


@dg.asset(
    key=["marts", "indicator_value"],
    deps=[
        indicator,
        *STAGING,
        dg.AssetKey(["reference", "area"]),
        dg.AssetKey(["reference", "unit"]),
        dg.AssetKey(["reference", "industry_division"]),
    ],
    group_name=GROUP,
    kinds=KINDS,
    pool=POOL,
)
def indicator_value(
    context: dg.AssetExecutionContext, warehouse: DuckDBResource
) -> dg.MaterializeResult:
    """One row per province x year x indicator: raw value (the formula in sql/indicators/),
    treated value (imputed: linear between years, then latest carried forward; COINr outlier
    treatment) and min-max normalised value (0-100 over all provinces and years), is_imputed,
    value_origin (observed, interpolated, carried_forward, earliest_observed or missing),
    pillar_coverage (share of the pillar's weight observed in the province-year),
    is_synthetic and the source_file:source_row list every value came from."""
    catalog, config = _catalog_and_config()
    with warehouse.get_connection() as conn:
        build = build_indicator_value(conn, catalog, config)
        if not build.years:
            context.log.warning(
                "no year in which every pillar has an observed indicator value: marts are"
                f" empty (pillars without any data: {build.pillars_without_data})"
            )
        return dg.MaterializeResult(
            metadata=table_metadata(
                conn,
                "marts.indicator_value",
                REFERENCE_FILES,
                indicators=len(catalog),
                years=dg.MetadataValue.json(build.years),
                observed_cells=build.observed,
                imputed_cells=build.imputed,
                missing_cells=build.missing,
                value_origins=dg.MetadataValue.json(build.origins),
                pillars_without_data=dg.MetadataValue.json(build.pillars_without_data),
            )
        )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["marts", "pillar_score"],
            deps=[indicator_value],
            group_name=GROUP,
            kinds=KINDS,
            description="Scores of the 8 innovation drivers (D1..D8), the 3 upgrading stages "
            "(S1..S3), the overall innovation impetus index (over the drivers) and the upgrading "
            "index (over the stages) per province and year: names, the shares of the score "
            "resting on official and on observed values (official_share, observed_share, "
            "is_synthetic), rank within the year with its 5-95% Monte Carlo interval "
            "(rank_p05/p50/p95), relative_to_national (31-province mean = 100) and EIS-style "
            "performance group.",
        ),
        dg.AssetSpec(
            ["marts", "sensitivity"],
            deps=[indicator_value],
            group_name=GROUP,
            kinds=KINDS,
            description="First-order and total Sobol' indices of the mean absolute rank shift "
            "per pillar and index: which methodological choice (normalisation, weights, "
            "aggregation) moves the ranks most. Same Monte Carlo runs as the rank intervals.",
        ),
    ],
    pool=POOL,
)
def pillar_score(warehouse: DuckDBResource):
    """One Monte Carlo run feeds both tables, so they are built together."""
    catalog, config = _catalog_and_config()
    with warehouse.get_connection() as conn:
        build_pillar_score(conn, catalog, config)
        counts = conn.execute(
            "select performance_group, count(*) from marts.pillar_score"
            " where pillar = 'overall' group by all order by all"
        ).fetchall()
        (official,) = conn.execute(
            "select avg(official_share) from marts.pillar_score where pillar = 'overall'"
        ).fetchone()
        yield dg.MaterializeResult(
            asset_key=["marts", "pillar_score"],
            metadata=table_metadata(
                conn,
                "marts.pillar_score",
                REFERENCE_FILES,
                overall_performance_groups=dg.MetadataValue.json(dict(counts)),
                overall_mean_official_share=dg.MetadataValue.float(
                    float("nan") if official is None else float(official)
                ),
            ),
        )
        yield dg.MaterializeResult(
            asset_key=["marts", "sensitivity"],
            metadata=table_metadata(conn, "marts.sensitivity", REFERENCE_FILES),
        )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["marts", "coupling_coordination"],
            deps=[dg.AssetKey(["marts", "pillar_score"])],
            group_name=GROUP,
            kinds=KINDS,
            description="Coupling-coordination degree (C, T, D = sqrt(C*T), ten bands) between "
            "the innovation-driver system (overall index) and the upgrading system (upgrading "
            "index) per province and year.",
        ),
        dg.AssetSpec(
            ["marts", "indicator_audit"],
            deps=[dg.AssetKey(["marts", "pillar_score"])],
            group_name=GROUP,
            kinds=KINDS,
            description="Statistical audit of the catalog: each indicator's and pillar's "
            "correlation with its own parent (negative flagged) and the parent's Cronbach's "
            "alpha.",
        ),
    ],
    pool=POOL,
)
def coupling_and_audit(warehouse: DuckDBResource):
    """Both read the published scores; built together so one run sees one version."""
    catalog, config = _catalog_and_config()
    with warehouse.get_connection() as conn:
        build_coupling_and_audit(conn, catalog, config)
        flagged = conn.execute(
            "select code from marts.indicator_audit where negative_correlation"
        ).fetchall()
        yield dg.MaterializeResult(
            asset_key=["marts", "coupling_coordination"],
            metadata=table_metadata(conn, "marts.coupling_coordination", REFERENCE_FILES),
        )
        yield dg.MaterializeResult(
            asset_key=["marts", "indicator_audit"],
            metadata=table_metadata(
                conn,
                "marts.indicator_audit",
                REFERENCE_FILES,
                negatively_correlated=dg.MetadataValue.json([code for (code,) in flagged]),
            ),
        )


@dg.asset(
    key=["marts", "northeast_view"],
    deps=[
        dg.AssetKey(["staging", "province_year"]),
        dg.AssetKey(["staging", "national_year"]),
        dg.AssetKey(["reference", "area"]),
        dg.AssetKey(["reference", "metric"]),
    ],
    group_name=GROUP,
    kinds=KINDS,
    pool=POOL,
)
def northeast_view(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """Liaoning, Jilin and Heilongjiang per metric and year: their total (summing metrics) or
    mean (ratios) against the national figure and a benchmark province (Jiangsu by default;
    composite_settings.yaml northeast_view.benchmark_province)."""
    config = load_config()
    with warehouse.get_connection() as conn:
        build_northeast_view(conn, config)
        return dg.MaterializeResult(
            metadata=table_metadata(
                conn,
                "marts.northeast_view",
                REFERENCE_FILES,
                benchmark_province=config.benchmark_province,
            )
        )


@dg.asset_check(
    asset=indicator_value,
    name="traceable",
    blocking=True,
    pool=POOL,
    additional_deps=STAGING,
    description="Every observed or imputed indicator value lists source rows, and every "
    "source_file:source_row it lists exists in a staging table.",
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
    asset=dg.AssetKey(["marts", "pillar_score"]),
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
    asset=dg.AssetKey(["marts", "pillar_score"]),
    name="observed_inputs",
    blocking=False,
    pool=POOL,
    additional_deps=[indicator_value],
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
    assets=[indicator, indicator_value, pillar_score, coupling_and_audit, northeast_view],
    asset_checks=[indicator_value_traceable, pillar_score_consistent, pillar_score_observed],
)
