"""Run every catalog indicator's SQL (sql/indicators/<formula>) against the warehouse.

Each formula returns ``province_code, year, value, source_rows`` for one indicator, where
``source_rows`` is the value's lineage built by the ``lineage`` macro
(sql/marts/indicator_macros.sql): a list of ``struct(source_file, source_row)``. This module
stacks them into the temporary table ``indicator_raw`` (indicator, province_code, year, value,
source_rows) on the given connection, dropping missing and non-finite values.
"""

from __future__ import annotations

from typing import NamedTuple

import duckdb
import pandas as pd

from pipelines.indicators.catalog import INDICATOR_SQL_DIR, formula_sql
from pipelines.warehouse.sql_files import sql

REQUIRED_COLUMNS = ("province_code", "year", "value", "source_rows")


class FormulaError(ValueError):
    """An indicator's SQL does not return what the catalog contract asks for."""


class SourceRow(NamedTuple):
    """One warehouse row a value was computed from: its file and row in that file."""

    source_file: str
    source_row: int


def as_source_rows(value: list[dict] | None) -> list[SourceRow]:
    """A ``source_rows`` value as DuckDB returns it (a list of dicts, or None) as
    (source_file, source_row) pairs, in the order stored."""
    return [SourceRow(item["source_file"], item["source_row"]) for item in value or []]


def _temp_column_type(conn: duckdb.DuckDBPyConnection, table: str, column: str) -> str:
    return conn.execute(
        "select data_type from duckdb_columns()"
        " where database_name = 'temp' and table_name = ? and column_name = ?",
        [table, column],
    ).fetchone()[0]


def install_formula_macros(conn: duckdb.DuckDBPyConnection) -> None:
    """The macros formulas may call (sql/marts/indicator_macros.sql), as TEMP macros of this
    connection; needs staging.province_year and reference.unit to exist."""
    conn.execute(sql("marts/indicator_macros"))


def compute_raw_indicators(
    conn: duckdb.DuckDBPyConnection, catalog: pd.DataFrame, sql_dir=INDICATOR_SQL_DIR
) -> pd.DataFrame:
    """Fill temp table ``indicator_raw``; return its values without source rows."""
    conn.execute(sql("marts/indicator_raw"))
    install_formula_macros(conn)
    lineage_type = _temp_column_type(conn, "indicator_raw", "source_rows")
    for row in catalog.itertuples():
        formula = formula_sql(pd.Series(row._asdict()), sql_dir)
        wrapped = f"select * from (\n{formula}\n) as formula"
        try:
            columns = dict(c[:2] for c in conn.execute(f"describe {wrapped}").fetchall())
        except duckdb.Error as error:
            raise FormulaError(f"{row.formula} (indicator {row.id}): {error}") from error
        absent = [c for c in REQUIRED_COLUMNS if c not in columns]
        if absent:
            raise FormulaError(f"{row.formula} (indicator {row.id}): no columns {absent}")
        if columns["source_rows"] != lineage_type:
            raise FormulaError(
                f"{row.formula} (indicator {row.id}): source_rows is {columns['source_rows']},"
                f" not {lineage_type}: build it with lineage(source_file, source_row)"
                " (sql/marts/indicator_macros.sql)"
            )
        conn.execute(
            "insert into indicator_raw"
            " select ?, province_code::varchar, year::integer, value::double, source_rows"
            f" from (\n{wrapped}\n) where value is not null and isfinite(value::double)",
            [row.id],
        )
        duplicates = conn.execute(
            "select province_code, year from indicator_raw where indicator = ?"
            " group by all having count(*) > 1 limit 3",
            [row.id],
        ).fetchall()
        if duplicates:
            raise FormulaError(
                f"{row.formula} (indicator {row.id}): several rows for one province-year,"
                f" e.g. {duplicates}"
            )
    return conn.execute(
        "select indicator, province_code, year, value from indicator_raw"
        " order by indicator, province_code, year"
    ).df()
