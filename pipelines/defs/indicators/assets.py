"""Indicators and composite scores: staging -> sql/indicators -> composite engine -> marts.

The catalog (data/reference/indicators.csv) and the settings
(data/reference/composite_settings.yaml) are read at run time, so an edit takes effect on the
next materialization. The work is in pipelines/indicators; these assets only wire it up.
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.defs.table_metadata import table_metadata
from pipelines.domains import DOMAINS
from pipelines.indicators import load_catalog, load_config
from pipelines.indicators.catalog import DEFAULT_CATALOG_FILE
from pipelines.indicators.config import DEFAULT_SETTINGS_FILE
from pipelines.indicators.warehouse import build_index_marts, build_indicator, build_northeast_view
from pipelines.paths import REPO_ROOT

GROUP = "indicators"
KINDS = {"duckdb", "python"}
REFERENCE_FILES = [
    path.relative_to(REPO_ROOT).as_posix() for path in (DEFAULT_CATALOG_FILE, DEFAULT_SETTINGS_FILE)
]
STAGING = [dg.AssetKey(["staging", domain]) for domain in DOMAINS]


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


INDICATOR_VALUE = dg.AssetKey(["marts", "indicator_value"])
PILLAR_SCORE = dg.AssetKey(["marts", "pillar_score"])


def _mart(key: dg.AssetKey, deps, description: str) -> dg.AssetSpec:
    return dg.AssetSpec(key, deps=deps, group_name=GROUP, kinds=KINDS, description=description)


@dg.multi_asset(
    specs=[
        _mart(
            INDICATOR_VALUE,
            [
                indicator,
                *STAGING,
                dg.AssetKey(["reference", "area"]),
                dg.AssetKey(["reference", "unit"]),
                dg.AssetKey(["reference", "industry_division"]),
            ],
            "One row per province x year x indicator: raw value (the formula in "
            "sql/indicators/), treated value (imputed: linear between years, then latest carried "
            "forward; COINr outlier treatment) and min-max normalised value (0-100 over all "
            "provinces and years), is_imputed, value_origin (observed, interpolated, "
            "carried_forward, earliest_observed or missing), pillar_coverage (share of the "
            "pillar's weight observed in the province-year), is_synthetic and source_rows, "
            "the (source_file, source_row) list every value came from.",
        ),
        _mart(
            PILLAR_SCORE,
            [INDICATOR_VALUE],
            "Scores of the 8 innovation drivers (D1..D8), the 3 upgrading stages (S1..S3), the "
            "overall innovation impetus index (over the drivers) and the upgrading index (over "
            "the stages) per province and year: names, the shares of the score resting on "
            "official and on observed values (official_share, observed_share, is_synthetic), "
            "rank within the year with its 5-95% Monte Carlo interval (rank_p05/p50/p95), "
            "relative_to_national (31-province mean = 100) and EIS-style performance group.",
        ),
        _mart(
            dg.AssetKey(["marts", "sensitivity"]),
            [INDICATOR_VALUE],
            "First-order and total Sobol' indices of the mean absolute rank shift per pillar and "
            "index: which methodological choice (normalisation, weights, aggregation) moves the "
            "ranks most. Same Monte Carlo runs as the rank intervals.",
        ),
        _mart(
            dg.AssetKey(["marts", "coupling_coordination"]),
            [PILLAR_SCORE],
            "Coupling-coordination degree (C, T, D = sqrt(C*T), ten bands) between the "
            "innovation-driver system (overall index) and the upgrading system (upgrading index) "
            "per province and year.",
        ),
        _mart(
            dg.AssetKey(["marts", "indicator_audit"]),
            [PILLAR_SCORE],
            "Statistical audit of the catalog: each indicator's and pillar's correlation with "
            "its own parent (negative flagged) and the parent's Cronbach's alpha.",
        ),
    ],
    pool=POOL,
)
def composite_build(context: dg.AssetExecutionContext, warehouse: DuckDBResource):
    """One composite build (pipelines.indicators.build.build_index: the engine, its Monte Carlo,
    audit and coupling) writes its five marts in one transaction, so they always show one
    version of the indices."""
    catalog, config = _catalog_and_config()
    with warehouse.get_connection() as conn:
        built = build_index_marts(conn, catalog, config)
        if not built.years:
            context.log.warning(
                "no year in which every pillar has an observed indicator value: marts are"
                f" empty (pillars without any data: {built.pillars_without_data})"
            )
        cells = built.cell_counts
        yield dg.MaterializeResult(
            asset_key=INDICATOR_VALUE,
            metadata=table_metadata(
                conn,
                "marts.indicator_value",
                REFERENCE_FILES,
                indicators=len(catalog),
                years=dg.MetadataValue.json(built.years),
                observed_cells=cells["observed"],
                imputed_cells=cells["imputed"],
                missing_cells=cells["missing"],
                value_origins=dg.MetadataValue.json(built.value_origins),
                pillars_without_data=dg.MetadataValue.json(built.pillars_without_data),
            ),
        )
        counts = conn.execute(
            "select performance_group, count(*) from marts.pillar_score"
            " where pillar = 'overall' group by all order by all"
        ).fetchall()
        (official,) = conn.execute(
            "select avg(official_share) from marts.pillar_score where pillar = 'overall'"
        ).fetchone()
        yield dg.MaterializeResult(
            asset_key=PILLAR_SCORE,
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
        yield dg.MaterializeResult(
            asset_key=["marts", "coupling_coordination"],
            metadata=table_metadata(conn, "marts.coupling_coordination", REFERENCE_FILES),
        )
        flagged = conn.execute(
            "select code from marts.indicator_audit where negative_correlation"
        ).fetchall()
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


defs = dg.Definitions(assets=[indicator, composite_build, northeast_view])
