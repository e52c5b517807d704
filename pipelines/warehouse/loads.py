"""Bookkeeping shared by every load: file hashes, the load log, one transaction per load.

The policy (docs/loading.md): a problem with a *file* (cannot be decoded, empty, truncated,
a required column missing) refuses the whole load with a :class:`LoadError`, and the warehouse
is rolled back to exactly its earlier state. A problem with a *row* sends that row to
``quarantine.<domain>`` and the file's good rows load; every data row ends up in one of the two.
Source files are only ever read, never moved or changed, so the raw file is always kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from pipelines.domains import MICRO_DOMAINS
from pipelines.readers.errors import location_parts, message
from pipelines.warehouse.sql_files import sql

MAX_PROBLEMS_IN_MESSAGE = 10


@dataclass(frozen=True)
class Problem:
    """One bad cell: where it is and why it was refused."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        """Bounded and safe to log, as a SourceError's message (pipelines/readers/errors.py)."""
        where = [self.file, *location_parts(self.row, self.column, self.value)]
        return message(", ".join(where), self.reason)


class LoadError(Exception):
    """A load refused bad input; the warehouse was left as it was before the load.

    The message lists the first problems as :class:`Problem` shows them: safe to log, with
    what they quote of the file bounded; ``problems`` keeps each in full."""

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = problems
        self.total = total if total is not None else len(problems)
        shown = "\n  ".join(str(p) for p in problems[:MAX_PROBLEMS_IN_MESSAGE])
        more = self.total - min(len(problems), MAX_PROBLEMS_IN_MESSAGE)
        tail = f"\n  … and {more} more" if more > 0 else ""
        super().__init__(
            f"load refused, {self.total} problem(s); the warehouse was not changed:"
            f"\n  {shown}{tail}"
        )


@dataclass
class FileLoad:
    """What happened to one source file in a load."""

    source_file: str
    file_sha256: str
    reader: str
    status: str  # 'loaded', 'unchanged' (same content loaded before) or 'kept_out' (unloaded)
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    rows_quarantined: int = 0
    quarantine_reasons: dict[str, int] = field(default_factory=dict)  # rule -> rows


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def ensure_schemas(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(sql("raw/schemas"))
    conn.execute(sql("raw/load_log"))
    conn.execute(sql("raw/unloaded_file"))
    conn.execute(sql("quarantine/tables"))
    for domain in MICRO_DOMAINS:
        conn.execute(sql("quarantine/micro_table").replace("{domain}", domain))


@contextmanager
def one_transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Commit everything done inside, or roll all of it back on any exception."""
    conn.execute("begin transaction")
    try:
        yield
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")
    # DuckDB 2.0.0: until the next checkpoint, a table filled in a committed transaction can
    # give wrong join results in this process (a self-join on raw.patents after a 334k-row
    # load matched 0 rows; a new process, or the same one after CHECKPOINT, matched all).
    # Checkpointing here costs what closing the file would cost anyway.
    # tests/warehouse/test_checkpoint_after_load.py guards this.
    conn.execute("checkpoint")


def scalar(conn: duckdb.DuckDBPyConnection, query: str, params: list | None = None):
    """The single value a query returns, with its result fetched to the end.

    DuckDB 2.0 keeps a connection busy until a result is read to its end, so ``fetchone()``
    on a one-row result would block the next statement on the same connection.
    """
    return conn.execute(query, params or []).fetchall()[0][0]


def already_loaded(conn: duckdb.DuckDBPyConnection, domain: str, sha256: str) -> bool:
    return bool(
        scalar(
            conn,
            "select count(*) from raw.load_log where domain = ? and file_sha256 = ?",
            [domain, sha256],
        )
    )


def record_load(
    conn: duckdb.DuckDBPyConnection, domain: str, load: FileLoad, loaded_at: datetime
) -> None:
    conn.execute(
        "insert into raw.load_log (domain, source_file, file_sha256, reader, rows_loaded,"
        " rows_quarantined, notes, loaded_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            domain,
            load.source_file,
            load.file_sha256,
            load.reader,
            load.rows,
            load.rows_quarantined,
            json.dumps(load.notes, ensure_ascii=False),
            loaded_at,
        ],
    )


def quarantine_reasons(conn: duckdb.DuckDBPyConnection, table: str, sha256: str) -> dict[str, int]:
    """Rows quarantined from one file, counted by rule, most frequent first."""
    rows = conn.execute(
        f"select rule, count(*) from {table} where file_sha256 = ?"
        " group by rule order by count(*) desc, rule",
        [sha256],
    ).fetchall()
    return dict(rows)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def display_path(path: Path, root: Path) -> str:
    """A path as stored in lineage columns: relative to the repo when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def files_report(loads: list[FileLoad]) -> dict[str, dict[str, object]]:
    """Per file: status, rows accepted into raw, rows quarantined and their rules."""
    return {
        load.source_file: {
            "status": load.status,
            "accepted": load.rows,
            "quarantined": load.rows_quarantined,
            "quarantine_reasons": load.quarantine_reasons,
        }
        for load in loads
    }


def quarantine_summary(loads: list[FileLoad]) -> str:
    """A markdown table of the quarantined rows of this load, by file and rule."""
    lines = ["| file | rule | rows |", "|---|---|---|"]
    lines += [
        f"| {load.source_file} | {rule} | {count} |"
        for load in loads
        for rule, count in load.quarantine_reasons.items()
    ]
    return "\n".join(lines) if len(lines) > 2 else "No rows quarantined."
