"""The generator's building blocks: panel reading, vectorised codes, weighted draws,
value-based local sourcing."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from pipelines.check_characters import is_valid_cn_application_number, is_valid_usc
from pipelines.demo.synthetic.building_blocks import (
    WeightedPools,
    largest_remainder,
    random_days_in_year,
    year_of_days,
)
from pipelines.demo.synthetic.identifiers import cn_application_numbers, unified_social_credit_codes
from pipelines.demo.synthetic.panel import PanelError, fill_from_nearest_year, load_panel
from pipelines.demo.synthetic.procurement import local_by_value
from pipelines.readers.errors import SourceError

PANEL_HEADER = ["province", "year", "metric", "value", "unit", "vintage", "release_date", "source"]
REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"


def province_names() -> list[str]:
    with open(REFERENCE / "areas.csv", encoding="utf-8") as handle:
        return [r["name_zh"] for r in csv.DictReader(handle) if r["level"] == "province"]


def write_panel(path: Path, rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(PANEL_HEADER)
        writer.writerows(rows)


def minimal_panel(folder: Path, years=range(2012, 2015)) -> None:
    """Every required metric for every province, value = 100 + province index."""
    rows = []
    for metric in (
        "gdp",
        "patent_grants",
        "invention_grants",
        "patent_applications",
        "invention_applications",
    ):
        unit = "亿元" if metric == "gdp" else "件"
        for i, name in enumerate(province_names()):
            rows += [[name, y, metric, 100 + i, unit, "v1", "2024-01-01", "test"] for y in years]
    write_panel(folder / "nbs_base.csv", rows)


# --- panel -----------------------------------------------------------------------------------


def test_newest_vintage_wins_and_units_convert(tmp_path):
    minimal_panel(tmp_path)
    write_panel(
        tmp_path / "revision.csv",
        [
            ["辽　宁", 2013, "gdp", 2_000_000, "万元", "v2", "2025-01-01", "test"],  # 200 亿元
            ["辽宁省", 2013, "gdp", 999, "亿元", "v0", "2020-01-01", "older release"],
        ],
    )
    panel = load_panel(tmp_path, range(2012, 2015))
    liaoning = panel.provinces.names.index("辽宁省")
    assert panel.values["gdp"][liaoning, 1] == pytest.approx(200.0)


def test_synthetic_files_are_not_read_as_panel(tmp_path):
    minimal_panel(tmp_path)
    write_panel(
        tmp_path / "synthetic_micro_aggregates.csv",
        [["辽宁省", 2013, "gdp", 1e9, "亿元", "synthetic", "", "generator"]],
    )
    panel = load_panel(tmp_path, range(2012, 2015))
    assert panel.values["gdp"].max() < 1000


def test_unknown_province_names_file_and_row(tmp_path):
    minimal_panel(tmp_path)
    write_panel(
        tmp_path / "bad.csv",
        [
            ["辽宁省", 2013, "gdp", 1, "亿元", "v", "", "s"],
            ["Atlantis", 2013, "gdp", 1, "亿元", "v", "", "s"],
        ],
    )
    # The generator reads the panel with the project's readers: one normaliser, one error.
    with pytest.raises(SourceError, match=r"bad\.csv: row 3, column 'province', value 'Atlantis'"):
        load_panel(tmp_path, range(2012, 2015))


def test_missing_required_metric_is_an_error(tmp_path):
    write_panel(tmp_path / "only_gdp.csv", [["北京市", 2013, "gdp", 1, "亿元", "v", "", "s"]])
    with pytest.raises(PanelError, match="missing"):
        load_panel(tmp_path, range(2012, 2015))


def test_fill_from_nearest_year_prefers_the_earlier_on_ties():
    nan = np.nan
    filled = fill_from_nearest_year(np.array([[nan, 1.0, nan, 3.0, nan], [nan] * 5]))
    assert filled[0].tolist() == [1.0, 1.0, 1.0, 3.0, 3.0]
    assert np.isnan(filled[1]).all()


# --- vectorised codes agree with the scalar checks -------------------------------------------


def test_vectorised_credit_codes_are_valid_and_distinct():
    index = np.arange(0, 200_000, 7)
    years = np.where(index % 3 == 0, 2010, 2020)  # both organisation-code forms
    codes = unified_social_credit_codes(index, np.full(len(index), 230100), years).to_pylist()
    assert all(is_valid_usc(c) for c in codes)
    assert len(set(codes)) == len(codes)
    assert {c[8:10] == "MA" for c in codes} == {True, False}


def test_vectorised_application_numbers_are_valid():
    rng = np.random.default_rng(0)
    n = 5_000
    numbers = cn_application_numbers(
        rng.integers(2003, 2025, n), rng.integers(1, 4, n), rng.integers(0, 10**7, n)
    ).to_pylist()
    assert all(is_valid_cn_application_number(x) for x in numbers)
    assert any(x.endswith("X") for x in numbers)


# --- helpers ---------------------------------------------------------------------------------


def test_largest_remainder_is_exact():
    counts = largest_remainder(10, np.array([1.0, 1.0, 1.0]))
    assert counts.sum() == 10 and sorted(counts.tolist()) == [3, 3, 4]
    assert largest_remainder(0, np.array([1.0])).tolist() == [0]


def test_random_days_stay_in_their_year_including_leap_days():
    rng = np.random.default_rng(1)
    years = np.repeat([2020, 2023, 2024], 20_000)
    days = random_days_in_year(rng, years)
    assert (year_of_days(days) == years).all()
    dates = days.astype("datetime64[D]")
    assert np.datetime64("2020-12-31") in dates and np.datetime64("2024-02-29") in dates


def test_weighted_pools_draw_by_weight_within_key():
    pools = WeightedPools.build(
        keys=np.array([2, 0, 2, 2]),
        members=np.array([10, 11, 12, 13]),
        weights=np.array([1.0, 5.0, 0.0, 3.0]),
        n_keys=4,
    )
    rng = np.random.default_rng(2)
    drawn = pools.draw(np.full(40_000, 2), rng.random(40_000))
    assert set(drawn.tolist()) <= {10, 12, 13}
    assert (drawn == 13).mean() == pytest.approx(0.75, abs=0.01)
    assert pools.draw(np.array([0, 1, 3]), np.array([0.5, 0.5, 0.5])).tolist() == [11, -1, -1]


def test_local_by_value_meets_the_share_by_value():
    rng = np.random.default_rng(3)
    amounts = rng.lognormal(13, 1.0, 40)
    local = local_by_value(rng, amounts, 0.4 * amounts.sum())
    assert amounts[local].sum() / amounts.sum() == pytest.approx(0.4, abs=0.02)


def test_local_by_value_never_locks_on_a_contract_larger_than_the_target():
    amounts = np.array([55.0, 10.0, 10.0, 10.0, 10.0, 5.0])
    local = local_by_value(np.random.default_rng(4), amounts, 40.0)
    # Single switches can stop one small contract short: 35 or 40, never 55 or more.
    assert not local[0] and abs(amounts[local].sum() - 40.0) <= 5.0
