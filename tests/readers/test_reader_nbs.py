"""NBS 分省年度数据 exports, all three variants, on fixtures written in the real formats.

Expected values are worked out by hand from the fixture text next to each test.
"""

from __future__ import annotations

import hashlib
import shutil
from datetime import date

import pytest

from pipelines.readers import OBSERVATION_COLUMNS, SourceError, read_province_year_file

# Variant A: GBK, CRLF, 指标 line with the unit, a double-quoted footnote holding a comma and a
# line break, padded (辽　宁) and misspelt (内蒙占) names, and an empty cell (北京市 2021).
CLASSIC_CSV_LINES = [
    "数据库：分省年度数据",  # line 1
    "指标：地方财政科学技术支出(万元)",
    "时间：最近3年",
    "地区,2023年,2022年,2021年",  # line 4
    "北京市,5219100,4887000,",  # line 5
    "辽　宁,789300,743500,784500",  # line 6
    "内蒙占,749700,429900,352800",  # line 7
    '"注：1. 地方财政支出均为本级支出,\r\n2000年以前不包括国内外债务还本付息支出。"',  # lines 8-9
    "数据来源：国家统计局",  # line 10
]


def classic_csv(lines=CLASSIC_CSV_LINES, newline="\r\n") -> bytes:
    return (newline.join(lines) + newline).encode("gbk")


def tab_comma_csv(
    rows: list[list[str]], labels=("数据库：分省年度数据 ", "时间：2022年-2025年 ")
) -> bytes:
    """Variant C: UTF-8 BOM, LF, every field followed by TAB and a comma, no 指标 line."""
    lines = [
        *labels,
        *("".join(f"{field}\t," for field in row) for row in rows),
        "数据来源：国家统计局",
    ]
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


TAB_COMMA_ROWS = [
    ["地区", "2025年", "2024年", "2023年", "2022年"],  # line 3
    ["北京市", "", "119635", "107875", "88127"],  # line 4
    ["黑龙 江", "", "7863", "", "8519"],  # line 5
]


def by_area_year(read):
    return {(row.area_code, row.year): row for row in read.observations.itertuples()}


def test_classic_gbk_csv(write_file):
    read = read_province_year_file(write_file("st.csv", classic_csv()))
    assert read.reader == "nbs_csv_gbk"
    obs = by_area_year(read)
    # 5 219 100 万元 = 521.91 亿元 (1 亿 = 10 000 万); 北京市 2021 is empty: no row
    assert {k: v.value for k, v in obs.items()} == {
        ("110000", 2023): 521.91,
        ("110000", 2022): 488.70,
        ("210000", 2023): 78.93,
        ("210000", 2022): 74.35,
        ("210000", 2021): 78.45,
        ("150000", 2023): 74.97,
        ("150000", 2022): 42.99,
        ("150000", 2021): 35.28,
    }
    assert set(read.observations["metric"]) == {"local_fiscal_st_expenditure"}
    assert set(read.observations["unit"]) == {"亿元"}
    assert set(read.observations["unit_raw"]) == {"万元"}


def test_classic_csv_lineage_is_what_a_person_sees(write_file):
    read = read_province_year_file(write_file("st.csv", classic_csv()))
    liaoning_2022 = by_area_year(read)[("210000", 2022)]
    assert liaoning_2022.source_row == 6
    assert liaoning_2022.source_column == "2022年"
    assert liaoning_2022.area_raw == "辽　宁"
    assert liaoning_2022.value_raw == "743500"
    assert liaoning_2022.area_level == "province"
    assert by_area_year(read)[("150000", 2021)].area_raw == "内蒙占"


def test_classic_csv_footnotes_are_notes_not_data(write_file):
    read = read_province_year_file(write_file("st.csv", classic_csv()))
    assert (
        "注：1. 地方财政支出均为本级支出,\n2000年以前不包括国内外债务还本付息支出。" in read.notes
    )
    assert "数据来源：国家统计局" in read.notes
    assert read.observations["source_row"].max() == 7


def test_classic_csv_with_lf_line_endings_reads_the_same(write_file):
    crlf = read_province_year_file(write_file("a.csv", classic_csv()))
    lf = read_province_year_file(write_file("b.csv", classic_csv(newline="\n")))
    columns = ["source_row", "source_column", "area_code", "year", "value"]
    assert lf.observations[columns].equals(crlf.observations[columns])


def test_classic_xls_with_multi_row_footnote(nbs_xls_fixture):
    read = read_province_year_file(nbs_xls_fixture)
    assert read.reader == "nbs_xls"
    obs = by_area_year(read)
    # fixture rows 5-7 (see make_nbs_xls.py); 辽宁省 2019 is an empty cell
    assert len(obs) == 8
    assert ("210000", 2019) not in obs
    assert obs[("110000", 2019)].value == 35371.28
    assert obs[("110000", 2019)].source_row == 5
    assert obs[("230000", 2021)].source_row == 7
    assert obs[("210000", 2020)].value_raw == "25115"  # a numeric cell 25115.0 as Excel shows it
    assert read.notes[:2] == [
        "注：1.本表按当年价格计算。\n2.2019年数据为根据第四次全国经济普查资料修订后数据。",
        "数据来源：国家统计局",
    ]


def test_content_decides_the_variant_not_the_extension(tmp_path, write_file, nbs_xls_fixture):
    xls_named_csv = tmp_path / "gdp_download.csv"
    shutil.copy(nbs_xls_fixture, xls_named_csv)
    assert read_province_year_file(xls_named_csv).reader == "nbs_xls"
    assert read_province_year_file(write_file("export.txt", classic_csv())).reader == "nbs_csv_gbk"


def test_tab_comma_variant_with_all_empty_2025_column(write_file, mapping_file):
    mapping = mapping_file(
        "invention_grants_*.csv,invention_grants,件,test export 2026,2026-01-15,NBS test export"
    )
    path = write_file("invention_grants_2026.csv", tab_comma_csv(TAB_COMMA_ROWS))
    read = read_province_year_file(path, file_metrics=mapping)
    assert read.reader == "nbs_csv_tabcomma"
    obs = by_area_year(read)
    assert {k: v.value for k, v in obs.items()} == {
        ("110000", 2024): 119635.0,
        ("110000", 2023): 107875.0,
        ("110000", 2022): 88127.0,
        ("230000", 2024): 7863.0,
        ("230000", 2022): 8519.0,
    }
    assert 2025 not in set(read.observations["year"])  # empty means no data, never zero
    assert "column 2025年 is empty for every area: no observations for 2025" in read.notes
    assert obs[("230000", 2022)].area_raw == "黑龙 江"
    assert obs[("230000", 2022)].source_row == 5
    assert obs[("110000", 2024)].source_column == "2024年"


def test_mapping_file_gives_metric_unit_and_release_facts(write_file, mapping_file):
    mapping = mapping_file(
        "other*.csv,gdp,亿元,,,",
        "science_*.csv,local_fiscal_st_expenditure,万元,st export 2026,2026-01-15,NBS via mirror",
    )
    rows = [["地区", "2024年"], ["辽宁省", "789300"]]
    read = read_province_year_file(
        write_file("SCIENCE_v2.csv", tab_comma_csv(rows)), file_metrics=mapping
    )
    row = read.observations.iloc[0]
    assert row["metric"] == "local_fiscal_st_expenditure"
    assert row["value"] == 78.93  # 789 300 万元 in 亿元
    assert (row["unit"], row["unit_raw"]) == ("亿元", "万元")
    assert row["vintage"] == "st export 2026"
    assert row["release_date"] == date(2026, 1, 15)
    assert row["citation"] == "NBS via mirror"


def test_shipped_mapping_file_covers_the_real_export_names(write_file):
    read = read_province_year_file(
        write_file("patent_grants_total.csv", tab_comma_csv(TAB_COMMA_ROWS))
    )
    assert set(read.observations["metric"]) == {"patent_grants"}
    assert read.observations["citation"].str.contains("1376524890/tec_expenditure").all()


def test_metric_from_a_chinese_file_name_with_unit(write_file, mapping_file):
    rows = [["地区", "2023年"], ["北京市", "5219100"]]
    path = write_file("地方财政科学技术支出(万元).csv", tab_comma_csv(rows))
    read = read_province_year_file(path, file_metrics=mapping_file())
    row = read.observations.iloc[0]
    assert (row["metric"], row["value"], row["unit_raw"]) == (
        "local_fiscal_st_expenditure",
        521.91,
        "万元",
    )


def test_metric_from_a_metric_id_file_name_assumes_the_catalog_unit(write_file, mapping_file):
    rows = [["地区", "2024年"], ["北京市", "49670.2"]]
    read = read_province_year_file(
        write_file("gdp.csv", tab_comma_csv(rows)), file_metrics=mapping_file()
    )
    assert read.observations.iloc[0][["metric", "value", "unit"]].tolist() == [
        "gdp",
        49670.2,
        "亿元",
    ]
    assert any("assumed the catalog unit 亿元" in note for note in read.notes)


def test_no_indicator_anywhere_is_an_error(write_file, mapping_file):
    path = write_file("分省年度数据 (3).csv", tab_comma_csv(TAB_COMMA_ROWS))
    with pytest.raises(SourceError, match="cannot tell which indicator") as caught:
        read_province_year_file(path, file_metrics=mapping_file())
    assert caught.value.file == "分省年度数据 (3).csv"


@pytest.mark.parametrize(
    "mapping_row",
    ["st*.csv,gdp,,,,", "st*.csv,local_fiscal_st_expenditure,亿元,,,"],  # the file says 万元
)
def test_mapping_that_contradicts_the_indicator_line_is_an_error(
    write_file, mapping_file, mapping_row
):
    with pytest.raises(SourceError, match=r"nbs_file_metrics\.csv"):
        read_province_year_file(
            write_file("st.csv", classic_csv()), file_metrics=mapping_file(mapping_row)
        )


def test_mapping_row_that_agrees_adds_release_facts_to_an_indicator_line(write_file, mapping_file):
    mapping = mapping_file("st*.csv,local_fiscal_st_expenditure,万元,st 2024 export,,")
    read = read_province_year_file(write_file("st.csv", classic_csv()), file_metrics=mapping)
    assert set(read.observations["vintage"]) == {"st 2024 export"}


def test_mapping_with_a_unit_of_another_dimension_is_mixed_units(write_file, mapping_file):
    mapping = mapping_file("gdp*.csv,gdp,件,,,")
    rows = [["地区", "2024年"], ["北京市", "49670.2"]]
    with pytest.raises(SourceError, match="mixed units") as caught:
        read_province_year_file(write_file("gdp_x.csv", tab_comma_csv(rows)), file_metrics=mapping)
    assert caught.value.value == "件"


def test_unknown_province_names_file_row_column_value(write_file):
    lines = [*CLASSIC_CSV_LINES[:6], "火星省,1,2,3", *CLASSIC_CSV_LINES[7:]]
    with pytest.raises(SourceError) as caught:
        read_province_year_file(write_file("st.csv", classic_csv(lines)))
    error = caught.value
    assert (error.file, error.row, error.column, error.value) == ("st.csv", 7, "地区", "火星省")


def test_non_numeric_cell(write_file):
    lines = [
        "数据库：分省年度数据",
        "指标：地区生产总值(亿元)",
        "时间：最近5年",
        "地区,2024年,2023年",
        "北京市,49670.2,47353.7",
        "天津市,17931.3,17211.8",
        '河北省,47448.1,"12,3x"',  # line 7
    ]
    with pytest.raises(SourceError) as caught:
        read_province_year_file(write_file("gdp.csv", classic_csv(lines)))
    assert str(caught.value) == "gdp.csv: row 7, column '2023年', value '12,3x': text, not a number"


def test_a_value_for_a_future_year_is_refused(write_file):
    lines = [
        "数据库：分省年度数据",
        "指标：地区生产总值(亿元)",
        "地区,2999年,2024年",
        "北京市,1.0,49670.2",
    ]
    with pytest.raises(SourceError, match="year 2999 is in the future") as caught:
        read_province_year_file(write_file("gdp.csv", classic_csv(lines)))
    assert (caught.value.row, caught.value.column) == (4, "2999年")


def test_a_header_cell_that_is_not_a_year_is_refused(write_file):
    lines = [
        "数据库：分省年度数据",
        "指标：地区生产总值(亿元)",
        "地区,2024年,2024年第一季度",
        "北京市,1,2",
    ]
    with pytest.raises(SourceError, match="not a year column"):
        read_province_year_file(write_file("gdp.csv", classic_csv(lines)))


def test_one_region_variant_is_refused_clearly(write_file):
    rows = [["指标", "2024年", "2023年"], ["地方财政科学技术支出 (亿元) ", "", "521.91"]]
    path = write_file(
        "分省年度数据.csv", tab_comma_csv(rows, labels=("数据库：分省年度数据 ", "时间： "))
    )
    with pytest.raises(SourceError, match=r"one-region NBS export .* not supported"):
        read_province_year_file(path)


def test_default_vintage_is_stable_for_the_same_content(tmp_path, write_file):
    content = classic_csv()
    first = read_province_year_file(write_file("st.csv", content, tmp_path / "a"))
    again = read_province_year_file(write_file("st.csv", content, tmp_path / "b"))
    expected = f"st.csv sha256:{hashlib.sha256(content).hexdigest()[:12]}"
    assert set(first.observations["vintage"]) == {expected}
    assert first.observations.equals(again.observations)
    assert first.file_sha256 == hashlib.sha256(content).hexdigest()

    revised = classic_csv([line.replace("5219100", "5219200") for line in CLASSIC_CSV_LINES])
    changed = read_province_year_file(write_file("st.csv", revised, tmp_path / "c"))
    assert set(changed.observations["vintage"]) != {expected}


def test_observation_columns_and_types(write_file):
    read = read_province_year_file(write_file("st.csv", classic_csv()))
    frame = read.observations
    assert tuple(frame.columns) == OBSERVATION_COLUMNS
    assert frame["source_row"].dtype == "int64"
    assert frame["year"].dtype == "int64"
    assert frame["value"].dtype == "float64"
    assert frame["is_synthetic"].dtype == bool
    assert not frame["is_synthetic"].any()
    assert frame["release_date"].tolist() == [None] * len(frame)
    assert frame["citation"].tolist() == [None] * len(frame)


def test_a_file_without_any_value_gives_an_empty_frame_with_every_column(write_file):
    rows = [["地区", "2025年", "2024年"], ["北京市", "", ""]]
    read = read_province_year_file(write_file("gdp.csv", tab_comma_csv(rows)))
    assert read.observations.empty
    assert tuple(read.observations.columns) == OBSERVATION_COLUMNS
    assert read.observations["value"].dtype == "float64"


def test_mapping_unit_applies_when_the_indicator_line_states_none(write_file, mapping_file):
    lines = ["数据库：分省年度数据", "指标：地方财政科学技术支出", "地区,2023年", "北京市,5219100"]
    mapping = mapping_file("st*.csv,,万元,,,")
    read = read_province_year_file(write_file("st.csv", classic_csv(lines)), file_metrics=mapping)
    assert read.observations[["value", "unit_raw"]].values.tolist() == [[521.91, "万元"]]


def test_reject_mode_keeps_the_good_cells_of_a_row(write_file):
    lines = [
        "数据库：分省年度数据",
        "指标：地区生产总值(亿元)",
        "地区,2024年,2023年",
        "北京市,49670.2,…",
        "火星省,1,2",
    ]
    read = read_province_year_file(write_file("gdp.csv", classic_csv(lines)), bad_cells="reject")
    assert read.observations[["source_row", "year"]].values.tolist() == [[4, 2024]]
    assert read.rejected[
        ["source_row", "source_column", "value_raw", "rule", "values_withheld"]
    ].values.tolist() == [
        [4, "2023年", "…", "placeholder", 1],
        [5, "地区", "火星省", "unknown_area", 2],
    ]
