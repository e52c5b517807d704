"""Materialization metadata every warehouse asset reports, built from the table itself."""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg
import duckdb

from pipelines.warehouse.comments import sync_comments
from pipelines.warehouse.loads import FileLoad, files_report, quarantine_summary, scalar

PREVIEW_ROWS = 5


def table_metadata(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    source_files: Iterable[str] = (),
    **extra: dg.RawMetadataValue,
) -> dict[str, dg.RawMetadataValue]:
    """Row count, column schema (with descriptions), a preview and the source files of
    ``table``. On a connection that can write, first brings the warehouse's comments up to
    date (a rebuilt table lost its own), so the schema shown carries every description."""
    if _can_write(conn):
        sync_comments(conn)
    schema, name = table.split(".")
    columns = conn.execute(
        "select column_name, data_type, comment from duckdb_columns()"
        " where schema_name = ? and table_name = ? order by column_index",
        [schema, name],
    ).fetchall()
    row_count = scalar(conn, f"select count(*) from {table}")
    preview = conn.execute(f"select * from {table} limit {PREVIEW_ROWS}").fetchall()
    metadata: dict[str, dg.RawMetadataValue] = {
        "dagster/row_count": row_count,
        "dagster/table_name": table,
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(name=column, type=dtype, description=comment or None)
                for column, dtype, comment in columns
            ]
        ),
        "preview": dg.MetadataValue.md(_markdown_table([c[0] for c in columns], preview)),
    }
    files = sorted(set(source_files))
    if files:
        metadata["source_files"] = dg.MetadataValue.json(files)
    metadata.update(extra)
    return metadata


def raw_load_metadata(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    loads: list[FileLoad],
    files_gone_but_kept: list[str],
    **extra: dg.RawMetadataValue,
) -> dict[str, dg.RawMetadataValue]:
    """What one load of a domain did, file by file, on top of the table's own metadata."""

    def count(status: str) -> int:
        return sum(load.status == status for load in loads)

    return table_metadata(
        conn,
        table,
        [load.source_file for load in loads if load.status != "withdrawn"],
        files_loaded=count("loaded"),
        files_unchanged=count("unchanged"),
        files_kept_out=count("kept_out"),
        files_withdrawn=count("withdrawn"),
        files_gone_but_kept=dg.MetadataValue.json(files_gone_but_kept),
        rows_loaded=sum(load.rows for load in loads if load.status == "loaded"),
        rows_quarantined=sum(load.rows_quarantined for load in loads if load.status == "loaded"),
        files=dg.MetadataValue.json(files_report(loads)),
        quarantine=dg.MetadataValue.md(quarantine_summary(loads)),
        **extra,
    )


def _can_write(conn: duckdb.DuckDBPyConnection) -> bool:
    return not scalar(
        conn,
        "select readonly from duckdb_databases() where database_name = current_database()",
    )


def source_files_of(conn: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """The distinct source files a staging table's rows come from (its lineage column)."""
    return [row[0] for row in conn.execute(f"select distinct source_file from {table}").fetchall()]


def _markdown_table(header: list[str], rows: list[tuple]) -> str:
    def cell(value: object) -> str:
        return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)
