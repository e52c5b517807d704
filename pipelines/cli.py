"""``impetus``: run the pipeline and look at the warehouse from a terminal.

impetus demo                      materialize everything, then print a summary
impetus materialize [--domain D]  materialize all assets into the live warehouse, or one
                                  domain's and everything built from it (marts, published copy)
impetus unload FILE [--undo]      take a loaded file's rows out of the warehouse (by path or
                                  sha256) and keep it out of later runs, then rebuild its
                                  domain; --undo lets it load again
impetus publish                   publish the read-only copy of the warehouse as it is now
impetus status [--today D]        what is late by the release calendar (data/reference/
                                  release_calendar.csv), then failed checks, quarantine and
                                  failed runs; exits 1 when something is late past its slack
impetus tables                    the published copy's tables with row counts
impetus query "SQL" [--limit N] [--timeout SECONDS] [--memory-limit SIZE]
                                  run SQL on the published copy, print an aligned table
impetus export TABLE --format csv|parquet|xlsx [--out PATH]
                                  write one table of the published copy to a file
impetus report [--open]           build the static report site (data/report/) from the
                                  published copy; --open opens it (building it if missing)

demo, materialize and publish print one line per step and then what the run did (files
loaded, unchanged and refused, rows quarantined, checks failed and warned with example rows);
--verbose prints Dagster's own log with tracebacks instead of the step lines. They record the
run in the Dagster instance of DAGSTER_HOME, else in the project's own (the repo root's
dagster.yaml, .dagster/), where the UI shows it.

query, tables and export read the published copy (IMPETUS_PUBLISHED, else
data/warehouse/published/impetus.duckdb), read-only, so they work while a run writes; query
also has file access switched off (no read_csv, COPY, ATTACH, INSTALL), stops after 300 s
(--timeout) or on Ctrl-C, and may use 2GB of memory (--memory-limit). What they print from
the data shows control characters as escapes (\\x1b), never sends them to the terminal.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb

from pipelines import runs
from pipelines.defs.operations.jobs import DOMAINS, REFRESHABLE, refresh_job_name
from pipelines.paths import REPO_ROOT, dagster_home, ensure_landing_folders, warehouse_path
from pipelines.publish import (
    PUBLICATION_TABLE,
    PublishedCopyLocked,
    PublishedCopyMissing,
    connect_published,
    current_version,
    published_path,
    user_tables,
)
from pipelines.run_summary import StepProgress, summarize
from pipelines.terminal import printable
from pipelines.warehouse.loads import scalar
from pipelines.warehouse.unload import NothingToUnload, undo_unload, unload

EXAMPLE_QUERY = """\
select province_zh, year, value as rd_expenditure_100m_yuan, vintage
from staging.province_year
where metric = 'rd_expenditure' and year = 2023
  and province_code in ('210000', '220000', '230000', '320000')
order by value desc;"""

EXPORT_FORMATS = ("csv", "parquet", "xlsx")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
DEFAULT_LIMIT = 50
MAX_CELL_WIDTH = 60
DEFAULT_TIMEOUT = 300.0  # seconds a query may run (`--timeout`; 0: no limit)
DEFAULT_MEMORY_LIMIT = "2GB"  # memory a query may use (`--memory-limit`), no spilling to disk
STOP_GRACE_SECONDS = 5.0  # after DuckDB is told to stop, how long to wait for it
INTERRUPTED_EXIT = 130  # the shell's code for a command stopped by Ctrl-C (128 + SIGINT)
MIN_FREE_BYTES = 1 << 20  # a run is not started on a disk with less free than this


def materialize(domain: str | None = None, verbose: bool = False) -> bool:
    """Run ``full_rebuild_job``, or ``<domain>_refresh_job`` (the domain's job and everything
    built from its tables), in this process, recorded in the instance so that the run shows in
    the Dagster UI. Both end with the ``published_copy`` asset, so the published copy follows
    the last successful run; a failed run publishes nothing."""
    ensure_landing_folders(DOMAINS)
    return _execute(refresh_job_name(domain) if domain else "full_rebuild_job", verbose=verbose)


def _execute(job_name: str, verbose: bool = False) -> bool:
    """Run one job of the code location; print a line per step (or, ``verbose``, Dagster's
    console log with tracebacks) and then the run's summary (``pipelines/run_summary.py``).

    Runs of this host whose `impetus` process is gone are marked failed and their pool slots
    freed first, and again while a step waits for a slot; a waiting step says which run holds
    it; SIGTERM stops the run as Ctrl-C does: marked failed, its slot freed, what its step had
    not committed rolled back, exit code 1 (``pipelines/runs.py``)."""
    try:
        with _stop_on_sigterm():
            return _execute_run(job_name, verbose)
    except KeyboardInterrupt:
        print(
            "impetus: stopped by SIGINT/SIGTERM outside the run's steps; the next impetus run"
            " marks a run left unfinished failed and frees its pool slot",
            file=sys.stderr,
            flush=True,
        )
        return False


def _execute_run(job_name: str, verbose: bool) -> bool:
    from pipelines.definitions import defs

    progress = StepProgress()
    job = defs.resolve_job_def(job_name).with_logger_defs(
        {"console": _escaped_console_logger, "impetus_progress": _progress_logger(progress)}
    )
    loggers = (
        {"console": {"config": {"log_level": "INFO"}}}
        if verbose
        else {"impetus_progress": {"config": {}}}
    )

    def released(dead_runs: list[runs.DeadRun]) -> None:
        for dead in dead_runs:
            print(progress.released(dead), flush=True)

    def waiting(step: str, pool: str, holders: list[runs.SlotHolder]) -> None:
        print(progress.waiting(step, pool, holders), flush=True)

    print(f"Running {job.name} …", flush=True)
    started = time.monotonic()
    with _instance() as instance:
        released(runs.release_dead_runs(instance))
        with runs.supervised(instance, on_blocked=waiting, on_released=released):
            result = job.execute_in_process(
                instance=instance,
                run_config={"loggers": loggers},
                raise_on_error=False,
                tags=runs.run_tags(),
            )
        runs.free_run_slots(instance, result.run_id)
    seconds = time.monotonic() - started
    print(
        printable(summarize(result, seconds=seconds, published=str(_shown(published_path())))),
        flush=True,
    )
    if runs.interrupted(result):
        print(
            f"impetus: stopped by SIGINT/SIGTERM: run {result.run_id} marked failed, its pool"
            " slot freed, what its step had not committed rolled back; run the command again",
            flush=True,
        )
    return result.success


@contextmanager
def _stop_on_sigterm() -> Iterator[None]:
    """SIGTERM (``kill``, ``timeout``, a service manager) does what Ctrl-C does, also before
    and after the run (during it Dagster treats both alike: the step in progress is
    interrupted, a waiting one stops through ``runs.supervised``)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _instance() -> dg.DagsterInstance:
    """The instance of DAGSTER_HOME; without it the project's own (the repo root, where
    dagster.yaml is, as the Makefile sets it), never an error."""
    os.environ["DAGSTER_HOME"] = str(dagster_home())
    return dg.DagsterInstance.get()


class _PrintableFormatter(logging.Formatter):
    """Dagster's log carries values of data files (refusals, check examples): escaped."""

    def format(self, record: logging.LogRecord) -> str:
        return printable(super().format(record))


@dg.logger(
    {"log_level": dg.Field(str, is_required=False, default_value="INFO")},
    description="Dagster's log with tracebacks (impetus --verbose), control characters escaped.",
)
def _escaped_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(f"impetus.verbose.{id(init_context)}")
    logger.propagate = False
    logger.setLevel(init_context.logger_config["log_level"])
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_PrintableFormatter("%(asctime)s - %(levelname)s - %(message)s"))
    logger.handlers = [handler]
    return logger


def _progress_logger(progress: StepProgress) -> dg.LoggerDefinition:
    """A Dagster logger that prints ``progress``'s line when a step ends, and nothing else."""

    class StepLines(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            # Never raise: an exception here would be reported as the step's own failure.
            try:
                event = (getattr(record, "dagster_meta", None) or {}).get("dagster_event")
                line = progress.on_event(event, record.created) if event is not None else None
                if line:
                    print(line, flush=True)
            except Exception:  # noqa: BLE001 - a progress line is not worth a failed step
                pass

    @dg.logger(description="One line per finished step (impetus without --verbose).")
    def impetus_progress(init_context: dg.InitLoggerContext) -> logging.Logger:
        log = logging.getLogger(f"impetus.progress.{init_context.run_id}")
        log.handlers = [StepLines()]
        log.setLevel(logging.DEBUG)
        log.propagate = False
        return log

    return impetus_progress


def table_counts(path=None) -> list[tuple[str, int]]:
    with duckdb.connect(str(path or warehouse_path()), read_only=True) as conn:
        return _counts(conn)


def _counts(conn: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    return [(name, scalar(conn, f"select count(*) from {name}")) for name in user_tables(conn)]


def _shown(path: Path) -> Path:
    # absolute, not resolve(): the published path is a link, and the link is what to use
    path = Path(os.path.abspath(path))
    return path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path


def print_summary() -> None:
    shown = _shown(warehouse_path())
    published = _shown(published_path())
    print(f"\nWarehouse: {shown}")
    print(f"{'table':<34}{'rows':>12}")
    for name, rows in table_counts(warehouse_path()):
        print(f"{name:<34}{rows:>12,}")
    print(f"\nPublished read-only copy (query this one, also while a run writes): {published}")
    from pipelines.report import report_dir  # the run imported it already

    index = report_dir() / "index.html"
    if index.is_file():
        print(f"Report for colleagues (opens from disk): {_shown(index)}  (impetus report --open)")
    print("\nTry a query, e.g.:\n")
    print(EXAMPLE_QUERY)
    print('\n  .venv/bin/impetus query "select * from marts.northeast_view limit 5"')
    print(f"  duckdb -readonly {published}")
    print(f"  In Python: import duckdb; duckdb.connect('{published}', read_only=True).sql(...)")
    print("  More examples: sql/examples/*.sql")


# --- reading the published copy -------------------------------------------------------------


def print_tables() -> None:
    version = current_version()  # resolved once: the version printed is the one read
    with connect_published(version or published_path()) as conn:
        stamp = conn.execute(
            f"select any_value(run_id), any_value(published_at) from {PUBLICATION_TABLE}"
        ).fetchone()
        run = printable(f"run {stamp[0]}, {stamp[1]}")
        print(printable(f"Published copy: {_shown(published_path())} ({run})"))
        print(printable(f"  version file: {_shown(version)}"))
        print(f"{'table':<34}{'rows':>12}")
        for name, rows in _counts(conn):
            print(f"{printable(name):<34}{rows:>12,}")


class QueryStopped(Exception):
    """A query stopped before it ended: by its timeout, or by Ctrl-C (``exit_code`` 130)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def run_query(
    text: str,
    limit: int = DEFAULT_LIMIT,
    timeout: float = DEFAULT_TIMEOUT,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
) -> None:
    """Run ``text`` on the published copy (read-only, no file access, at most
    ``memory_limit`` of memory) and print the result. The query runs in a worker thread so
    that this one stays free for Ctrl-C and the ``timeout`` (seconds, 0 = none): either
    interrupts DuckDB (``conn.interrupt()``) and raises :class:`QueryStopped`."""
    _check_utf8(text)
    conn = connect_published(memory_limit=memory_limit)
    try:
        result = _interruptible(conn, lambda: _fetch(conn, text, limit), timeout, memory_limit)
    finally:
        if not _query_still_running():  # else closing it would pull it from under DuckDB
            conn.close()
    if result is None:
        print("(no result)")
        return
    header, rows = result
    more = limit > 0 and len(rows) > limit
    rows = rows[:limit] if more else rows
    print(format_table(header, rows))
    if more:
        print(f"(first {limit} rows shown; --limit N for more, --limit 0 for all)")
    else:
        print(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")


def _fetch(
    conn: duckdb.DuckDBPyConnection, text: str, limit: int
) -> tuple[list[str], list[tuple]] | None:
    cursor = conn.execute(text)
    if cursor.description is None:
        return None
    header = [column[0] for column in cursor.description]
    return header, cursor.fetchall() if limit <= 0 else cursor.fetchmany(limit + 1)


# Set when its query thread has ended. Thread.join() and is_alive() are not to be trusted once
# a KeyboardInterrupt arrived during a join (Python 3.11 may then take a running thread for
# ended), so the thread says itself when it is done.
_query_done: list[threading.Event] = []


def _interruptible(
    conn: duckdb.DuckDBPyConnection, work: Callable[[], object], timeout: float, memory: str
) -> object:
    """``work()`` in a worker thread; Ctrl-C or the timeout interrupt it. DuckDB's errors are
    raised here as they are, except running out of its memory cap, said in words."""
    outcome: dict[str, object] = {}
    done = threading.Event()
    _query_done.append(done)

    def target() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - handed to the main thread
            outcome["error"] = error
        finally:
            done.set()

    threading.Thread(target=target, name="impetus-query", daemon=True).start()
    try:
        finished = done.wait(timeout if timeout > 0 else None)
    except KeyboardInterrupt:
        _stop(conn, done)
        raise QueryStopped(
            "interrupted (Ctrl-C): the query was stopped; nothing was changed",
            INTERRUPTED_EXIT,
        ) from None
    if not finished:
        _stop(conn, done)
        raise QueryStopped(
            f"stopped after {timeout:g} s (--timeout {timeout:g}): narrow the query (a where"
            " clause, fewer joins, a limit) or give it longer with --timeout SECONDS (0: no limit)"
        )
    error = outcome.get("error")
    if isinstance(error, duckdb.OutOfMemoryException):
        first = str(error).splitlines()[0]
        raise QueryStopped(
            f"the query needs more memory than its cap (--memory-limit {memory}): {first};"
            " narrow it (a where clause, fewer columns, an aggregate) or raise --memory-limit"
        ) from None
    if isinstance(error, BaseException):
        raise error
    return outcome.get("value")


def _stop(conn: duckdb.DuckDBPyConnection, done: threading.Event) -> None:
    conn.interrupt()
    try:
        done.wait(STOP_GRACE_SECONDS)
    except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
        pass


def _query_still_running() -> bool:
    """A query thread DuckDB did not stop: its connection must not be closed under it, and the
    process must leave without interpreter teardown (:func:`run`)."""
    return any(not done.is_set() for done in _query_done)


def _check_utf8(text: str) -> None:
    """SQL that is not UTF-8 (a GBK terminal or file: Python keeps the bytes as surrogates)
    makes DuckDB fail with ``std::bad_cast``; say what it is instead."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"U+{code:04X}"
        raise ValueError(
            f"the SQL is not UTF-8 text ({byte} at character {error.start + 1}): type it in a"
            " UTF-8 terminal, or convert the file it came from (iconv -f GB18030 -t UTF-8)"
        ) from None


def format_table(header: list[str], rows: list[tuple]) -> str:
    """An aligned text table; widths count CJK characters as two columns; numbers right."""
    names = [printable(name) for name in header]
    cells = [[_cell(value) for value in row] for row in rows]
    numeric = [
        all(_is_number(row[i]) or row[i] is None for row in rows) and bool(rows)
        for i in range(len(header))
    ]
    widths = [
        max([_width(name)] + [_width(row[i]) for row in cells]) for i, name in enumerate(names)
    ]

    def line(values: list[str]) -> str:
        parts = []
        for i, value in enumerate(values):
            pad = " " * (widths[i] - _width(value))
            parts.append(pad + value if numeric[i] else value + pad)
        return "  ".join(parts).rstrip()

    out = [line(names), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    return "\n".join(out)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _cell(value: object) -> str:
    """One value as printed: control characters from a data file as visible escapes
    (``\\x1b``), never sent to the terminal; cut at ``MAX_CELL_WIDTH`` columns."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        text = str(round(value, 4))
    else:
        text = str(value)
    text = printable(text.replace("\n", " ").replace("\t", " "))
    if _width(text) > MAX_CELL_WIDTH:
        while _width(text) > MAX_CELL_WIDTH - 1:
            text = text[:-1]
        text += "…"
    return text


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def export_table(table: str, fmt: str, out: str | None = None) -> Path:
    """Write ``table`` of the published copy to ``out`` (default ``<schema>.<table>.<fmt>`` in
    the current folder). The name must be a table of the copy, so nothing else is run."""
    target = Path(out) if out else Path(f"{table}.{fmt}")
    target.parent.mkdir(parents=True, exist_ok=True)
    # This connection needs file access to write; it runs no user SQL, only the checked name.
    with connect_published(external_access=True) as conn:
        tables = {name.lower(): name for name in user_tables(conn)}
        name = tables.get(table.lower())
        if name is None:
            raise ValueError(
                f"no table {table!r} in the published copy; `impetus tables` lists them"
            )
        schema, bare = name.split(".")
        relation = conn.table(f'"{schema}"."{bare}"')
        if fmt == "csv":
            relation.write_csv(str(target), header=True)
        elif fmt == "parquet":
            relation.write_parquet(str(target))
        elif fmt == "xlsx":
            _write_xlsx(conn, schema, bare, target)
        else:
            raise ValueError(f"unknown format {fmt!r}; one of {', '.join(EXPORT_FORMATS)}")
    return target


def _write_xlsx(conn: duckdb.DuckDBPyConnection, schema: str, table: str, target: Path) -> None:
    from openpyxl import Workbook

    rows = scalar(conn, f'select count(*) from "{schema}"."{table}"')
    if rows > XLSX_MAX_ROWS:
        raise ValueError(
            f"{schema}.{table} has {rows:,} rows, more than an Excel sheet holds;"
            " use csv or parquet"
        )
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=f"{schema}.{table}"[:31])
    cursor = conn.execute(f'select * from "{schema}"."{table}"')
    sheet.append([column[0] for column in cursor.description])
    while batch := cursor.fetchmany(10_000):
        for row in batch:
            sheet.append([_excel_value(value) for value in row])
    book.save(target)


def _excel_value(value: object) -> object:
    """openpyxl takes numbers, text, dates and naive datetimes: DECIMAL becomes a float,
    a timestamp with time zone its UTC time, anything else (lists, structs, JSON) text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    return str(value)


# --- the command line ------------------------------------------------------------------------


def _demo(args: argparse.Namespace) -> int:
    ok = materialize(verbose=args.verbose)
    if ok:
        print_summary()
    return 0 if ok else 1


def _materialize(args: argparse.Namespace) -> int:
    return 0 if materialize(args.domain, verbose=args.verbose) else 1


def _publish(args: argparse.Namespace) -> int:
    return 0 if _execute("publish_job", verbose=args.verbose) else 1


def _unload(args: argparse.Namespace) -> int:
    """Unload (or, --undo, let load again) the files ``args.file`` names in the live
    warehouse, then run each affected domain's refresh job unless --no-run."""
    try:
        with duckdb.connect(str(warehouse_path())) as conn:
            if args.undo:
                undone = undo_unload(conn, args.file)
                for domain, name in undone:
                    print(
                        printable(f"{domain}: {name} is no longer kept out; its next run loads it")
                    )
                domains = sorted({domain for domain, _ in undone})
            else:
                gone = unload(conn, args.file)
                for file in gone:
                    print(printable(str(file)))
                domains = sorted({file.domain for file in gone})
    except NothingToUnload as error:
        print(f"impetus unload: {error}", file=sys.stderr)
        return 1
    except duckdb.IOException as error:
        print(
            f"impetus unload: cannot open the warehouse {_shown(warehouse_path())} for writing"
            f" (a run may be using it; try again when it ends): {error}",
            file=sys.stderr,
        )
        return 1
    if args.no_run:
        names = " ".join(f"--domain {domain}" for domain in domains)
        print(f"not rebuilt (--no-run): run `impetus materialize {names}` to rebuild")
        return 0
    ok = all([materialize(domain, verbose=args.verbose) for domain in domains])
    return 0 if ok else 1


def _tables(args: argparse.Namespace) -> int:
    print_tables()
    return 0


def _query(args: argparse.Namespace) -> int:
    run_query(args.sql, args.limit, timeout=args.timeout, memory_limit=args.memory_limit)
    return 0


def _export(args: argparse.Namespace) -> int:
    print(f"wrote {export_table(args.table, args.format, args.out)}")
    return 0


def _status(args: argparse.Namespace) -> int:
    from pipelines.status import status_report

    text, code = status_report(on=args.today, full=args.all)
    print(printable(text))
    return code


def _status_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--all", action="store_true", help="name every late metric (default: 8 per group)"
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        help="measure lateness on this day (YYYY-MM-DD; default IMPETUS_TODAY, else today)",
    )


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="print Dagster's log, with tracebacks, instead of one line per step",
    )


def _materialize_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--domain",
        choices=REFRESHABLE,
        help="one domain's assets and everything built from them (marts, published copy)",
    )
    _run_arguments(parser)


def _query_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sql", help='the SQL text, e.g. "select * from marts.indicator"')
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help="rows to print (0 = all; default 50)"
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop the query after this long (0 = no limit; default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--memory-limit",
        type=_memory_size,
        default=DEFAULT_MEMORY_LIMIT,
        metavar="SIZE",
        help=f"memory the query may use, e.g. 500MB, 4GB (default {DEFAULT_MEMORY_LIMIT})",
    )


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds (0 = no limit)")
    return seconds


def _memory_size(text: str) -> str:
    if not re.fullmatch(r"\s*\d+(\.\d+)?\s*([KMGT]i?B)\s*", text, re.IGNORECASE):
        raise argparse.ArgumentTypeError(f"{text!r} is not a size such as 500MB or 4GB")
    return text.strip()


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("table", help="schema.table, e.g. marts.pillar_score")
    parser.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    parser.add_argument("--out", help="output file (default: ./<schema>.<table>.<format>)")


def _unload_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        help="the file (as landed, or its source_file in raw.load_log) or its sha256 (8+ hex)",
    )
    parser.add_argument(
        "--undo", action="store_true", help="let a file kept out by unload load again"
    )
    parser.add_argument(
        "--no-run", action="store_true", help="change the warehouse only; rebuild later"
    )
    _run_arguments(parser)


def _report(args: argparse.Namespace) -> int:
    from pipelines.report_cli import report_command

    return report_command(open_it=args.open)


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--open", action="store_true", help="open the report (build it first if there is none)"
    )


def _no_arguments(parser: argparse.ArgumentParser) -> None:
    pass


Handler = Callable[[argparse.Namespace], int]
# Every subcommand: name -> (help, its arguments, what it does, returning the exit code).
# A new command is one entry here and its two functions above.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {
    "demo": ("materialize every asset and print a summary", _run_arguments, _demo),
    "materialize": ("materialize all assets or one domain", _materialize_arguments, _materialize),
    "unload": ("take a loaded file out of the warehouse", _unload_arguments, _unload),
    "publish": ("publish the read-only copy of the warehouse now", _run_arguments, _publish),
    "status": (
        "what is late by the release calendar, failed checks, quarantine, failed runs",
        _status_arguments,
        _status,
    ),
    "tables": ("the published copy's tables with row counts", _no_arguments, _tables),
    "query": ("run SQL on the published copy (read-only)", _query_arguments, _query),
    "export": ("write a table of the published copy to a file", _export_arguments, _export),
    "report": ("build the static report site, or --open it", _report_arguments, _report),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="impetus", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, add_arguments, _) in COMMANDS.items():
        add_arguments(commands.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    command = args.command
    if command in WRITING_COMMANDS and (why := _cannot_write()):
        _say(command, why)
        return 1
    try:
        return COMMANDS[command][2](args)
    except QueryStopped as stopped:
        _say(command, str(stopped))
        return stopped.exit_code
    except KeyboardInterrupt:
        _say(command, "interrupted (Ctrl-C)")
        return INTERRUPTED_EXIT
    except (PublishedCopyMissing, PublishedCopyLocked, ValueError, duckdb.Error) as error:
        _say(command, _readable(error))
        return 1
    except OSError as error:
        _say(command, f"{error.filename}: {error.strerror}" if error.filename else str(error))
        return 1
    except Exception as error:  # noqa: BLE001 - DuckDB also fails with bare RuntimeErrors
        if command not in READING_COMMANDS:
            raise  # a run's own failures are in its summary; anything else is a bug to see
        _say(command, f"{type(error).__name__}: {error}")
        return 1


# Commands that write the live warehouse and the published copy, and those that only read the
# published copy.
WRITING_COMMANDS = ("demo", "materialize", "unload", "publish")
READING_COMMANDS = ("tables", "query", "export", "report")


def _say(command: str, message: str) -> None:
    """One error, as the user reads it: control characters from data shown escaped."""
    print(printable(f"impetus {command}: {message}"), file=sys.stderr, flush=True)


def _readable(error: Exception) -> str:
    """The error's text; for the two limits a query meets by design, why, on its first line
    (DuckDB's own lines, e.g. the query with a caret under the fault, follow)."""
    lines = str(error).splitlines() or [type(error).__name__]
    if isinstance(error, duckdb.PermissionException) and "disabled" in lines[0]:
        lines[0] += " (a query reads the published copy only: no read_csv, COPY, ATTACH)"
    elif isinstance(error, duckdb.InvalidInputException) and "locked" in lines[0]:
        lines[0] += " (settings are fixed for a query; --memory-limit sets its memory cap)"
    return "\n".join(lines)


def _cannot_write() -> str | None:
    """Why a run could not write the warehouse or the published copy, said before it starts:
    on a read-only folder or a full disk every step would fail, each only after DuckDB's
    resource retried to open the file for some 100 s. None when both can be written."""
    places = (
        ("warehouse", warehouse_path(), "IMPETUS_WAREHOUSE"),
        ("published copy", published_path(), "IMPETUS_PUBLISHED"),
    )
    for what, path, variable in places:
        path = Path(os.path.abspath(path))
        folder = path.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        stats = os.statvfs(folder)
        where, cause = f"{what} folder {folder}", None
        if stats.f_flag & os.ST_RDONLY:
            cause = "read-only file system"
        elif what == "warehouse" and path.is_file() and not os.access(path, os.W_OK):
            where, cause = f"{what} {path}", "permission denied"
        elif not os.access(folder, os.W_OK | os.X_OK):
            cause = "permission denied"
        elif stats.f_bavail * stats.f_frsize < MIN_FREE_BYTES:
            free = stats.f_bavail * stats.f_frsize
            cause = f"no space left on device ({free:,} bytes free): the disk is full"
        if cause:
            return (
                f"cannot write the {where}: {cause}; nothing was run or changed"
                f" ({variable} moves the {what})"
            )
    return None


def run() -> None:
    """Console entry point. Leaves without interpreter teardown once GX's DuckDB driver was
    imported: DuckDB's nanobind bindings then print a page of "leaked" module enums at exit,
    noise after the command's own output (see tests/conftest.py for the same in tests).
    Output piped into a command that stops reading (``| head``) ends quietly."""
    try:
        code = main()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        os._exit(0)
    if "duckdb_engine" in sys.modules or _query_still_running():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
