"""Tidy province tables, wide and long, CSV (UTF-8, BOM, GBK) and XLSX.

Expected values are worked out by hand from the fixture text next to each test.
"""

from __future__ import annotations

import json
from datetime import date

import openpyxl
import pytest

from pipelines.readers import SourceError, read_province_year_file

RELEASE_2023 = "https://www.stats.gov.cn/sj/zxfb/202410/t20241002_1956810.html"

# Like the R&D communiqué table, but the year is only in the file name, one header is a Chinese
# name with its unit, and names are padded (辽　宁) or misspelt (江四 for 江西).
WIDE_WITHOUT_YEAR = (
    "province_zh,province_en,R&D经费(亿元),rd_intensity_pct,source_url\n"
    f"全国,National,33357.1,2.65,{RELEASE_2023}\n"  # line 2
    f"辽　宁,Liaoning,676.4,2.24,{RELEASE_2023}\n"  # line 3
    f"江四,Jiangxi,604.1,,{RELEASE_2023}\n"  # line 4: empty intensity
)


def observations(read):
    return {(r.area_code, r.year, r.metric): r for r in read.observations.itertuples()}


def test_wide_table_with_national_row_and_year_in_file_name(write_file):
    read = read_province_year_file(
        write_file("rd_by_province_2023.csv", "\ufeff" + WIDE_WITHOUT_YEAR)
    )
    assert read.reader == "tidy_csv"
    obs = observations(read)
    assert {k: v.value for k, v in obs.items()} == {
        ("000000", 2023, "rd_expenditure"): 33357.1,
        ("000000", 2023, "rd_intensity"): 2.65,
        ("210000", 2023, "rd_expenditure"): 676.4,
        ("210000", 2023, "rd_intensity"): 2.24,
        ("360000", 2023, "rd_expenditure"): 604.1,
    }
    national = obs[("000000", 2023, "rd_expenditure")]
    assert (national.area_level, national.area_raw, national.source_row) == ("national", "全国", 2)
    provinces = read.observations[read.observations["area_level"] == "province"]
    assert set(provinces["area_code"]) == {"210000", "360000"}
    assert "year 2023 taken from the file name" in read.notes


def test_wide_table_release_facts_from_source_url(write_file):
    read = read_province_year_file(write_file("rd_2023.csv", WIDE_WITHOUT_YEAR))
    row = observations(read)[("210000", 2023, "rd_intensity")]
    assert row.citation == RELEASE_2023
    assert row.release_date == date(2024, 10, 2)
    assert row.vintage == "NBS release 2024-10-02 (t20241002_1956810)"
    assert (row.unit, row.unit_raw, row.source_column) == ("%", "pct", "rd_intensity_pct")
    assert observations(read)[("210000", 2023, "rd_expenditure")].unit_raw == "亿元"


def test_wide_table_lists_ignored_columns(write_file):
    read = read_province_year_file(write_file("rd_2023.csv", WIDE_WITHOUT_YEAR))
    assert any("province_en" in note and note.startswith("ignored column") for note in read.notes)


def test_wide_table_in_gbk(write_file):
    read = read_province_year_file(write_file("rd_2023.csv", WIDE_WITHOUT_YEAR.encode("gbk")))
    assert read.reader == "tidy_csv"
    assert observations(read)[("360000", 2023, "rd_expenditure")].area_raw == "江四"


def test_wide_table_with_year_column_converts_units(write_file):
    content = "地区,年份,地方财政科学技术支出(万元)\n辽宁省,2022,743500\n辽宁省,2023,789300\n"
    read = read_province_year_file(write_file("st.csv", content))
    values = {r.year: r.value for r in read.observations.itertuples()}
    assert values == {2022: 74.35, 2023: 78.93}  # 万元 / 10 000 = 亿元


def test_wide_xlsx_with_numeric_codes_and_english_names(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["province", "year", "gdp_100m_yuan", "notes"])
    sheet.append([230000, 2024, 16478.1, "code as a number"])
    sheet.append(["Heilongjiang Province", 2023, 16470.7, None])
    sheet.append([None, None, None, None])
    sheet.append(["Jilin", 2024, None, "empty value: no row"])
    path = tmp_path / "gdp_panel.xlsx"
    book.save(path)
    read = read_province_year_file(path)
    assert read.reader == "tidy_xlsx"
    rows = [
        (r.source_row, r.area_code, r.area_raw, r.year, r.value)
        for r in read.observations.itertuples()
    ]
    assert rows == [
        (2, "230000", "230000", 2024, 16478.1),
        (3, "230000", "Heilongjiang Province", 2023, 16470.7),
    ]


LONG = (
    "province,year,metric,value,unit,vintage,release_date,source,is_synthetic\n"
    f"Liaoning,2023,rd_expenditure,6764000,万元,communique 2023,2024-10-02,{RELEASE_2023},false\n"
    "黑龙江省,2023,研究与试验发展(R&D)经费支出(亿元),229.3,,,,yearbook table 1-8,\n"
    "吉林,2023,enterprises,1234,家,synthetic v1,,generator,true\n"
    "全国,2023,rd_intensity,,%,,,,false\n"  # line 5: empty value, no row
)


def test_long_table(write_file):
    read = read_province_year_file(write_file("panel.csv", LONG))
    assert read.reader == "tidy_long_csv"
    obs = observations(read)
    assert len(obs) == 3
    liaoning = obs[("210000", 2023, "rd_expenditure")]
    assert liaoning.value == 676.4  # 6 764 000 万元
    assert (liaoning.unit, liaoning.unit_raw, liaoning.value_raw) == ("亿元", "万元", "6764000")
    assert (liaoning.vintage, liaoning.release_date) == ("communique 2023", date(2024, 10, 2))
    assert liaoning.citation == RELEASE_2023
    assert liaoning.source_column == "value"
    heilongjiang = obs[("230000", 2023, "rd_expenditure")]
    assert (heilongjiang.value, heilongjiang.unit_raw, heilongjiang.source_row) == (
        229.3,
        "亿元",
        3,
    )
    assert heilongjiang.citation == "yearbook table 1-8"
    assert heilongjiang.vintage.startswith("panel.csv sha256:")
    jilin = obs[("220000", 2023, "enterprises")]
    assert (jilin.is_synthetic, jilin.unit, jilin.vintage) == (True, "家", "synthetic v1")
    assert not liaoning.is_synthetic


def test_long_table_mixed_units(write_file):
    content = "province,year,metric,value,unit\n北京,2024,gdp,49670.2,亿元\n天津,2024,gdp,3,件\n"
    with pytest.raises(SourceError, match="mixed units") as caught:
        read_province_year_file(write_file("panel.csv", content))
    assert (caught.value.row, caught.value.column, caught.value.value) == (3, "unit", "件")


def test_long_table_unknown_metric(write_file):
    content = "province,year,metric,value\n北京,2024,gdp_per_capita,1\n"
    with pytest.raises(SourceError, match="unknown metric") as caught:
        read_province_year_file(write_file("panel.csv", content))
    assert (caught.value.row, caught.value.column, caught.value.value) == (
        2,
        "metric",
        "gdp_per_capita",
    )


def test_rows_after_a_multi_line_quoted_cell_keep_editor_line_numbers(write_file):
    content = (
        "province,year,metric,value,source\n"
        '北京,2024,gdp,49670.2,"NBS,\nrelease notes"\n'  # lines 2-3
        "天津,2024,gdp,17931.3,NBS\n"  # line 4
    )
    read = read_province_year_file(write_file("panel.csv", content))
    assert read.observations["source_row"].tolist() == [2, 4]


def test_tidy_non_numeric_and_future_year(write_file):
    bad_number = "province,year,gdp\n北京,2024,49670.2\n天津,2024,1.2.3\n"
    with pytest.raises(SourceError) as caught:
        read_province_year_file(write_file("gdp.csv", bad_number))
    assert str(caught.value) == "gdp.csv: row 3, column 'gdp', value '1.2.3': not a number"

    future = "province,year,gdp\n北京,2999,1\n"
    with pytest.raises(SourceError, match="future"):
        read_province_year_file(write_file("gdp.csv", future))


def test_tidy_unknown_province(write_file):
    content = "province,year,gdp\n北京,2024,49670.2\n北平,2024,1\n"
    with pytest.raises(SourceError) as caught:
        read_province_year_file(write_file("gdp.csv", content))
    error = caught.value
    assert (error.file, error.row, error.column, error.value) == ("gdp.csv", 3, "province", "北平")


def test_wide_table_without_year_anywhere(write_file):
    with pytest.raises(SourceError, match="no year column"):
        read_province_year_file(write_file("rd_by_province.csv", WIDE_WITHOUT_YEAR))


def test_wide_table_without_metric_columns(write_file):
    with pytest.raises(SourceError, match="no metric columns"):
        read_province_year_file(write_file("x_2023.csv", "province,population_density\n北京,1\n"))


def test_reject_mode_returns_bad_rows_and_reads_the_rest(write_file):
    content = (
        "province,year,metric,value,unit\n"
        "北京,2024,gdp,49670.2,亿元\n"
        "天津,2024,gdp,3,件\n"  # line 3: mixed units
        "北平,2024,gdp,1,亿元\n"  # line 4: unknown province
        "河北,2999,gdp,1,亿元\n"  # line 5: future year
        "山西,2024,gdp,—,亿元\n"  # line 6: placeholder
    )
    read = read_province_year_file(write_file("panel.csv", content), bad_cells="reject")
    assert read.observations["source_row"].tolist() == [2]
    rejected = read.rejected[["source_row", "source_column", "value_raw", "rule"]]
    assert rejected.values.tolist() == [
        [3, "unit", "件", "mixed_units"],
        [4, "province", "北平", "unknown_area"],
        [5, "year", "2999", "future"],
        [6, "value", "—", "placeholder"],
    ]
    assert read.rejected["values_withheld"].tolist() == [1, 1, 1, 1]
    assert json.loads(read.rejected["raw_row"][1]) == {
        "province": "北平",
        "year": "2024",
        "metric": "gdp",
        "value": "1",
        "unit": "亿元",
    }


def test_reject_mode_still_raises_file_problems(write_file):
    with pytest.raises(SourceError, match="no metric columns"):
        read_province_year_file(
            write_file("x_2023.csv", "province,population_density\n北京,1\n"), bad_cells="reject"
        )


def test_wide_row_with_unknown_province_withholds_all_its_values(write_file):
    content = "province,gdp_100m_yuan,rd_expenditure_100m_yuan\n辽宁,30209.4,676.4\n北平,1,\n"
    read = read_province_year_file(write_file("t_2023.csv", content), bad_cells="reject")
    assert len(read.observations) == 2
    assert read.rejected[["source_row", "rule", "values_withheld"]].values.tolist() == [
        [3, "unknown_area", 1]
    ]


@pytest.mark.parametrize(
    ("cell", "rule", "reason"),
    [
        ("—", "placeholder", "placeholder for a missing value, not a number"),
        ("…", "placeholder", "placeholder for a missing value, not a number"),
        ("-", "placeholder", "placeholder for a missing value, not a number"),
        ("待公布", "text_in_number", "text, not a number"),
        ("=1+1", "formula", "formula-looking text, not a number"),
        ("1.2.3", "not_a_number", "not a number"),
    ],
)
def test_what_a_non_number_is_called(write_file, cell, rule, reason):
    read = read_province_year_file(
        write_file("gdp.csv", f"province,year,gdp\n北京,2024,{cell}\n天津,2024,-3.5\n"),
        bad_cells="reject",
    )
    [(found_rule, found_reason)] = read.rejected[["rule", "reason"]].values.tolist()
    assert found_rule == rule and found_reason.startswith(reason)
    assert read.observations["value"].tolist() == [-3.5]  # a negative number is a number
