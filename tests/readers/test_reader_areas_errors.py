"""The area normaliser and the error message format."""

from __future__ import annotations

import pytest

from pipelines.readers import SourceError, find_area, normalise_area
from pipelines.readers.areas import all_areas


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("黑龙江省", "230000"),
        ("黑龙江", "230000"),
        ("辽　宁", "210000"),  # U+3000 padding, as in communiqué HTML
        ("北　京", "110000"),
        ("黑龙 江", "230000"),  # ASCII spaces, as in yearbook-derived tables
        ("上   海", "310000"),
        (" 北京市\t", "110000"),
        ("内蒙占", "150000"),  # OCR typos
        ("两藏", "540000"),
        ("山两", "140000"),
        ("江四", "360000"),
        ("浙汀", "330000"),
        ("HEILONGJIANG", "230000"),
        ("heilongjiang province", "230000"),
        ("Heilongjiang Province", "230000"),
        ("Beijing Municipality", "110000"),
        ("Inner Mongolia Autonomous Region", "150000"),
        ("inner mongolia", "150000"),
        ("Guangxi Zhuang Autonomous Region", "450000"),
        ("Xinjiang Uygur Autonomous Region", "650000"),
        ("Tibet", "540000"),
        ("Xizang", "540000"),
        ("Shanxi", "140000"),
        ("Shaanxi", "610000"),
        ("Shan'xi", "140000"),
        ("ningxia", "640000"),
        ("230000", "230000"),
        (230000, "230000"),
        (230000.0, "230000"),
        ("230000.0", "230000"),
        (110000, "110000"),
    ],
)
def test_province_spellings_map_to_one_code(raw, code):
    area = normalise_area(raw)
    assert area.code == code
    assert area.level == "province"


@pytest.mark.parametrize(
    ("raw", "code", "level"),
    [
        ("全国", "000000", "national"),
        ("National", "000000", "national"),
        ("000000", "000000", "national"),
        ("东部地区", "CN-EAST", "region"),
        ("尔部地区", "CN-EAST", "region"),  # OCR typo for 东部地区
        ("东北", "CN-NORTHEAST", "region"),
        ("Western region", "CN-WEST", "region"),
        ("CN-CENTRAL", "CN-CENTRAL", "region"),
    ],
)
def test_national_and_regions_keep_their_level(raw, code, level):
    area = normalise_area(raw)
    assert (area.code, area.level) == (code, level)


def test_reference_table_has_31_provinces_national_and_4_regions():
    levels = [area.level for area in all_areas()]
    assert levels.count("province") == 31
    assert levels.count("national") == 1
    assert levels.count("region") == 4


@pytest.mark.parametrize("raw", ["火星省", "999999", 230000.5, "", None, "Shan xi xi"])
def test_unknown_names_are_not_guessed(raw):
    assert find_area(raw) is None


def test_unknown_area_error_names_file_row_column_and_value():
    with pytest.raises(SourceError) as caught:
        normalise_area("火星省", file="gdp.csv", row=9, column="地区")
    error = caught.value
    assert (error.file, error.row, error.column, error.value) == ("gdp.csv", 9, "地区", "火星省")
    assert str(error).startswith("gdp.csv: row 9, column '地区', value '火星省': unknown province")


def test_lookups_are_cached_per_cell_value():
    assert find_area("辽　宁") is find_area("辽　宁")


def test_error_message_format():
    error = SourceError("not a number", file="gdp.csv", row=7, column="2023年", value="12,3x")
    assert str(error) == "gdp.csv: row 7, column '2023年', value '12,3x': not a number"
    assert isinstance(error, ValueError)


def test_error_message_leaves_out_unknown_parts_and_can_be_located_later():
    error = SourceError("mixed units", value="件")
    assert str(error) == "value '件': mixed units"
    located = error.located(file="a.csv", row=3, column="unit")
    assert str(located) == "a.csv: row 3, column 'unit', value '件': mixed units"
