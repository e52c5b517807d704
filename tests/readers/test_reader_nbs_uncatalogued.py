"""An NBS export whose 指标 line names an indicator no metric knows (issue 11, part 3): loaded
as an uncatalogued metric under an id made from its name, in the unit the line states, with a
note printing the metrics.csv line that catalogues it; refused when the unit is missing or
unknown. Fixtures are classic exports (GBK, CRLF) as data.stats.gov.cn writes them."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from pipelines.paths import REFERENCE_DIR
from pipelines.readers import SourceError, catalog, read_province_year_file
from pipelines.readers.catalog import CATALOGUE_HINT, uncatalogued_metric_id

ELDERLY = "65岁及以上人口(万人)"
ELDERLY_ID = "65岁及以上人口"


def nbs_export(indicator: str | None, rows=None) -> bytes:
    """Variant A: GBK, CRLF, the label lines, 地区 and years newest first, a footnote."""
    rows = rows or [
        "北京市,311,302,290",  # line 5
        "辽宁省,860,830,",  # line 6: 2021 empty
        "全国,21676,20978,20056",  # line 7
    ]
    lines = [
        "数据库：分省年度数据",  # line 1
        *([f"指标：{indicator}"] if indicator is not None else []),  # line 2
        "时间：最近3年",
        "地区,2023年,2022年,2021年",
        *rows,
        "数据来源：国家统计局",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def printed_line(notes: list[str]) -> str:
    (note,) = [n for n in notes if CATALOGUE_HINT in n]
    return note.split(CATALOGUE_HINT, 1)[1]


def as_row(line: str) -> dict[str, str]:
    """The printed line read as a row of metrics.csv (its header from the real file)."""
    header = (REFERENCE_DIR / "metrics.csv").read_text(encoding="utf-8").splitlines()[0]
    return next(csv.DictReader(io.StringIO(header + "\n" + line + "\n")))


@pytest.fixture
def catalog_copy(tmp_path, monkeypatch):
    """catalog_copy(*lines): the readers' metric catalog is the real metrics.csv plus lines."""

    def use(*lines: str):
        path = tmp_path / "reference" / "metrics.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REFERENCE_DIR / "metrics.csv", path)
        with path.open("a", encoding="utf-8", newline="") as handle:
            for line in lines:
                handle.write(line + "\n")
        monkeypatch.setattr(catalog, "METRICS_FILE", path)
        catalog._metric_index.cache_clear()
        return path

    yield use
    catalog._metric_index.cache_clear()  # the next test reads the real catalog again


def test_an_unknown_indicator_loads_as_an_uncatalogued_metric(write_file):
    read = read_province_year_file(write_file("elderly.csv", nbs_export(ELDERLY)))
    assert read.reader == "nbs_csv_gbk"
    obs = {(o.area_code, o.year): o for o in read.observations.itertuples()}
    # the numbers as written, in the unit the 指标 line states (nothing to convert to)
    assert {key: o.value for key, o in obs.items()} == {
        ("110000", 2023): 311.0,
        ("110000", 2022): 302.0,
        ("110000", 2021): 290.0,
        ("210000", 2023): 860.0,
        ("210000", 2022): 830.0,
        ("000000", 2023): 21676.0,
        ("000000", 2022): 20978.0,
        ("000000", 2021): 20056.0,
    }
    assert set(read.observations["metric"]) == {"65岁及以上人口"}
    assert set(read.observations["unit"]) == {"万人"}
    assert set(read.observations["unit_raw"]) == {"万人"}
    liaoning = obs[("210000", 2023)]
    assert (liaoning.source_row, liaoning.source_column, liaoning.value_raw) == (6, "2023年", "860")


def test_the_note_says_so_and_prints_the_exact_metrics_csv_line(write_file):
    read = read_province_year_file(write_file("elderly.csv", nbs_export(ELDERLY)))
    line = (
        "65岁及以上人口,65岁及以上人口,65岁及以上人口,万人,no,no,0,65岁及以上人口,"
        '"NBS 分省年度数据 indicator 指标：65岁及以上人口(万人), added from a load note: '
        'check name_en, sums_to_national and minimum."'
    )
    assert (
        "指标 '65岁及以上人口(万人)' is not in data/reference/metrics.csv: loaded as uncatalogued "
        "metric 65岁及以上人口, kept out of the indicators; to catalogue it add this line to "
        f"data/reference/metrics.csv: {line}"
    ) in read.notes
    # every column of metrics.csv, in order
    row = as_row(printed_line(read.notes))
    assert list(row) == [
        "metric",
        "name_zh",
        "name_en",
        "unit",
        "sums_to_national",
        "national_includes_others",
        "minimum",
        "aliases_zh",
        "description",
    ]
    assert (row["metric"], row["unit"], row["aliases_zh"]) == (ELDERLY_ID, "万人", ELDERLY_ID)
    assert not [n for n in read.notes if n.startswith("metric ")]  # no "taken from" note


def test_the_same_name_always_gives_the_same_id(write_file):
    # full-width parentheses and a stray space, as other downloads write the line
    variants = [ELDERLY, "65岁及以上 人口（万人）", "65岁及以上人口 (万人)"]
    ids = set()
    for i, indicator in enumerate(variants):
        read = read_province_year_file(write_file(f"v{i}.csv", nbs_export(indicator)))
        ids |= set(read.observations["metric"])
    assert ids == {"65岁及以上人口"} == {uncatalogued_metric_id("65岁及以上 人口")}


@pytest.mark.parametrize(
    ("indicator", "unit", "minimum"),
    [
        ("人口抽样调查样本数据(人)", "人", "0"),  # a count of persons cannot be negative
        ("城镇私营单位就业人员(万人)", "万人", "0"),
        ("专业技术人员平均工资(元)", "元", ""),  # money may be negative (a balance)
        ("城镇登记失业率(%)", "%", ""),  # a rate may be negative (a growth rate)
    ],
)
def test_the_unit_is_the_one_in_the_parenthesis(write_file, indicator, unit, minimum):
    read = read_province_year_file(write_file("x.csv", nbs_export(indicator)))
    assert set(read.observations["unit"]) == {unit}
    assert read.observations["value"].tolist()[:2] == [311.0, 302.0]  # never converted
    row = as_row(printed_line(read.notes))
    assert (row["unit"], row["minimum"], row["sums_to_national"]) == (unit, minimum, "no")


def test_an_unknown_unit_refuses_the_file_naming_the_unit_and_the_fix(write_file):
    with pytest.raises(SourceError) as raised:
        read_province_year_file(write_file("x.csv", nbs_export("城镇单位就业人员(万口)")))
    error = raised.value
    assert (error.row, error.column, error.value, error.rule) == (2, "指标", "万口", "unknown_unit")
    assert "its unit '万口' is not in data/reference/units.csv" in error.reason
    assert "add the unit to data/reference/units.csv" in error.reason


def test_no_unit_refuses_the_file_a_unit_is_never_guessed(write_file):
    with pytest.raises(SourceError) as raised:
        read_province_year_file(write_file("x.csv", nbs_export("人口抽样调查样本数据")))
    error = raised.value
    assert (error.row, error.column, error.value) == (2, "指标", "人口抽样调查样本数据")
    assert "states no unit" in error.reason and "never guessed" in error.reason
    # the line to add, with the unit left for the person to fill in
    assert error.reason.endswith(
        "人口抽样调查样本数据,人口抽样调查样本数据,人口抽样调查样本数据,<unit>,no,no,,"
        '人口抽样调查样本数据,"NBS 分省年度数据 indicator 指标：人口抽样调查样本数据, added from '
        'a load note: check name_en, sums_to_national and minimum."'
    )


def test_a_known_indicator_is_read_as_before(write_file):
    read = read_province_year_file(write_file("gdp.csv", nbs_export("地区生产总值(亿元)")))
    assert set(read.observations["metric"]) == {"gdp"}
    assert "metric gdp taken from the 指标 line (地区生产总值(亿元))" in read.notes
    assert not [n for n in read.notes if CATALOGUE_HINT in n]


def test_after_adding_the_printed_line_the_file_reads_as_catalogued(write_file, catalog_copy):
    path = write_file("elderly.csv", nbs_export(ELDERLY))
    line = printed_line(read_province_year_file(path).notes)
    catalog_copy(line)
    read = read_province_year_file(path)
    assert set(read.observations["metric"]) == {"65岁及以上人口"}  # the same id as before
    assert "metric 65岁及以上人口 taken from the 指标 line (65岁及以上人口(万人))" in read.notes
    assert not [n for n in read.notes if CATALOGUE_HINT in n]
    assert catalog.get_metric("65岁及以上人口").unit.name == "万人"


def test_an_alias_of_an_existing_metric_is_still_the_way_to_name_a_known_indicator(
    write_file, catalog_copy
):
    catalog_copy(
        "population_65plus,65岁及以上人口,Population aged 65 and over,万人,yes,no,0,"
        "65岁及以上人口|65岁以上人口,Resident population aged 65 and over."
    )
    read = read_province_year_file(write_file("x.csv", nbs_export("65岁以上人口(人)")))
    assert set(read.observations["metric"]) == {"population_65plus"}
    assert read.observations["value"].tolist()[0] == pytest.approx(0.0311)  # 311 人 in 万人


def test_a_mapping_naming_another_metric_is_a_contradiction(write_file, mapping_file):
    mapping = mapping_file("elderly*.csv,population,万人,,,")
    with pytest.raises(SourceError) as raised:
        read_province_year_file(
            write_file("elderly.csv", nbs_export(ELDERLY)), file_metrics=mapping
        )
    assert "says the file holds population" in raised.value.reason
    assert "add '65岁及以上人口' to the aliases_zh of population" in raised.value.reason


def test_a_mapping_with_another_unit_is_a_contradiction(write_file, mapping_file):
    mapping = mapping_file("elderly*.csv,,人,,,")
    with pytest.raises(SourceError, match="the 指标 line says 万人 but .* says 人"):
        read_province_year_file(
            write_file("elderly.csv", nbs_export(ELDERLY)), file_metrics=mapping
        )


def test_bad_cells_of_an_uncatalogued_export_are_rejected_like_any_other(write_file):
    rows = ["北京市,311,—,290", "北平,1,2,3", "辽宁省,860,830,"]
    read = read_province_year_file(
        write_file("x.csv", nbs_export(ELDERLY, rows)), bad_cells="reject"
    )
    assert len(read.observations) == 4
    assert sorted(read.rejected["rule"]) == ["placeholder", "unknown_area"]
