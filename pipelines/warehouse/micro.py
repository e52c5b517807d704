"""Load micro extracts (patents, enterprises, procurement) into ``raw.<domain>``.

Everything happens inside DuckDB, with its own CSV and Parquet readers: rows are never pulled
into pandas, so a 10-million-row extract loads in the same way as the demo. Only the header
line and the distinct province spellings (a few dozen values) come out to Python, the latter
to go through the one province normaliser; the bytes of a CSV are scanned once more to count
its records, vectorised (numpy), never row by row.

A file that cannot be read as the contract's table (not UTF-8, empty, truncated or malformed,
a required column missing or a column twice, past a bound of pipelines/readers/limits.py)
refuses the whole load with a LoadError and the transaction is rolled back. A CSV's records are
also counted from its bytes (pipelines/readers/csv_records.py), so a record DuckDB's reader
loses refuses the file instead of vanishing. Otherwise each cell is checked against the
contract (``micro_columns.csv``) by SQL over the staged ``landing`` table: a row with any bad
cell, or repeating the key of an earlier row, goes to ``quarantine.<domain>`` with the reason
and the whole row; the other rows go to ``raw.<domain>``. Every data row of the file ends up
in exactly one of the two.
"""

from __future__ import annotations

import csv
import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow
import pyarrow.parquet

from pipelines.readers import cells, limits
from pipelines.readers.areas import find_area
from pipelines.readers.csv_records import CsvRecords, count_csv_records
from pipelines.readers.errors import SourceError
from pipelines.warehouse.domain_load import load_files
from pipelines.warehouse.loads import (
    FileLoad,
    LoadError,
    Problem,
    quarantine_reasons,
    scalar,
)
from pipelines.warehouse.micro_contract import ContractColumn, contract, key_columns
from pipelines.warehouse.sql_files import sql
from pipelines.years import FIRST_DATA_YEAR, before_window_reason, data_years

TRUE_WORDS = ("true", "t", "1", "yes", "y", "是")
FALSE_WORDS = ("false", "f", "0", "no", "n", "否")
LINEAGE_COLUMNS = ("source_file", "file_sha256", "source_row", "loaded_at")
# DuckDB names the line of a CSV error like this; the line an editor shows, header = line 1.
_DUCKDB_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_DUCKDB_NOT_UTF8 = "Invalid unicode"
_DUCKDB_ORIGINAL_LINE = "Original Line: "
_SHOWN_OF_A_LINE = 200  # characters of a malformed line quoted in the error
# DuckDB's default max_line_size. A run of empty lines counts towards it as one line.
DUCKDB_MAX_LINE_SIZE = 2_000_000
# The byte-order mark that joining two UTF-8-BOM files with `cat` leaves at a line's start.
_BOM = "\ufeff"
# How every micro CSV is read: the dialect fixed, the header parsed by _csv_header.
_READ_CSV = (
    "read_csv(?, header = true, auto_detect = false, columns = ?,"
    " delim = ?, quote = '\"', escape = '\"', encoding = 'utf-8',"
    " strict_mode = true, null_padding = false, max_line_size = ?)"
)


@dataclass(frozen=True)
class _Landing:
    """A source file staged as an all-text temp table ``landing`` with a ``source_row``."""

    columns: tuple[str, ...]
    reader: str
    rows: int


def load_micro_files(
    conn: duckdb.DuckDBPyConnection, domain: str, files: list[Path], withdraw_gone: bool = False
) -> list[FileLoad]:
    """Load every new file of ``domain`` in one transaction; skip files already loaded.
    With ``withdraw_gone``, loaded files no longer among ``files`` are withdrawn."""
    return load_files(
        conn,
        domain,
        files,
        lambda conn, path, name, sha, loaded_at: _load_file(
            conn, domain, path, name, sha, loaded_at
        ),
        prepare=lambda conn: _ensure_raw_table(conn, domain),
        withdraw_gone=withdraw_gone,
    )


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
    """Read the Parquet file; its footer's column names and row count are checked first
    (DuckDB renames a repeated column to ``<name>_1`` instead of refusing it)."""
    try:
        metadata = pyarrow.parquet.read_metadata(path)
        names, declared_rows = list(metadata.schema.to_arrow_schema().names), metadata.num_rows
    except (pyarrow.ArrowException, OSError) as error:
        problem = Problem(name, None, None, None, f"cannot read as Parquet: {error}")
        raise LoadError([problem]) from error
    _check_header(name, names)
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
    read = scalar(conn, "select count(*) from landing")
    if read != declared_rows:
        problem = Problem(name, None, None, None, _lost_rows(declared_rows, read, located=False))
        raise LoadError([problem])


def _stage_csv(conn: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    """Read the CSV with a fixed dialect and the header we parsed ourselves.

    DuckDB's sniffer is switched off on purpose: on a truncated or ragged file it guesses
    another delimiter or header line and silently drops rows. With the dialect fixed and
    strict mode on, a short, long or unterminated record is an error naming its line.
    """
    delimiter = "\t" if path.name.lower().endswith(".tsv") else ","
    header = _csv_header(path, name, delimiter)
    records = _count_records(path, name, delimiter, len(header))
    params = [str(path), {column: "VARCHAR" for column in header}, delimiter]
    params.append(_duckdb_max_line_size(records))
    try:
        # source_row is the line number with the header as line 1: what an editor shows. The
        # n-th record is on line n + 1, unless empty lines or quoted line breaks come before
        # it: then the shifts counted from the bytes say how far it moved.
        if not len(records.line_shifts):
            conn.execute(
                "create temp table landing as select *, row_number() over () + 1 as source_row"
                f" from {_READ_CSV}",
                params,
            )
        else:
            _stage_shifted(conn, _READ_CSV, params, records)
    except duckdb.Error as error:
        raise LoadError([_csv_problem(name, error)]) from error
    _drop_byte_order_marks(conn, header[0])
    read = scalar(conn, "select count(*) from landing")
    if read != records.data_rows:
        line = _first_missing_line(conn, path, delimiter, len(header))
        lost = _lost_rows(records.data_rows, read, located=line is not None)
        raise LoadError([Problem(name, line, None, None, lost)])


def _drop_byte_order_marks(conn: duckdb.DuckDBPyConnection, first_column: str) -> None:
    """Drop the byte-order mark U+FEFF from the start of a line, where joining two UTF-8-BOM
    files with `cat` leaves it: invisible and never content, it would make a key ``HT-2`` with
    a mark before it a key of its own. DuckDB reads the mark into the line's first field, and a
    quote after it as text, so a field it quoted is unquoted here as the parser would have."""
    column = f'"{first_column}"'
    conn.execute(
        f"update landing set {column} = case"
        f" when regexp_full_match(substr({column}, 2), $quoted)"
        f" then replace(substr({column}, 3, length({column}) - 3), '\"\"', '\"')"
        f" else substr({column}, 2) end"
        f" where starts_with({column}, $bom)",
        {"quoted": '"([^"]|"")*"', "bom": _BOM},
    )


def _stage_shifted(
    conn: duckdb.DuckDBPyConnection, read_csv: str, params: list, records: CsvRecords
) -> None:
    """``landing`` with each record's line from the shifts of ``records`` (ordinal, shift).
    The file is read into a table first: an ASOF join straight onto the CSV scan and its
    row_number() took minutes for 100,000 rows, on two tables it takes a fraction of a second."""
    shifts = pd.DataFrame(records.line_shifts, columns=["ordinal", "shift"])
    conn.register("csv_line_shift_frame", shifts)
    try:
        conn.execute(
            "create or replace temp table csv_line_shift as select * from csv_line_shift_frame"
        )
    finally:
        conn.unregister("csv_line_shift_frame")
    # On a DuckDB error the load's transaction is aborted and rolled back, these tables with it.
    conn.execute(
        "create or replace temp table landing_read as"
        f" select *, row_number() over () as __ordinal from {read_csv}",
        params,
    )
    conn.execute(
        "create temp table landing as"
        " select landing_read.* exclude (__ordinal),"
        " landing_read.__ordinal + 1 + coalesce(shift.shift, 0) as source_row"
        " from landing_read asof left join csv_line_shift shift"
        " on landing_read.__ordinal >= shift.ordinal"
        " order by source_row"
    )
    conn.execute("drop table landing_read")
    conn.execute("drop table csv_line_shift")


def _count_records(path: Path, name: str, delimiter: str, columns: int) -> CsvRecords:
    """The file's records counted from its bytes; a row or a run of empty lines past the
    bounds of pipelines/readers/limits.py refuses the load."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            return count_csv_records(handle, delimiter, columns=columns)
    except SourceError as error:
        raise LoadError([Problem(name, error.row, None, None, error.reason)]) from error
    except _GZIP_DAMAGE as error:
        raise LoadError([_damaged_gzip(name, error)]) from error
    except (OSError, EOFError) as error:
        problem = Problem(name, None, None, None, f"cannot read the file: {error}")
        raise LoadError([problem]) from error


def _duckdb_max_line_size(records: CsvRecords) -> int:
    """DuckDB's max_line_size for the file: its default, or more when a run of empty lines
    with the record after it is longer (DuckDB reads the run as one line and, past the
    limit, errors or silently drops that record)."""
    return max(DUCKDB_MAX_LINE_SIZE, records.longest_span + 1024)


def _lost_rows(in_file: int, read: int, located: bool) -> str:
    where = " (the row named is the first one missing)" if located else ""
    return (
        f"the file holds {in_file:,} data rows but the reader read {read:,}: rows would be "
        f"lost, so nothing of the file is loaded{where}; please report this file"
    )


def _first_missing_line(
    conn: duckdb.DuckDBPyConnection, path: Path, delimiter: str, columns: int
) -> int | None:
    """The line of the first record of the file that is not in ``landing``: the file, parsed
    again with Python's csv module, and ``landing`` are compared record by record, in order.
    Only runs when the counts disagree, to name the row for the refusal."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, limits.MAX_ROW_BYTES))
    stored = conn.execute("select * exclude (source_row) from landing order by source_row")
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            next(reader, None)  # the header
            line = reader.line_num
            for fields in reader:
                start, line = line + 1, reader.line_num
                if not fields and columns > 1:
                    continue  # an empty line: not a record
                row = stored.fetchone()
                if row is None or [value or "" for value in row] != (fields or [""]):
                    return start
            return None  # the file parsed again agrees with the reader: the row is unknown
    except (OSError, EOFError, UnicodeDecodeError, csv.Error):
        return None
    finally:
        csv.field_size_limit(limit)
        conn.abort()


def _csv_header(path: Path, name: str, delimiter: str) -> list[str]:
    """The header's column names; a file without one, or not UTF-8, refuses the load.

    Only the first line is decoded, and at most ``limits.MAX_ROW_BYTES`` of it are read: a
    text-mode read would decode a whole buffer and blame line 1 for a bad byte further down,
    which DuckDB then locates to its line instead; an unbounded one would read a file without
    line breaks whole.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            raw = handle.readline(limits.MAX_ROW_BYTES + 1)
        if len(raw) > limits.MAX_ROW_BYTES:
            reason = (
                f"the header is longer than {limits.MAX_ROW_BYTES:,} bytes, the most a row may "
                "hold (pipelines/readers/limits.py): this is not a micro extract's header"
            )
            raise LoadError([Problem(name, 1, None, None, reason)])
        # Strict: Python would read `a,"x"y` as a column `xy`, DuckDB then no row at all.
        text = raw.decode("utf-8-sig")
        header = next(csv.reader([text], delimiter=delimiter, strict=True), None)
    except UnicodeDecodeError as error:
        raise LoadError([Problem(name, 1, None, None, _not_utf8(str(error)))]) from error
    except _GZIP_DAMAGE as error:
        raise LoadError([_damaged_gzip(name, error)]) from error
    except csv.Error as error:
        reason = (
            f"the header line could not be parsed as CSV ({error}): a quoted column name "
            "must end with its closing quote, right before the next delimiter or the line end"
        )
        raise LoadError([Problem(name, 1, None, text.rstrip("\r\n"), reason)]) from error
    except (OSError, EOFError) as error:
        problem = Problem(name, 1, None, None, f"cannot read the header: {error}")
        raise LoadError([problem]) from error
    if not header or not any(label.strip() for label in header):
        raise LoadError([Problem(name, 1, None, None, "empty file: no header row")])
    names = [label.strip() or f"column{index + 1}" for index, label in enumerate(header)]
    _check_header(name, names, row=1)
    return names


# What reading a damaged .csv.gz raises: a bad deflate stream, a stream cut short, a bad
# header or checksum (gzip.BadGzipFile).
_GZIP_DAMAGE = (zlib.error, EOFError, gzip.BadGzipFile)


def _damaged_gzip(name: str, error: Exception) -> Problem:
    reason = f"the gzip stream is damaged ({error}): re-copy or re-compress it"
    return Problem(name, None, None, None, reason)


def _check_header(name: str, names: list[str], row: int | None = None) -> None:
    """Refuse a header of more than ``limits.MAX_COLUMNS`` columns, or with a column twice.
    Names are compared ignoring case, as DuckDB does: ``Amount`` repeats ``amount``."""
    if len(names) > limits.MAX_COLUMNS:
        reason = (
            f"the header has {len(names):,} columns, more than the {limits.MAX_COLUMNS:,} a "
            "file may have (pipelines/readers/limits.py); a micro extract has the "
            "contract's columns and a few more"
        )
        raise LoadError([Problem(name, row, None, None, reason)])
    first_seen: dict[str, str] = {}
    problems = []
    for label in names:
        first = first_seen.get(label.casefold())
        if first is None:
            first_seen[label.casefold()] = label
            continue
        reason = "column name appears twice in the header"
        if first != label:
            reason += f" (as {first!r} and {label!r}: column names are compared ignoring case)"
        problems.append(Problem(name, row, label, label, reason + ": keep one"))
    if problems:
        raise LoadError(problems)


def _csv_problem(name: str, error: duckdb.Error) -> Problem:
    message = "\n".join(
        text[: len(_DUCKDB_ORIGINAL_LINE) + _SHOWN_OF_A_LINE] + " …"
        if text.startswith(_DUCKDB_ORIGINAL_LINE)
        and len(text) > len(_DUCKDB_ORIGINAL_LINE) + _SHOWN_OF_A_LINE
        else text
        for text in str(error).splitlines()
    )
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
        if column.type == "DOUBLE":  # inf, NaN and 1e400 cast; NaN even passes `minimum 0`
            checks.append(
                (f"not isfinite({typed})", cells.NOT_FINITE, _literal(cells.NOT_FINITE_REASON))
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
    # A year column's minimum of 1949 is the window's own first year: the window says it.
    minimum_is_the_window = column.in_year_window and (column.minimum or 0) <= FIRST_DATA_YEAR
    if column.minimum is not None and not minimum_is_the_window:
        why = " (negative values are not allowed)" if column.minimum == 0 else ""
        checks.append(
            (
                f"{typed} < {column.minimum}",
                cells.BELOW_MINIMUM,
                _literal(f"below the minimum {column.minimum:g}{why}"),
            )
        )
    if column.in_year_window:
        first, last = data_years()
        year = f"year({typed})" if column.type == "DATE" else typed
        what = "the date" if column.type == "DATE" else "the year"
        checks += [
            (
                f"{year} > {last}",
                cells.FUTURE,
                _literal(f"in the future: after the current year {last}"),
            ),
            (
                f"{year} < {first}",
                cells.OUT_OF_WINDOW,
                _literal(before_window_reason(what)),
            ),
        ]
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
