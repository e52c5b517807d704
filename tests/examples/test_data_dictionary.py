"""docs/data_dictionary.md is what `python -m pipelines.dictionary` generates from the demo."""

from __future__ import annotations

import csv

import duckdb
import pytest

from pipelines import dictionary
from pipelines.paths import REFERENCE_DIR

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def published_file(demo_build):
    """The published copy of the session's whole-demo build (tests/conftest.py)."""
    assert demo_build.result.success
    assert demo_build.published == demo_build.warehouse.parent / "published" / "warehouse.duckdb"
    return demo_build.published


@pytest.fixture(scope="module")
def generated(published_file) -> str:
    with duckdb.connect(str(published_file), read_only=True) as conn:
        return dictionary.generate(conn)


def test_the_committed_dictionary_is_up_to_date(generated):
    committed = dictionary.DEFAULT_OUT.read_text(encoding="utf-8")
    assert committed == generated, (
        "docs/data_dictionary.md is stale: run `.venv/bin/python -m pipelines.dictionary`"
    )


def test_every_table_and_column_of_the_warehouse_is_described(published_file, generated):
    with duckdb.connect(str(published_file), read_only=True) as conn:
        tables = conn.execute(
            "select schema_name || '.' || table_name from duckdb_tables()"
        ).fetchall()
        comments = conn.execute(
            "select schema_name || '.' || table_name, column_name, comment from duckdb_columns()"
            " where not internal and database_name = current_database()"
        ).fetchall()
    undescribed = [f"{table}.{column}" for table, column, comment in comments if not comment]
    assert undescribed == [], "add them to data/reference/column_descriptions.csv"
    for (table,) in tables:
        assert f"#### `{table}`" in generated
    assert ("meta.publication",) in tables
    for table, column, comment in comments:
        section = generated.split(f"#### `{table}`")[1].split("#### ")[0]
        assert f"| `{column}` |" in section
        assert " ".join(comment.split()).replace("|", "\\|") in section


def test_every_description_names_a_table_and_column_that_exist(published_file):
    """A renamed or dropped column must not leave its description behind."""
    with duckdb.connect(str(published_file), read_only=True) as conn:
        columns = set(
            conn.execute(
                "select schema_name || '.' || table_name, column_name from duckdb_columns()"
                " where not internal and database_name = current_database()"
                " union all select schema_name || '.' || table_name, '' from duckdb_tables()"
                " where database_name = current_database()"
            ).fetchall()
        )
    with (REFERENCE_DIR / "column_descriptions.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    names = {column for _, column in columns}
    stale = [
        f"{row['table']}.{row['column']}"
        for row in rows
        if (row["table"], row["column"]) not in columns
        and not (row["table"] == "*" and row["column"] in names)
    ]
    assert stale == []


def test_the_catalogs_are_listed_with_names_units_and_pillars(generated):
    with (REFERENCE_DIR / "indicators.csv").open(encoding="utf-8") as handle:
        indicators = list(csv.DictReader(handle))
    for row in indicators:
        assert f"| {row['pillar']} | `{row['id']}` | {row['name_zh']} |" in generated
    with (REFERENCE_DIR / "metrics.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert (
                f"| `{row['metric']}` | {row['name_zh']} | {row['name_en']} | {row['unit']} |"
                in generated
            )
    micro = generated.split("#### `raw.patents`")[1].split("#### ")[0]
    assert "CN application number" in micro  # from micro_columns.csv


def test_the_command_writes_the_file(published_file, tmp_path, generated):
    out = tmp_path / "dd.md"
    assert dictionary.main(["--warehouse", str(published_file), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == generated
