"""Province-year panel: NBS exports and tidy province tables -> raw -> staging."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.metadata import POOL, source_files_of, table_metadata
from pipelines.defs.sources import SourceFolders
from pipelines.warehouse.loads import (
    files_report,
    one_transaction,
    quarantine_summary,
    scalar,
)
from pipelines.warehouse.province_year import DOMAIN, load_province_year_files
from pipelines.warehouse.sql_files import sql

GROUP = "province_year"


@dg.asset(
    key=["raw", "province_year"], group_name=GROUP, kinds={"duckdb", "csv", "excel"}, pool=POOL
)
def raw_province_year(warehouse: DuckDBResource, sources: SourceFolders) -> dg.MaterializeResult:
    """Every cell of every province-year source file (NBS 分省年度数据 exports in all three
    variants, tidy CSV/XLSX province tables), one row per area, year, metric and vintage, with
    the file, its sha256, row and column it came from. A file already loaded is skipped.
    Cells that cannot be stored (a placeholder or text for a number, an unknown province, a
    future year, mixed units, a contradicting figure) go to quarantine.province_year."""
    files = sources.files(DOMAIN)
    with warehouse.get_connection() as conn:
        loads = load_province_year_files(conn, files)
        return dg.MaterializeResult(
            metadata=table_metadata(
                conn,
                "raw.province_year",
                [load.source_file for load in loads],
                files_loaded=sum(load.status == "loaded" for load in loads),
                files_unchanged=sum(load.status == "unchanged" for load in loads),
                rows_loaded=sum(load.rows for load in loads),
                rows_quarantined=sum(load.rows_quarantined for load in loads),
                files=dg.MetadataValue.json(files_report(loads)),
                quarantine=dg.MetadataValue.md(quarantine_summary(loads)),
                footnotes=dg.MetadataValue.json(
                    {load.source_file: load.notes for load in loads if load.notes}
                ),
            )
        )


def _staging_asset(table: str, deps: list, description: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["staging", table],
        deps=deps,
        group_name=GROUP,
        kinds={"duckdb", "sql"},
        pool=POOL,
        description=description,
    )
    def _asset(warehouse: DuckDBResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            with one_transaction(conn):
                conn.execute(sql(f"staging/{table}"))
            synthetic = scalar(
                conn, f"select count(*) filter (where is_synthetic) from staging.{table}"
            )
            return dg.MaterializeResult(
                metadata=table_metadata(
                    conn,
                    f"staging.{table}",
                    source_files_of(conn, f"staging.{table}"),
                    synthetic_rows=synthetic,
                )
            )

    return _asset


area_year_history = _staging_asset(
    "area_year_history",
    [raw_province_year, dg.AssetKey(["reference", "area"])],
    "All vintages of every province-, region- and national-year figure, ranked newest first "
    "by the vintage rule (latest release date; undated files count as released when loaded). "
    "is_current marks the figure staging.province_year exposes.",
)
province_year = _staging_asset(
    "province_year",
    [area_year_history],
    "The province-year panel: 31 provinces x year x metric, the current vintage of each figure "
    "in the metric's catalog unit, with vintage, source file and row. Rows from the demo's "
    "synthetic aggregates carry is_synthetic = true.",
)
national_year = _staging_asset(
    "national_year",
    [area_year_history],
    "National totals (全国) and the four NBS regions, current vintage, kept apart from the "
    "31 provinces.",
)
