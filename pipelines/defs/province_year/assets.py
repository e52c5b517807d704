"""Province-year panel: NBS exports and tidy province tables -> raw -> staging."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.defs.sources import SourceFolders
from pipelines.defs.staging import staging_asset
from pipelines.defs.table_metadata import raw_load_metadata, source_files_of, table_metadata
from pipelines.warehouse.loads import one_transaction
from pipelines.warehouse.province_year import (
    DOMAIN,
    build_file_release,
    load_province_year_files,
)
from pipelines.warehouse.unload import files_kept_though_gone

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
        loads = load_province_year_files(conn, files, withdraw_gone=not sources.keep_removed_files)
        kept = files_kept_though_gone(conn, DOMAIN, files, sources.keep_removed_files)
        return dg.MaterializeResult(
            metadata=raw_load_metadata(
                conn,
                "raw.province_year",
                loads,
                kept,
                footnotes=dg.MetadataValue.json(
                    {load.source_file: load.notes for load in loads if load.notes}
                ),
            )
        )


@dg.asset(
    key=["staging", "file_release"],
    deps=[raw_province_year],
    group_name=GROUP,
    kinds={"duckdb", "sql"},
    pool=POOL,
)
def file_release(warehouse: DuckDBResource) -> dg.MaterializeResult:
    """One row per loaded province-year file: the release date data/reference/
    nbs_file_metrics.csv gives it now (an edited date applies to files loaded before) and the
    date inferred from its newest data year (31 December of the next year), which orders
    releases that state no date, e.g. two NBS exports of one indicator."""
    with warehouse.get_connection() as conn:
        with one_transaction(conn):
            build_file_release(conn)
        return dg.MaterializeResult(
            metadata=table_metadata(
                conn, "staging.file_release", source_files_of(conn, "staging.file_release")
            )
        )


area_year_history = staging_asset(
    "area_year_history",
    [file_release, dg.AssetKey(["reference", "area"])],
    GROUP,
    "All vintages of every province-, region- and national-year figure, ranked newest first "
    "by the vintage rule (latest release date: the one nbs_file_metrics.csv gives the file, "
    "else the one the row states, else 31 December after the file's newest year). "
    "is_current marks the figure staging.province_year exposes.",
)
province_year = staging_asset(
    "province_year",
    [area_year_history, dg.AssetKey(["reference", "metric"])],
    GROUP,
    "The province-year panel: 31 provinces x year x metric, the current vintage of each figure "
    "in the metric's catalog unit, with vintage, source file and row. Rows from the demo's "
    "synthetic aggregates carry is_synthetic = true; metric_status = 'uncatalogued' marks "
    "figures of an NBS indicator metrics.csv does not know yet (kept out of the indicators).",
)
national_year = staging_asset(
    "national_year",
    [area_year_history, dg.AssetKey(["reference", "metric"])],
    GROUP,
    "National totals (全国) and the four NBS regions, current vintage, kept apart from the "
    "31 provinces.",
)
