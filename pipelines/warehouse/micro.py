"""Load micro extracts (patents, enterprises, procurement) into ``raw.<domain>``.

Everything happens inside DuckDB, with its own CSV and Parquet readers: rows are never pulled
into pandas, so a 10-million-row extract loads in the same way as the demo. Only the header
line and the distinct province spellings (a few dozen values) come out to Python, the latter
to go through the one province normaliser.

A file that cannot be read as the contract's table (not UTF-8, empty, truncated or malformed,
a required column missing) refuses the whole load with a LoadError and the transaction is
rolled back. Otherwise each cell is checked against the contract (``micro_columns.csv``) by
SQL over the staged ``landing`` table: a row with any bad cell, or repeating the key of an
earlier row, goes to ``quarantine.<domain>`` with the reason and the whole row; the other rows
go to ``raw.<domain>``. Every data row of the file ends up in exactly one of the two.
"""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.paths import REPO_ROOT
from pipelines.readers import cells
from pipelines.readers.areas import find_area
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
    quarantine_reasons,
    record_load,
    scalar,
)
from pipelines.warehouse.micro_contract import CURRENT_YEAR, ContractColumn, contract, key_columns
from pipelines.warehouse.sql_files import sql

MICRO_SUFFIXES = (".csv", ".csv.gz", ".tsv", ".parquet")
TRUE_WORDS = ("true", "t", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否")
LINEAGE_COLUMNS = ("source_file", "file_sha256", "source_row", "loaded_at")
# DuckDB names the line of a CSV error like this; the line an editor shows, header = line 1.
_DUCKDB_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_DUCKDB_NOT_UTF8 = "Invalid unicode"


@dataclass(frozen=True)
class _Landing:
    """A source file staged as an all-text temp table ``landing`` with a ``source_row``."""

    columns: tuple[str, ...]
    reader: str
    rows: int


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
            load = _load_file(conn, domain, path, name, sha, loaded_at)
            record_load(conn, domain, load, loaded_at)
            results.append(load)
    return results


def _load_file(
    conn: duckdb.DuckDBPyConnection, domain: str, path: Path, name: str, sha: str, loaded_at
) -> FileLoad:
    """Stage one file, quarantine its bad rows and insert the rest; LoadError on a bad file."""
    landing = _stage_landing(conn, path, name)
    notes = _check_columns(domain, landing, name)
    if landing.rows == 0:
        notes.append("header only: the file has no data rows")
    _register_province_codes(conn, domain)
    _find_row_problems(conn, domain, set(landing.columns))
    quarantined = _quarantine_rows(conn, domain, name, sha, loaded_at)
    rows = _insert_typed(conn, domain, name, sha, loaded_at)
    if rows + quarantined != landing.rows:  # nothing may vanish between file and warehouse
        raise RuntimeError(
            f"{name}: {landing.rows} rows read but {rows} loaded and {quarantined} quarantined"
        )
    for table in ("landing", "landing_problems", "quarantined_rows"):
        conn.execute(f"drop table {table}")
    return FileLoad(
        name,
        sha,
        landing.reader,
        "loaded",
        rows,
        notes,
        rows_quarantined=quarantined,
        quarantine_reasons=quarantine_reasons(conn, f"quarantine.{domain}", sha)
        if quarantined
        else {},
    )


def _ensure_raw_table(conn: duckdb.DuckDBPyConnection, domain: str) -> None:
    """Create ``raw.<domain>`` from the contract, so staging builds even before any file."""
    columns = ", ".join(f'"{column.name}" varchar' for column in contract(domain))
    conn.execute(f"create or replace temp table landing ({columns}, source_row bigint)")
    conn.execute(
        "create or replace temp table province_spelling"
        " (spelling varchar, area_code varchar, rule varchar, reason varchar)"
    )
    names = {column.name for column in contract(domain)}
    conn.execute(
        f"create table if not exists raw.{domain} as {_typed_select(domain, names)} limit 0",
        ["", "", None],
    )
    conn.execute("drop table landing")


# --- file level: read the file into `landing`, or refuse the load ---------------------------


def _stage_landing(conn: duckdb.DuckDBPyConnection, path: Path, name: str) -> _Landing:
    conn.execute("drop table if exists landing")
    if path.stat().st_size == 0:
        raise LoadError([Problem(name, None, None, None, "empty file (0 bytes): nothing to load")])
    if path.name.lower().endswith(".parquet"):
        _stage_parquet(conn, path, name)
        reader = "parquet"
    else:
        _stage_csv(conn, path, name)
        reader = "csv"
    columns = tuple(
        row[0] for row in conn.execute("select name from pragma_table_info('landing')").fetchall()
    )
    rows = scalar(conn, "select count(*) from landing")
    return _Landing(tuple(c for c in columns if c != "source_row"), reader, rows)


def _stage_parquet(conn: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    try:
        # source_row for Parquet is the 1-based record number.
        conn.execute(
            "create temp table landing as select columns(* exclude (file_row_number))::varchar,"
            " file_row_number + 1 as source_row"
            " from read_parquet(?, file_row_number = true)",
            [str(path)],
        )
    except duckdb.Error as error:
        problem = Problem(name, None, None, None, f"cannot read as Parquet: {error}")
        raise LoadError([problem]) from error


def _stage_csv(conn: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    """Read the CSV with a fixed dialect and the header we parsed ourselves.

    DuckDB's sniffer is switched off on purpose: on a truncated or ragged file it guesses
    another delimiter or header line and silently drops rows. With the dialect fixed and
    strict mode on, a short, long or unterminated record is an error naming its line.
    """
    delimiter = "\t" if path.name.lower().endswith(".tsv") else ","
    header = _csv_header(path, name, delimiter)
    try:
        # source_row is the line number with the header as line 1: what an editor shows.
        conn.execute(
            "create temp table landing as select *, row_number() over () + 1 as source_row"
            " from read_csv(?, header = true, auto_detect = false, columns = ?,"
            " delim = ?, quote = '\"', escape = '\"', encoding = 'utf-8',"
            " strict_mode = true, null_padding = false)",
            [str(path), {column: "VARCHAR" for column in header}, delimiter],
        )
    except duckdb.Error as error:
        raise LoadError([_csv_problem(name, error)]) from error


def _csv_header(path: Path, name: str, delimiter: str) -> list[str]:
    """The header's column names; a file without one, or not UTF-8, refuses the load.

    Only the first line is decoded: a text-mode read would decode a whole buffer and blame
    line 1 for a bad byte further down, which DuckDB then locates to its line instead.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            first_line = handle.readline().decode("utf-8-sig")
        header = next(csv.reader([first_line], delimiter=delimiter), None)
    except UnicodeDecodeError as error:
        raise LoadError([Problem(name, 1, None, None, _not_utf8(str(error)))]) from error
    except (OSError, EOFError, csv.Error) as error:
        problem = Problem(name, 1, None, None, f"cannot read the header: {error}")
        raise LoadError([problem]) from error
    if not header or not any(label.strip() for label in header):
        raise LoadError([Problem(name, 1, None, None, "empty file: no header row")])
    names = [label.strip() or f"column{index + 1}" for index, label in enumerate(header)]
    repeated = sorted({label for label in names if names.count(label) > 1})
    if repeated:
        raise LoadError(
            [
                Problem(name, 1, label, label, "column name appears twice in the header")
                for label in repeated
            ]
        )
    return names


def _csv_problem(name: str, error: duckdb.Error) -> Problem:
    message = str(error)
    line = _DUCKDB_CSV_LINE.search(message)
    row = int(line.group(1)) if line else None
    if _DUCKDB_NOT_UTF8 in message:
        return Problem(name, row, None, None, _not_utf8("invalid UTF-8 byte sequence"))
    detail = " ".join(message.split("Possible fixes")[0].split())
    return Problem(name, row, None, None, f"truncated or malformed CSV: {detail}")


def _not_utf8(detail: str) -> str:
    return (
        "the file is not UTF-8: micro CSV files must be UTF-8 (re-save a GBK/GB18030 export "
        f"as UTF-8); {detail}"
    )


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


# --- row level: find each bad row and why -----------------------------------------------------


def _province_columns(domain: str) -> list[ContractColumn]:
    return [column for column in contract(domain) if column.is_province]


def _register_province_codes(conn: duckdb.DuckDBPyConnection, domain: str) -> None:
    """Map each distinct province spelling through the one normaliser; a spelling that is not
    one of the 31 provinces is recorded with its rule and reason instead of a code."""
    conn.execute(
        "create or replace temp table province_spelling"
        " (spelling varchar, area_code varchar, rule varchar, reason varchar)"
    )
    verdicts: dict[str, tuple] = {}  # one row per spelling, or the join would multiply rows
    for column in _province_columns(domain):
        spellings = conn.execute(
            f'select distinct "{column.name}" from landing'
            f" where nullif(trim(\"{column.name}\"), '') is not null"
        ).fetchall()
        for (spelling,) in spellings:
            verdicts.setdefault(spelling, _province_verdict(spelling))
    if verdicts:
        conn.executemany(
            "insert into province_spelling values (?, ?, ?, ?)",
            [(spelling, *verdict) for spelling, verdict in verdicts.items()],
        )


def _province_verdict(spelling: str) -> tuple[str | None, str | None, str | None]:
    """(area_code, rule, reason) for one spelling: a code, or why there is none."""
    area = find_area(spelling)
    if area is None:
        return (
            None,
            cells.UNKNOWN_AREA,
            "unknown province/area name (add it to data/reference/area_aliases.csv "
            "if it is a spelling of a known area)",
        )
    if area.level != "province":
        return (
            None,
            cells.NOT_A_PROVINCE,
            f"is a {area.level} ({area.name_zh}), not one of the 31 provinces",
        )
    return area.code, None, None


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _text_of(column: ContractColumn) -> str:
    return f"nullif(trim(landing.\"{column.name}\"), '')"


def _typed_expression(column: ContractColumn) -> str:
    text = _text_of(column)
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


def _rule_and_reason(column: ContractColumn) -> list[tuple[str, str, str]]:
    """The column's checks in order, as (SQL condition, rule, SQL reason); the first that
    holds for a cell is its problem. Conditions after the first may assume a non-empty text."""
    text, typed = _text_of(column), _typed_expression(column)
    kind = column.type.lower()
    checks = [
        (
            f"{text} is null",
            cells.REQUIRED_MISSING if column.required else "",
            _literal("required value missing"),
        ),
        (
            f"regexp_matches({text}, {_literal(cells.FORMULA_PATTERN)})",
            cells.FORMULA,
            _literal("formula-looking text (spreadsheet formulas are not run)"),
        ),
    ]
    if column.type not in ("VARCHAR", "PROVINCE"):
        placeholders = ", ".join(_literal(p) for p in cells.PLACEHOLDERS)
        checks.append(
            (
                f"{text} in ({placeholders})",
                cells.PLACEHOLDER,
                _literal(f"placeholder for a missing value, not a valid {kind}"),
            )
        )
        if column.is_numeric:
            checks.append(
                (
                    f"{typed} is null and regexp_matches({text}, '\\p{{L}}')",
                    cells.TEXT_IN_NUMBER,
                    _literal(f"text in a numeric field, not a valid {kind}"),
                )
            )
        checks.append(
            (
                f"{typed} is null",
                cells.NOT_A_NUMBER if column.is_numeric else cells.INVALID_VALUE,
                _literal(f"not a valid {kind}"),
            )
        )
    if column.allowed:
        allowed = ", ".join(_literal(value) for value in column.allowed)
        checks.append(
            (
                f"{text} not in ({allowed})",
                cells.NOT_ALLOWED,
                _literal(f"not one of: {' | '.join(column.allowed)}"),
            )
        )
    checks += _range_checks(column, typed)
    if column.is_province:
        checks.append(("spelling.rule is not null", "spelling.rule", "spelling.reason"))
    return checks


def _range_checks(column: ContractColumn, typed: str) -> list[tuple[str, str, str]]:
    checks = []
    if column.minimum is not None:
        why = " (negative values are not allowed)" if column.minimum == 0 else ""
        checks.append(
            (
                f"{typed} < {column.minimum}",
                cells.BELOW_MINIMUM,
                _literal(f"below the minimum {column.minimum:g}{why}"),
            )
        )
    if column.maximum == CURRENT_YEAR:
        year = f"year({typed})" if column.type == "DATE" else typed
        checks.append(
            (
                f"{year} > year(current_date)",
                cells.FUTURE,
                "'in the future: after the current year ' || year(current_date)",
            )
        )
    elif column.maximum is not None:
        checks.append(
            (
                f"{typed} > {float(column.maximum)}",
                cells.ABOVE_MAXIMUM,
                _literal(f"above the maximum {column.maximum}"),
            )
        )
    return checks


def _cell_problem_query(column: ContractColumn, position: int) -> str:
    """The bad cells of one column: (source_row, column_position, source_column, value_raw,
    rule, reason), the first failing check of each cell."""
    rules, reasons = [], []
    for condition, rule, reason in _rule_and_reason(column):
        rule_sql = rule if rule.startswith("spelling.") else (_literal(rule) if rule else "null")
        rules.append(f"when {condition} then {rule_sql}")
        reasons.append(f"when {condition} then {reason}")
    join = (
        f'left join province_spelling spelling on spelling.spelling = landing."{column.name}"'
        if column.is_province
        else ""
    )
    return f"""
        select * from (
            select landing.source_row, {position} as column_position,
                   {_literal(column.name)} as source_column, landing."{column.name}" as value_raw,
                   case {" ".join(rules)} end as rule,
                   case {" ".join(reasons)} end as reason
            from landing {join}
        ) where rule is not null"""


def _duplicate_key_query(domain: str, position: int) -> str:
    """Rows repeating the key of an earlier row of the same file: the first stays, the others
    are quarantined with a reason naming the first row."""
    keys = key_columns(domain)
    key_texts = [_text_of(column) for column in keys]
    names = ", ".join(column.name for column in keys)
    return f"""
        select source_row, {position} as column_position, {_literal(names)} as source_column,
               key_value as value_raw, {_literal(cells.DUPLICATE_KEY)} as rule,
               'duplicate key ({names}): first seen at row ' || first_row as reason
        from (
            select landing.source_row, concat_ws(', ', {", ".join(key_texts)}) as key_value,
                   min(landing.source_row) over (partition by {", ".join(key_texts)}) as first_row
            from landing
            where {" and ".join(f"{text} is not null" for text in key_texts)}
        ) where source_row > first_row"""


def _find_row_problems(conn: duckdb.DuckDBPyConnection, domain: str, present: set[str]) -> None:
    """Temp table ``landing_problems``: one row per problem found in the staged file."""
    queries = [
        _cell_problem_query(column, position)
        for position, column in enumerate(contract(domain))
        if column.name in present
    ]
    if all(column.name in present for column in key_columns(domain)):
        # After every cell check, so a row's own bad cells are reported before the repeat.
        queries.append(_duplicate_key_query(domain, len(contract(domain))))
    conn.execute("create or replace temp table landing_problems as " + " union all ".join(queries))


def _quarantine_rows(
    conn: duckdb.DuckDBPyConnection, domain: str, name: str, sha: str, loaded_at
) -> int:
    conn.execute(
        sql("quarantine/micro_rows"),
        {"source_file": name, "file_sha256": sha, "loaded_at": loaded_at},
    )
    conn.execute(f"insert into quarantine.{domain} by name select * from quarantined_rows")
    return scalar(conn, "select count(*) from quarantined_rows")


# --- the good rows: typed into raw.<domain> ---------------------------------------------------


def _typed_select(domain: str, present: set[str], without_quarantined: bool = False) -> str:
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
    select = "select " + ",\n       ".join(parts) + "\nfrom landing " + " ".join(joins)
    if without_quarantined:
        select += "\nwhere source_row not in (select source_row from quarantined_rows)"
    return select


def _storage_type(column: ContractColumn) -> str:
    return "VARCHAR" if column.type == "PROVINCE" else column.type


def _insert_typed(
    conn: duckdb.DuckDBPyConnection, domain: str, name: str, sha: str, loaded_at
) -> int:
    present = {
        row[0] for row in conn.execute("select name from pragma_table_info('landing')").fetchall()
    }
    select = _typed_select(domain, present, without_quarantined=True)
    params = [name, sha, loaded_at]
    before = scalar(conn, f"select count(*) from raw.{domain}")
    conn.execute(f"insert into raw.{domain} by name {select}", params)
    after = scalar(conn, f"select count(*) from raw.{domain}")
    return after - before
