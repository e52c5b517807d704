"""The published copy: a consistent, read-only snapshot of the warehouse for analysts.

DuckDB lets one process hold a database file for writing, and while it does no other process
can open the file, not even read-only. So analysts never read the live warehouse: after each
successful run the asset ``published_copy`` (pipelines/defs/publish.py) calls :func:`publish`,
which

1. checkpoints the live warehouse on the connection that holds its write lock (so no other
   process can write while the bytes are copied, and the WAL is folded into the file);
2. copies the file byte for byte to a temporary file in the published folder;
3. writes ``meta.publication`` into that copy (run id, published_at, every table's row count)
   and checkpoints it;
4. swaps it into place with ``os.replace`` (atomic on POSIX and Windows within one folder).

A reader opening the published path sees the old version or the new one, never half of one;
a reader that already has the old file open keeps reading the old inode until it reconnects.
No Dagster in here: tests and scripts call :func:`publish` directly.

Where: ``IMPETUS_PUBLISHED`` if set, else ``published/<warehouse file name>`` beside the live
warehouse (``data/warehouse/published/impetus.duckdb`` by default).
"""

from __future__ import annotations

import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.paths import warehouse_path

PUBLISHED_ENV = "IMPETUS_PUBLISHED"
PUBLICATION_TABLE = "meta.publication"
READ_ONLY_MODE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH  # 0o444


class PublishedCopyMissing(FileNotFoundError):
    """There is no published copy yet: nothing has been materialized successfully."""


@dataclass(frozen=True)
class Publication:
    path: Path
    run_id: str
    published_at: datetime
    source: Path
    row_counts: dict[str, int] = field(default_factory=dict)
    size_bytes: int = 0


def published_path(warehouse: str | Path | None = None) -> Path:
    """Where the published copy lives: IMPETUS_PUBLISHED, else ``published/<name>`` beside
    the warehouse file (the warehouse of IMPETUS_WAREHOUSE when none is given)."""
    configured = os.environ.get(PUBLISHED_ENV)
    if configured:
        return Path(configured)
    live = Path(warehouse) if warehouse is not None else warehouse_path()
    return live.parent / "published" / live.name


def user_tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "select schema_name || '.' || table_name from duckdb_tables()"
            " where not temporary and database_name = current_database()"
            " order by schema_name, table_name"
        ).fetchall()
    ]


def row_counts(conn: duckdb.DuckDBPyConnection) -> dict[str, int]:
    return {
        name: conn.execute(f"select count(*) from {name}").fetchone()[0]
        for name in user_tables(conn)
    }


def publish(
    warehouse: str | Path,
    target: str | Path | None = None,
    *,
    run_id: str = "manual",
    conn: duckdb.DuckDBPyConnection | None = None,
) -> Publication:
    """Publish a copy of ``warehouse`` at ``target`` (default :func:`published_path`).

    ``conn`` is a read-write connection to ``warehouse`` that the caller holds (the Dagster
    asset passes its own); without one, this opens and closes its own. Either way the bytes are
    copied while that connection holds the file's write lock, right after a CHECKPOINT, so no
    writer can change them mid-copy.
    """
    source = Path(warehouse)
    destination = Path(target) if target is not None else published_path(source)
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.parent / f".{destination.name}.{uuid.uuid4().hex}.tmp"
    published_at = datetime.now(UTC)
    try:
        with _writer(source, conn) as live:
            live.execute("CHECKPOINT")
            wal = _wal(source)
            if wal.exists() and wal.stat().st_size > 0:
                raise RuntimeError(f"{wal} is not empty after CHECKPOINT; not publishing")
            counts = row_counts(live)
            shutil.copyfile(source, temporary)
        _stamp(temporary, run_id, published_at, source, counts)
        os.chmod(temporary, READ_ONLY_MODE)
        _fsync(temporary)
        # A WAL beside the published path belongs to someone who opened the copy read-write;
        # DuckDB would replay it into the new file on the next open. It is never ours to keep.
        _wal(destination).unlink(missing_ok=True)
        os.replace(temporary, destination)
        _fsync_dir(destination.parent)
    finally:
        temporary.unlink(missing_ok=True)
        _wal(temporary).unlink(missing_ok=True)
    return Publication(
        path=destination,
        run_id=run_id,
        published_at=published_at,
        source=source,
        row_counts=counts,
        size_bytes=destination.stat().st_size,
    )


def _stamp(
    copy: Path, run_id: str, published_at: datetime, source: Path, counts: dict[str, int]
) -> None:
    """Write meta.publication into the copy: one row per table of this version."""
    with duckdb.connect(str(copy)) as conn:
        conn.execute("create schema if not exists meta")
        conn.execute(
            f"""
            create or replace table {PUBLICATION_TABLE} (
                run_id varchar not null,
                published_at timestamptz not null,
                source_warehouse varchar not null,
                table_name varchar not null,
                row_count bigint not null
            )"""
        )
        conn.executemany(
            f"insert into {PUBLICATION_TABLE} values (?, ?, ?, ?, ?)",
            [[run_id, published_at, str(source), name, n] for name, n in counts.items()],
        )
        conn.execute(
            f"comment on table {PUBLICATION_TABLE} is 'This published copy: the Dagster run that"
            " published it, when, from which warehouse file, and the row count of every table"
            " at that moment (one row per table). Written into the copy before it is swapped"
            " into place.'"
        )
        for column, text in PUBLICATION_COLUMNS.items():
            conn.execute(f"comment on column {PUBLICATION_TABLE}.{column} is '{text}'")
        conn.execute("CHECKPOINT")


PUBLICATION_COLUMNS = {
    "run_id": "Dagster run id of the run that published this copy (manual when published by hand).",
    "published_at": "When the copy was taken (UTC).",
    "source_warehouse": "Path of the live warehouse file the copy was taken from.",
    "table_name": "schema.table of the copy.",
    "row_count": "Rows of table_name in this copy.",
}


def read_publication(path: str | Path | None = None) -> dict:
    """The stamp of the published copy at ``path``: run id, published_at, row counts."""
    with connect_published(path) as conn:
        rows = conn.execute(
            f"select run_id, published_at, table_name, row_count from {PUBLICATION_TABLE}"
            " order by table_name"
        ).fetchall()
    return {
        "run_id": rows[0][0] if rows else None,
        "published_at": rows[0][1] if rows else None,
        "row_counts": {table: n for _, _, table, n in rows},
    }


def connect_published(
    path: str | Path | None = None, *, external_access: bool = False
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published copy. Unless ``external_access`` is asked for
    (only the CLI's export, which writes the file itself), file access from SQL is switched
    off and the setting locked: read_csv, COPY, ATTACH, INSTALL all fail."""
    target = Path(path) if path is not None else published_path()
    if not target.exists():
        raise PublishedCopyMissing(
            f"no published copy at {target}: run `impetus materialize` (or `impetus publish`) first"
        )
    conn = duckdb.connect(str(target), read_only=True)
    if not external_access:
        conn.execute("SET enable_external_access = false")
        conn.execute("SET lock_configuration = true")
    return conn


@contextmanager
def _writer(
    source: Path, conn: duckdb.DuckDBPyConnection | None
) -> Iterator[duckdb.DuckDBPyConnection]:
    if conn is not None:
        yield conn
        return
    with duckdb.connect(str(source)) as own:
        yield own


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
