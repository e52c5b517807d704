"""S&T Yearbook province tables (中国科技统计年鉴, one table per workbook as CNKI serves them),
on fixture workbooks written here in the layouts of realdata/sci_tech_yearbook/README.md.

Each fixture is a list of sheet rows; the comment on a row is its sheet row number. Values are
taken from the real files; expected values are worked out by hand from the rows next to each
test (1 亿元 = 10 000 万元).
"""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile

from pipelines.readers import OBSERVATION_COLUMNS, SourceError, read_province_year_file
from pipelines.readers.grids import EXCEL_DEFAULT_PASSWORD, Grid, GridRow
from pipelines.readers.observations import SourceFile
from pipelines.readers.yearbook import read_yearbook_table

# --- helpers ------------------------------------------------------------------------------

CNKI_STAMP = [["中国知网 CNKI 中国经济社会大数据研究平台"], ["下载时间", "2024-05-01"]]


def workbook(rows: list[list], *, sheet: str = "1", cnki_stamp: bool = True) -> bytes:
    """An .xlsx holding ``rows`` from A1 on (None: an empty cell, []: an empty row), with the
    download stamp sheet CNKI adds as the second sheet."""
    book = openpyxl.Workbook()
    table = book.active
    table.title = sheet
    for row in rows:
        table.append(row)
    if cnki_stamp:
        stamp = book.create_sheet("CNKI")
        for row in CNKI_STAMP:
            stamp.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def encrypted(data: bytes, password: str = EXCEL_DEFAULT_PASSWORD) -> bytes:
    out = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, out)
    return out.getvalue()


def catalog(folder: Path, *lines: str) -> Path:
    """A yearbook_tables.csv of its own (one folder per catalog: the reader caches by path)."""
    path = folder / "yearbook_tables.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "table,title,column,metric,unit,note\n" + "".join(f"{line}\n" for line in lines)
    )
    return path


def values(read) -> dict[tuple[str, int, str], float]:
    return {
        (row.area_code, row.year, row.metric): row.value for row in read.observations.itertuples()
    }


def one(read, area_code: str, year: int, metric: str):
    obs = read.observations
    hit = obs[(obs["area_code"] == area_code) & (obs["year"] == year) & (obs["metric"] == metric)]
    assert len(hit) == 1, f"{len(hit)} rows for {area_code} {year} {metric}"
    return hit.iloc[0]


# --- fixtures in the real layouts ---------------------------------------------------------

# 1-14 of the 2024 edition: bilingual header cells with embedded line breaks, the funds as
# children on the row below their parent (no '#': parts, but catalogued columns of their own).
RD_FUNDS_TITLE_2023 = "1-14 各地区按资金来源分研究与试验发展(R&D)经费内部支出(2023年)"
RD_FUNDS_NAME = "各地区按资金来源分研究与试验发展(R&D)经费内部支出"
RD_FUNDS_TITLE_2013 = f"1-14{RD_FUNDS_NAME}(2013年)"
RD_FUNDS_2023 = [
    [RD_FUNDS_TITLE_2023],  # 1
    ["Intramural Expenditure on R&D by Region and Sources(2023)"],  # 2
    ["单位:万元"],  # 3
    ["(10 000 yuan)"],  # 4
    ["地区", "Region", "R&D经费\n内部支出\nTotal", None, None],  # 5
    [None, None, None, "政府资金\nGovernment\nFunds", "企业资金\nEnterprises\nFunds"],  # 6
    ["全国", "National Total", "333570688", "56933876", "264436960"],  # 7
    ["东北地区", "Northeast Region", "11159722", "3223370", "7557384"],  # 8
    ["辽宁", "Liaoning", "6764433", "1613908", "5009351"],  # 9
    ["吉林", "Jilin", "2102377", "819388", "1234593"],  # 10
]
RD_FUNDS_2023_VALUES = {
    ("000000", 2023, "rd_expenditure"): 33357.0688,
    ("000000", 2023, "rd_expenditure_government"): 5693.3876,
    ("000000", 2023, "rd_expenditure_enterprise"): 26443.6960,
    ("CN-NORTHEAST", 2023, "rd_expenditure"): 1115.9722,
    ("CN-NORTHEAST", 2023, "rd_expenditure_government"): 322.3370,
    ("CN-NORTHEAST", 2023, "rd_expenditure_enterprise"): 755.7384,
    ("210000", 2023, "rd_expenditure"): 676.4433,
    ("210000", 2023, "rd_expenditure_government"): 161.3908,
    ("210000", 2023, "rd_expenditure_enterprise"): 500.9351,
    ("220000", 2023, "rd_expenditure"): 210.2377,
    ("220000", 2023, "rd_expenditure_government"): 81.9388,
    ("220000", 2023, "rd_expenditure_enterprise"): 123.4593,
}

# 1-4 of the 2014 edition: a chapter line above the title, one header cell holding Chinese
# and English, the '#' child on the next row, a full-width colon in the unit line.
PERSONNEL_2013 = [
    ["一、综合"],  # 1
    ["1-4各地区研究与试验发展(R&D)人员全时当量(2013年)"],  # 2
    ["Full-time Equivalent of R&D Personnel by Region (2013)"],  # 3
    ["单位：人年"],  # 4
    ["(man-year)"],  # 5
    ["地区", "Region", "R&D人员\n全时当量\nTotal", None, None],  # 6
    [None, None, None, "#研究人员\nResearchers", "基础研究\nBasic\nResearch"],  # 7
    ["全国", "National Total", "3532817", "1484040", "223192"],  # 8
    ["辽宁", "Liaoning", "94885", "51873", "8392"],  # 9
    ["吉林", "Jilin", "48008", "27247", "7686"],  # 10
]

# 1-4 of the 2011 edition: the same words split over four header rows, the unit in Chinese
# and English on one line, numeric cells, padded names and English names with leading spaces.
PERSONNEL_2010 = [
    ["1-4  各地区研究与试验发展(R&D)人员全时当量(2010年)"],  # 1
    ["Full-time Equivalent of R&D Personnel by Region (2010)"],  # 2
    [],  # 3
    ["单位：人年", "(man-year)"],  # 4
    ["地    区", "Region", "R&D人员", None, None],  # 5
    [None, None, "全时当量", "#研究人员", "基础研究"],  # 6
    [None, None, "Total", "Researchers", "Basic"],  # 7
    [None, None, None, None, "Research"],  # 8
    ["全    国", "  National Total", 2553828.8, 1210840.8, 173683.2],  # 9
    ["辽    宁", "  Liaoning", 84653.8, 50133.5, 7666.2],  # 10
    ["吉    林", "  Jilin", 45313.1, 29580.9, 6750.7],  # 11
]

# 2-14 of the 2021 edition: 'R&D经费' / '内部支出' / 'Intramural' / 'Expenditure' on separate
# rows, a '#' child whose words are split too ('#试验发展' / '支出'), the English unit in the
# last column of the unit line, an empty row below the header and a spacer row in the data.
INDUSTRIAL_RD_2020 = [
    ["2-14  各地区规上工业企业R&D经费内部支出(2020年)"],  # 1
    ["Intramural Expenditure on R&D in Industrial Enterprises above Designated Size by Region"],
    [],  # 3
    ["单位：万元 ", None, None, None, None, None, "(10 000 yuan)"],  # 4
    ["地    区", "Region", "R&D经费", None, None, None, None],  # 5
    [None, None, "内部支出", "#试验发展", "日常性支出", None, "政府资金"],  # 6
    [None, None, "Intramural", "支出", None, "#人员劳务费", None],  # 7
    [None, None, "Expenditure", "Experimental", "Routine", "Labor Cost", "Government"],  # 8
    [None, None, "on R&D", "Development", "Expenses", None, "Funds"],  # 9
    [],  # 10
    ["全    国", " National Total", 152712904.9, 148108197.1, 141217920.4, 48521061.5, 4189938.3],
    [None, "   ", None, None, None, None, None],  # 12
    ["辽    宁", " Liaoning", 3353222.3, 3239205.7, 3218415.0, 793204.8, 186117.0],  # 13
]

# 5-2 of the 2019 edition: '单位:个,亿元', the enterprise count's unit in its header.
HIGH_TECH_HEADER_2018 = [
    "地 区",
    "Region",
    "企业数\n(个)\nNumber of\nEnter-prises\n(unit)",
    "营业\n收入\nRevenue from\nPrincipal Business",
    "利 润\n总 额\nProfits",
]


def high_tech_2018(unit_line: str, header: list[str] = HIGH_TECH_HEADER_2018) -> list[list]:
    return [
        ["5-2 各地区高技术产业生产经营情况(2018年)"],  # 1
        ["Statistics on Production and Management in High-tech Industry by Region(2018)"],  # 2
        [unit_line],  # 3
        ["(unit,100 million yuan)"],  # 4
        header,  # 5
        ["全 国", "National Total", "33573", "157001", "10293"],  # 6
        ["辽 宁", "Liaoning", "456", "1825", "246"],  # 7
    ]


# 5-4 of the 2023 edition: the table continues below itself ('5-4续表' / 'continued'), here
# with a unit line of its own and headers without units.
HIGH_TECH_RD_BELOW = [
    ["5-4 各地区高技术产业R&D活动及相关情况(2022年)"],  # 1
    ["Statistics on R&D Activities and Relatives in High-tech Industry by Region(2022)"],  # 2
    ["单位:万元"],  # 3
    ["(10 000 yuan)"],  # 4
    ["地 区", "Region", "R&D经费\n内部支出\nIntramual\nEpenditure\non R&D", "新产品\n销售收入"],
    [None, None, None, None, "#出口\nExport"],  # 6
    ["全 国", "National Total", "65077304", "875482574", "279392077"],  # 7
    ["辽 宁", "Liaoning", "1136607", "11851065", "1274304"],  # 8
    [],  # 9
    [],  # 10
    ["5-4续表"],  # 11
    ["continued"],  # 12
    ["单位:件"],  # 13
    ["(piece)"],  # 14
    ["地 区", "Region", "专 利\n申请数\nPatent\nApplications", None],  # 15
    [None, None, None, "#发明专利\nInventions"],  # 16
    ["全 国", "National Total", "434039", "223501"],  # 17
    ["辽 宁", "Liaoning", "3914", "1923"],  # 18
]

# 5-4 of the 2019 edition: the continued part beside the first (its 地区 / Region pair in
# columns F-G), one row higher, without a unit line: every header states its unit, the '#'
# children none (they are in their parent's).
HIGH_TECH_RD_BESIDE = [
    ["5-4 各地区高技术产业R&D活动 及相关情况(2018年)", None, None, None, None, "5-4续表"],  # 1
    ["Statistics on R&D Activities (2018)", None, None, None, None, "continued"],  # 2
    [
        "单位:万元",
        None,
        None,
        None,
        None,
        "地 区",
        "Region",
        "新产品\n销售收入\n(万元)\nSales Revenue",
        None,
        "专 利\n申请数\n(件)\nPatent\nApplications\n(piece)",
        None,
    ],  # 3
    ["(10 000 yuan)", None, None, None, None, None, None, None, "#出口\nExport", None, "#发明专利"],
    [
        "地 区",
        "Region",
        "研 发\n机构数\n(个)\nR&D\nInstitutions\n(unit)",
        "R&D经费\n内部支出\n(万元)\nIntramual\nExpenditure",
        None,
        "全 国",
        "National Total",
        "568941517",
        "193320485",
        "264736",
        "137633",
    ],  # 5
    ["全 国", "National Total", "16052", "35591155", None, "辽 宁", "Liaoning", "7372774"]
    + ["657324", "3573", "2155"],  # 6
    ["辽 宁", "Liaoning", "208", "569345"],  # 7
]

# 1-8: years as columns, no year in the title.
RD_INTENSITY_TITLE = "1-8 各地区研究与试验发展(R&D)经费投入强度"


def rd_intensity(years: list, rows: list[list], footnotes: list[str] = ()) -> list[list]:
    return [
        [RD_INTENSITY_TITLE],  # 1
        ["The R&D Expenditure Input Intensity by Region"],  # 2
        ["单位:%"],  # 3
        ["(%)"],  # 4
        ["地 区", "Region", *years],  # 5
        *rows,  # 6 on
        *([note] for note in footnotes),
    ]


# 7-9 of the 2015 edition: an OCR slip (四藏), padding, Hong Kong after the provinces.
PATENTS_2014 = [
    ["7-9 国内三种专利有效数按地区分布(2014年)"],  # 1
    ["Three Kinds of Domestic Patents in Force by Region (2014)"],  # 2
    ["单位：件"],  # 3
    ["(piece)"],  # 4
    ["地区", "Region", "合计\nTotal", None, None, None],  # 5
    [None, None, None, "发明\nInvention", "实用新型\nUtility Model", "外观设计\nDesign"],  # 6
    ["全 国", "National Total", "4032362", "708690", "2265224", "1058448"],  # 7
    ["辽    宁", "  Liaoning", "80089", "18417", "53582", "8090"],  # 8
    ["四藏", "  Tibet", "588", "261", "128", "199"],  # 9
    ["香港", "Hongkong", "13578", "3437", "3703", "6438"],  # 10
]


# --- 1. encryption ------------------------------------------------------------------------


def test_workbook_encrypted_with_excels_default_key_reads_as_the_plain_one(write_file):
    plain_bytes = workbook(RD_FUNDS_2023)
    plain = read_province_year_file(write_file("plain/raw-2023.xlsx", plain_bytes))
    locked_bytes = encrypted(plain_bytes)
    assert locked_bytes[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE2 container now
    locked = read_province_year_file(write_file("locked/raw-2023.xlsx", locked_bytes))
    assert locked.reader == plain.reader == "yearbook_xlsx"
    assert locked.observations.equals(plain.observations)
    assert values(locked) == RD_FUNDS_2023_VALUES
    decrypted = "decrypted: the workbook was encrypted with Excel's default read-only password"
    assert locked.notes == [decrypted, *plain.notes]
    assert decrypted not in plain.notes


def test_workbook_with_a_password_of_its_own_is_refused(write_file):
    path = write_file("raw-2023.xlsx", encrypted(workbook(RD_FUNDS_2023), password="secret"))
    with pytest.raises(SourceError) as caught:
        read_province_year_file(path)
    assert caught.value.file == "raw-2023.xlsx"
    assert "password of its own" in str(caught.value)
    assert "save it without one" in str(caught.value)


# --- 2. edition, vintage, release date ----------------------------------------------------


@pytest.mark.parametrize(
    ("preamble", "year", "edition"),
    [
        # no chapter line: the data year + 1 (the 2023 table is in the 2024 yearbook)
        ([RD_FUNDS_TITLE_2023], 2023, 2024),
        # a chapter line above the title is neither title nor edition
        (["一、综合", RD_FUNDS_TITLE_2013], 2013, 2014),
        # the 2013 files' edition line
        (["中国科技统计年鉴—2014", RD_FUNDS_TITLE_2013], 2013, 2014),
        # an edition line is taken at its word, not recomputed from the data year
        (["中国科技统计年鉴—2015", RD_FUNDS_TITLE_2013], 2013, 2015),
    ],
)
def test_vintage_is_the_yearbook_edition(write_file, mapping_file, preamble, year, edition):
    rows = [[line] for line in preamble] + RD_FUNDS_2023[1:]
    read = read_province_year_file(
        write_file("raw.xlsx", workbook(rows)), file_metrics=mapping_file()
    )
    obs = read.observations
    assert set(obs["year"]) == {year}
    assert set(obs["vintage"]) == {f"中国科技统计年鉴{edition}"}
    assert set(obs["release_date"]) == {date(edition, 12, 31)}
    title = preamble[-1]
    assert set(obs["citation"]) == {
        f"中国科技统计年鉴{edition} (China Statistical Yearbook on Science and Technology "
        f"{edition}), table {title!r}"
    }
    assert f"yearbook table rd_expenditure_by_source ({RD_FUNDS_NAME})" in read.notes
    assert len(obs) == 12


def test_mapping_file_gives_the_release_date_of_a_download(write_file, mapping_file):
    mapping = mapping_file("rd_funds_*.xlsx,,,,2025-03-01,downloaded from CNKI on 2025-03-01")
    read = read_province_year_file(
        write_file("rd_funds_2023.xlsx", workbook(RD_FUNDS_2023)), file_metrics=mapping
    )
    obs = read.observations
    assert set(obs["release_date"]) == {date(2025, 3, 1)}
    assert set(obs["vintage"]) == {"中国科技统计年鉴2024"}  # the edition, still
    assert set(obs["citation"]) == {
        "中国科技统计年鉴2024 (China Statistical Yearbook on Science and Technology 2024), "
        f"table {RD_FUNDS_TITLE_2023!r}; downloaded from CNKI on 2025-03-01"
    }
    # a row for other files changes nothing
    other = mapping_file("other_*.xlsx,,,,2025-03-01,")
    read = read_province_year_file(
        write_file("rd_funds_2023.xlsx", workbook(RD_FUNDS_2023)), file_metrics=other
    )
    assert set(read.observations["release_date"]) == {date(2024, 12, 31)}


# --- 3. bilingual title and units ---------------------------------------------------------


def test_bilingual_table_in_wan_yuan_is_converted_to_the_catalog_unit(write_file):
    read = read_province_year_file(write_file("raw-2023.xlsx", workbook(RD_FUNDS_2023)))
    assert values(read) == RD_FUNDS_2023_VALUES  # 333 570 688 万元 = 33 357.0688 亿元
    national = one(read, "000000", 2023, "rd_expenditure")
    assert (national["value_raw"], national["unit_raw"], national["unit"]) == (
        "333570688",
        "万元",
        "亿元",
    )
    assert national["area_level"] == "national"
    assert one(read, "CN-NORTHEAST", 2023, "rd_expenditure")["area_level"] == "region"
    # the English title and the English unit line are neither title nor data
    assert read.observations["source_row"].min() == 7


# --- 4. multi-row headers, '#' children ----------------------------------------------------

PERSONNEL_COLUMNS = {
    "rd_personnel_fte": "C R&D人员全时当量",
    "rd_researchers_fte": "D R&D人员全时当量/#研究人员",
    "rd_fte_basic_research": "E 基础研究",
}


def test_header_words_in_one_cell_with_line_breaks(write_file):
    read = read_province_year_file(write_file("raw-2013.xlsx", workbook(PERSONNEL_2013)))
    obs = read.observations
    assert dict(zip(obs["metric"], obs["source_column"], strict=True)) == PERSONNEL_COLUMNS
    assert values(read) == {
        ("000000", 2013, "rd_personnel_fte"): 3532817.0,
        ("000000", 2013, "rd_researchers_fte"): 1484040.0,
        ("000000", 2013, "rd_fte_basic_research"): 223192.0,
        ("210000", 2013, "rd_personnel_fte"): 94885.0,
        ("210000", 2013, "rd_researchers_fte"): 51873.0,
        ("210000", 2013, "rd_fte_basic_research"): 8392.0,
        ("220000", 2013, "rd_personnel_fte"): 48008.0,
        ("220000", 2013, "rd_researchers_fte"): 27247.0,
        ("220000", 2013, "rd_fte_basic_research"): 7686.0,
    }
    assert set(obs["unit"]) == {"人年"}
    assert set(obs["unit_raw"]) == {"人年"}
    assert set(obs["vintage"]) == {"中国科技统计年鉴2014"}


def test_header_words_split_over_several_rows(write_file):
    read = read_province_year_file(write_file("raw-2010.xlsx", workbook(PERSONNEL_2010)))
    obs = read.observations
    assert dict(zip(obs["metric"], obs["source_column"], strict=True)) == PERSONNEL_COLUMNS
    liaoning = one(read, "210000", 2010, "rd_personnel_fte")
    assert (liaoning["value"], liaoning["value_raw"], liaoning["source_row"]) == (
        84653.8,
        "84653.8",
        10,
    )
    assert one(read, "210000", 2010, "rd_researchers_fte")["value"] == 50133.5
    assert len(obs) == 9  # the four header rows hold no data
    assert set(obs["unit_raw"]) == {"人年"}  # '单位：人年' with '(man-year)' beside it


def test_split_header_with_a_split_child_and_columns_left_out(write_file):
    read = read_province_year_file(write_file("raw-2020.xlsx", workbook(INDUSTRIAL_RD_2020)))
    obs = read.observations
    assert sorted(set(obs["source_column"])) == ["C R&D经费内部支出", "G 政府资金"]
    assert values(read) == {
        ("000000", 2020, "industrial_rd_expenditure"): 15271.29049,
        ("000000", 2020, "industrial_rd_expenditure_government"): 418.99383,
        ("210000", 2020, "industrial_rd_expenditure"): 335.32223,
        ("210000", 2020, "industrial_rd_expenditure_government"): 18.6117,
    }
    not_loaded = [note.split(" not loaded")[0] for note in read.notes if "not loaded" in note]
    assert not_loaded == [
        "column D R&D经费内部支出/#试验发展支出",
        "column E 日常性支出",
        "column F 日常性支出/#人员劳务费",
    ]


def test_child_without_a_unit_is_in_its_parents_header_unit(write_file):
    # 新产品销售收入 states 亿元 in a 万元 table; its '#出口' states none: 亿元, not 万元
    rows = [list(row) for row in HIGH_TECH_RD_BELOW[:8]]
    rows[4][3] = "新产品\n销售收入\n(亿元)\nSales Revenue"
    rows[6][2:] = ["65077304", "87548.2574", "27939.2077"]
    read = read_province_year_file(write_file("raw-2022.xlsx", workbook(rows)))
    sales = one(read, "000000", 2022, "high_tech_new_product_sales")
    exports = one(read, "000000", 2022, "high_tech_new_product_exports")
    assert (sales["value"], sales["unit_raw"]) == (87548.2574, "亿元")
    assert (exports["value"], exports["unit_raw"]) == (27939.2077, "亿元")
    assert exports["source_column"] == "E 新产品销售收入/#出口"
    expenditure = one(read, "000000", 2022, "high_tech_rd_expenditure")
    assert (expenditure["value"], expenditure["unit_raw"]) == (6507.7304, "万元")


def test_line_breaks_as_the_xls_files_hold_them():
    """\\r\\n inside header cells and '' for an empty cell, as xlrd hands them over (an .xlsx
    written by openpyxl normalises both away, so this one is a grid)."""
    rows = [list(row) for row in PERSONNEL_2013]
    rows[5] = ["地区", "Region", "R&D人员\r\n全时当量\r\nTotal", "", None]
    rows[6] = [None, None, None, "#研究人员\r\nResearchers", "基础研究\rBasic\rResearch"]
    rows[8] = ["辽宁", "Liaoning", "94885", "", "8392"]
    grid = Grid([GridRow(n, row) for n, row in enumerate(rows, start=1)], "xls", sheet="1")
    observations, notes = read_yearbook_table(grid, SourceFile("raw-2013.xls", "0" * 64, None, "1"))
    columns = {(o.source_row, o.source_column): o.value for o in observations}
    assert columns == {
        (8, "C R&D人员全时当量"): 3532817.0,
        (8, "D R&D人员全时当量/#研究人员"): 1484040.0,
        (8, "E 基础研究"): 223192.0,
        (9, "C R&D人员全时当量"): 94885.0,
        (9, "E 基础研究"): 8392.0,  # D9 is '': no observation
        (10, "C R&D人员全时当量"): 48008.0,
        (10, "D R&D人员全时当量/#研究人员"): 27247.0,
        (10, "E 基础研究"): 7686.0,
    }
    assert {o.source_sheet for o in observations} == {"1"}


# --- 5. units in the headers --------------------------------------------------------------


def test_header_units_and_catalog_units_in_a_table_of_several_units(write_file):
    read = read_province_year_file(
        write_file("raw-2018.xlsx", workbook(high_tech_2018("单位:个,亿元")))
    )
    enterprises = one(read, "210000", 2018, "high_tech_industry_enterprises")
    revenue = one(read, "210000", 2018, "high_tech_industry_revenue")
    profit = one(read, "210000", 2018, "high_tech_industry_profit")
    assert (enterprises["value"], enterprises["unit"], enterprises["unit_raw"]) == (456, "家", "个")
    assert (revenue["value"], revenue["unit_raw"]) == (1825.0, "亿元")  # the catalog's unit
    assert (profit["value"], profit["source_column"]) == (246.0, "E 利润总额")
    assert len(read.observations) == 6


def test_header_unit_overrides_the_tables(write_file):
    header = ["地 区", "Region", "企业数\n(个)", "营业收入\n(亿元)\nRevenue", "利润总额 (亿元)"]
    read = read_province_year_file(
        write_file("raw-2018.xlsx", workbook(high_tech_2018("单位:万元", header)))
    )
    # 1825 亿元 as the header says, not 1825 万元 = 0.1825 亿元 as the table line would
    revenue = one(read, "210000", 2018, "high_tech_industry_revenue")
    assert (revenue["value"], revenue["unit_raw"], revenue["source_column"]) == (
        1825.0,
        "亿元",
        "D 营业收入",
    )
    assert one(read, "210000", 2018, "high_tech_industry_profit")["value"] == 246.0
    assert one(read, "000000", 2018, "high_tech_industry_enterprises")["value"] == 33573.0


def test_several_table_units_and_none_for_the_column_is_refused(tmp_path, write_file):
    tables = catalog(
        tmp_path / "catalog",
        "high_tech,各地区高技术产业生产经营情况,企业数,high_tech_industry_enterprises,,",
        "high_tech,各地区高技术产业生产经营情况,营业收入,high_tech_industry_revenue,亿元,",
        "high_tech,各地区高技术产业生产经营情况,利润总额,high_tech_industry_profit,亿元,",
    )
    header = list(HIGH_TECH_HEADER_2018)
    header[2] = "企业数\nNumber of\nEnterprises"  # no unit in the header
    path = write_file("raw-2018.xlsx", workbook(high_tech_2018("单位:个,亿元", header)))
    with pytest.raises(SourceError) as caught:
        read_province_year_file(path, yearbook_tables=tables)
    error = caught.value
    assert (error.file, error.column) == ("raw-2018.xlsx", "C 企业数")
    assert "the table states several units (个, 亿元) and the column header none" in error.reason
    assert "yearbook_tables.csv line 2 (column unit)" in error.reason
    # the fix the message asks for: the column's unit on that line
    fixed = catalog(
        tmp_path / "fixed",
        "high_tech,各地区高技术产业生产经营情况,企业数,high_tech_industry_enterprises,个,",
        "high_tech,各地区高技术产业生产经营情况,营业收入,high_tech_industry_revenue,亿元,",
        "high_tech,各地区高技术产业生产经营情况,利润总额,high_tech_industry_profit,亿元,",
    )
    read = read_province_year_file(path, yearbook_tables=fixed)
    assert one(read, "210000", 2018, "high_tech_industry_enterprises")["value"] == 456.0


def test_catalog_unit_contradicting_the_table_is_refused(write_file):
    # 利润总额 is 亿元 in the catalog; a 万元 table without a unit in that header is a conflict
    header = ["地 区", "Region", "企业数\n(个)", "营业收入\n(亿元)", "利 润\n总 额\nProfits"]
    path = write_file("raw-2018.xlsx", workbook(high_tech_2018("单位:万元", header)))
    with pytest.raises(SourceError) as caught:
        read_province_year_file(path)
    assert caught.value.column == "E 利润总额"
    assert "says 亿元 but the table's unit line says 万元" in caught.value.reason


# --- 6. continued tables ------------------------------------------------------------------


def test_table_continued_below_with_a_unit_line_of_its_own(write_file):
    read = read_province_year_file(write_file("raw-2022.xlsx", workbook(HIGH_TECH_RD_BELOW)))
    obs = read.observations
    lineage = {
        (row.area_code, row.metric): (row.source_row, row.source_column, row.value)
        for row in obs.itertuples()
    }
    assert lineage == {
        ("000000", "high_tech_rd_expenditure"): (7, "C R&D经费内部支出", 6507.7304),
        ("000000", "high_tech_new_product_sales"): (7, "D 新产品销售收入", 87548.2574),
        ("000000", "high_tech_new_product_exports"): (7, "E 新产品销售收入/#出口", 27939.2077),
        ("210000", "high_tech_rd_expenditure"): (8, "C R&D经费内部支出", 113.6607),
        ("210000", "high_tech_new_product_sales"): (8, "D 新产品销售收入", 1185.1065),
        ("210000", "high_tech_new_product_exports"): (8, "E 新产品销售收入/#出口", 127.4304),
        # the continued part, in 件 from its own unit line
        ("000000", "high_tech_patent_applications"): (17, "C 专利申请数", 434039.0),
        ("000000", "high_tech_invention_applications"): (17, "D 专利申请数/#发明专利", 223501.0),
        ("210000", "high_tech_patent_applications"): (18, "C 专利申请数", 3914.0),
        ("210000", "high_tech_invention_applications"): (18, "D 专利申请数/#发明专利", 1923.0),
    }
    assert set(obs.loc[obs["source_row"] > 10, "unit_raw"]) == {"件"}
    assert set(obs["year"]) == {2022}
    assert set(obs["vintage"]) == {"中国科技统计年鉴2023"}
    # the continuation line is not taken for the title
    assert set(obs["citation"]) == {
        "中国科技统计年鉴2023 (China Statistical Yearbook on Science and Technology 2023), "
        "table '5-4 各地区高技术产业R&D活动及相关情况(2022年)'"
    }


def test_table_continued_beside_itself(write_file):
    read = read_province_year_file(write_file("raw-2018.xlsx", workbook(HIGH_TECH_RD_BESIDE)))
    lineage = {
        (row.area_code, row.metric): (row.source_row, row.source_column, row.value, row.unit_raw)
        for row in read.observations.itertuples()
    }
    assert lineage == {
        ("000000", "high_tech_rd_institutions"): (6, "C 研发机构数", 16052.0, "个"),
        ("000000", "high_tech_rd_expenditure"): (6, "D R&D经费内部支出", 3559.1155, "万元"),
        ("210000", "high_tech_rd_institutions"): (7, "C 研发机构数", 208.0, "个"),
        ("210000", "high_tech_rd_expenditure"): (7, "D R&D经费内部支出", 56.9345, "万元"),
        # the part beside, one row higher; '#出口' and '#发明专利' in their parents' units
        ("000000", "high_tech_new_product_sales"): (5, "H 新产品销售收入", 56894.1517, "万元"),
        ("000000", "high_tech_new_product_exports"): (
            5,
            "I 新产品销售收入/#出口",
            19332.0485,
            "万元",
        ),
        ("000000", "high_tech_patent_applications"): (5, "J 专利申请数", 264736.0, "件"),
        ("000000", "high_tech_invention_applications"): (
            5,
            "K 专利申请数/#发明专利",
            137633.0,
            "件",
        ),
        ("210000", "high_tech_new_product_sales"): (6, "H 新产品销售收入", 737.2774, "万元"),
        ("210000", "high_tech_new_product_exports"): (6, "I 新产品销售收入/#出口", 65.7324, "万元"),
        ("210000", "high_tech_patent_applications"): (6, "J 专利申请数", 3573.0, "件"),
        ("210000", "high_tech_invention_applications"): (
            6,
            "K 专利申请数/#发明专利",
            2155.0,
            "件",
        ),
    }
    assert read.rejected.empty


# --- 7. years as columns ------------------------------------------------------------------

INTENSITY_ROWS = [
    ["全 国", "National Total", "2.43", "2.56", "2.65"],  # 6
    ["辽 宁", "Liaoning", "2.18", "2.15", "2.24"],  # 7
    ["吉 林", "Jilin", None, "1.46", 1.55],  # 8
]


@pytest.mark.parametrize(
    "years",
    [["2021", "2022", "2023"], [2021.0, 2022.0, 2023.0], ["2021", 2022.0, "2023.0"]],
    ids=["text", "numbers", "mixed"],
)
def test_years_as_columns(write_file, years):
    read = read_province_year_file(
        write_file("raw-2023.xlsx", workbook(rd_intensity(years, INTENSITY_ROWS)))
    )
    assert values(read) == {
        ("000000", 2021, "rd_intensity"): 2.43,
        ("000000", 2022, "rd_intensity"): 2.56,
        ("000000", 2023, "rd_intensity"): 2.65,
        ("210000", 2021, "rd_intensity"): 2.18,
        ("210000", 2022, "rd_intensity"): 2.15,
        ("210000", 2023, "rd_intensity"): 2.24,
        ("220000", 2022, "rd_intensity"): 1.46,
        ("220000", 2023, "rd_intensity"): 1.55,
    }
    obs = read.observations
    assert set(obs["source_column"]) == {"C 2021", "D 2022", "E 2023"}
    # one edition for every year of the file: the newest year + 1
    assert set(obs["vintage"]) == {"中国科技统计年鉴2024"}
    assert set(obs["release_date"]) == {date(2024, 12, 31)}
    assert set(obs["unit"]) == {"%"}


def test_years_as_columns_of_an_older_file_give_an_older_edition(write_file):
    years = [str(year) for year in range(2011, 2019)]
    rows = [["全 国", "National Total", *"1.78 1.91 2.00 2.03 2.07 2.12 2.15 2.14".split()]]
    read = read_province_year_file(write_file("raw-2018.xlsx", workbook(rd_intensity(years, rows))))
    assert set(read.observations["year"]) == set(range(2011, 2019))
    assert set(read.observations["vintage"]) == {"中国科技统计年鉴2019"}
    assert one(read, "000000", 2018, "rd_intensity")["value"] == 2.14


# --- 8. area names ------------------------------------------------------------------------


def test_padded_names_english_names_and_an_ocr_slip(write_file):
    read = read_province_year_file(
        write_file("raw-2014.xlsx", workbook(PATENTS_2014[:9])), bad_cells="reject"
    )
    obs = read.observations
    rows = obs.drop_duplicates("source_row").set_index("source_row")
    assert rows.loc[7, ["area_raw", "area_code", "area_level"]].tolist() == [
        "全 国",
        "000000",
        "national",
    ]
    assert rows.loc[8, ["area_raw", "area_code"]].tolist() == ["辽    宁", "210000"]
    assert rows.loc[9, ["area_raw", "area_code"]].tolist() == ["四藏", "540000"]
    assert one(read, "540000", 2014, "patents_in_force")["value"] == 588.0
    assert "row 9: '四藏' is no known name; read it as 'Tibet'" in read.notes
    assert read.rejected.empty
    # the 2010 layout: every name padded, every English name indented
    personnel = read_province_year_file(write_file("raw-2010.xlsx", workbook(PERSONNEL_2010)))
    assert set(personnel.observations["area_code"]) == {"000000", "210000", "220000"}
    assert not any("no known name" in note for note in personnel.notes)


def test_hong_kong_row_is_raised_by_default(write_file):
    path = write_file("raw-2014.xlsx", workbook(PATENTS_2014))
    with pytest.raises(SourceError) as caught:
        read_province_year_file(path)
    error = caught.value
    assert (error.file, error.row, error.column, error.value, error.rule) == (
        "raw-2014.xlsx",
        10,
        "地区",
        "香港",
        "unknown_area",
    )


def test_hong_kong_row_is_rejected_whole_with_reject(write_file):
    read = read_province_year_file(
        write_file("raw-2014.xlsx", workbook(PATENTS_2014)), bad_cells="reject"
    )
    assert len(read.observations) == 12  # 全国, 辽宁, 西藏 x 4 columns
    assert "810000" not in set(read.observations["area_code"])
    assert len(read.rejected) == 1
    rejection = read.rejected.iloc[0]
    assert (
        rejection["source_row"],
        rejection["rule"],
        rejection["value_raw"],
        rejection["values_withheld"],
    ) == (10, "unknown_area", "香港", 4)
    assert json.loads(rejection["raw_row"]) == {
        "地区": "香港",
        "Region": "Hongkong",
        "C 合计": "13578",
        "D 发明": "3437",
        "E 实用新型": "3703",
        "F 外观设计": "6438",
    }


def test_chinese_and_english_names_that_disagree_are_not_guessed(write_file):
    rows = [list(row) for row in PATENTS_2014[:9]]
    rows[7][1] = "Jilin"  # 辽宁 / Jilin
    read = read_province_year_file(write_file("raw-2014.xlsx", workbook(rows)), bad_cells="reject")
    assert set(read.observations["area_code"]) == {"000000", "540000"}
    rejection = read.rejected.iloc[0]
    assert (rejection["source_row"], rejection["rule"]) == (8, "unknown_area")
    reason = "the Chinese name says 辽宁省 but the English one (Jilin) says 吉林省"
    assert reason in rejection["reason"]


# --- 9. footnotes, empty cells, the CNKI stamp sheet ---------------------------------------

FOOTNOTES_2018 = [
    "注:2018年全国R&D经费内部支出与国内生产总值之比已根据第四次全国经济普查结果进行了修订,"
    "截至本书定稿,分省数据及历史数",  # 10
    "据暂未进行修订。",  # 11
    "Note:Ratio of Intramural Expenditure on R&D to GDP in 2018 has been revised according to "
    "the results of the Fourth National Economic Census.",  # 12
    "As of the finalization of this book,the data by province and the historical data have not "
    "been revised yet.",  # 13
]


def test_footnotes_are_notes_empty_cells_no_observation_and_the_stamp_ignored(write_file):
    rows = rd_intensity(
        ["2016", "2017", "2018"],
        [
            ["全 国", "National Total", "2.12", "2.15", "2.14"],  # 6
            ["北 京", "Beijing", "5.96", "5.64", ""],  # 7
            ["天 津", "Tianjin", None, "2.47", "2.62"],  # 8
            [],  # 9
        ],
        FOOTNOTES_2018,
    )
    read = read_province_year_file(write_file("raw-2018.xlsx", workbook(rows)))
    assert read.notes == [
        "ignored CNKI's download stamp sheet 'CNKI'",
        "yearbook table rd_intensity (各地区研究与试验发展(R&D)经费投入强度)",
        f"{FOOTNOTES_2018[0]}\n{FOOTNOTES_2018[1]}",
        f"{FOOTNOTES_2018[2]}\n{FOOTNOTES_2018[3]}",
    ]
    obs = read.observations
    assert len(obs) == 7
    assert set(obs["source_row"]) == {6, 7, 8}
    assert ("110000", 2018, "rd_intensity") not in values(read)
    assert ("120000", 2016, "rd_intensity") not in values(read)
    assert (obs["value"] != 0).all()  # empty is no figure, never 0
    assert set(obs["source_sheet"]) == {"1"}  # the stamp sheet gives nothing
    assert read.rejected.empty


def test_no_stamp_sheet_no_stamp_note(write_file):
    read = read_province_year_file(
        write_file("raw-2023.xlsx", workbook(RD_FUNDS_2023, cnki_stamp=False))
    )
    assert not any("CNKI" in note for note in read.notes)
    assert values(read) == RD_FUNDS_2023_VALUES


# --- 10. tables and columns nobody knows ---------------------------------------------------

PERSONNEL_CATALOG = (
    "fte,各地区研究与试验发展(R&D)人员全时当量,R&D人员全时当量,rd_personnel_fte,,test catalog",
    "fte,各地区研究与试验发展(R&D)人员全时当量,R&D人员全时当量/#研究人员,rd_researchers_fte,,",
)


def test_unknown_table_names_its_title_and_the_line_to_add(tmp_path, write_file):
    tables = catalog(tmp_path / "catalog", *PERSONNEL_CATALOG)
    path = write_file("raw-2023.xlsx", workbook(RD_FUNDS_2023))
    with pytest.raises(SourceError) as caught:
        read_province_year_file(path, yearbook_tables=tables)
    error = caught.value
    assert (error.file, error.row, error.value) == ("raw-2023.xlsx", 1, RD_FUNDS_TITLE_2023)
    assert "a yearbook table nobody knows" in error.reason
    assert (
        "<table id>,各地区按资金来源分研究与试验发展(R&D)经费内部支出,<column header>,"
        in error.reason
    )
    assert str(error).startswith("raw-2023.xlsx: row 1, value '1-14 各地区按资金来源分")


def test_unknown_column_names_the_column_and_the_line_to_add(tmp_path, write_file):
    tables = catalog(tmp_path / "catalog", *PERSONNEL_CATALOG)
    path = write_file("raw-2013.xlsx", workbook(PERSONNEL_2013))
    with pytest.raises(SourceError) as caught:
        read_province_year_file(path, yearbook_tables=tables)
    error = caught.value
    assert (error.file, error.column, error.value) == ("raw-2013.xlsx", "E 基础研究", "基础研究")
    assert (
        "fte,各地区研究与试验发展(R&D)人员全时当量,基础研究,"
        "<metric id from metrics.csv, or - to leave it out>," in error.reason
    )


def test_catalog_decides_what_each_column_is(tmp_path, write_file):
    """With the line added ('-': deliberately left out) the file reads, by this catalog only."""
    tables = catalog(
        tmp_path / "catalog",
        *PERSONNEL_CATALOG,
        "fte,各地区研究与试验发展(R&D)人员全时当量,基础研究,-,,",
    )
    read = read_province_year_file(
        write_file("raw-2013.xlsx", workbook(PERSONNEL_2013)), yearbook_tables=tables
    )
    assert set(read.observations["metric"]) == {"rd_personnel_fte", "rd_researchers_fte"}
    assert len(read.observations) == 6
    assert "yearbook table fte (各地区研究与试验发展(R&D)人员全时当量)" in read.notes
    assert "column E 基础研究 not loaded (yearbook_tables.csv line 4)" in read.notes


# --- 11. lineage --------------------------------------------------------------------------


def test_lineage_points_at_the_cell(write_file):
    read = read_province_year_file(
        write_file("raw-2023.xlsx", workbook(RD_FUNDS_2023, sheet="1-14"))
    )
    obs = read.observations
    assert list(obs.columns) == list(OBSERVATION_COLUMNS)
    government = one(read, "210000", 2023, "rd_expenditure_government")
    assert government[
        ["source_sheet", "source_row", "source_column", "area_raw", "value_raw"]
    ].tolist() == ["1-14", 9, "D 政府资金", "辽宁", "1613908"]
    enterprise = one(read, "220000", 2023, "rd_expenditure_enterprise")
    assert (enterprise["source_row"], enterprise["source_column"]) == (10, "E 企业资金")
    assert (obs["is_synthetic"] == False).all()  # noqa: E712


# --- 12. idempotence ----------------------------------------------------------------------


@pytest.mark.parametrize("locked", [False, True], ids=["plain", "encrypted"])
def test_reading_the_same_bytes_twice_gives_the_same_observations(write_file, locked):
    data = workbook(HIGH_TECH_RD_BESIDE)
    path = write_file("raw-2018.xlsx", encrypted(data) if locked else data)
    first, second = read_province_year_file(path), read_province_year_file(path)
    assert first.observations.equals(second.observations)
    assert first.notes == second.notes
    assert first.file_sha256 == second.file_sha256
    assert len(first.observations) == 12


@pytest.mark.parametrize("header", [None, "Total\nof Others"], ids=["no header", "English only"])
def test_values_in_a_column_without_a_chinese_header_are_refused(write_file, header):
    rows = [[*row, None] for row in PERSONNEL_2013]
    rows[5][5] = header
    rows[7][5], rows[8][5] = "123", "45"  # F8, F9
    path = write_file("raw-2013.xlsx", workbook(rows))
    read = read_province_year_file(path, bad_cells="reject")
    assert len(read.observations) == 9  # the other columns read as before
    assert read.rejected[["source_row", "source_column", "value_raw", "rule"]].values.tolist() == [
        [8, "column F", "123", "no_year_header"],
        [9, "column F", "45", "no_year_header"],
    ]
    with pytest.raises(SourceError, match="value in a column without a"):
        read_province_year_file(path)
