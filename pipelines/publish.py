"""The published copy: a consistent, read-only snapshot of the warehouse for analysts.

DuckDB lets one process hold a database file for writing, and while it does no other process
can open it, not even read-only. So analysts never read the live warehouse: after each
successful run the asset ``published_copy`` (pipelines/defs/publish/assets.py) calls
:func:`publish`, which

1. checkpoints the live warehouse on the connection that holds its write lock (so no other
   process can write while the bytes are copied, and the WAL is folded into the file);
2. copies the file byte for byte to a temporary file in ``versions/`` beside the published path;
3. writes ``meta.publication`` into that copy (run id, published_at, every table's row count),
   checkpoints it, makes it read-only and renames it to its version name
   (``versions/impetus-<published_at>-<run>.duckdb``), after which it never changes;
4. points the published path, a relative symbolic link, at the new version: a new link under a
   temporary name swapped in with ``os.replace`` (atomic within one folder);
5. removes versions superseded more than :data:`SUPERSEDED_VERSIONS_KEPT_FOR` ago.

Why a link to immutable versions and not one file replaced in place: DuckDB opens a database
file more than once while connecting (magic bytes; the headers; then the blocks, under a read
lock). If the path is renamed over between those opens, the reader takes its headers from one
version and its blocks from the next, a catalog that never existed (the stress test saw a copy
without ``meta.publication``; ``benchmarks/publish_swap.py`` measures it). DuckDB resolves a
link once, before the first open, and every later open goes to the resolved file, which nothing
ever writes again (seen with strace for ``duckdb.connect``, ``ATTACH`` and the DuckDB CLI).
:func:`connect_published` resolves the link itself as well, so the project's own readers do
not depend on that. A reader that resolved the old link just before the swap still finds its
file: superseded versions are kept for a while; a session already open keeps its version as
long as it likes (an open file outlives its name).

No Dagster in here: tests and scripts call :func:`publish` directly.

Where: ``IMPETUS_PUBLISHED`` if set, else ``published/<warehouse file name>`` beside the live
warehouse (``data/warehouse/published/impetus.duckdb`` by default), with its versions in the
folder ``versions/`` beside it. Needs symbolic links (Linux, macOS; Windows only with them
enabled).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from pipelines.paths import warehouse_path
from pipelines.warehouse.comments import sync_comments

PUBLISHED_ENV = "IMPETUS_PUBLISHED"
PUBLICATION_TABLE = "meta.publication"
READ_ONLY_MODE = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH  # 0o444
VERSIONS_FOLDER = "versions"
VERSION_TIME_FORMAT = "%Y%m%dT%H%M%S%fZ"
# How long a superseded version stays on disk after the next one was published: long enough
# for any reader that resolved the old link to open its file; short enough that frequent runs
# do not fill the disk with copies.
SUPERSEDED_VERSIONS_KEPT_FOR = timedelta(minutes=15)


class PublishedCopyMissing(FileNotFoundError):
    """There is no published copy yet: nothing has been materialized successfully."""


class NothingToPublish(RuntimeError):
    """The warehouse holds no tables: a copy of it would only hide the last good one."""


class PublishedCopyLocked(RuntimeError):
    """The file to read is held for writing by another process (DuckDB: no other process may
    open it then, not even read-only); the message says which file to read instead."""


@dataclass(frozen=True)
class Publication:
    path: Path  # the published path: a link to ``version``
    version: Path
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
    """Publish a copy of ``warehouse`` and point ``target`` (default :func:`published_path`)
    at it.

    ``conn`` is a read-write connection to ``warehouse`` that the caller holds (the Dagster
    asset passes its own); without one, this opens and closes its own. Either way the bytes are
    copied while that connection holds the file's write lock, right after a CHECKPOINT, so no
    writer can change them mid-copy.
    """
    source = Path(warehouse)
    pointer = Path(target) if target is not None else published_path(source)
    folder = versions_folder(pointer)
    folder.mkdir(parents=True, exist_ok=True)
    published_at = datetime.now(UTC)
    version = folder / version_name(pointer, published_at, run_id)
    temporary = folder / f".{version.name}.{uuid.uuid4().hex}.tmp"
    try:
        with _writer(source, conn) as live:
            sync_comments(live)  # the copy carries every table's and column's description
            live.execute("CHECKPOINT")
            wal = _wal(source)
            if wal.exists() and wal.stat().st_size > 0:
                raise RuntimeError(f"{wal} is not empty after CHECKPOINT; not publishing")
            counts = row_counts(live)
            if not counts:
                raise NothingToPublish(
                    f"{source} holds no tables yet: run `impetus materialize` (or `make demo`)"
                    " first; the published copy is left as it was"
                )
            shutil.copyfile(source, temporary)
        _stamp(temporary, run_id, published_at, source, counts)
        if _wal(temporary).exists() and _wal(temporary).stat().st_size > 0:
            raise RuntimeError(f"{_wal(temporary)} left after stamping; not publishing")
        os.chmod(temporary, READ_ONLY_MODE)
        _fsync(temporary)
        os.replace(temporary, version)
        _fsync_dir(folder)
        # A WAL beside the published path belongs to someone who opened it read-write; a
        # client that does not resolve the link would replay it into the new version.
        _wal(pointer).unlink(missing_ok=True)
        _point(pointer, version)
    except BaseException:
        if current_version(pointer) != Path(os.path.realpath(version)):
            version.unlink(missing_ok=True)  # never pointed at: nobody can be reading it
        raise
    finally:
        temporary.unlink(missing_ok=True)
        _wal(temporary).unlink(missing_ok=True)
    for expired in expired_versions(pointer, now=datetime.now(UTC)):
        expired.unlink(missing_ok=True)
    return Publication(
        path=pointer,
        version=version,
        run_id=run_id,
        published_at=published_at,
        source=source,
        row_counts=counts,
        size_bytes=version.stat().st_size,
    )


def versions_folder(pointer: Path) -> Path:
    """Where the versions behind the published path ``pointer`` live."""
    return pointer.parent / VERSIONS_FOLDER


def version_name(pointer: Path, published_at: datetime, run_id: str) -> str:
    """``<stem>-<published_at, UTC, to the microsecond>-<run id's first 8>.<suffix>``: names of
    one pointer's versions sort in publication order."""
    stamp = published_at.astimezone(UTC).strftime(VERSION_TIME_FORMAT)
    run = re.sub(r"[^0-9A-Za-z_]", "_", run_id)[:8]
    return f"{pointer.stem}-{stamp}-{run}{pointer.suffix}"


def current_version(pointer: str | Path | None = None) -> Path | None:
    """The version file the published path points at now (None before the first
    publication). Resolve it once and open that file, not the link, to read one version."""
    link = Path(pointer) if pointer is not None else published_path()
    if not link.exists():
        return None
    return Path(os.path.realpath(link))


def expired_versions(
    pointer: Path, *, now: datetime, keep_for: timedelta | None = None
) -> list[Path]:
    """The versions of ``pointer`` (and temporary files of failed publications) that can go:
    every one but the current, once the version that superseded it is older than ``keep_for``
    (default :data:`SUPERSEDED_VERSIONS_KEPT_FOR`). A reader resolves the link and opens the
    file in well under a second, so keeping superseded versions this long means none is
    removed between the two."""
    keep_for = SUPERSEDED_VERSIONS_KEPT_FOR if keep_for is None else keep_for
    folder = versions_folder(pointer)
    current = current_version(pointer)
    pattern = re.compile(
        rf"^{re.escape(pointer.stem)}-(\d{{8}}T\d{{12}}Z)-[0-9A-Za-z_]*{re.escape(pointer.suffix)}$"
    )
    dated = []
    for path in folder.glob(f"{pointer.stem}-*{pointer.suffix}"):
        match = pattern.match(path.name)
        if match:
            published = datetime.strptime(match[1], VERSION_TIME_FORMAT).replace(tzinfo=UTC)
            dated.append((published, path))
    dated.sort()
    expired = [
        path
        for (_, path), (successor_published, _) in zip(dated, dated[1:], strict=False)
        if path != current and now - successor_published >= keep_for
    ]
    leftovers = [
        path
        for path in folder.glob(f".{pointer.stem}-*.tmp*")
        if now - datetime.fromtimestamp(path.stat().st_mtime, UTC) >= keep_for
    ]
    return expired + leftovers


def _point(pointer: Path, version: Path) -> None:
    """Swap the link ``pointer`` to ``version`` atomically (relative, so the folder can move)."""
    link = pointer.parent / f".{pointer.name}.{uuid.uuid4().hex}.link"
    os.symlink(os.path.relpath(version, pointer.parent), link)
    try:
        os.replace(link, pointer)
    except BaseException:
        link.unlink(missing_ok=True)
        raise
    _fsync_dir(pointer.parent)


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
        sync_comments(conn)
        conn.execute("CHECKPOINT")


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
    path: str | Path | None = None,
    *,
    external_access: bool = False,
    memory_limit: str | None = None,
) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the published copy. Unless ``external_access`` is asked for
    (only the CLI's export, which writes the file itself), file access from SQL is switched
    off and the setting locked: read_csv, COPY, ATTACH, INSTALL all fail. ``memory_limit``
    (e.g. ``"2GB"``) caps the memory its queries may use, with no spilling to disk: a query
    that needs more fails with ``duckdb.OutOfMemoryException``; it cannot be raised from SQL.

    A file another process holds for writing (the live warehouse while a run writes, or a copy
    someone opened read-write) raises :class:`PublishedCopyLocked` naming the file to read."""
    target = Path(path) if path is not None else published_path()
    version = current_version(target)
    if version is None:
        raise PublishedCopyMissing(
            f"no published copy at {target}: run `impetus materialize` (or `impetus publish`) first"
        )
    config = {"memory_limit": memory_limit, "temp_directory": ""} if memory_limit else {}
    try:
        conn = duckdb.connect(str(version), read_only=True, config=config)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        raise PublishedCopyLocked(_locked_message(target, version, str(error))) from None
    if not external_access:
        conn.execute("SET enable_external_access = false")
        conn.execute("SET lock_configuration = true")
    return conn


def _locked_message(target: Path, version: Path, error: str) -> str:
    holder = re.search(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)", error)
    by = f" by {holder['program']} (PID {holder['pid']})" if holder else ""
    live = warehouse_path()
    if version == Path(os.path.realpath(live)):
        copy = live.parent / "published" / live.name
        return (
            f"{target} is the live warehouse, held for writing{by} (a run?), and then nothing"
            f" else can open it, not even read-only. Read the published copy instead: {copy}"
            f" (set {PUBLISHED_ENV} to it, or unset {PUBLISHED_ENV})"
        )
    return (
        f"{target} is held for writing{by}, so it cannot be opened, not even read-only: close"
        " that session (a duckdb shell opened without -readonly?) and try again"
    )


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
