"""Load province-year tables (NBS exports, tidy tables) into ``raw.province_year``.

The readers (``pipelines.readers``) turn a file into a small frame of observations, one per
cell, already normalised (area code, metric id, catalog unit, vintage). Province-year tables are
small (31 provinces x a few dozen years), so passing them through pandas is fine here.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from pipelines.paths import REPO_ROOT
from pipelines.readers import read_province_year_file
from pipelines.readers.errors import SourceError
from pipelines.warehouse.loads import (
    FileLoad,
    LoadError,
    Problem,
    already_loaded,
    display_path,
    ensure_schemas,
    file_sha256,
    now_utc,
    one_transaction,
    record_load,
    scalar,
)
from pipelines.warehouse.sql_files import sql

DOMAIN = "province_year"
PROVINCE_YEAR_SUFFIXES = (".csv", ".xls", ".xlsx")


def load_province_year_files(conn: duckdb.DuckDBPyConnection, files: list[Path]) -> list[FileLoad]:
    """Load every new file in one transaction; skip files already loaded (same sha256)."""
    ensure_schemas(conn)
    conn.execute(sql("raw/province_year"))
    loaded_at = now_utc()
    results: list[FileLoad] = []
    with one_transaction(conn):
        for path in files:
            sha = file_sha256(path)
            name = display_path(path, REPO_ROOT)
            if already_loaded(conn, DOMAIN, sha):
                results.append(FileLoad(name, sha, "-", "unchanged"))
                continue
            try:
                read = read_province_year_file(path)
            except SourceError as error:
                raise LoadError(
                    [Problem(name, error.row, error.column, error.value, error.reason)]
                ) from error
            conn.register("observations", read.observations)
            try:
                _refuse_conflicts(conn, name)
                before = _row_count(conn)
                conn.execute(
                    sql("raw/insert_province_year"),
                    {"source_file": name, "file_sha256": sha, "loaded_at": loaded_at},
                )
                rows = _row_count(conn) - before
            finally:
                conn.unregister("observations")
            load = FileLoad(name, sha, read.reader, "loaded", rows, list(read.notes))
            record_load(conn, DOMAIN, load, loaded_at)
            results.append(load)
    return results


def _refuse_conflicts(conn: duckdb.DuckDBPyConnection, name: str) -> None:
    conflicts = conn.execute(sql("raw/province_year_conflicts")).fetchall()
    if conflicts:
        raise LoadError(
            [Problem(name, row, column, value, reason) for row, column, value, reason in conflicts]
        )


def _row_count(conn: duckdb.DuckDBPyConnection) -> int:
    return scalar(conn, "select count(*) from raw.province_year")
