"""A demo warehouse built once (assets and their checks), copied for each test that edits it."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.defs.sources import SourceFolders
from pipelines.paths import DEMO_DIR
from pipelines.validation.runner import validate_table
from pipelines.validation.suites import SUITES


def materialize(selection: list, warehouse: Path, roots: list[Path], **kwargs):
    return dg.materialize(
        selection,
        resources={
            "warehouse": DuckDBResource(database=str(warehouse)),
            "sources": SourceFolders(roots=[str(root) for root in roots]),
        },
        **kwargs,
    )


def warehouse_layers(defs) -> list:
    """The assets up to staging (what the suites validate), without the marts built on it."""
    return [
        asset
        for asset in defs.assets
        if {key.path[0] for key in asset.keys} <= {"reference", "raw", "staging"}
    ]


@pytest.fixture(autouse=True)
def docs_folder(tmp_path, monkeypatch) -> Path:
    """Data Docs of a test go to its tmp_path, never to data/validation/docs."""
    folder = tmp_path / "validation_docs"
    monkeypatch.setenv("IMPETUS_VALIDATION_DOCS", str(folder))
    return folder


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """Reference, raw and staging with every check, on the embedded demo data."""
    from pipelines.definitions import defs

    folder = tmp_path_factory.mktemp("demo_warehouse")
    mp = pytest.MonkeyPatch()
    mp.setenv("IMPETUS_VALIDATION_DOCS", str(folder / "docs"))
    try:
        result = materialize(
            [*warehouse_layers(defs), *defs.asset_checks],
            folder / "demo.duckdb",
            [DEMO_DIR],
            raise_on_error=False,
        )
    finally:
        mp.undo()
    return folder / "demo.duckdb", result


@pytest.fixture
def warehouse(demo_run, tmp_path) -> Path:
    """A private copy of the demo warehouse, free to edit."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(demo_run[0], copy)
    return copy


def execute(warehouse: Path, statement: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as conn:
        return conn.execute(statement, params or []).fetchall()


def validate(warehouse: Path, table: str):
    return validate_table(warehouse, SUITES[table]())
