"""Every analyst query in sql/examples/ runs on the demo warehouse's published copy (with file
access off, as `impetus query` runs it) and answers what its header says.

The demo is materialized once (tests/examples/conftest.py) into a temporary folder, with one
extra landing file holding two bad cells, so that the quarantine example has rows to show.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import pytest

from pipelines.indicators.compute import install_formula_macros
from pipelines.paths import SQL_DIR

pytestmark = pytest.mark.integration

EXAMPLES = SQL_DIR / "examples"
NORTHEAST = ("210000", "220000", "230000")


def run(conn, name: str) -> tuple[list[str], list[dict]]:
    cursor = conn.execute((EXAMPLES / name).read_text(encoding="utf-8"))
    columns = [c[0] for c in cursor.description]
    return columns, [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def scalar(conn, text: str, params=None):
    return conn.execute(text, params or []).fetchone()[0]


def test_there_are_at_least_ten_examples_each_with_a_question_and_tables():
    files = sorted(EXAMPLES.glob("*.sql"))
    assert len(files) >= 10
    for file in files:
        header = "\n".join(
            line for line in file.read_text(encoding="utf-8").splitlines() if line.startswith("--")
        )
        assert "Question" in header, file.name
        tables = re.search(r"Tables?: (.+)", header)
        assert tables, file.name
        for table in re.findall(r"\b(?:marts|staging|raw|reference|quarantine)\.\w+", header):
            assert table in file.read_text(encoding="utf-8").split("Tables")[1], file.name


def test_every_example_has_a_test():
    tested = set(re.findall(r"\"(\d\d_\w+\.sql)\"", Path(__file__).read_text(encoding="utf-8")))
    assert {f.name for f in EXAMPLES.glob("*.sql")} <= tested


def test_01_northeast_standing_on_every_pillar(published):
    columns, rows = run(published, "01_northeast_standing_by_driver.sql")
    assert {"rank", "rank_p05", "rank_p95", "performance_group"} <= set(columns)
    assert {"official_share", "observed_share", "is_synthetic"} <= set(columns)
    latest = scalar(published, "select max(year) from marts.pillar_score")
    pillars = scalar(published, "select count(distinct pillar) from marts.pillar_score")
    assert len(rows) == 3 * pillars
    assert {r["province_en"] for r in rows} == {"Liaoning", "Jilin", "Heilongjiang"}
    assert {r["year"] for r in rows} == {latest}
    for r in rows:
        assert r["rank_p05"] <= r["rank_p95"] and 1 <= r["rank"] <= 31
        assert r["pillar_zh"] and r["pillar_en"]
        assert 0 < r["official_share"] <= 1 and 0 < r["observed_share"] <= 1
    # every pillar and index is labelled with its own names (composite_settings.yaml)
    names = {r["pillar"]: (r["pillar_zh"], r["pillar_en"]) for r in rows}
    assert len(names) == pillars
    assert len({zh for zh, _ in names.values()}) == len({en for _, en in names.values()}) == pillars
    assert names["overall"] == ("产业创新动力指数", "Industrial innovation impetus index")
    assert names["upgrading"] == ("装备制造业升级指数", "Equipment-manufacturing upgrading index")
    assert names["D8"] == ("信息黏合力", "Information cohesion")
    official = published.execute(
        "select province_code, pillar, official_share from marts.pillar_score where year = ?",
        [latest],
    ).fetchall()
    by_key = {(p, pillar): share for p, pillar, share in official}
    codes = {"Liaoning": "210000", "Jilin": "220000", "Heilongjiang": "230000"}
    for r in rows:
        share = by_key[(codes[r["province_en"]], r["pillar"])]
        assert r["official_share"] == pytest.approx(round(share, 3))
    liaoning_overall = next(
        r for r in rows if r["province_en"] == "Liaoning" and r["pillar"] == "overall"
    )
    assert liaoning_overall["rank"] == scalar(
        published,
        "select rank from marts.pillar_score where province_code = '210000'"
        " and pillar = 'overall' and year = ?",
        [latest],
    )


def test_02_northeast_rd_against_jiangsu_and_national_matches_seed_002(published):
    _, rows = run(published, "02_northeast_rd_vs_jiangsu_and_national.sql")
    by = {(r["metric"], r["year"]): r for r in rows}
    rd = by[("rd_expenditure", 2023)]
    # 111.59 bn yuan in seed 002, from figures rounded to 0.1 亿元; the demo has the S&T
    # Yearbook's 万元-precise ones (676.4433 + 210.2377 + 229.2913 = 1115.97)
    assert abs(rd["northeast_value"] - 1115.9) < 0.1
    assert rd["northeast_pct_of_jiangsu"] == pytest.approx(26.5, abs=0.1)
    intensity = by[("rd_intensity", 2023)]
    assert intensity["national_value"] == pytest.approx(2.65)
    assert intensity["northeast_value"] == pytest.approx(1.74, abs=0.01)
    assert intensity["northeast_pct_of_national"] == pytest.approx(65.8, abs=0.5)
    three = scalar(
        published,
        "select sum(value) from staging.province_year where metric = 'rd_expenditure'"
        " and year = 2023 and province_code in ('210000', '220000', '230000')",
    )
    assert rd["northeast_value"] == pytest.approx(three, abs=0.005)  # rounded to 0.01


def test_03_uncertain_ranks_have_wide_intervals(published):
    _, rows = run(published, "03_uncertain_ranks.sql")
    assert rows, "the demo has provinces whose overall rank moves with the method"
    widths = [r["interval_width"] for r in rows]
    assert widths == sorted(widths, reverse=True) and min(widths) >= 5
    assert all(0 < r["official_share"] < 1 for r in rows)  # the demo mixes in synthetic data
    total = scalar(
        published,
        "select count(*) from marts.pillar_score where pillar = 'overall'"
        " and year = (select max(year) from marts.pillar_score) and rank_p95 - rank_p05 >= 5",
    )
    assert len(rows) == total


def test_04_northeast_upgrading_path_is_the_best_fit(published):
    _, rows = run(published, "04_northeast_upgrading_paths.sql")
    assert [r["province_en"] for r in rows] == ["Liaoning", "Jilin", "Heilongjiang"]
    for r in rows:
        fits = {
            "key_common_technologies": r["fit_key_common_technologies"],
            "chain_optimisation": r["fit_chain_optimisation"],
            "innovation_platform": r["fit_innovation_platform"],
        }
        assert fits[r["recommended_path"]] == pytest.approx(max(fits.values()))
        assert r["stage"] in {"factor", "value_chain", "industrial_structure"}
        assert r["reason_zh"] and r["reason_en"]


def test_05_chain_leader_local_share_equals_the_d2_indicator(published):
    _, rows = run(published, "05_chain_leader_local_procurement.sql")
    assert [r["is_northeast"] for r in rows[:3]] == [True, True, True]
    # the latest award year (2024) lies after the panel's last year (2023), so the example is
    # held against the indicator's formula itself, which marts.indicator_value reproduces for
    # the panel years
    formula = (SQL_DIR / "indicators" / "d2_chain_leader_local_share.sql").read_text(
        encoding="utf-8"
    )
    formula = formula.strip().rstrip(";")
    # as an analyst tries a formula by hand: the macros it calls first (lineage for its
    # source_rows), temporary on this read-only connection
    install_formula_macros(published)
    indicator = dict(
        published.execute(
            f"select a.short_zh, f.value from ({formula}) f"
            " join reference.area a on a.area_code = f.province_code where f.year = ?",
            [rows[0]["award_year"]],
        ).fetchall()
    )
    assert indicator
    differing = published.execute(
        f"select count(*), count(*) filter (where abs(v.raw_value - f.value) > 1e-9)"
        f" from marts.indicator_value v join ({formula}) f using (province_code, year)"
        " where v.indicator = 'd2_chain_leader_local_share'"
    ).fetchone()
    assert differing[0] > 0 and differing[1] == 0
    for r in rows:
        if r["province"] in indicator:
            assert r["local_share_pct"] == pytest.approx(indicator[r["province"]])
    # a share of 100% is a ratio of two float sums in parallel order: allow rounding
    assert all(-1e-9 <= r["local_share_pct"] <= 100 + 1e-9 for r in rows)
    assert all(r["is_synthetic"] for r in rows)


def test_06_patent_conversion_equals_the_d6_indicator(published):
    _, rows = run(published, "06_patent_conversion.sql")
    assert rows
    areas = {r["area"] for r in rows}
    assert areas == {"辽宁", "吉林", "黑龙江", "31省合计 all provinces"}
    for r in rows:
        assert r["converted"] <= r["granted"] and r["invention_granted"] <= r["granted"]
    liaoning = {r["year"]: r["conversion_rate_pct"] for r in rows if r["area"] == "辽宁"}
    indicator = dict(
        published.execute(
            "select year, raw_value from marts.indicator_value"
            " where indicator = 'd6_patent_conversion_rate' and province_code = '210000'"
            " and raw_value is not null"
        ).fetchall()
    )
    common = set(liaoning) & set(indicator)
    assert common
    for year in common:
        assert liaoning[year] == pytest.approx(indicator[year], abs=0.005)
    national = [r for r in rows if r["area"].startswith("31")]
    granted = scalar(published, "select count(*) from staging.patents where grant_year is not null")
    assert sum(r["granted"] for r in national) == granted


def test_07_revision_history_has_exactly_one_current_vintage(published):
    _, rows = run(published, "07_revision_history_of_a_figure.sql")
    assert rows
    figures: dict[tuple, list[dict]] = {}
    for r in rows:
        figures.setdefault((r["metric"], r["year"]), []).append(r)
    for (metric, year), versions in figures.items():
        assert len(versions) == versions[0]["vintage_count"]
        (current,) = [v for v in versions if v["is_current"]]
        assert current["value"] == scalar(
            published,
            "select value from staging.province_year where province_code = '210000'"
            " and metric = ? and year = ?",
            [metric, year],
        )
    assert figures[("rd_intensity", 2023)][0]["value"] == pytest.approx(2.24)


def test_08_quarantined_rows_by_rule_agree_with_the_load_log(published):
    columns, rows = run(published, "08_quarantined_rows_by_rule.sql")
    assert columns[:3] == ["domain", "rule", "rows_refused"]
    assert rows, "the landing file's two bad cells are quarantined"
    assert {r["domain"] for r in rows} == {"province_year"}
    assert sum(r["rows_refused"] for r in rows) == 2
    assert all("my_table_2010.csv" in r["source_files"] for r in rows)
    for r in rows:
        assert r["domain_rows_quarantined_in_load_log"] == sum(
            x["rows_refused"] for x in rows if x["domain"] == r["domain"]
        )


def test_09_is_the_province_sum_check(published):
    columns, rows = run(published, "09_provinces_vs_national_check.sql")
    check = (SQL_DIR / "checks" / "province_sum_vs_national.sql").read_text(encoding="utf-8")
    cursor = published.execute(check.replace("{batch}", "staging.area_year_history"))
    check_columns = [c[0] for c in cursor.description]
    flagged = [dict(zip(check_columns, row, strict=True)) for row in cursor.fetchall()]
    shared = [
        "metric",
        "year",
        "vintage",
        "national_value",
        "province_sum",
        "provinces",
        "relative_gap",
    ]
    assert columns[:7] == shared
    # every gap the check flags is among the example's rows, with the same figures
    shown = {tuple(r[c] for c in shared) for r in rows}
    assert {tuple(f[c] for c in shared) for f in flagged} <= shown
    # the demo's national R&D figures (2022, 2023) are compared, each gap computed right
    assert {(r["metric"], r["year"]) for r in rows} >= {
        ("rd_expenditure", 2022),
        ("rd_expenditure", 2023),
    }
    for r in rows:
        gap = r["province_sum"] / r["national_value"] - 1
        assert r["relative_gap"] == pytest.approx(round(gap, 5))
        assert 1 <= r["provinces"] <= 31
        if r["metric"] == "rd_expenditure":
            assert r["provinces"] == 31


def test_10_an_indicator_value_traces_to_the_rows_it_is_computed_from(published):
    _, rows = run(published, "10_trace_an_indicator_to_source_rows.sql")
    assert {r["metric"] for r in rows} == {
        "local_fiscal_st_expenditure",
        "local_fiscal_expenditure",
    }
    values = {r["metric"]: r["value"] for r in rows}
    share = 100 * values["local_fiscal_st_expenditure"] / values["local_fiscal_expenditure"]
    assert rows[0]["indicator_value"] == pytest.approx(share, abs=1e-4)


def test_11_sensitivity_ranks_the_three_choices_of_every_pillar(published):
    _, rows = run(published, "11_which_method_choice_moves_ranks.sql")
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["composite_index"], r["pillar"]), []).append(r)
    assert ("overall", "overall") in groups
    for choices in groups.values():
        assert {c["choice"] for c in choices} == {"Normalisation", "Weights", "Aggregation"}
        assert [c["importance"] for c in choices] == sorted(c["importance"] for c in choices)
        assert choices[0]["total_effect"] == max(c["total_effect"] for c in choices)


def test_12_performance_groups_cover_31_provinces(published):
    _, rows = run(published, "12_performance_groups_latest_year.sql")
    assert rows[-1]["pillar"] == "overall"
    for r in rows:
        assert r["leaders"] + r["strong"] + r["moderate"] + r["emerging"] == r["provinces"] == 31
        assert 0 < r["min_official_share"] <= r["mean_official_share"] <= 1
        for province in ("liaoning", "jilin", "heilongjiang"):
            assert r[province] in {"leader", "strong", "moderate", "emerging"}


def test_13_northeast_share_of_high_tech_enterprises(published):
    _, rows = run(published, "13_northeast_share_of_high_tech_enterprises.sql")
    high_tech = [r for r in rows if r["metric"] == "high_tech_enterprises"]
    assert high_tech and all(r["is_synthetic"] for r in high_tech)
    latest = max(high_tech, key=lambda r: r["year"])
    total, northeast = published.execute(
        "select sum(value), sum(value) filter (where province_code in ('210000','220000','230000'))"
        " from staging.province_year where metric = 'high_tech_enterprises' and year = ?",
        [latest["year"]],
    ).fetchone()
    assert latest["northeast_value"] == pytest.approx(northeast)
    assert latest["northeast_pct_of_national"] == pytest.approx(100 * northeast / total, abs=0.01)
    assert not any(math.isnan(r["northeast_pct_of_national"]) for r in rows)


def test_examples_run_with_file_access_off(published):
    with pytest.raises(duckdb.PermissionException):
        published.execute("select * from read_csv('/etc/passwd')")
