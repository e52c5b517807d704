"""``impetus``: run the pipeline and look at the warehouse from a terminal.

impetus demo                    materialize everything, then print a summary
impetus materialize [--domain D] materialize all assets, or one domain's group
impetus tables                  list the warehouse's tables with row counts
"""

from __future__ import annotations

import argparse
import os
import sys

import dagster as dg
import duckdb

from pipelines.defs.jobs import DOMAINS
from pipelines.paths import REPO_ROOT, warehouse_path
from pipelines.warehouse.loads import scalar

EXAMPLE_QUERY = """\
select province_zh, year, value as rd_expenditure_100m_yuan, vintage
from staging.province_year
where metric = 'rd_expenditure' and year = 2023
  and province_code in ('210000', '220000', '230000', '320000')
order by value desc;"""


def materialize(domain: str | None = None) -> bool:
    """Run ``full_rebuild_job`` (or ``<domain>_job``) in this process, recorded in the instance
    so that the run shows in the Dagster UI."""
    from pipelines.definitions import defs

    job = defs.resolve_job_def(f"{domain}_job" if domain else "full_rebuild_job")
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
        tables = conn.execute(
            "select schema_name || '.' || table_name from duckdb_tables()"
            " where not temporary order by schema_name, table_name"
        ).fetchall()
        return [(name, scalar(conn, f"select count(*) from {name}")) for (name,) in tables]


def print_summary() -> None:
    path = warehouse_path()
    shown = path.relative_to(REPO_ROOT) if path.is_relative_to(REPO_ROOT) else path
    print(f"\nWarehouse: {shown}")
    print(f"{'table':<34}{'rows':>12}")
    for name, rows in table_counts(path):
        print(f"{name:<34}{rows:>12,}")
    print("\nTry a query (DuckDB CLI: duckdb -readonly " + str(shown) + "), e.g.:\n")
    print(EXAMPLE_QUERY)
    print(
        "\nIn Python: import duckdb; duckdb.connect('" + str(shown) + "', read_only=True).sql(...)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="impetus", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="materialize every asset and print a summary")
    run = commands.add_parser("materialize", help="materialize all assets or one domain")
    run.add_argument("--domain", choices=(*DOMAINS, "indicators"))
    commands.add_parser("tables", help="list tables with row counts")
    args = parser.parse_args(argv)

    if args.command == "tables":
        for name, rows in table_counts():
            print(f"{name:<34}{rows:>12,}")
        return 0
    ok = materialize(getattr(args, "domain", None))
    if ok and args.command == "demo":
        print_summary()
    return 0 if ok else 1


def run() -> None:
    """Console entry point. Leaves without interpreter teardown once GX's DuckDB driver was
    imported: DuckDB's nanobind bindings then print a page of "leaked" module enums at exit,
    noise after the command's own output (see tests/conftest.py for the same in tests)."""
    code = main()
    if "duckdb_engine" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
