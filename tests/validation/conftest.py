"""The demo warehouse built once (assets and their checks), copied for each test that edits it."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.defs.sources import SourceFolders
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


@pytest.fixture(autouse=True)
def docs_folder(tmp_path, monkeypatch) -> Path:
    """Data Docs of a test go to its tmp_path, never to data/validation/docs."""
    folder = tmp_path / "validation_docs"
    monkeypatch.setenv("IMPETUS_VALIDATION_DOCS", str(folder))
    return folder


@pytest.fixture(scope="session")
def demo_run(demo_build):
    """Every asset with every check on the embedded demo data (the session's shared build,
    ``demo_build`` in tests/conftest.py; its Data Docs in its own folder): (warehouse file,
    ExecuteInProcessResult). The suites validate reference, raw and staging of it."""
    return demo_build.warehouse, demo_build.result


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
