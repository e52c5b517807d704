"""The cross-table SQL checks in sql/checks/, each on a tiny warehouse worked out by hand."""

from __future__ import annotations

import re

import pytest

from pipelines.paths import REFERENCE_DIR, SQL_DIR
from pipelines.warehouse.sql_files import sql

PROVINCES = [
    f"{code}0000"
    for code in (
        11,
        12,
        13,
        14,
        15,
        21,
        22,
        23,
        31,
        32,
        33,
        34,
        35,
        36,
        37,
        41,
        42,
        43,
        44,
        45,
        46,
        50,
        51,
        52,
        53,
        54,
        61,
        62,
        63,
        64,
        65,
    )
]


def run_check(conn, name):
    text = (SQL_DIR / "checks" / f"{name}.sql").read_text(encoding="utf-8")
    table = re.search(r"table:\s*(\S+)", text.splitlines()[0]).group(1)
    return conn.execute(text.replace("{batch}", table)).fetchall()


@pytest.fixture
def warehouse(conn):
    conn.execute("create schema reference; create schema staging")
    for table, csv in (("metric", "metrics.csv"), ("unit", "units.csv")):
        conn.execute(sql(f"reference/{table}"), [str(REFERENCE_DIR / csv)])
    conn.execute(
        "create table staging.province_year (province_code varchar, year int, metric varchar,"
        " value double, source_file varchar, source_row int)"
    )
    conn.execute(
        "create table staging.national_year (area_code varchar, year int, metric varchar,"
        " value double, source_file varchar, source_row int)"
    )
    return conn


def add_panel(conn, rows):
    conn.executemany(
        "insert into staging.province_year values (?, ?, ?, ?, 'p.csv', ?)",
        [(*row, i + 2) for i, row in enumerate(rows)],
    )


def test_every_check_names_its_table_and_severity():
    for path in sorted((SQL_DIR / "checks").glob("*.sql")):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert re.fullmatch(
            rf"-- check: {path.stem}\s+table: staging\.\w+\s+severity: (warn|blocking)", header
        ), path.name


def test_province_sum_is_compared_with_the_national_figure(warehouse):
    # 31 provinces x 10 = 310; national 311 is 0.32% off (rounding), 320 is 3.1% off.
    add_panel(warehouse, [(code, 2023, "rd_expenditure", 10.0) for code in PROVINCES])
    add_panel(warehouse, [(code, 2022, "rd_expenditure", 10.0) for code in PROVINCES])
    add_panel(warehouse, [(code, 2022, "rd_intensity", 2.0) for code in PROVINCES])
    warehouse.executemany(
        "insert into staging.national_year values ('000000', ?, ?, ?, 'n.csv', 2)",
        [
            (2023, "rd_expenditure", 311.0),
            (2022, "rd_expenditure", 320.0),
            (2022, "rd_intensity", 2.1),
        ],  # a ratio never sums: not checked
    )
    rows = run_check(warehouse, "province_sum_vs_national")
    assert [(r[0], r[1], r[3], r[5]) for r in rows] == [
        ("rd_expenditure", 2022, 310.0, round(310 / 320 - 1, 5))
    ]


def test_published_intensity_is_compared_with_expenditure_over_gdp(warehouse):
    add_panel(
        warehouse,
        [
            ("210000", 2023, "rd_intensity", 2.24),
            ("210000", 2023, "rd_expenditure", 676.4),
            ("210000", 2023, "gdp", 30209.4),  # 676.4 / 30209.4 = 2.239% -> within 0.15 pp
            ("110000", 2023, "rd_intensity", 6.73),
            ("110000", 2023, "rd_expenditure", 2947.1),
            ("110000", 2023, "gdp", 47353.7),  # 6.224% -> 0.506 pp off
        ],
    )
    rows = run_check(warehouse, "intensity_vs_expenditure_over_gdp")
    assert [(r[0], r[3], r[4]) for r in rows] == [("110000", 6.224, 0.506)]


def test_year_on_year_jumps_beyond_a_factor_of_three_are_flagged(warehouse):
    add_panel(
        warehouse,
        [
            ("540000", 2018, "tech_market_turnover", 1.0),
            ("540000", 2019, "tech_market_turnover", 3.0),  # x3 exactly: not beyond
            ("540000", 2020, "tech_market_turnover", 9.5),  # x3.17: flagged
            ("540000", 2022, "tech_market_turnover", 1.0),  # 2021 missing: no comparison
            ("540000", 2023, "tech_market_turnover", 0.3),  # a third of 1.0 is 0.333: flagged
        ],
    )
    rows = run_check(warehouse, "year_on_year_jump")
    assert [(r[2], r[5]) for r in rows] == [(2020, round(9.5 / 3, 3)), (2023, 0.3)]


def test_revisions_beyond_one_percent_are_flagged(warehouse):
    warehouse.execute(
        "create table staging.area_year_history (area_code varchar, year int, metric varchar,"
        " vintage varchar, value double, is_current boolean, source_file varchar,"
        " source_row int)"
    )
    warehouse.executemany(
        "insert into staging.area_year_history values (?, 2023, 'rd_intensity', ?, ?, ?, 'f', 2)",
        [
            ("210000", "2024 communiqué", 2.15, True),
            ("210000", "2023 communiqué", 2.24, False),
            ("220000", "2024 communiqué", 1.43, True),
            ("220000", "2023 communiqué", 1.435, False),
        ],
    )
    rows = run_check(warehouse, "vintage_divergence")
    assert [(r[0], r[3], r[7]) for r in rows] == [
        ("210000", "2023 communiqué", round(2.15 / 2.24 - 1, 5))
    ]


def test_micro_grants_cannot_exceed_the_official_total(warehouse):
    add_panel(
        warehouse, [("210000", 2023, "patent_grants", 2.0), ("220000", 2023, "patent_grants", 5.0)]
    )
    warehouse.execute(
        "create table staging.patents as select * from (values"
        " ('210000', 2023, date '2023-03-01'), ('210000', 2023, date '2023-04-01'),"
        " ('210000', 2023, date '2023-05-01'), ('210000', null, null),"
        " ('220000', 2023, date '2023-05-01')) t(province_code, grant_year, grant_date)"
    )
    rows = run_check(warehouse, "micro_grants_within_official_total")
    assert [(r[0], r[2], r[3]) for r in rows] == [("210000", 3, 2.0)]


def test_enterprise_rd_cannot_exceed_the_official_total(warehouse):
    add_panel(
        warehouse,
        [("210000", 2023, "rd_expenditure", 676.4), ("220000", 2023, "rd_expenditure", 210.2)],
    )
    # 万元 -> 亿元 is / 10,000: 6,800,000 万元 = 680 亿元 > 676.4; 2,000,000 万元 = 200 < 210.2
    warehouse.execute(
        "create table staging.enterprises as select * from (values"
        " ('210000', 2023, 6000000.0), ('210000', 2023, 800000.0),"
        " ('220000', 2023, 2000000.0)) t(province_code, year, rd_expenditure)"
    )
    rows = run_check(warehouse, "enterprise_rd_within_official_total")
    assert [(r[0], r[2], r[3]) for r in rows] == [("210000", 680.0, 676.4)]
