"""Table and column descriptions, kept in the warehouse as DuckDB comments.

One source: ``data/reference/column_descriptions.csv`` (``table,column,description``; ``table``
is ``schema.table`` or ``*`` for a column that means the same in every table that has it; an
empty ``column`` describes the table itself), plus, for the contract columns of the micro
tables in raw and staging, their description in ``data/reference/micro_columns.csv``. A row for
one table wins over ``*``.

:func:`sync_comments` writes ``COMMENT ON`` wherever a table's comment differs from these
files, so a table rebuilt with ``create or replace`` gets its comments back at the next sync,
and analysts see them in any client (``duckdb_columns()``, DBeaver, the generated data
dictionary, the Dagster column schema).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.domains import MICRO_DOMAINS
from pipelines.paths import REFERENCE_DIR
from pipelines.readers.text import read_reference_csv
from pipelines.warehouse.micro_contract import ContractColumn, contract

DESCRIPTIONS_FILE = REFERENCE_DIR / "column_descriptions.csv"
ANY_TABLE = "*"
TABLE_ITSELF = ""
CONTRACT_SCHEMAS = ("raw", "staging")  # where micro tables keep the contract's columns


@dataclass(frozen=True)
class Descriptions:
    by_table: dict[tuple[str, str], str]  # (schema.table, column or "") -> text
    any_table: dict[str, str]  # column -> text
    contract: dict[tuple[str, str], str]  # (micro table, column) -> text

    def of(self, table: str, column: str = TABLE_ITSELF) -> str | None:
        """The description of ``column`` of ``table`` (schema.table), or of the table itself."""
        if (table, column) in self.by_table:
            return self.by_table[(table, column)]
        schema, name = table.split(".", 1)
        if column and schema in CONTRACT_SCHEMAS and (name, column) in self.contract:
            return self.contract[(name, column)]
        return self.any_table.get(column) if column else None


def load_descriptions(
    descriptions: Path = DESCRIPTIONS_FILE,
    contract_of: Callable[[str], Iterable[ContractColumn]] = contract,
) -> Descriptions:
    by_table: dict[tuple[str, str], str] = {}
    any_table: dict[str, str] = {}
    for number, row in enumerate(read_reference_csv(descriptions), start=2):
        table, column = row["table"], row["column"]
        text = " ".join(row["description"].split())
        if not text:
            raise ValueError(f"{descriptions}, row {number}, column description: empty")
        if table == ANY_TABLE:
            if not column:
                raise ValueError(f"{descriptions}, row {number}: table '*' needs a column")
            target, key = any_table, column
        elif table.count(".") == 1:
            target, key = by_table, (table, column)
        else:
            raise ValueError(
                f"{descriptions}, row {number}, column table: {table!r} is not schema.table or *"
            )
        if key in target:
            raise ValueError(f"{descriptions}, row {number}: {table}.{column} described twice")
        target[key] = text
    contract_descriptions = {
        (domain, column.name): " ".join(column.description.split())
        for domain in MICRO_DOMAINS
        for column in contract_of(domain)
        if column.description.strip()
    }
    return Descriptions(by_table, any_table, contract_descriptions)


def sync_comments(conn: duckdb.DuckDBPyConnection, descriptions: Descriptions | None = None) -> int:
    """Set the comment of every table and column of ``conn``'s database whose comment differs
    from its description; returns how many were set. Nothing is removed: a column without a
    description keeps what it has."""
    descriptions = descriptions or load_descriptions()
    current = conn.execute(
        "select schema_name || '.' || table_name, '', comment from duckdb_tables()"
        " where not temporary and database_name = current_database()"
        " union all"
        " select schema_name || '.' || table_name, column_name, comment from duckdb_columns()"
        " where not internal and database_name = current_database()"
    ).fetchall()
    changed = 0
    for table, column, comment in current:
        wanted = descriptions.of(table, column)
        if wanted is None or wanted == comment:
            continue
        target = f"table {table}" if not column else f'column {table}."{column}"'
        conn.execute(f"comment on {target} is '{wanted.replace(chr(39), chr(39) * 2)}'")
        changed += 1
    return changed
