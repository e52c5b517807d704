"""Hostile micro extracts (issue 12): nothing vanishes, nothing unbounded is read, and values
no real extract holds (inf, NaN, year 1) are quarantined, never loaded.

Each file is built in tmp_path at run time; the sizes are the smallest that still trigger the
failure they pin down (DuckDB's 2,000,000-byte line limit, the bounds in
pipelines/readers/limits.py)."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.readers import limits
from pipelines.warehouse import micro
from pipelines.warehouse.loads import LoadError
from pipelines.warehouse.micro import load_micro_files
from pipelines.warehouse.micro_contract import contract
from pipelines.years import FIRST_DATA_YEAR, current_year
from tests.conftest import snapshot

HEADER = [c.name for c in contract("procurement")]
ENTERPRISE_HEADER = [c.name for c in contract("enterprises")]
HEADER_LINE = ",".join(HEADER) + "\n"


def line(**values: str) -> str:
    """One procurement record as a CSV line (values are written as given: quote them yourself)."""
    base = {
        "contract_id": "HT-1",
        "buyer": "某央企",
        "buyer_type": "central_soe",
        "buyer_province": "辽宁",
        "supplier": "某供应商",
        "supplier_province": "江苏",
        "category": "parts",
        "amount": "1250.5",
        "award_date": "2023-05-17",
        "is_innovative_product": "false",
        "is_synthetic": "",
    }
    base.update(values)
    return ",".join(base[column] for column in HEADER) + "\n"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / "procurement" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def loaded(conn) -> list[tuple]:
    return conn.execute(
        "select contract_id, source_row from raw.procurement order by source_row"
    ).fetchall()


def quarantined(conn, domain: str = "procurement") -> list[tuple]:
    return conn.execute(
        f"select source_row, rule, source_column, value_raw, reason from quarantine.{domain}"
        " order by source_row"
    ).fetchall()


def refused(conn, path: Path, domain: str = "procurement") -> LoadError:
    """The LoadError of loading ``path``, after checking that the refusal changed nothing."""
    if domain == "procurement":  # a loaded file first, so there is something to keep
        load_micro_files(
            conn, domain, [write(path.parent.parent, "baseline.csv", HEADER_LINE + line())]
        )
    before = snapshot(conn)
    with pytest.raises(LoadError) as error:
        load_micro_files(conn, domain, [path])
    assert snapshot(conn) == before
    return error.value


# --- part 2: every physical data row is counted from the bytes ------------------------------


def test_ten_million_empty_lines_between_two_rows_do_not_make_the_second_vanish(conn, tmp_path):
    # DuckDB reads a run of empty lines longer than its max_line_size as one "line": past
    # 2,000,000 bytes it either errors or, in parallel mode, silently drops the next record.
    blank = 10_000_000
    path = write(
        tmp_path,
        "blank_lines.csv",
        HEADER_LINE + line(contract_id="HT-1") + "\n" * blank + line(contract_id="HT-2"),
    )
    [load] = load_micro_files(conn, "procurement", [path])
    assert (load.rows, load.rows_quarantined) == (2, 0)
    # source_row is the line an editor shows: header 1, HT-1 on 2, the empty lines, then HT-2.
    assert loaded(conn) == [("HT-1", 2), ("HT-2", 3 + blank)]


def test_a_row_the_parser_drops_refuses_the_load_naming_the_first_missing_row(
    conn, tmp_path, monkeypatch
):
    # The safety net, whatever makes the parser lose a record: here DuckDB is told to skip
    # rows it cannot parse, and silently skips the short row 3.
    monkeypatch.setattr(micro, "_READ_CSV", micro._READ_CSV[:-1] + ", ignore_errors = true)")
    text = HEADER_LINE + line(contract_id="HT-1") + "HT-2,short\n" + line(contract_id="HT-3")
    error = refused(conn, write(tmp_path, "skipped.csv", text))
    [problem] = error.problems
    assert problem.file.endswith("skipped.csv")
    assert problem.row == 3
    assert "holds 3 data rows but the reader read 2" in problem.reason


def test_without_the_line_size_fix_the_empty_lines_refuse_the_file_instead(
    conn, tmp_path, monkeypatch
):
    # With DuckDB's default line limit the record after the run is lost (2 threads) or
    # DuckDB errors (1 thread): either way the load is refused, naming that record's line.
    monkeypatch.setattr(micro, "_duckdb_max_line_size", lambda records: 2_000_000)
    blank = 10_000_000
    path = write(
        tmp_path,
        "vanishing.csv",
        HEADER_LINE + line(contract_id="HT-1") + "\n" * blank + line(contract_id="HT-2"),
    )
    [problem] = refused(conn, path).problems
    assert problem.row == 3 + blank


def test_empty_lines_and_quoted_line_breaks_keep_the_editor_line_numbers(conn, tmp_path):
    text = (
        HEADER_LINE
        + line(contract_id="HT-1", buyer='"两行\n买方"')  # lines 2-3
        + "\n\n"  # lines 4-5
        + line(contract_id="HT-2", amount="-1")  # line 6, quarantined
        + line(contract_id="HT-3", supplier='"12"" monitor, ""quoted"""')  # line 7
        + line(contract_id="HT-4", supplier='12" monitor')  # line 8: a literal quote
    )
    [load] = load_micro_files(conn, "procurement", [write(tmp_path, "lines.csv", text)])
    assert (load.rows, load.rows_quarantined) == (3, 1)
    assert loaded(conn) == [("HT-1", 2), ("HT-3", 7), ("HT-4", 8)]
    assert quarantined(conn)[0][:2] == (6, "below_minimum")
    assert conn.execute(
        "select supplier from raw.procurement where contract_id = 'HT-4'"
    ).fetchone() == ('12" monitor',)


def test_crlf_and_gzip_files_are_counted_the_same_way(conn, tmp_path):
    text = HEADER_LINE + line(contract_id="HT-1") + "\n\n" + line(contract_id="HT-2")
    crlf = write(tmp_path, "crlf.csv", text.replace("\n", "\r\n"))
    gz = write(tmp_path, "blank.csv.gz", gzip.compress(text.encode("utf-8")))
    loads = load_micro_files(conn, "procurement", [crlf, gz])
    assert [(load.rows, load.rows_quarantined) for load in loads] == [(2, 0), (2, 0)]
    assert sorted(loaded(conn)) == [("HT-1", 2), ("HT-1", 2), ("HT-2", 5), ("HT-2", 5)]


def test_a_row_longer_than_the_bound_refuses_the_file(conn, tmp_path):
    # 2.5 MB is past DuckDB's own line limit too: the row used to be silently dropped (a 1 GiB
    # field loaded 0 rows as "header only") or refused with the whole row in the message.
    giant = "x" * 2_500_000
    path = write(tmp_path, "giant.csv", HEADER_LINE + line(buyer=giant) + line(contract_id="HT-2"))
    started = time.monotonic()
    [problem] = refused(conn, path).problems
    assert time.monotonic() - started < 5
    assert problem.row == 2
    assert f"{limits.MAX_ROW_BYTES:,} bytes" in problem.reason
    assert len(str(problem)) < 1_000  # the row itself is not in the message


def test_a_row_just_over_the_bound_is_refused_although_duckdb_would_take_it(conn, tmp_path):
    path = write(
        tmp_path,
        "long.csv",
        HEADER_LINE + line() + line(contract_id="HT-2", buyer="y" * limits.MAX_ROW_BYTES),
    )
    [problem] = refused(conn, path).problems
    assert problem.row == 3
    assert "longer than" in problem.reason


def test_a_run_of_empty_lines_past_the_bound_refuses_the_file(conn, tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_EMPTY_LINE_BYTES", 1_000)
    path = write(
        tmp_path, "gap.csv", HEADER_LINE + line() + "\n" * 1_001 + line(contract_id="HT-2")
    )
    [problem] = refused(conn, path).problems
    assert problem.row == 3
    assert "rows 3-1003" in problem.reason and "empty lines" in problem.reason


# --- part 4: bounded reads ------------------------------------------------------------------


def test_a_header_of_100000_columns_is_refused_quickly(conn, tmp_path):
    extra = "".join(f",x{i}" for i in range(100_000))  # 0.6 MB: under the row bound
    path = write(
        tmp_path,
        "wide.csv",
        HEADER_LINE.rstrip("\n") + extra + "\n" + line().rstrip("\n") + "," * 100_000 + "\n",
    )
    started = time.monotonic()
    [problem] = refused(conn, path).problems
    assert time.monotonic() - started < 5
    assert problem.row == 1
    assert "100,011 columns" in problem.reason and f"{limits.MAX_COLUMNS:,}" in problem.reason


def test_a_header_line_without_end_is_read_only_up_to_the_bound(conn, tmp_path):
    path = write(tmp_path, "no_newline.csv", "contract_id" + "x" * (limits.MAX_ROW_BYTES + 10))
    [problem] = refused(conn, path).problems
    assert problem.row == 1
    assert "header" in problem.reason and "longer than" in problem.reason


def test_a_parquet_file_with_too_many_columns_is_refused(conn, tmp_path):
    columns = {name: ["x"] for name in HEADER}
    columns.update({f"extra_{i}": ["x"] for i in range(limits.MAX_COLUMNS)})
    path = tmp_path / "procurement" / "wide.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    [problem] = refused(conn, path).problems
    assert "columns" in problem.reason and f"{limits.MAX_COLUMNS:,}" in problem.reason


# --- part 5: bad values that used to load ---------------------------------------------------


def test_non_finite_numbers_are_quarantined_not_loaded_as_inf(conn, tmp_path):
    values = ["1e400", "9" * 400, "inf", "-Infinity", "NaN", "-1e400"]
    text = (
        HEADER_LINE
        + "".join(line(contract_id=f"HT-{i}", amount=value) for i, value in enumerate(values))
        + line(contract_id="HT-ok", amount="1.7e308")
    )
    [load] = load_micro_files(conn, "procurement", [write(tmp_path, "inf.csv", text)])
    assert (load.rows, load.rows_quarantined) == (1, len(values))
    rows = quarantined(conn)
    assert [(r[1], r[2], r[3]) for r in rows] == [("not_finite", "amount", v) for v in values]
    assert "not a finite number" in rows[0][4]
    assert conn.execute(
        "select count(*) from raw.procurement where not isfinite(amount)"
    ).fetchone() == (0,)


def test_dates_and_years_outside_the_window_are_quarantined(conn, tmp_path):
    text = (
        HEADER_LINE
        + line(contract_id="HT-1", award_date="0001-01-01")
        + line(contract_id="HT-2", award_date=f"{FIRST_DATA_YEAR - 1}-12-31")
        + line(contract_id="HT-3", award_date=f"{FIRST_DATA_YEAR}-01-01")
        + line(contract_id="HT-4", award_date=f"{current_year() + 1}-01-01")
    )
    [load] = load_micro_files(conn, "procurement", [write(tmp_path, "dates.csv", text)])
    assert loaded(conn) == [("HT-3", 4)]
    rows = quarantined(conn)
    assert [(r[0], r[1], r[3]) for r in rows] == [
        (2, "out_of_window", "0001-01-01"),
        (3, "out_of_window", f"{FIRST_DATA_YEAR - 1}-12-31"),
        (5, "future", f"{current_year() + 1}-01-01"),
    ]
    assert f"before {FIRST_DATA_YEAR}" in rows[0][4]
    assert "in the future" in rows[2][4]


def test_an_enterprise_year_1800_is_out_of_the_window(conn, tmp_path):
    record = {
        "credit_code": "91210000000000000X",
        "year": "1800",
        "name": "某企业",
        "province": "辽宁",
        "industry_code": "3411",
        "ownership": "private",
        "is_high_tech": "false",
        "has_rd_activity": "false",
        "employees": "10",
        "revenue": "100",
    }
    text = (
        ",".join(ENTERPRISE_HEADER)
        + "\n"
        + ",".join(record.get(column, "") for column in ENTERPRISE_HEADER)
        + "\n"
    )
    path = tmp_path / "enterprises" / "old.csv"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    load_micro_files(conn, "enterprises", [path])
    [row] = quarantined(conn, "enterprises")
    assert row[1:4] == ("out_of_window", "year", "1800")


@pytest.mark.parametrize(
    "columns, named",
    [
        (["amount", "amount"], "amount"),
        (["amount", "Amount"], "Amount"),
        (["amount", " AMOUNT "], "AMOUNT"),
    ],
)
def test_a_repeated_column_refuses_the_load_with_a_readable_message(conn, tmp_path, columns, named):
    header = [c for c in HEADER if c != "amount"] + columns
    row = line().rstrip("\n").split(",")
    row = [v for c, v in zip(HEADER, row, strict=True) if c != "amount"] + ["1", "2"]
    path = write(tmp_path, "twice.csv", ",".join(header) + "\n" + ",".join(row) + "\n")
    [problem] = refused(conn, path).problems
    assert problem.row == 1
    assert problem.column == named
    assert "appears twice" in problem.reason
    assert "Binder Error" not in str(problem)


def test_a_parquet_column_repeated_in_another_case_refuses_the_load(conn, tmp_path):
    columns = {name: ["x"] for name in HEADER}
    path = tmp_path / "procurement" / "twice.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.table(columns).append_column("Amount", pa.array(["2"]))
    pq.write_table(table, path)
    [problem] = refused(conn, path).problems
    assert "appears twice" in problem.reason and "Amount" in str(problem)


def test_a_byte_order_mark_inside_the_file_is_not_kept_in_a_value(conn, tmp_path):
    # Two UTF-8-BOM extracts joined with `cat` leave a BOM at the start of a data line.
    text = HEADER_LINE + line(contract_id="HT-1") + "\ufeff" + line(contract_id="HT-2")
    text += "\ufeff" + line(contract_id="HT-1")
    load_micro_files(conn, "procurement", [write(tmp_path, "joined.csv", text)])
    assert loaded(conn) == [("HT-1", 2), ("HT-2", 3)]
    # HT-1 again is a repeat, not a new key hidden behind an invisible character.
    [row] = quarantined(conn)
    assert row[:3] == (4, "duplicate_key", "contract_id")


def test_a_quoted_first_field_after_a_byte_order_mark_is_unquoted(conn, tmp_path):
    text = HEADER_LINE + "\ufeff" + line(contract_id='"HT-""1"""')
    load_micro_files(conn, "procurement", [write(tmp_path, "joined.csv", text)])
    assert loaded(conn) == [('HT-"1"', 2)]


def test_a_malformed_row_after_an_empty_line_is_refused_with_its_line(conn, tmp_path):
    text = HEADER_LINE + line() + "\n\n" + "HT-2,short\n" + line(contract_id="HT-3")
    [problem] = refused(conn, write(tmp_path, "ragged.csv", text)).problems
    assert "truncated or malformed CSV" in problem.reason
    assert problem.row == 5  # DuckDB counts the empty lines too


def test_many_rows_with_quoted_line_breaks_load_quickly_with_their_lines(conn, tmp_path):
    # Every row moves the line numbers on by one: 50,000 shifts to apply, not a slow join.
    rows = 50_000
    text = HEADER_LINE + "".join(
        line(contract_id=f"HT-{i}", buyer='"两行\n买方"') for i in range(rows)
    )
    started = time.monotonic()
    [load] = load_micro_files(conn, "procurement", [write(tmp_path, "multiline.csv", text)])
    assert time.monotonic() - started < 10
    assert load.rows == rows
    assert conn.execute(
        "select min(source_row), max(source_row) from raw.procurement"
    ).fetchall() == [(2, 2 * rows)]


# --- part 6: damaged files and refusals safe to log (benchmarks/fuzz_campaign.py) -----------


def test_a_damaged_gzip_file_is_refused_naming_the_damage(conn, tmp_path):
    damaged = bytearray(gzip.compress((HEADER_LINE + line()).encode("utf-8")))
    damaged[10] ^= 0xFF  # the first byte of the deflate stream
    path = write(tmp_path, "damaged.csv.gz", bytes(damaged))
    [problem] = refused(conn, path).problems
    assert problem.file.endswith("damaged.csv.gz")
    assert "the gzip stream is damaged" in problem.reason
    assert problem.reason.endswith("re-copy or re-compress it")


def test_control_characters_quoted_from_the_file_are_escaped_in_the_refusal(conn, tmp_path):
    # DuckDB quotes the malformed line (`Original Line: …`) with its ESC and BEL.
    text = HEADER_LINE + line() + "HT-2,\x1b[31mred\x07,short\n"
    error = refused(conn, write(tmp_path, "escapes.csv", text))
    [problem] = error.problems
    assert "\x1b" in problem.reason  # the problem keeps what DuckDB said
    for message in (str(error), str(problem)):
        assert "\x1b" not in message and "\x07" not in message
        assert "\\x1b[31mred\\x07" in message


def test_a_library_message_with_control_characters_is_escaped_in_the_refusal():
    # Parquet's thrift errors end in the byte they could not read (\x0e here).
    problem = micro.Problem("x.parquet", None, None, None, "don't know what type: \x0e\n")
    message = str(LoadError([problem]))
    assert "\x0e" not in message
    assert "don't know what type: \\x0e" in message


def test_a_header_with_text_after_a_closing_quote_is_refused_as_a_header_problem(conn, tmp_path):
    # Python's lenient csv reads `"is_synthetic"x` as a column, DuckDB then no row at all:
    # the row-count check used to blame row 2 and ask for the file to be reported.
    header = HEADER_LINE.rstrip("\n").replace("is_synthetic", '"is_synthetic"x') + "\n"
    [problem] = refused(conn, write(tmp_path, "quote.csv", header + line())).problems
    assert problem.row == 1
    assert "the header line could not be parsed" in problem.reason
    assert "please report" not in problem.reason
