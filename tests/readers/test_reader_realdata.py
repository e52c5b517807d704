"""The readers on every real file in ../shared/realdata (skipped where it is absent).

Known values are the published figures, checked by eye against the files themselves.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.readers import read_province_year_file
from pipelines.readers.areas import all_areas

pytestmark = pytest.mark.realdata

PROVINCE_CODES = {area.code for area in all_areas() if area.level == "province"}


def value(read, area_code: str, year: int, metric: str) -> float:
    obs = read.observations
    hit = obs[(obs["area_code"] == area_code) & (obs["year"] == year) & (obs["metric"] == metric)]
    assert len(hit) == 1, f"{read.path.name}: {len(hit)} rows for {area_code} {year} {metric}"
    return float(hit["value"].iloc[0])


def test_every_real_file_reads_cleanly(realdata):
    """The NBS exports and communiqué tables; the yearbook's 124 tables, whose Hong Kong,
    Macao and Taiwan rows are refused by design, are in test_reader_yearbook_realdata.py."""
    yearbook = realdata / "sci_tech_yearbook"
    files = sorted(
        p for p in realdata.rglob("*") if p.suffix in (".csv", ".xls") and yearbook not in p.parents
    )
    assert len(files) == 14
    for path in files:
        read = read_province_year_file(path)
        obs = read.observations
        assert len(obs) > 0, path.name
        provinces = set(obs.loc[obs["area_level"] == "province", "area_code"])
        assert provinces == PROVINCE_CODES, path.name
        assert obs["year"].max() <= date.today().year
        assert not obs.duplicated(["area_code", "year", "metric"]).any(), path.name


def test_nbs_exports_are_variant_c_with_their_mapped_metric(realdata):
    expected_metric = {
        "gdp_100m_yuan.csv": "gdp",
        "invention_patent_applications.csv": "invention_applications",
        "invention_patent_grants.csv": "invention_grants",
        "local_fiscal_general_budget_expenditure_100m_yuan.csv": "local_fiscal_expenditure",
        "local_fiscal_sci_tech_expenditure_100m_yuan.csv": "local_fiscal_st_expenditure",
        "patent_applications_total.csv": "patent_applications",
        "patent_grants_total.csv": "patent_grants",
        "tech_market_turnover_100m_yuan.csv": "tech_market_turnover",
        "year_end_resident_population_10k.csv": "population",
    }
    for name, metric in expected_metric.items():
        read = read_province_year_file(realdata / "nbs_exports" / name)
        assert read.reader == ("nbs_csv_gbk" if metric == "population" else "nbs_csv_tabcomma")
        assert set(read.observations["metric"]) == {metric}, name
        assert 2025 not in set(read.observations["year"]), name  # the 2025 column is empty
        assert "数据来源：国家统计局" in read.notes


def test_beijing_gdp_2024_in_two_exports(realdata):
    tab_comma = read_province_year_file(realdata / "nbs_exports" / "gdp_100m_yuan.csv")
    classic = read_province_year_file(
        realdata / "nbs_format" / "classic_csv_gbk_crlf__GDP__RenJiyi163.csv"
    )
    assert classic.reader == "nbs_csv_gbk"
    assert value(tab_comma, "110000", 2024, "gdp") == 49670.2
    assert value(classic, "110000", 2024, "gdp") == 49670.2
    # classic file: 31 provinces x 19 years (2024 back to 2006), Beijing on line 5
    assert len(classic.observations) == 31 * 19
    beijing = classic.observations[classic.observations["area_code"] == "110000"]
    assert set(beijing["source_row"]) == {5}


def test_beijing_gdp_2019_in_the_2020_xls_vintage(realdata):
    read = read_province_year_file(
        realdata / "nbs_format" / "classic_xls__GDP__2020-data-integration.xls"
    )
    assert read.reader == "nbs_xls"
    assert value(read, "110000", 2019, "gdp") == 35371.28
    # the 2026 export carries the revised figure: a different vintage, not an overwrite
    revised = read_province_year_file(realdata / "nbs_exports" / "gdp_100m_yuan.csv")
    assert value(revised, "110000", 2019, "gdp") == 37767.0
    assert set(read.observations["vintage"]).isdisjoint(set(revised.observations["vintage"]))
    assert any(
        note.startswith("注：1.本表按当年价格计算") and "\n2.2018年" in note for note in read.notes
    )


def test_rd_communique_2023(realdata):
    read = read_province_year_file(realdata / "rd_communique" / "rd_communique_2023.csv")
    expenditure = {
        name: value(read, code, 2023, "rd_expenditure")
        for name, code in [
            ("liaoning", "210000"),
            ("jilin", "220000"),
            ("heilongjiang", "230000"),
            ("jiangsu", "320000"),
        ]
    }
    assert expenditure == {
        "liaoning": 676.4,
        "jilin": 210.2,
        "heilongjiang": 229.3,
        "jiangsu": 4212.3,
    }
    northeast = expenditure["liaoning"] + expenditure["jilin"] + expenditure["heilongjiang"]
    # realdata/README.md: 1115.9 亿元, 26.5% of Jiangsu
    assert round(northeast, 1) == 1115.9
    assert round(northeast / expenditure["jiangsu"] * 100, 1) == 26.5
    intensities = [
        value(read, code, 2023, "rd_intensity") for code in ("210000", "220000", "230000")
    ]
    assert round(sum(intensities) / 3, 2) == 1.74  # (2.24 + 1.55 + 1.44) / 3
    assert value(read, "000000", 2023, "rd_intensity") == 2.65
    row = read.observations.iloc[0]
    assert (row["release_date"], row["area_level"]) == (date(2024, 10, 2), "national")


def test_communique_vintages_differ_by_release(realdata):
    vintages = {
        year: set(
            read_province_year_file(
                realdata / "rd_communique" / f"rd_communique_{year}.csv"
            ).observations["vintage"]
        )
        for year in (2022, 2023)
    }
    assert vintages[2022] == {"NBS release 2023-09-18 (t20230918_1942920)"}
    assert vintages[2023] == {"NBS release 2024-10-02 (t20241002_1956810)"}


def test_population_is_an_official_export_with_its_footnote(realdata):
    read = read_province_year_file(
        realdata / "nbs_exports" / "year_end_resident_population_10k.csv"
    )
    assert value(read, "110000", 2024, "population") == 2183
    assert value(read, "210000", 2015, "population") > 0
    obs = read.observations
    assert (obs["unit"] == "万人").all()
    assert obs["citation"].str.contains("1lmq/FYP_QMM2_Chinese_Railways").all()
    assert sorted(obs["year"].unique()) == list(range(2015, 2025))
    assert any(note.startswith("注：常住人口包括") for note in read.notes)
