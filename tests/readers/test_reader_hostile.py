"""Hostile province-year files (issue 12): bounded reads of workbooks and wide files, one year
window, and numbers that are not finite. Every file is built in tmp_path at run time."""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest

from pipelines.readers import SourceError, limits, read_province_year_file
from pipelines.years import FIRST_DATA_YEAR, current_year


def tidy_xlsx(extra_cells: dict[str, object] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["province", "year", "gdp"], ["辽宁", 2023, 30209.4]):
        sheet.append(row)
    for cell, value in (extra_cells or {}).items():
        sheet[cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_entry(xlsx: bytes, name: str, size: int) -> bytes:
    """The workbook with one more zip entry of ``size`` zero bytes (it compresses ~1000:1)."""
    out = io.BytesIO(xlsx)
    with zipfile.ZipFile(out, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(name, "w", force_zip64=True) as entry:
            block = bytes(1 << 20)
            for _ in range(size >> 20):
                entry.write(block)
    return out.getvalue()


def test_a_normal_xlsx_still_reads(write_file):
    read = read_province_year_file(write_file("gdp.xlsx", tidy_xlsx()))
    assert read.observations[["year", "value"]].values.tolist() == [[2023, 30209.4]]


def test_an_xlsx_that_unpacks_past_the_bound_is_refused_by_its_declared_size(write_file):
    bomb = with_entry(
        tidy_xlsx(), "xl/media/padding.bin", limits.MAX_XLSX_UNPACKED_BYTES + (1 << 20)
    )
    assert len(bomb) < limits.MAX_XLSX_UNPACKED_BYTES // 100  # small on disk
    started = time.monotonic()
    with pytest.raises(SourceError, match="unpacks to") as refused:
        read_province_year_file(write_file("bomb.xlsx", bomb))
    assert time.monotonic() - started < 5
    assert f"{limits.MAX_XLSX_UNPACKED_BYTES:,} bytes" in refused.value.reason


def test_an_xlsx_wider_than_the_column_bound_is_refused(write_file):
    column = openpyxl.utils.get_column_letter(limits.MAX_COLUMNS + 1)
    wide = tidy_xlsx({f"{column}1": "x"})
    with pytest.raises(SourceError, match="columns") as refused:
        read_province_year_file(write_file("wide.xlsx", wide))
    assert f"{limits.MAX_COLUMNS:,}" in refused.value.reason


def test_a_sheet_whose_dimensions_span_millions_of_cells_is_refused_quickly(write_file):
    # Two cells, A1 and Z1048576: iterating the sheet would yield 27 million empty cells.
    sparse = tidy_xlsx({"Z1048576": "x"})
    started = time.monotonic()
    with pytest.raises(SourceError, match="cells"):
        read_province_year_file(write_file("sparse.xlsx", sparse))
    assert time.monotonic() - started < 5


def test_a_csv_of_100000_columns_is_refused_quickly(write_file):
    text = "province,year," + ",".join(f"m{i}" for i in range(100_000)) + "\n辽宁,2023\n"
    started = time.monotonic()
    with pytest.raises(SourceError, match="columns") as refused:
        read_province_year_file(write_file("wide_2023.csv", text))
    assert time.monotonic() - started < 5
    assert refused.value.row == 1
    assert f"100,002 columns, more than the {limits.MAX_COLUMNS:,}" in refused.value.reason


def test_year_1800_is_out_of_the_window(write_file):
    text = (
        "province,year,metric,value\n"
        "辽宁,1800,gdp,1\n"
        f"辽宁,{FIRST_DATA_YEAR - 1},gdp,2\n"
        f"辽宁,{FIRST_DATA_YEAR},gdp,3\n"
        f"辽宁,{current_year() + 1},gdp,4\n"
    )
    read = read_province_year_file(write_file("long.csv", text), bad_cells="reject")
    assert read.observations["year"].tolist() == [FIRST_DATA_YEAR]
    assert read.rejected[["source_row", "rule", "value_raw"]].values.tolist() == [
        [2, "out_of_window", "1800"],
        [3, "out_of_window", str(FIRST_DATA_YEAR - 1)],
        [5, "future", str(current_year() + 1)],
    ]
    assert f"before {FIRST_DATA_YEAR}" in read.rejected["reason"][0]


def test_an_nbs_year_column_1800_is_out_of_the_window(write_file):
    lines = [
        "数据库：分省年度数据",
        "指标：地区生产总值(亿元)",
        "地区,2023年,1800年",
        "北京市,43760.7,1",
    ]
    data = ("\r\n".join(lines) + "\r\n").encode("gbk")
    read = read_province_year_file(write_file("gdp.csv", data), bad_cells="reject")
    assert read.observations["year"].tolist() == [2023]
    assert read.rejected[["source_column", "rule"]].values.tolist() == [["1800年", "out_of_window"]]


@pytest.mark.parametrize("cell", ["1e400", "9" * 400, "inf", "-inf", "Infinity", "nan", "NaN"])
def test_a_number_that_is_not_finite_is_rejected(write_file, cell):
    text = f"province,year,gdp\n辽宁,2023,{cell}\n吉林,2023,13531.2\n"
    read = read_province_year_file(write_file("gdp.csv", text), bad_cells="reject")
    assert read.observations["value"].tolist() == [13531.2]
    [rejection] = read.rejected.to_dict("records")
    assert (rejection["rule"], rejection["value_raw"]) == ("not_finite", cell)
    assert "not a finite number" in rejection["reason"]


@pytest.mark.parametrize("second", ["value", "Value", " VALUE "])
def test_a_repeated_column_refuses_the_file(write_file, second):
    text = f"province,year,metric,value,{second}\n辽宁,2023,gdp,1,2\n"
    with pytest.raises(SourceError, match="appears twice") as refused:
        read_province_year_file(write_file("long.csv", text))
    assert refused.value.row == 1
    assert refused.value.column == second.strip()


def test_a_province_year_file_past_the_size_bound_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "分省年度数据.csv"
    with huge.open("wb") as sparse:  # no disk blocks: reading it would still take seconds
        sparse.truncate(limits.MAX_PROVINCE_YEAR_FILE_BYTES + 1)
    started = time.monotonic()
    with pytest.raises(SourceError, match="split it into several files") as refused:
        read_province_year_file(huge)
    assert time.monotonic() - started < 1
    size = limits.MAX_PROVINCE_YEAR_FILE_BYTES + 1
    assert refused.value.file == "分省年度数据.csv"
    assert f"is {size:,} bytes" in refused.value.reason
    assert f"the {limits.MAX_PROVINCE_YEAR_FILE_BYTES:,} bytes" in refused.value.reason


# --- damaged workbooks, long tables without a year, refusals safe to log (fuzz_campaign.py) --

SHEET = "xl/worksheets/sheet1.xml"


def with_sheet_byte_flipped(xlsx: bytes) -> bytes:
    """The workbook with the first byte of the sheet's compressed data flipped."""
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        offset = archive.getinfo(SHEET).header_offset
    name_and_extra = int.from_bytes(xlsx[offset + 26 : offset + 28], "little") + int.from_bytes(
        xlsx[offset + 28 : offset + 30], "little"
    )
    damaged = bytearray(xlsx)
    damaged[offset + 30 + name_and_extra] ^= 0xFF
    return bytes(damaged)


def with_sheet_cut_in_half(xlsx: bytes) -> bytes:
    """The workbook zipped again with the first half of the sheet's XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            part = source.read(entry)
            target.writestr(entry, part[: len(part) // 2] if entry.filename == SHEET else part)
    return out.getvalue()


@pytest.mark.parametrize(
    "damage, said",
    [
        (with_sheet_byte_flipped, f"the part {SHEET} of the workbook is damaged"),
        (with_sheet_cut_in_half, "ParseError"),
    ],
)
def test_a_damaged_xlsx_is_refused_naming_the_damage_and_the_fix(write_file, damage, said):
    with pytest.raises(SourceError) as refused:
        read_province_year_file(write_file("gdp.xlsx", damage(tidy_xlsx())))
    assert refused.value.file == "gdp.xlsx"
    assert said in refused.value.reason
    assert "save it again" in refused.value.reason
    assert refused.value.__cause__ is not None


@pytest.mark.parametrize(
    "damage, said",
    [
        (lambda xls: xls[:512] + bytes([xls[512] ^ 0xFF]) + xls[513:], "AssertionError"),
        (lambda xls: xls[:514] + bytes([xls[514] ^ 0xFF]) + xls[515:], "ParseError"),
        (lambda xls: xls[:766] + bytes([xls[766] ^ 0xFF]) + xls[767:], "KeyError"),
        (lambda xls: xls[:5_410], "struct.error"),
    ],
    ids=["byte 512", "byte 514", "byte 766", "cut at 5,410 bytes"],
)
def test_a_damaged_xls_is_refused_with_the_library_message(
    write_file, capfd, nbs_xls_fixture, damage, said
):
    with pytest.raises(SourceError) as refused:
        read_province_year_file(write_file("gdp.xls", damage(nbs_xls_fixture.read_bytes())))
    assert refused.value.file == "gdp.xls"
    assert said in refused.value.reason
    assert "damaged or not an Excel 97-2003 workbook" in refused.value.reason
    assert refused.value.__cause__ is not None  # the library's own error, for a traceback
    assert capfd.readouterr().out == ""  # xlrd's warnings are not printed


def test_a_long_table_without_a_year_column_is_refused_naming_it(write_file):
    with pytest.raises(SourceError, match="needs a year column") as refused:
        read_province_year_file(write_file("long.csv", "province,metric,value\n辽宁,gdp,1\n"))
    assert refused.value.row == 1
    assert "saw 'province', 'metric', 'value'" in refused.value.reason


def test_a_release_date_outside_the_window_rejects_its_row(write_file):
    text = (
        "province,year,metric,value,release_date\n"
        "辽宁,2021,gdp,1,9999-12-31\n"
        "辽宁,2022,gdp,2,0001-01-01\n"
        "辽宁,2023,gdp,3,2024-03-01\n"
    )
    read = read_province_year_file(write_file("long.csv", text), bad_cells="reject")
    assert read.observations["year"].tolist() == [2023]
    assert read.rejected[["source_row", "source_column", "rule", "value_raw"]].values.tolist() == [
        [2, "release_date", "future", "9999-12-31"],
        [3, "release_date", "out_of_window", "0001-01-01"],
    ]


def test_a_refusal_quotes_at_most_200_characters_of_a_line(write_file):
    line = "x" * 100_000
    text = f"数据库：分省年度数据\n{line}\n地区,2023年\n北京市,1\n"
    with pytest.raises(SourceError, match="unexpected line") as refused:
        read_province_year_file(write_file("gdp.csv", text))
    assert refused.value.value == line  # the error keeps the whole line
    assert len(str(refused.value)) < 500
    assert f"'{'x' * 200}'… (100,000 characters)" in str(refused.value)


def test_control_characters_in_a_refusal_are_escaped(write_file):
    with pytest.raises(SourceError) as refused:
        read_province_year_file(write_file("gdp\x07.csv", "province,\x1b[2Jmetric,value\n"))
    assert "\x1b" not in str(refused.value) and "\x07" not in str(refused.value)
    assert refused.value.file == "gdp\x07.csv"
