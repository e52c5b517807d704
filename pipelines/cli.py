"""``impetus``: run the pipeline and look at the warehouse from a terminal.

impetus demo                      materialize everything, then print a summary
impetus materialize [--domain D]  materialize all assets, or one domain's group, into the live
                                  warehouse; then publish the read-only copy
impetus publish                   publish the read-only copy of the warehouse as it is now
impetus tables                    the published copy's tables with row counts
impetus query "SQL" [--limit N]   run SQL on the published copy, print an aligned table
impetus export TABLE --format csv|parquet|xlsx [--out PATH]
                                  write one table of the published copy to a file

query, tables and export read the published copy (IMPETUS_PUBLISHED, else
data/warehouse/published/impetus.duckdb), read-only, so they work while a run writes; query
also has file access switched off (no read_csv, COPY, ATTACH, INSTALL).
"""

from __future__ import annotations

import argparse
import os
import sys
import unicodedata
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.defs.jobs import DOMAINS
from pipelines.paths import REPO_ROOT, warehouse_path
from pipelines.publish import (
    PUBLICATION_TABLE,
    PublishedCopyMissing,
    connect_published,
    current_version,
    published_path,
    user_tables,
)
from pipelines.warehouse.loads import scalar

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


def materialize(domain: str | None = None) -> bool:
    """Run ``full_rebuild_job`` (or ``<domain>_job``) in this process, recorded in the instance
    so that the run shows in the Dagster UI. The full job ends with the ``published_copy``
    asset; after a successful one-domain job, ``publish_job`` runs too, so the published copy
    always follows the last successful run."""
    ok = _execute(f"{domain}_job" if domain else "full_rebuild_job")
    if ok and domain:
        ok = _execute("publish_job")
    if ok:
        print(f"Published copy for queries: {_shown(published_path())}")
    return ok


def _execute(job_name: str) -> bool:
    from pipelines.definitions import defs

    job = defs.resolve_job_def(job_name)
    print(f"Running {job.name} …", flush=True)
    result = job.execute_in_process(
        instance=dg.DagsterInstance.get(),
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        raise_on_error=False,
    )
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data:
            print(event.step_failure_data.error.message, file=sys.stderr)
    materialized = len(result.get_asset_materialization_events())
    print(
        f"{job.name}: {'succeeded' if result.success else 'FAILED'}, {materialized} assets"
        f" materialized (run {result.run_id})"
    )
    return result.success


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
        print(f"Published copy: {_shown(published_path())} (run {stamp[0]}, {stamp[1]})")
        print(f"  version file: {_shown(version)}")
        print(f"{'table':<34}{'rows':>12}")
        for name, rows in _counts(conn):
            print(f"{name:<34}{rows:>12,}")


def run_query(text: str, limit: int = DEFAULT_LIMIT) -> None:
    """Run ``text`` on the published copy (read-only, no file access) and print the result."""
    with connect_published() as conn:
        cursor = conn.execute(text)
        if cursor.description is None:
            print("(no result)")
            return
        header = [column[0] for column in cursor.description]
        rows = cursor.fetchall() if limit <= 0 else cursor.fetchmany(limit + 1)
        more = limit > 0 and len(rows) > limit
        rows = rows[:limit] if more else rows
        print(format_table(header, rows))
        if more:
            print(f"(first {limit} rows shown; --limit N for more, --limit 0 for all)")
        else:
            print(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")


def format_table(header: list[str], rows: list[tuple]) -> str:
    """An aligned text table; widths count CJK characters as two columns; numbers right."""
    cells = [[_cell(value) for value in row] for row in rows]
    numeric = [
        all(_is_number(row[i]) or row[i] is None for row in rows) and bool(rows)
        for i in range(len(header))
    ]
    widths = [
        max([_width(name)] + [_width(row[i]) for row in cells]) for i, name in enumerate(header)
    ]

    def line(values: list[str]) -> str:
        parts = []
        for i, value in enumerate(values):
            pad = " " * (widths[i] - _width(value))
            parts.append(pad + value if numeric[i] else value + pad)
        return "  ".join(parts).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    return "\n".join(out)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _cell(value: object) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        text = str(round(value, 4))
    else:
        text = str(value)
    text = text.replace("\n", " ")
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="impetus", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="materialize every asset and print a summary")
    run = commands.add_parser("materialize", help="materialize all assets or one domain")
    run.add_argument("--domain", choices=(*DOMAINS, "indicators"))
    commands.add_parser("publish", help="publish the read-only copy of the warehouse now")
    commands.add_parser("tables", help="the published copy's tables with row counts")
    query = commands.add_parser("query", help="run SQL on the published copy (read-only)")
    query.add_argument("sql", help='the SQL text, e.g. "select * from marts.indicator"')
    query.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help="rows to print (0 = all; default 50)"
    )
    export = commands.add_parser("export", help="write a table of the published copy to a file")
    export.add_argument("table", help="schema.table, e.g. marts.pillar_score")
    export.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    export.add_argument("--out", help="output file (default: ./<schema>.<table>.<format>)")
    args = parser.parse_args(argv)

    try:
        if args.command == "tables":
            print_tables()
            return 0
        if args.command == "query":
            run_query(args.sql, args.limit)
            return 0
        if args.command == "export":
            target = export_table(args.table, args.format, args.out)
            print(f"wrote {target}")
            return 0
    except (PublishedCopyMissing, ValueError, duckdb.Error) as error:
        print(f"impetus {args.command}: {error}", file=sys.stderr)
        return 1
    if args.command == "publish":
        ok = _execute("publish_job")
        if ok:
            print(f"Published copy for queries: {_shown(published_path())}")
        return 0 if ok else 1
    ok = materialize(getattr(args, "domain", None))
    if ok and args.command == "demo":
        print_summary()
    return 0 if ok else 1


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
    if "duckdb_engine" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
