"""One load of a domain: the new files of the source folders in, the files that left them out.

Everything happens in one transaction (docs/loading.md): a refused file refuses the whole load
and the warehouse stays as it was; every refused file of the load is named at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.paths import REPO_ROOT
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
)
from pipelines.warehouse.unload import Unloaded, kept_out, withdraw_files_gone

LoadOne = Callable[[duckdb.DuckDBPyConnection, Path, str, str, datetime], FileLoad]


def load_files(
    conn: duckdb.DuckDBPyConnection,
    domain: str,
    files: list[Path],
    load_one: LoadOne,
    prepare: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
    withdraw_gone: bool = False,
) -> list[FileLoad]:
    """Load every new file of ``domain`` in one transaction, each through
    ``load_one(conn, path, name, sha256, loaded_at)``; skip files already loaded (same
    sha256) and files kept out by ``impetus unload``. With ``withdraw_gone`` (``files`` is
    then everything the source folders hold), loaded files not among ``files`` are withdrawn
    in the same transaction: a file edited in place replaces its earlier content.

    A refused file refuses the whole load (the warehouse stays as it was), and every refused
    file of the load is named at once: after the first, the others are tried one by one, each
    in a transaction that is rolled back."""
    ensure_schemas(conn)
    loaded_at = now_utc()
    landed = [(path, file_sha256(path), display_path(path, REPO_ROOT)) for path in files]
    results: list[FileLoad] = []
    done = 0
    try:
        with one_transaction(conn):
            if prepare:
                prepare(conn)
            if withdraw_gone:  # first: a file edited in place must not clash with its old self
                present = {sha for _, sha, _ in landed}
                results += [_withdrawn(gone) for gone in withdraw_files_gone(conn, domain, present)]
            for path, sha, name in landed:
                if already_loaded(conn, domain, sha):
                    results.append(FileLoad(name, sha, "-", "unchanged"))
                elif kept_out(conn, domain, sha):
                    note = "kept out by `impetus unload`; `impetus unload --undo` loads it again"
                    results.append(FileLoad(name, sha, "-", "kept_out", notes=[note]))
                else:
                    load = load_one(conn, path, name, sha, loaded_at)
                    record_load(conn, domain, load, loaded_at)
                    results.append(load)
                done += 1
    except LoadError as first:
        problems = first.problems + _problems_of_other_files(
            conn, domain, landed[done + 1 :], load_one, prepare, loaded_at
        )
        raise LoadError(problems) from first
    return results


def _withdrawn(gone: Unloaded) -> FileLoad:
    return FileLoad(
        gone.source_file,
        gone.file_sha256,
        "-",
        "withdrawn",
        rows=gone.rows_removed,
        notes=[str(gone)],
        rows_quarantined=gone.rows_quarantined_removed,
    )


def _problems_of_other_files(
    conn: duckdb.DuckDBPyConnection,
    domain: str,
    landed: list[tuple[Path, str, str]],
    load_one: LoadOne,
    prepare: Callable[[duckdb.DuckDBPyConnection], None] | None,
    loaded_at: datetime,
) -> list[Problem]:
    problems: list[Problem] = []
    for path, sha, name in landed:
        conn.execute("begin transaction")
        try:
            if prepare:
                prepare(conn)
            if not (already_loaded(conn, domain, sha) or kept_out(conn, domain, sha)):
                load_one(conn, path, name, sha, loaded_at)
        except LoadError as error:
            problems.extend(error.problems)
        finally:
            conn.execute("rollback")
    return problems
