"""Shared fixtures: each test gets its own temporary DuckDB file, never data/warehouse."""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
REALDATA = REPO_ROOT.parent / "shared" / "realdata"


@pytest.fixture
def realdata() -> Path:
    """../shared/realdata beside the repo; tests that need it skip cleanly without it."""
    if not REALDATA.is_dir():
        pytest.skip(
            f"real data not available at {REALDATA.resolve()} (needs the repo's sibling ../shared)"
        )
    return REALDATA.resolve()


@pytest.fixture
def warehouse_file(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def conn(warehouse_file: Path):
    connection = duckdb.connect(str(warehouse_file))
    yield connection
    connection.close()


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def build_province_year_staging(
    connection: duckdb.DuckDBPyConnection, file_metrics: Path | None = None
) -> None:
    """The province-year staging tables from what raw holds, as the assets build them."""
    from pipelines.paths import REFERENCE_DIR
    from pipelines.warehouse.province_year import build_file_release
    from pipelines.warehouse.sql_files import sql

    for table, csv_name in (
        ("area", "areas.csv"),
        ("unit", "units.csv"),
        ("metric", "metrics.csv"),
    ):
        connection.execute(sql(f"reference/{table}"), [str(REFERENCE_DIR / csv_name)])
    build_file_release(connection, file_metrics)
    for table in ("area_year_history", "province_year", "national_year"):
        connection.execute(sql(f"staging/{table}"))


def snapshot(connection: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every user table's full content, to prove a failed load changed nothing."""
    tables = connection.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where not temporary"
    ).fetchall()
    return {
        name: sorted(map(repr, connection.execute(f"select * from {name}").fetchall()))
        for (name,) in tables
    }


_exit_status: list[int] = []


def pytest_sessionfinish(session, exitstatus):
    _exit_status.append(int(exitstatus))


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    # DuckDB's nanobind bindings print a page of "leaked instances" at interpreter shutdown
    # once duckdb-engine (GX's SQL route) has been imported: module-level enums still
    # referenced from SQLAlchemy's dialect caches. It is shutdown noise after pytest's summary,
    # not a test result; leave with pytest's own exit status before the interpreter tears down.
    if _exit_status and "duckdb_engine" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status[-1])
