"""Units (parsing, conversion, mixed dimensions) and the metric catalog lookup."""

from __future__ import annotations

import pytest

from pipelines.readers import SourceError, convert, parse_unit, resolve_metric_label
from pipelines.readers.units import split_unit_suffix


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("亿元", "亿元"),
        ("(亿元)", "亿元"),
        ("（万元）", "万元"),
        (" 万元 ", "万元"),
        ("100m_yuan", "亿元"),
        ("PCT", "%"),
        ("％", "%"),
        ("件", "件"),
        ("项", "件"),
        ("人年", "人年"),
    ],
)
def test_units_are_recognised_in_any_spelling(text, name):
    assert parse_unit(text).name == name


@pytest.mark.parametrize("text", ["亿美元", "", None, "()"])
def test_unknown_or_empty_units_are_none(text):
    assert parse_unit(text) is None


def test_wan_yuan_to_yi_yuan():
    # 1 亿 = 10 000 万, so 12 345 万元 = 1.2345 亿元
    assert convert(12345.0, parse_unit("万元"), parse_unit("亿元")) == 1.2345
    assert convert(5219100.0, parse_unit("万元"), parse_unit("亿元")) == 521.91


def test_yi_yuan_to_yuan_and_same_unit_unchanged():
    assert convert(1.5, parse_unit("亿元"), parse_unit("元")) == 150_000_000.0
    assert convert(49670.2, parse_unit("亿元"), parse_unit("亿元")) == 49670.2


def test_mixed_dimensions_refused():
    with pytest.raises(SourceError, match="mixed units"):
        convert(3.0, parse_unit("件"), parse_unit("亿元"))


def test_unit_suffix_of_a_column_id():
    stem, unit, raw = split_unit_suffix("rd_expenditure_100m_yuan")
    assert (stem, unit.name, raw) == ("rd_expenditure", "亿元", "100m_yuan")
    stem, unit, raw = split_unit_suffix("rd_intensity_pct")
    assert (stem, unit.name, raw) == ("rd_intensity", "%", "pct")
    assert split_unit_suffix("gdp") is None


@pytest.mark.parametrize(
    ("label", "metric", "unit"),
    [
        ("gdp", "gdp", None),
        ("GDP", "gdp", None),
        ("地区生产总值(亿元)", "gdp", "亿元"),
        ("地方财政科学技术支出 (亿元)", "local_fiscal_st_expenditure", "亿元"),
        ("地方财政科学技术支出 (亿元) ", "local_fiscal_st_expenditure", "亿元"),
        ("研究与试验发展(R&D)经费支出(亿元)", "rd_expenditure", "亿元"),
        ("研究与试验发展（R&D）经费支出（万元）", "rd_expenditure", "万元"),
        ("研究与试验发展(R&D)经费支出", "rd_expenditure", None),
        ("R&D经费(亿元)", "rd_expenditure", "亿元"),
        ("rd_expenditure_100m_yuan", "rd_expenditure", "亿元"),
        ("rd_intensity_pct", "rd_intensity", "%"),
        ("R&D经费投入强度(%)", "rd_intensity", "%"),
        ("国内发明专利申请授权量(件)", "invention_grants", "件"),
        # a metric id that happens to end in a unit alias ('enterprises' = 家) is still the id
        ("high_tech_enterprises", "high_tech_enterprises", None),
        ("Gross regional product", "gdp", None),
    ],
)
def test_metric_labels(label, metric, unit):
    match = resolve_metric_label(label)
    assert match.metric.id == metric
    assert (match.unit.name if match.unit else None) == unit


@pytest.mark.parametrize("label", ["province_en", "source_url", "year", "地区", "gdp_per_capita"])
def test_labels_that_are_not_metrics(label):
    assert resolve_metric_label(label) is None


def test_a_metric_with_an_unknown_unit_is_an_error_not_a_skip():
    with pytest.raises(SourceError, match="unit is unknown") as caught:
        resolve_metric_label("地区生产总值(亿美元)")
    assert caught.value.value == "亿美元"
