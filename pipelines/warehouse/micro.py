"""Load micro extracts (patents, enterprises, procurement) into ``raw.<domain>``.

Everything happens inside DuckDB, with its own CSV and Parquet readers: rows are never pulled
into pandas, so a 10-million-row extract loads in the same way as the demo. Only the distinct
province spellings (a few dozen values) come out to Python, to go through the one province
normaliser.

Each cell is checked against the contract (``micro_columns.csv``). Any bad cell refuses the
whole load with an error naming file, row, column and value, and the transaction is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.paths import REPO_ROOT
from pipelines.readers.areas import normalise_area
from pipelines.readers.errors import SourceError
from pipelines.warehouse.loads import (
    FileLoad,
    LoadError,
    Problem,
    already_loaded,
    display_path,
    ensure_schemas,
    file_sha256,
    now_utc,
    one_transaction,
    record_load,
    scalar,
)
from pipelines.warehouse.micro_contract import ContractColumn, contract

MICRO_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".parquet")
TRUE_WORDS = ("true", "t", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否")
PROBLEM_SAMPLE = 50
LINEAGE_COLUMNS = ("source_file", "file_sha256", "source_row", "loaded_at")


@dataclass(frozen=True)
class _Landing:
    """A source file staged as an all-text temp table ``landing`` with a ``source_row``."""

    columns: tuple[str, ...]
    reader: str


def load_micro_files(
    conn: duckdb.DuckDBPyConnection, domain: str, files: list[Path]
) -> list[FileLoad]:
    """Load every new file of ``domain`` in one transaction; skip files already loaded."""
    ensure_schemas(conn)
    loaded_at = now_utc()
    results: list[FileLoad] = []
    with one_transaction(conn):
        _ensure_raw_table(conn, domain)
        for path in files:
            sha = file_sha256(path)
            name = display_path(path, REPO_ROOT)
            if already_loaded(conn, domain, sha):
                results.append(FileLoad(name, sha, "-", "unchanged"))
                continue
            landing = _stage_landing(conn, path, name)
            notes = _check_columns(domain, landing, name)
            _register_province_codes(conn, domain, name)
            _refuse_bad_cells(conn, domain, name)
            rows = _insert_typed(conn, domain, name, sha, loaded_at)
            load = FileLoad(name, sha, landing.reader, "loaded", rows, notes)
            record_load(conn, domain, load, loaded_at)
            results.append(load)
            conn.execute("drop table landing")
    return results


def _ensure_raw_table(conn: duckdb.DuckDBPyConnection, domain: str) -> None:
    """Create ``raw.<domain>`` from the contract, so staging builds even before any file."""
    columns = ", ".join(f'"{column.name}" varchar' for column in contract(domain))
    conn.execute(f"create or replace temp table landing ({columns}, source_row bigint)")
    conn.execute(
        "create or replace temp table province_spelling (spelling varchar, area_code varchar)"
    )
    names = {column.name for column in contract(domain)}
    conn.execute(
        f"create table if not exists raw.{domain} as {_typed_select(domain, names)} limit 0",
        ["", "", None],
    )
    conn.execute("drop table landing")


def _stage_landing(conn: duckdb.DuckDBPyConnection, path: Path, name: str) -> _Landing:
    conn.execute("drop table if exists landing")
    lower = path.name.lower()
    try:
        if lower.endswith(".parquet"):
            # source_row for Parquet is the 1-based record number.
            conn.execute(
                "create temp table landing as select columns(* exclude (file_row_number))::varchar,"
                " file_row_number + 1 as source_row"
                " from read_parquet(?, file_row_number = true)",
                [str(path)],
            )
            reader = "parquet"
        else:
            # source_row is the line number with the header as line 1: what an editor shows.
            conn.execute(
                "create temp table landing as select *, row_number() over () + 1 as source_row"
                " from read_csv(?, header = true, all_varchar = true, encoding = 'utf-8')",
                [str(path)],
            )
            reader = "csv"
    except duckdb.Error as error:
        raise LoadError([Problem(name, None, None, None, f"cannot read file: {error}")]) from error
    columns = tuple(
        row[0] for row in conn.execute("select name from pragma_table_info('landing')").fetchall()
    )
    return _Landing(tuple(c for c in columns if c != "source_row"), reader)


def _check_columns(domain: str, landing: _Landing, name: str) -> list[str]:
    expected = {column.name for column in contract(domain)}
    missing = [c.name for c in contract(domain) if c.required and c.name not in landing.columns]
    if missing:
        raise LoadError(
            [
                Problem(name, 1, column, None, "required column missing from the header")
                for column in missing
            ]
        )
    extra = [column for column in landing.columns if column not in expected]
    return [f"ignored columns not in the {domain} contract: {', '.join(extra)}"] if extra else []


def _province_columns(domain: str) -> list[ContractColumn]:
    return [column for column in contract(domain) if column.is_province]


def _register_province_codes(conn: duckdb.DuckDBPyConnection, domain: str, name: str) -> None:
    """Map each distinct province spelling to its code, through the one normaliser."""
    conn.execute(
        "create or replace temp table province_spelling (spelling varchar, area_code varchar)"
    )
    problems: list[Problem] = []
    codes: dict[str, str] = {}  # one row per spelling, or the join would multiply rows
    for column in _province_columns(domain):
        spellings = conn.execute(
            f'select "{column.name}", min(source_row) from landing'
            f" where nullif(trim(\"{column.name}\"), '') is not null group by 1"
        ).fetchall()
        for spelling, first_row in spellings:
            if spelling in codes:
                continue
            try:
                area = normalise_area(spelling, file=name, row=first_row, column=column.name)
            except SourceError as error:
                problems.append(Problem(name, first_row, column.name, spelling, error.reason))
                continue
            if area.level != "province":
                problems.append(
                    Problem(
                        name,
                        first_row,
                        column.name,
                        spelling,
                        f"is a {area.level} ({area.name_zh}), not one of the 31 provinces",
                    )
                )
                continue
            codes[spelling] = area.code
    if codes:
        conn.executemany("insert into province_spelling values (?, ?)", list(codes.items()))
    if problems:
        raise LoadError(problems)


def _typed_expression(column: ContractColumn) -> str:
    text = f"nullif(trim(\"{column.name}\"), '')"
    if column.type in ("VARCHAR", "PROVINCE"):
        return text
    if column.type == "BOOLEAN":
        true_words = ", ".join(f"'{w}'" for w in TRUE_WORDS)
        false_words = ", ".join(f"'{w}'" for w in FALSE_WORDS)
        return (
            f"case when lower({text}) in ({true_words}) then true"
            f" when lower({text}) in ({false_words}) then false end"
        )
    return f"try_cast({text} as {column.type})"


def _cell_problem_queries(domain: str, present: set[str]) -> list[str]:
    """One small query per check and column; each yields (source_row, column, value, reason)."""
    queries = []
    for column in contract(domain):
        if column.name not in present:
            continue
        raw = f"nullif(trim(\"{column.name}\"), '')"
        select = f"select source_row, '{column.name}', \"{column.name}\", "
        if column.required:
            queries.append(f"{select}'required value missing' from landing where {raw} is null")
        if column.type not in ("VARCHAR", "PROVINCE"):
            queries.append(
                f"{select}'not a valid {column.type.lower()}' from landing"
                f" where {raw} is not null and ({_typed_expression(column)}) is null"
            )
        if column.allowed:
            allowed = ", ".join(f"'{value}'" for value in column.allowed)
            queries.append(
                f"{select}'not one of: {' | '.join(column.allowed)}' from landing"
                f" where {raw} is not null and {raw} not in ({allowed})"
            )
    return queries


def _refuse_bad_cells(conn: duckdb.DuckDBPyConnection, domain: str, name: str) -> None:
    present = {
        row[0] for row in conn.execute("select name from pragma_table_info('landing')").fetchall()
    }
    queries = _cell_problem_queries(domain, present)
    if not queries:
        return
    union = " union all ".join(queries)
    total = scalar(conn, f"select count(*) from ({union})")
    if total == 0:
        return
    sample = conn.execute(
        f"select * from ({union}) order by 1, 2 limit {PROBLEM_SAMPLE}"
    ).fetchall()
    raise LoadError(
        [Problem(name, row, column, value, reason) for row, column, value, reason in sample],
        total=total,
    )


def _typed_select(domain: str, present: set[str]) -> str:
    parts, joins = [], []
    for column in contract(domain):
        expression = _typed_expression(column) if column.name in present else "null"
        parts.append(f'cast({expression} as {_storage_type(column)}) as "{column.name}"')
        if column.is_province:
            alias = f"spelling_{len(joins)}"
            parts.append(f'{alias}.area_code as "{column.name}_code"')
            joins.append(
                f'left join province_spelling {alias} on {alias}.spelling = landing."{column.name}"'
            )
    parts.append("? as source_file, ? as file_sha256, source_row, ?::timestamp as loaded_at")
    return "select " + ",\n       ".join(parts) + "\nfrom landing " + " ".join(joins)


def _storage_type(column: ContractColumn) -> str:
    return "VARCHAR" if column.type == "PROVINCE" else column.type


def _insert_typed(
    conn: duckdb.DuckDBPyConnection, domain: str, name: str, sha: str, loaded_at
) -> int:
    present = {
        row[0] for row in conn.execute("select name from pragma_table_info('landing')").fetchall()
    }
    select = _typed_select(domain, present)
    params = [name, sha, loaded_at]
    conn.execute(f"create table if not exists raw.{domain} as {select} limit 0", params)
    before = scalar(conn, f"select count(*) from raw.{domain}")
    conn.execute(f"insert into raw.{domain} by name {select}", params)
    after = scalar(conn, f"select count(*) from raw.{domain}")
    return after - before
