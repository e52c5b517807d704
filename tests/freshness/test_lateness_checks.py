"""The releases_on_time checks on a temporary warehouse built from small files, with a fixed
"today" before and after a release."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.defs.operations.lateness import CHECK_NAME, LATENESS_TABLES, check_key
from pipelines.defs.sources import SourceFolders
from pipelines.lateness import calendar_tables, load_calendar
from tests.conftest import write_csv

TIDY = ["province", "year", "metric", "value", "unit", "vintage", "release_date", "source"]
PROVINCES = ["北京", "辽宁", "吉林", "黑龙江", "江苏"]
PANEL = check_key("staging.province_year")


def communique(year: int, provinces=PROVINCES, release="2024-10-02") -> list[list]:
    return [
        [name, year, "rd_expenditure", f"{100 + i}.5", "亿元", f"communiqué {year}", release, "t"]
        for i, name in enumerate(provinces)
    ]


@pytest.fixture(scope="module")
def location():
    from pipelines.definitions import defs

    return defs


def run(location, warehouse, root, selection, today, monkeypatch):
    monkeypatch.setenv("IMPETUS_TODAY", today)
    return dg.materialize(
        [*location.assets, *location.asset_checks],
        selection=selection,
        resources={
            "warehouse": DuckDBResource(database=str(warehouse)),
            "sources": SourceFolders(roots=[str(root)]),
        },
        raise_on_error=False,
    )


def lateness(result, key=PANEL) -> dg.AssetCheckEvaluation:
    [evaluation] = [
        e
        for e in result.get_asset_check_evaluations()
        if (e.asset_key, e.check_name) == (key.asset_key, key.name)
    ]
    return evaluation


BUILD = dg.AssetSelection.groups("province_year", "reference").without_checks()
CHECK_ONLY = dg.AssetSelection.checks(PANEL)


@pytest.fixture
def panel(tmp_path, location, monkeypatch):
    """rd_expenditure for 2021 and 2022, five provinces; the checks not run yet."""
    root = tmp_path / "sources"
    write_csv(root / "province_year" / "rd.csv", TIDY, communique(2021) + communique(2022))
    warehouse = tmp_path / "warehouse.duckdb"
    assert run(location, warehouse, root, BUILD, "2024-01-01", monkeypatch).success
    return warehouse, root


def test_the_check_flips_from_passed_to_warn_to_error_as_releases_come_due(
    panel, location, monkeypatch
):
    warehouse, root = panel
    # The 2023 communiqué: expected 2024-09-30, late after 2024-10-30 (30 days of slack).
    within = lateness(run(location, warehouse, root, CHECK_ONLY, "2024-10-30", monkeypatch))
    assert within.passed
    [due] = within.metadata["due"].value
    assert (due["metric"], due["period"], due["status"]) == ("rd_expenditure", "2023", "due")

    one = lateness(run(location, warehouse, root, CHECK_ONLY, "2024-10-31", monkeypatch))
    assert not one.passed and one.severity == dg.AssetCheckSeverity.WARN
    [missing] = one.metadata["late"].value
    assert missing == {
        "table": "staging.province_year",
        "metric": "rd_expenditure",
        "period": "2023",
        "status": "missing",
        "expected_release": "2024-09-30",
        "late_after": "2024-10-30",
        "days_late": 31,
        "source": "R&D communiqué",
        "slack_days": 30,
    }
    assert one.metadata["today"].value == "2024-10-31"
    assert "rd_expenditure | 2023 | missing | 2024-09-30" in one.metadata["summary"].value

    two = lateness(run(location, warehouse, root, CHECK_ONLY, "2025-11-01", monkeypatch))
    assert not two.passed and two.severity == dg.AssetCheckSeverity.ERROR
    assert [(r["period"], r["status"]) for r in two.metadata["late"].value] == [
        ("2023", "missing"),
        ("2024", "missing"),
    ]
    assert two.metadata["newest"].value["rd_expenditure"] == {
        "held": "2022",
        "held_completely": "2022",
        "expected": "2024",
    }


def test_a_release_held_for_some_provinces_only_is_partial(panel, location, monkeypatch):
    warehouse, root = panel
    write_csv(root / "province_year" / "liaoning_2023.csv", TIDY, communique(2023, ["辽宁"]))
    result = run(location, warehouse, root, BUILD | CHECK_ONLY, "2024-11-15", monkeypatch)
    evaluation = lateness(result)
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
    [partial] = evaluation.metadata["late"].value
    assert (partial["period"], partial["status"]) == ("2023", "partial")
    assert (partial["provinces_held"], partial["provinces_expected"]) == (1, 5)
    assert "partial (1 of 5 provinces)" in evaluation.metadata["summary"].value


def test_a_late_table_blocks_nothing_built_from_it(tmp_path, location, monkeypatch):
    root = tmp_path / "sources"
    write_csv(root / "province_year" / "rd.csv", TIDY, communique(2021))
    warehouse = tmp_path / "warehouse.duckdb"
    selection = BUILD | CHECK_ONLY
    result = run(location, warehouse, root, selection, "2026-12-02", monkeypatch)
    assert result.success  # ERROR, but not blocking: national_year etc. still built
    evaluation = lateness(result)
    assert evaluation.severity == dg.AssetCheckSeverity.ERROR and not evaluation.passed
    [definition] = [d for d in location.asset_checks if PANEL in d.check_keys]
    assert [spec.blocking for spec in definition.check_specs] == [False]


def test_a_micro_table_is_held_to_its_extract_rhythm(tmp_path, location, monkeypatch):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("create schema staging")
        conn.execute(
            "create table staging.procurement as select * from (values"
            " (date '2024-11-20'), (date '2024-12-31')) t(award_date)"
        )
    key = check_key("staging.procurement")
    only = dg.AssetSelection.checks(key)
    fresh = lateness(run(location, warehouse, tmp_path, only, "2025-02-15", monkeypatch), key)
    assert fresh.passed
    late = lateness(run(location, warehouse, tmp_path, only, "2025-03-16", monkeypatch), key)
    assert late.severity == dg.AssetCheckSeverity.ERROR
    assert [r["period"] for r in late.metadata["late"].value] == ["2025-01", "2025-02"]


def test_every_table_of_the_calendar_has_its_check(location):
    assert set(calendar_tables(load_calendar())) <= set(LATENESS_TABLES)
    keys = location.resolve_asset_graph().asset_check_keys
    for table in LATENESS_TABLES:
        assert check_key(table) in keys
        assert check_key(table).name == CHECK_NAME
