"""docs/data_dictionary.md is what `python -m pipelines.dictionary` generates from the demo."""

from __future__ import annotations

import csv

import duckdb
import pytest

from pipelines import dictionary
from pipelines.paths import REFERENCE_DIR

pytestmark = pytest.mark.integration


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
            " where comment is not null"
        ).fetchall()
    for (table,) in tables:
        assert f"#### `{table}`" in generated
    assert ("meta.publication",) in tables
    for table, column, comment in comments:
        section = generated.split(f"#### `{table}`")[1].split("#### ")[0]
        assert f"| `{column}` |" in section
        assert " ".join(comment.split()).replace("|", "\\|") in section


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
