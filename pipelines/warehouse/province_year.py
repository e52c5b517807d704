"""Load province-year tables (NBS exports, tidy tables) into ``raw.province_year``.

The readers (``pipelines.readers``) turn a file into a small frame of observations, one per
cell, already normalised (area code, metric id, catalog unit, vintage), and a frame of the
cells and rows they rejected. Province-year tables are small (31 provinces x a few dozen
years), so passing them through pandas is fine here.

A file the readers cannot read (SourceError) refuses the whole load. Rejected cells, and cells
contradicting another figure for the same vintage, go to ``quarantine.province_year``; the
other cells of the file load.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.readers import REJECT, ProvinceYearRead, read_province_year_file
from pipelines.readers.errors import SourceError
from pipelines.readers.file_metrics import facts_for_file
from pipelines.warehouse.domain_load import load_files
from pipelines.warehouse.loads import (
    FileLoad,
    LoadError,
    Problem,
    quarantine_reasons,
    scalar,
)
from pipelines.warehouse.sql_files import sql

DOMAIN = "province_year"
QUARANTINE_TABLE = "quarantine.province_year"


def load_province_year_files(
    conn: duckdb.DuckDBPyConnection, files: list[Path], withdraw_gone: bool = False
) -> list[FileLoad]:
    """Load every new file in one transaction; skip files already loaded (same sha256).
    With ``withdraw_gone``, loaded files no longer among ``files`` are withdrawn."""
    return load_files(
        conn,
        DOMAIN,
        files,
        lambda conn, path, name, sha, loaded_at: _load_read(
            conn, _read(path, name), name, sha, loaded_at
        ),
        prepare=lambda conn: conn.execute(sql("raw/province_year")),
        withdraw_gone=withdraw_gone,
    )


def build_file_release(conn: duckdb.DuckDBPyConnection, file_metrics: Path | None = None) -> None:
    """``staging.file_release``: per loaded file, the release date nbs_file_metrics.csv (or
    ``file_metrics``) gives it now and the one inferred from its newest year
    (sql/staging/file_release.sql)."""
    conn.execute(sql("raw/province_year"))
    names = conn.execute("select distinct source_file from raw.province_year").fetchall()
    mapped = [
        (name, facts.release_date, facts.pattern)
        for (name,) in names
        if (facts := facts_for_file(Path(name).name, file_metrics)) and facts.release_date
    ]
    conn.execute(
        "create or replace temp table file_release_mapping"
        " (source_file varchar, release_date date, pattern varchar)"
    )
    if mapped:
        conn.executemany("insert into file_release_mapping values (?, ?, ?)", mapped)
    conn.execute(sql("staging/file_release"))
    conn.execute("drop table file_release_mapping")


def _read(path: Path, name: str) -> ProvinceYearRead:
    """The file's observations and rejected cells; a file the readers refuse refuses the load."""
    try:
        return read_province_year_file(path, bad_cells=REJECT)
    except SourceError as error:
        raise LoadError(
            [Problem(name, error.row, error.column, error.value, error.reason)]
        ) from error


def _load_read(
    conn: duckdb.DuckDBPyConnection, read: ProvinceYearRead, name: str, sha: str, loaded_at
) -> FileLoad:
    lineage = {"source_file": name, "file_sha256": sha, "loaded_at": loaded_at}
    conn.register("observations", read.observations)
    conn.register("rejected", read.rejected)
    try:
        conn.execute(
            "create or replace temp table conflicting_cells as "
            + sql("raw/province_year_conflicts")
        )
        before = _row_count(conn)
        conn.execute(sql("raw/insert_province_year"), lineage)
        rows = _row_count(conn) - before
        conn.execute(sql("quarantine/insert_province_year"), lineage)
        conn.execute("drop table conflicting_cells")
    finally:
        conn.unregister("observations")
        conn.unregister("rejected")
    quarantined = scalar(
        conn, f"select count(*) from {QUARANTINE_TABLE} where file_sha256 = ?", [sha]
    )
    return FileLoad(
        name,
        sha,
        read.reader,
        "loaded",
        rows,
        list(read.notes),
        rows_quarantined=quarantined,
        quarantine_reasons=quarantine_reasons(conn, QUARANTINE_TABLE, sha) if quarantined else {},
    )


def _row_count(conn: duckdb.DuckDBPyConnection) -> int:
    return scalar(conn, "select count(*) from raw.province_year")
