"""Shared fixtures: each test gets its own temporary DuckDB file, never data/warehouse."""

from __future__ import annotations

import csv
import os
import sys
import time
from dataclasses import dataclass
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


@dataclass(frozen=True)
class DemoBuild:
    """Every asset and every asset check of the code location, materialized once on the
    embedded demo data (``data/demo``) into a temporary folder:

    ``warehouse``  the live DuckDB file (read it, open it read_only, or shutil.copy it to edit)
    ``published``  the published copy beside it (``published/warehouse.duckdb``)
    ``report``     the report site the ``report`` asset wrote beside it
    ``docs``       the GX Data Docs folder of the run's checks (IMPETUS_VALIDATION_DOCS)
    ``result``     the ExecuteInProcessResult (materializations, check evaluations, run id)
    ``instance``   the Dagster instance the run is recorded in (a temporary one, not
                   DAGSTER_HOME's)
    """

    warehouse: Path
    published: Path
    report: Path
    docs: Path
    result: object
    instance: object


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """The whole demo built once per test process (each xdist worker is one), shared by the
    modules that only read what a whole-demo build leaves. Tests that edit the warehouse copy
    the file first; tests that build differently (other sources, a landing file, a bad file)
    keep their own materialization."""
    import dagster as dg
    from dagster_duckdb import DuckDBResource

    from pipelines.definitions import defs
    from pipelines.defs.sources import SourceFolders
    from pipelines.paths import DEMO_DIR
    from pipelines.publish import published_path

    root = tmp_path_factory.mktemp("demo_build")
    warehouse = root / "warehouse.duckdb"
    home = root / "dagster_home"
    home.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("IMPETUS_REPORT", "IMPETUS_PUBLISHED"):
            patch.delenv(name, raising=False)
        patch.setenv("IMPETUS_VALIDATION_DOCS", str(root / "docs"))
        with dg.instance_for_test(set_dagster_home=False, temp_dir=str(home)) as instance:
            started = time.perf_counter()
            result = dg.materialize(
                [*defs.assets, *defs.asset_checks],
                resources={
                    "warehouse": DuckDBResource(database=str(warehouse)),
                    "sources": SourceFolders(roots=[str(DEMO_DIR)]),
                },
                instance=instance,
                raise_on_error=False,
            )
            print(f"\nthe shared demo build: {time.perf_counter() - started:.0f} s")
            published = published_path(warehouse)
            patch.undo()
            yield DemoBuild(
                warehouse=warehouse,
                published=published,
                report=root / "report",
                docs=root / "docs",
                result=result,
                instance=instance,
            )


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
