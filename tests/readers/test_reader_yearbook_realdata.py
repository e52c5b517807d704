"""The yearbook reader on the 124 real S&T Yearbook tables in
../shared/realdata/sci_tech_yearbook (skipped where it is absent).

Known values are the figures of that folder's README, checked against the files themselves.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest

from pipelines.readers import read_province_year_file
from pipelines.readers.areas import all_areas
from pipelines.readers.text import compact_key

pytestmark = pytest.mark.realdata

PROVINCE_CODES = {area.code for area in all_areas() if area.level == "province"}
# Rows the yearbook prints after the provinces and the warehouse does not load.
NOT_PROVINCES = {"香港", "澳门", "台湾", "港澳台", "其他", "其它", "国外"}


@cache
def read(path: Path):
    return read_province_year_file(path, bad_cells="reject")


def yearbook_files(realdata: Path) -> list[Path]:
    return sorted((realdata / "sci_tech_yearbook").rglob("*.xls"))


def value(realdata: Path, file: str, area_code: str, year: int, metric: str) -> float:
    obs = read(realdata / "sci_tech_yearbook" / file).observations
    hit = obs[(obs["area_code"] == area_code) & (obs["year"] == year) & (obs["metric"] == metric)]
    assert len(hit) == 1, f"{file}: {len(hit)} rows for {area_code} {year} {metric}"
    return float(hit["value"].iloc[0])


def test_every_yearbook_file_reads_with_all_31_provinces(realdata):
    files = yearbook_files(realdata)
    assert len(files) == 124
    for path in files:
        result = read(path)
        obs = result.observations
        name = str(path.relative_to(realdata))
        assert result.reader == "yearbook_xls", name
        provinces = set(obs.loc[obs["area_level"] == "province", "area_code"])
        assert provinces == PROVINCE_CODES, name
        assert not obs.duplicated(["area_code", "year", "metric"]).any(), name
        assert obs["vintage"].str.fullmatch(r"中国科技统计年鉴20\d\d").all(), name


def test_rejected_rows_are_only_hong_kong_macao_taiwan_others_and_one_typo(realdata):
    other_rejections = []
    area_rows = 0
    for path in yearbook_files(realdata):
        for rejection in read(path).rejected.itertuples():
            if rejection.rule == "unknown_area":
                assert compact_key(rejection.value_raw) in NOT_PROVINCES, (path, rejection)
                area_rows += 1
            else:
                other_rejections.append(
                    (
                        str(path.relative_to(realdata / "sci_tech_yearbook")),
                        rejection.source_row,
                        rejection.source_column,
                        rejection.value_raw,
                        rejection.rule,
                    )
                )
    assert area_rows > 0
    assert other_rejections == [
        ("rd_expenditure_by_source/raw-2012.xls", 12, "E 企业资金", "368633!", "not_a_number")
    ]


def test_rd_expenditure_2023(realdata):
    file = "rd_expenditure_by_source/raw-2023.xls"
    # 333 570 688 万元 = 33 357.0688 亿元, as the 2023 communiqué (33 357.1)
    assert value(realdata, file, "000000", 2023, "rd_expenditure") == 33357.0688
    assert value(realdata, file, "210000", 2023, "rd_expenditure") == 676.4433
    assert value(realdata, file, "210000", 2023, "rd_expenditure_government") == 161.3908
    obs = read(realdata / "sci_tech_yearbook" / file).observations
    national = obs[(obs["area_code"] == "000000") & (obs["metric"] == "rd_expenditure")].iloc[0]
    assert (national["value_raw"], national["unit_raw"], national["vintage"]) == (
        "333570688",
        "万元",
        "中国科技统计年鉴2024",
    )


def test_liaoning_rd_personnel_fte(realdata):
    assert value(realdata, "rd_personnel_fte/raw-2010.xls", "210000", 2010, "rd_personnel_fte") == (
        84653.8
    )
    assert value(realdata, "rd_personnel_fte/raw-2013.xls", "210000", 2013, "rd_personnel_fte") == (
        94885
    )


def test_liaoning_high_tech_industry_2012(realdata):
    file = "high_tech_industry_operation/raw-2012.xls"
    assert value(realdata, file, "210000", 2012, "high_tech_industry_enterprises") == 738
    assert value(realdata, file, "210000", 2012, "high_tech_industry_revenue") == 2214.1
    assert value(realdata, file, "210000", 2012, "high_tech_industry_profit") == 160.0


def test_liaoning_industrial_enterprises_with_rd_activity_2023(realdata):
    file = "industrial_enterprises_with_rd/raw-2023.xls"
    assert value(realdata, file, "210000", 2023, "industrial_rd_active_enterprises") == 2288


def test_rd_intensity_2022_in_two_vintages(realdata):
    yearbook = read(realdata / "sci_tech_yearbook" / "rd_intensity" / "raw-2023.xls").observations
    communique = read_province_year_file(
        realdata / "rd_communique" / "rd_communique_2022.csv"
    ).observations
    both = pd.concat([yearbook, communique], ignore_index=True)
    national_2022 = both[
        (both["area_code"] == "000000")
        & (both["year"] == 2022)
        & (both["metric"] == "rd_intensity")
    ]
    # the 2024 yearbook restates 2022 after the GDP revision; the communiqué's figure stays
    assert dict(zip(national_2022["vintage"], national_2022["value"], strict=True)) == {
        "中国科技统计年鉴2024": 2.56,
        "NBS release 2023-09-18 (t20230918_1942920)": 2.54,
    }
    # both are kept: they differ in the warehouse key (area, year, metric, vintage)
    assert not both.duplicated(["area_code", "year", "metric", "vintage"]).any()
