"""Take a loaded file's rows out of the warehouse again, with its lineage and load-log entry.

Two ways a file leaves (docs/loading.md, "Getting back from a bad file"):

* ``impetus unload FILE`` (a path, or the file's sha256 or a prefix of it): its rows leave
  ``raw.<domain>`` and ``quarantine.<domain>``, its ``raw.load_log`` row is deleted, and it is
  *kept out*: later runs skip it while it stays in the source folders, until
  ``impetus unload --undo FILE``.
* a file that left the source folders is withdrawn by the next run of its domain (unless the
  sources are told to keep such files: ``IMPETUS_KEEP_REMOVED_FILES=1``); it loads again if it
  comes back.

Either way a row in ``raw.unloaded_file`` says what left, when and why. The staging tables are
rebuilt by the domain's next run, so the warehouse then equals one that never saw the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.paths import REPO_ROOT
from pipelines.warehouse.loads import (
    display_path,
    ensure_schemas,
    file_sha256,
    now_utc,
    one_transaction,
    scalar,
)

BY_USER = "impetus unload"
LEFT_SOURCE_FOLDERS = "left the source folders"
_SHA256_PREFIX = re.compile(r"^[0-9a-f]{8,64}$")


@dataclass(frozen=True)
class Unloaded:
    domain: str
    source_file: str
    file_sha256: str
    rows_removed: int
    rows_quarantined_removed: int
    reason: str

    def __str__(self) -> str:
        return (
            f"{self.domain}: {self.source_file} (sha256 {self.file_sha256[:12]}): "
            f"{self.rows_removed:,} rows out of raw.{self.domain}, "
            f"{self.rows_quarantined_removed:,} out of quarantine.{self.domain} ({self.reason})"
        )


class NothingToUnload(LookupError):
    """No loaded file matches what the user named."""


def unload(conn: duckdb.DuckDBPyConnection, target: str) -> list[Unloaded]:
    """Unload every loaded file that ``target`` names and keep it out of later runs."""
    ensure_schemas(conn)
    matches = _loaded_files_named(conn, target)
    if not matches:
        raise NothingToUnload(
            f"no loaded file matches {target!r}: give its path (as in raw.load_log.source_file,"
            ' or the file itself) or its sha256; `impetus query "select domain, source_file,'
            ' file_sha256 from raw.load_log"` lists them'
        )
    with one_transaction(conn):
        return [
            remove_file(conn, domain, sha, reason=BY_USER, kept_out=True) for domain, sha in matches
        ]


def undo_unload(conn: duckdb.DuckDBPyConnection, target: str) -> list[tuple[str, str]]:
    """Let files kept out by ``impetus unload`` load again on their domain's next run."""
    ensure_schemas(conn)
    named = _unloaded_files_named(conn, target)
    if not named:
        raise NothingToUnload(
            f"no file kept out by `impetus unload` matches {target!r}; raw.unloaded_file lists"
            " what was unloaded"
        )
    with one_transaction(conn):
        for domain, sha, _ in named:
            conn.execute(
                "delete from raw.unloaded_file where domain = ? and file_sha256 = ? and kept_out",
                [domain, sha],
            )
    return [(domain, name) for domain, _, name in named]


def kept_out(conn: duckdb.DuckDBPyConnection, domain: str, sha256: str) -> bool:
    """Whether ``impetus unload`` keeps this file out of later loads."""
    return bool(
        scalar(
            conn,
            "select count(*) from raw.unloaded_file where domain = ? and file_sha256 = ?"
            " and kept_out",
            [domain, sha256],
        )
    )


def withdraw_files_gone(
    conn: duckdb.DuckDBPyConnection, domain: str, present_sha256: set[str]
) -> list[Unloaded]:
    """Withdraw the loaded files of ``domain`` that are no longer in the source folders.

    Runs inside the caller's transaction, so a load and its withdrawals land together."""
    loaded = conn.execute(
        "select file_sha256 from raw.load_log where domain = ? order by loaded_at, source_file",
        [domain],
    ).fetchall()
    return [
        remove_file(conn, domain, sha, reason=LEFT_SOURCE_FOLDERS, kept_out=False)
        for (sha,) in loaded
        if sha not in present_sha256
    ]


def files_kept_though_gone(
    conn: duckdb.DuckDBPyConnection, domain: str, files: list[Path], keep_removed_files: bool
) -> list[str]:
    """Loaded files of ``domain`` no longer among ``files`` whose rows stay, because the
    sources keep removed files; empty otherwise (the load withdrew them)."""
    if not keep_removed_files:
        return []
    present = {file_sha256(path) for path in files}
    loaded = conn.execute(
        "select file_sha256, source_file from raw.load_log where domain = ? order by source_file",
        [domain],
    ).fetchall()
    return [name for sha, name in loaded if sha not in present]


def remove_file(
    conn: duckdb.DuckDBPyConnection, domain: str, sha256: str, *, reason: str, kept_out: bool
) -> Unloaded:
    """Delete one file's rows, quarantined rows and load-log row; record that it left."""
    source_file, loaded_at = conn.execute(
        "select source_file, loaded_at from raw.load_log where domain = ? and file_sha256 = ?",
        [domain, sha256],
    ).fetchall()[0]
    removed = _delete(conn, f"raw.{domain}", sha256)
    quarantined = _delete(conn, f"quarantine.{domain}", sha256)
    conn.execute("delete from raw.load_log where domain = ? and file_sha256 = ?", [domain, sha256])
    conn.execute(
        "delete from raw.unloaded_file where domain = ? and file_sha256 = ?", [domain, sha256]
    )
    conn.execute(
        "insert into raw.unloaded_file values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [domain, source_file, sha256, removed, quarantined, loaded_at, now_utc(), reason, kept_out],
    )
    return Unloaded(domain, source_file, sha256, removed, quarantined, reason)


def _delete(conn: duckdb.DuckDBPyConnection, table: str, sha256: str) -> int:
    exists = scalar(
        conn,
        "select count(*) from duckdb_tables() where schema_name || '.' || table_name = ?",
        [table],
    )
    if not exists:
        return 0
    count = scalar(conn, f"select count(*) from {table} where file_sha256 = ?", [sha256])
    conn.execute(f"delete from {table} where file_sha256 = ?", [sha256])
    return count


def _loaded_files_named(conn: duckdb.DuckDBPyConnection, target: str) -> list[tuple[str, str]]:
    return [
        (domain, sha)
        for domain, sha, _ in _files_named(conn, "raw.load_log", target, extra_where="")
    ]


def _unloaded_files_named(
    conn: duckdb.DuckDBPyConnection, target: str
) -> list[tuple[str, str, str]]:
    return _files_named(conn, "raw.unloaded_file", target, extra_where=" and kept_out")


def _files_named(
    conn: duckdb.DuckDBPyConnection, table: str, target: str, extra_where: str
) -> list[tuple[str, str, str]]:
    """(domain, sha256, source_file) of the rows of ``table`` that ``target`` names: an
    existing file (by its content's sha256, wherever it lies now), a stored source_file
    path, or a sha256 or a prefix of one (at least 8 hex digits)."""
    names = {target}
    shas: set[str] = set()
    path = Path(target)
    if path.is_file():
        shas.add(file_sha256(path))
        names.add(display_path(path, REPO_ROOT))
    if _SHA256_PREFIX.match(target.lower()):
        shas.add(target.lower())
    rows = conn.execute(
        f"select domain, file_sha256, source_file from {table} where true{extra_where}"
        " order by domain, source_file"
    ).fetchall()
    return [
        (domain, sha, name)
        for domain, sha, name in rows
        if name in names or any(sha.startswith(prefix) for prefix in shas)
    ]
