"""Uncatalogued metrics in the warehouse (issue 11, part 3): an NBS export whose 指标 no metric
knows loads, its figures are queryable in staging with metric_status = 'uncatalogued', out of
the indicators and of the checks that need catalog facts, listed by a WARN check with the
metrics.csv line to add; adding that line catalogues them at the next build, no reload."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.paths import REFERENCE_DIR, SQL_DIR
from pipelines.readers.catalog import CATALOGUE_HINT
from pipelines.validation import reference_rules
from pipelines.validation.runner import validate_table
from pipelines.validation.severity import Severity
from pipelines.validation.suites import SUITES
from pipelines.warehouse.province_year import build_file_release, load_province_year_files
from pipelines.warehouse.sql_files import sql
from tests.conftest import snapshot

ELDERLY_ID = "65岁及以上人口"
UNEMPLOYMENT_ID = "城镇登记失业率"
WARN_DESCRIPTION = "every metric is in data/reference/metrics.csv"


def nbs_export(path: Path, indicator: str, rows: list[str]) -> Path:
    """A classic NBS export (GBK, CRLF): label lines, 地区 + years newest first, a footnote."""
    lines = [
        "数据库：分省年度数据",
        f"指标：{indicator}",
        "时间：最近2年",
        "地区,2023年,2022年",
        *rows,
        "数据来源：国家统计局",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    return path


@pytest.fixture
def landing(tmp_path) -> dict[str, Path]:
    folder = tmp_path / "landing" / "province_year"
    return {
        "elderly": nbs_export(
            folder / "65岁及以上人口.csv",
            "65岁及以上人口(万人)",
            # Liaoning 2022 negative: impossible for a count, but no minimum is known yet
            ["北京市,311,302", "辽宁省,860,-5", "全国,21676,20978"],
        ),
        "unemployment": nbs_export(
            folder / "失业率.csv",
            "城镇登记失业率(%)",
            ["北京市,150,1.4", "辽宁省,4.1,4.2"],  # 150%: outside 0-100, unknown to the catalog
        ),
        "gdp": nbs_export(
            folder / "地区生产总值.csv",
            "地区生产总值(亿元)",
            ["北京市,43760.7,41610.9", "辽宁省,30209.4,28975.1"],
        ),
    }


@pytest.fixture
def reference_copy(tmp_path, monkeypatch):
    """reference_copy(*lines): data/reference copied, ``lines`` appended to its metrics.csv, and
    the validation rules reading the copy."""

    def use(*lines: str) -> Path:
        folder = tmp_path / "reference"
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(REFERENCE_DIR, folder)
        with (folder / "metrics.csv").open("a", encoding="utf-8", newline="") as handle:
            for line in lines:
                handle.write(line + "\n")
        monkeypatch.setattr(reference_rules, "REFERENCE_DIR", folder)
        _clear_rule_caches()
        return folder

    yield use
    _clear_rule_caches()


def _clear_rule_caches():
    for rule in (
        reference_rules.metrics_by_unit,
        reference_rules.metric_minimums,
        reference_rules.metrics_in_unit,
    ):
        rule.cache_clear()


def load(warehouse: Path, *paths: Path):
    with duckdb.connect(str(warehouse)) as conn:
        return load_province_year_files(conn, list(paths))


def build(warehouse: Path, reference: Path = REFERENCE_DIR) -> None:
    """The reference tables from ``reference`` and the province-year staging tables, as the
    Dagster assets build them."""
    with duckdb.connect(str(warehouse)) as conn:
        for table, csv_name in (
            ("area", "areas.csv"),
            ("unit", "units.csv"),
            ("metric", "metrics.csv"),
        ):
            conn.execute(sql(f"reference/{table}"), [str(reference / csv_name)])
        build_file_release(conn)
        for table in ("area_year_history", "province_year", "national_year"):
            conn.execute(sql(f"staging/{table}"))


def query(warehouse: Path, statement: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse)) as conn:
        return conn.execute(statement, params or []).fetchall()


def printed_line(notes: list[str], metric: str) -> str:
    (note,) = [n for n in notes if f"uncatalogued metric {metric}, " in n]
    return note.split(CATALOGUE_HINT, 1)[1]


def warning(outcome):
    (found,) = [o for o in outcome.outcomes if o.description.startswith(WARN_DESCRIPTION)]
    assert found.severity is Severity.WARN
    return found


def test_the_figures_are_queryable_at_once_marked_uncatalogued(warehouse_file, landing):
    loads = load(warehouse_file, landing["elderly"], landing["gdp"])
    assert [(x.status, x.rows, x.rows_quarantined) for x in loads] == [
        ("loaded", 6, 0),
        ("loaded", 4, 0),
    ]
    build(warehouse_file)
    assert query(
        warehouse_file,
        "select province_code, year, metric, metric_status, value, unit from staging.province_year"
        " order by metric, province_code, year",
    ) == [
        ("110000", 2022, ELDERLY_ID, "uncatalogued", 302.0, "万人"),
        ("110000", 2023, ELDERLY_ID, "uncatalogued", 311.0, "万人"),
        ("210000", 2022, ELDERLY_ID, "uncatalogued", -5.0, "万人"),
        ("210000", 2023, ELDERLY_ID, "uncatalogued", 860.0, "万人"),
        ("110000", 2022, "gdp", "catalogued", 41610.9, "亿元"),
        ("110000", 2023, "gdp", "catalogued", 43760.7, "亿元"),
        ("210000", 2022, "gdp", "catalogued", 28975.1, "亿元"),
        ("210000", 2023, "gdp", "catalogued", 30209.4, "亿元"),
    ]
    assert query(
        warehouse_file,
        "select area_code, year, metric, metric_status, value from staging.national_year"
        " order by year",
    ) == [
        ("000000", 2022, ELDERLY_ID, "uncatalogued", 20978.0),
        ("000000", 2023, ELDERLY_ID, "uncatalogued", 21676.0),
    ]
    # the load report says what happened and what to do
    [(notes,)] = query(
        warehouse_file,
        "select notes from raw.load_log where source_file = ?",
        [loads[0].source_file],
    )
    assert (
        "指标 '65岁及以上人口(万人)' is not in data/reference/metrics.csv: loaded as uncatalogued "
        f"metric {ELDERLY_ID}, kept out of the indicators; {CATALOGUE_HINT}"
        f"{printed_line(loads[0].notes, ELDERLY_ID)}"
    ) in json.loads(notes)


def test_adding_the_printed_line_catalogues_them_without_reloading(
    warehouse_file, landing, reference_copy
):
    (first,) = load(warehouse_file, landing["elderly"])
    build(warehouse_file)
    with duckdb.connect(str(warehouse_file)) as conn:
        raw_before = {k: v for k, v in snapshot(conn).items() if k.startswith("raw.")}

    reference = reference_copy(printed_line(first.notes, ELDERLY_ID))
    build(warehouse_file, reference)

    assert (
        query(
            warehouse_file,
            "select distinct metric, metric_status, unit from staging.province_year"
            " union all select distinct metric, metric_status, unit from staging.national_year",
        )
        == [(ELDERLY_ID, "catalogued", "万人")] * 2
    )
    with duckdb.connect(str(warehouse_file)) as conn:
        assert {k: v for k, v in snapshot(conn).items() if k.startswith("raw.")} == raw_before
    # the file itself has not changed: loading it again changes nothing
    assert [x.status for x in load(warehouse_file, landing["elderly"])] == ["unchanged"]
    # and the catalogued metric passes every blocking check, its minimum now included
    outcome = validate_table(warehouse_file, SUITES["province_year"]())
    (minimum,) = outcome.failures(Severity.BLOCKING)
    assert minimum.expectation_type == "expect_column_values_to_be_between"
    assert minimum.unexpected_count == 1  # Liaoning 2022, -5 万人, caught once catalogued
    assert not warning(outcome).unexpected_count


def test_the_warn_check_lists_them_with_the_line_and_no_blocking_check_trips(
    warehouse_file, landing
):
    loads = load(warehouse_file, landing["elderly"], landing["unemployment"], landing["gdp"])
    build(warehouse_file)

    outcome = validate_table(warehouse_file, SUITES["province_year"]())
    # -5 for a count and 150 for a percentage: the catalog has no minimum or range for them yet
    assert outcome.passed(Severity.BLOCKING), outcome.failures(Severity.BLOCKING)
    assert not [o for o in outcome.outcomes if o.error]
    found = warning(outcome)
    assert found.unexpected_count == 2
    by_metric = {row["metric"]: row for row in found.examples}
    assert set(by_metric) == {ELDERLY_ID, UNEMPLOYMENT_ID}
    elderly = by_metric[ELDERLY_ID]
    assert elderly["metrics_csv_line"] == printed_line(loads[0].notes, ELDERLY_ID)
    assert elderly["metrics_csv_line"].startswith(f"{ELDERLY_ID},{ELDERLY_ID},")
    assert (elderly["units"], elderly["figures"], elderly["areas"]) == ("万人", 4, 2)
    assert (elderly["first_year"], elderly["last_year"]) == (2022, 2023)
    assert elderly["catalogued_as"] is None
    assert elderly["to_catalogue"] == "add metrics_csv_line to data/reference/metrics.csv"
    assert elderly["source_file"] == loads[0].source_file and elderly["source_row"] == 5
    assert by_metric[UNEMPLOYMENT_ID]["metrics_csv_line"] == printed_line(
        loads[1].notes, UNEMPLOYMENT_ID
    )

    national = validate_table(warehouse_file, SUITES["national_year"]())
    assert national.passed(Severity.BLOCKING), national.failures(Severity.BLOCKING)
    (row,) = warning(national).examples
    assert (row["metric"], row["areas"], row["source_row"]) == (ELDERLY_ID, 1, 7)


def test_catalogued_under_another_id_the_warning_says_to_reload(
    warehouse_file, landing, reference_copy
):
    load(warehouse_file, landing["elderly"])
    # The user prefers an ASCII id and names the indicator in aliases_zh instead.
    reference = reference_copy(
        "population_65plus,65岁及以上人口,Population aged 65 and over,万人,yes,no,0,"
        "65岁及以上人口,Resident population aged 65 and over."
    )
    build(warehouse_file, reference)
    # raw keeps the id the figures were loaded with: they stay uncatalogued until reloaded
    assert query(
        warehouse_file, "select distinct metric, metric_status from staging.province_year"
    ) == [(ELDERLY_ID, "uncatalogued")]
    (row,) = warning(validate_table(warehouse_file, SUITES["province_year"]())).examples
    assert row["catalogued_as"] == "population_65plus"
    assert "impetus unload" in row["to_catalogue"]
    assert f"the id {ELDERLY_ID}" in row["to_catalogue"]


def test_catalogued_with_another_unit_than_the_file_blocks(warehouse_file, landing, reference_copy):
    load(warehouse_file, landing["elderly"])
    # The printed line with 人 instead of 万人: the stored figures are in 万人.
    reference = reference_copy(
        f"{ELDERLY_ID},{ELDERLY_ID},{ELDERLY_ID},人,no,no,,{ELDERLY_ID},edited unit"
    )
    build(warehouse_file, reference)
    outcome = validate_table(warehouse_file, SUITES["province_year"]())
    (found,) = outcome.failures(Severity.BLOCKING)
    assert found.expectation_type == "expect_column_values_to_be_in_set"
    assert found.column == "unit"
    assert found.unexpected_count == 4


def test_the_northeast_view_leaves_them_out(warehouse_file, landing):
    load(warehouse_file, landing["elderly"], landing["gdp"])
    build(warehouse_file)
    with duckdb.connect(str(warehouse_file)) as conn:
        conn.execute("create schema if not exists marts")
        conn.execute(sql("marts/indicator_macros"))  # lineage(), as build_northeast_view does
        conn.execute(sql("marts/northeast_view"), ["320000"])
        metrics = conn.execute("select distinct metric from marts.northeast_view").fetchall()
    assert metrics == [("gdp",)]


def test_every_indicator_formula_names_catalogued_metrics_only():
    """Indicators read staging.province_year by explicit metric id (sql/indicators/), so a new
    uncatalogued id cannot flow into one; an id there must be in metrics.csv."""
    catalogued = {
        line.split(",", 1)[0]
        for line in (REFERENCE_DIR / "metrics.csv").read_text(encoding="utf-8").splitlines()[1:]
    }
    named = re.compile(r"metric\s*=\s*'([^']+)'|metric_in_base_unit\('([^']+)'\)")
    for path in sorted((SQL_DIR / "indicators").glob("*.sql")):
        text = path.read_text(encoding="utf-8")
        if (
            "province_year" not in text
            and "national_year" not in text
            and ("metric_in_base_unit" not in text)
        ):
            continue  # a formula on the micro tables
        ids = {a or b for a, b in named.findall(text)}
        assert ids, f"{path.name} reads the panel without naming a metric"
        assert ids <= catalogued, (path.name, ids - catalogued)


def test_a_catalog_line_pasted_with_windows_line_endings_still_loads(tmp_path):
    from pipelines.warehouse.sql_files import sql

    metrics = tmp_path / "metrics.csv"
    shutil.copy(REFERENCE_DIR / "metrics.csv", metrics)
    lines = metrics.read_text(encoding="utf-8").splitlines()
    with metrics.open("a", encoding="utf-8", newline="") as handle:
        handle.write('pasted_metric,粘贴,pasted,万人,no,no,0,粘贴,"a, quoted description"\r\n')
    with duckdb.connect() as conn:
        conn.execute("create schema reference")
        conn.execute(sql("reference/metric"), [str(metrics)])
        rows = conn.execute(
            "select count(*), max(description) filter (where metric = 'pasted_metric')"
            " from reference.metric"
        ).fetchall()
    assert rows == [(len(lines), "a, quoted description")]
