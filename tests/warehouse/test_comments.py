"""Descriptions from data/reference/column_descriptions.csv become the warehouse's comments."""

from __future__ import annotations

import csv

import duckdb
import pytest

from pipelines.warehouse.comments import load_descriptions, sync_comments
from pipelines.warehouse.micro_contract import ContractColumn

HEADER = ["table", "column", "description"]


def write(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def files(tmp_path):
    descriptions = write(
        tmp_path / "column_descriptions.csv",
        [
            ["*", "source_file", "File the row was read from."],
            ["*", "year", "Calendar year."],
            ["staging.panel", "year", "Year of the panel (the years every pillar has data)."],
            ["staging.panel", "", "One row per province and year."],
            ["staging.panel", "note", "It's   the analyst's\nnote."],
        ],
    )
    contract = {
        "patents": [column("ipc", "Main IPC symbol"), column("blank", "")],
        "enterprises": [],
        "procurement": [],
    }
    return load_descriptions(descriptions, contract.__getitem__)


def column(name: str, description: str) -> ContractColumn:
    return ContractColumn(name, "VARCHAR", "", False, (), description)


def test_a_table_s_own_row_beats_the_shared_one_and_contract_columns_count(files):
    assert (
        files.of("staging.panel", "year") == "Year of the panel (the years every pillar has data)."
    )
    assert files.of("staging.other", "year") == "Calendar year."
    assert files.of("staging.panel") == "One row per province and year."
    assert files.of("staging.other") is None  # '*' rows describe columns, never tables
    assert files.of("staging.panel", "note") == "It's the analyst's note."  # whitespace folded
    # the micro contract describes its columns in raw and staging only
    assert files.of("raw.patents", "ipc") == files.of("staging.patents", "ipc") == "Main IPC symbol"
    assert files.of("quarantine.patents", "ipc") is None
    assert files.of("raw.patents", "blank") is None
    assert files.of("raw.patents", "unknown") is None


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (["staging.panel", "year", "  "], "row 3, column description: empty"),
        (["panel", "year", "x"], "row 3, column table: 'panel' is not schema.table"),
        (["*", "", "x"], "row 3: table '\\*' needs a column"),
        (["*", "source_file", "again"], "row 3: \\*.source_file described twice"),
    ],
)
def test_a_bad_row_is_named_by_file_row_and_column(tmp_path, row, message):
    path = write(tmp_path / "d.csv", [["*", "source_file", "File."], row])
    with pytest.raises(ValueError, match=f"d.csv, {message}"):
        load_descriptions(path, lambda domain: [])


def comments(conn) -> dict[tuple[str, str], str | None]:
    rows = conn.execute(
        "select schema_name || '.' || table_name, '', comment from duckdb_tables()"
        " union all select schema_name || '.' || table_name, column_name, comment"
        " from duckdb_columns() where database_name = current_database()"
    ).fetchall()
    return {(table, column): comment for table, column, comment in rows}


def test_sync_sets_what_differs_restores_after_a_rebuild_and_leaves_the_rest(files):
    with duckdb.connect() as conn:
        conn.execute("create schema staging")
        conn.execute("create table staging.panel (year int, source_file varchar, note varchar)")
        conn.execute("create table staging.other (year int, extra int)")
        conn.execute("comment on column staging.other.extra is 'kept: no description of it'")
        assert sync_comments(conn, files) == 5  # panel and its 3 columns, other.year
        assert comments(conn) == {
            ("staging.panel", ""): "One row per province and year.",
            ("staging.panel", "year"): "Year of the panel (the years every pillar has data).",
            ("staging.panel", "source_file"): "File the row was read from.",
            ("staging.panel", "note"): "It's the analyst's note.",
            ("staging.other", ""): None,
            ("staging.other", "year"): "Calendar year.",
            ("staging.other", "extra"): "kept: no description of it",
        }
        assert sync_comments(conn, files) == 0  # nothing differs any more
        conn.execute("create or replace table staging.panel as select 2024 as year")
        assert sync_comments(conn, files) == 2  # the rebuilt table's comment and its column
        assert comments(conn)[("staging.panel", "year")].startswith("Year of the panel")
