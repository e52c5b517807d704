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
    for table, csv in (("metric", "metrics.csv"), ("unit", "units.csv"), ("area", "areas.csv")):
        conn.execute(sql(f"reference/{table}"), [str(REFERENCE_DIR / csv)])
    conn.execute(
        "create table staging.province_year (province_code varchar, year int, metric varchar,"
        " value double, source_file varchar, source_row int)"
    )
    conn.execute(
        "create table staging.national_year (area_code varchar, year int, metric varchar,"
        " value double, source_file varchar, source_row int)"
    )
    conn.execute(
        "create table staging.area_year_history (area_code varchar, area_level varchar,"
        " area_zh varchar, year int, metric varchar, vintage varchar, value double,"
        " is_current boolean, source_file varchar, source_row int)"
    )
    return conn


def add_history(conn, source_file, rows):
    """Rows (area_code, year, metric, vintage, value) of one source file, numbered from 2;
    area_level and area_zh come from reference.area as in staging."""
    (start,) = conn.execute(
        "select count(*) from staging.area_year_history where source_file = ?", [source_file]
    ).fetchone()
    conn.executemany(
        "insert into staging.area_year_history select area_code, area_level, name_zh, ?, ?, ?,"
        " ?, true, ?, ? from reference.area where area_code = ?",
        [
            (year, metric, vintage, value, source_file, start + i + 2, code)
            for i, (code, year, metric, vintage, value) in enumerate(rows)
        ],
    )


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


YEARBOOK_2013 = "中国科技统计年鉴2013"
YEARBOOK_2023 = "中国科技统计年鉴2023"
YEARBOOK_2024 = "中国科技统计年鉴2024"
COMMUNIQUE_2022 = "NBS release 2023-09-18 (t20230918_1942920)"
COMMUNIQUE_2023 = "NBS release 2024-10-02 (t20241002_1956810)"
NBS_EXPORT = "NBS 分省年度数据 export (tec_expenditure@1996372)"


def test_province_sum_is_compared_with_the_national_figure_of_the_same_vintage(warehouse):
    def release(vintage, year, metric, province_values, national=None):
        rows = [
            (code, year, metric, vintage, v)
            for code, v in zip(PROVINCES, province_values, strict=True)
        ]
        if national is not None:
            rows.append(("000000", year, metric, vintage, national))
        add_history(warehouse, f"{vintage}.csv", rows)

    # The yearbook's 31 provinces make 310 and its 全国 is 310.5 (0.16%, rounding); the
    # communiqué's make 320 against its own 320. Mixing the two releases would be 3% off.
    release(YEARBOOK_2024, 2023, "rd_expenditure", [10.0] * 31, national=310.5)
    release(COMMUNIQUE_2023, 2023, "rd_expenditure", [10.0] * 30 + [20.0], national=320.0)
    # A region's row is an aggregate, never added to the provinces.
    add_history(
        warehouse, "regions.csv", [("CN-EAST", 2023, "rd_expenditure", YEARBOOK_2024, 200.0)]
    )
    # 0.5% exactly (1005 vs 1000) is within the tolerance, 0.6% (1006) is not.
    release(YEARBOOK_2024, 2023, "rd_personnel_fte", [33.0] * 30 + [15.0], national=1000.0)
    release(YEARBOOK_2023, 2022, "rd_personnel_fte", [33.0] * 30 + [16.0], national=1000.0)
    # The yearbook's patent 全国 counts Hong Kong, Macao and Taiwan too
    # (metrics.csv national_includes_others): 10% less is by design, not reported.
    release(YEARBOOK_2024, 2023, "patent_grants", [30.0] * 31, national=1023.0)
    # Beijing's cell missing: 30 x 10 = 300 against 310 (-3.2%), Beijing named.
    add_history(
        warehouse,
        f"{YEARBOOK_2013}.csv",
        [(code, 2012, "rd_expenditure_enterprise", YEARBOOK_2013, 10.0) for code in PROVINCES[1:]]
        + [("000000", 2012, "rd_expenditure_enterprise", YEARBOOK_2013, 310.0)],
    )
    # A ratio never sums; a vintage without 全国 (an NBS export) has nothing to compare with.
    release(COMMUNIQUE_2023, 2023, "rd_intensity", [2.0] * 31, national=2.1)
    release(NBS_EXPORT, 2023, "patent_grants", [50.0] * 31)

    rows = run_check(warehouse, "province_sum_vs_national")
    assert [r[:8] for r in rows] == [
        (
            "rd_expenditure_enterprise",
            2012,
            YEARBOOK_2013,
            310.0,
            300.0,
            30,
            round(300 / 310 - 1, 5),
            "北京市",
        ),
        ("rd_personnel_fte", 2022, YEARBOOK_2023, 1000.0, 1006.0, 31, 0.006, None),
    ]
    # the 全国 row each gap is read against
    assert [r[8:] for r in rows] == [(f"{YEARBOOK_2013}.csv", 32), (f"{YEARBOOK_2023}.csv", 33)]


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
    warehouse.executemany(
        "insert into staging.area_year_history (area_code, year, metric, vintage, value,"
        " is_current, source_file, source_row) values (?, 2023, 'rd_intensity', ?, ?, ?, 'f', 2)",
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


def test_yearbook_rd_is_compared_with_the_communique_of_the_year_it_first_publishes(warehouse):
    add_history(
        warehouse,
        "communique.csv",
        [
            ("000000", 2023, "rd_expenditure", COMMUNIQUE_2023, 33357.1),
            ("320000", 2023, "rd_expenditure", COMMUNIQUE_2023, 4000.0),
            ("440000", 2023, "rd_expenditure", COMMUNIQUE_2023, 4000.0),
            ("540000", 2023, "rd_expenditure", COMMUNIQUE_2023, 7.2),
            ("630000", 2023, "rd_expenditure", COMMUNIQUE_2023, 7.2),
            ("000000", 2022, "rd_intensity", COMMUNIQUE_2022, 2.54),
            ("210000", 2022, "rd_intensity", COMMUNIQUE_2022, 2.14),
            ("220000", 2022, "rd_intensity", COMMUNIQUE_2022, 1.43),
            ("410000", 2022, "rd_intensity", COMMUNIQUE_2022, 1.86),
        ],
    )
    add_history(
        warehouse,
        "yearbook.csv",
        [
            # 万元 to the unit against 亿元 to one decimal: 0.03 亿元 apart, far within 0.5%
            ("000000", 2023, "rd_expenditure", YEARBOOK_2024, 33357.0688),
            # 0.5% of 4000 is 20: 20 apart passes, 20.4 apart does not
            ("320000", 2023, "rd_expenditure", YEARBOOK_2024, 4020.0),
            ("440000", 2023, "rd_expenditure", YEARBOOK_2024, 4020.4),
            # small figures: the communiqué's rounding (0.05 亿元) is the wider tolerance.
            # 7.15 rounds to 7.2 (0.69% apart, passes); 7.149 rounds to 7.1 (0.051 apart)
            ("540000", 2023, "rd_expenditure", YEARBOOK_2024, 7.15),
            ("630000", 2023, "rd_expenditure", YEARBOOK_2024, 7.149),
            # intensity, edition 2023 (first publishes 2022): 0.03 pp passes, 0.04 does not
            ("000000", 2022, "rd_intensity", YEARBOOK_2023, 2.54),
            ("210000", 2022, "rd_intensity", YEARBOOK_2023, 2.17),
            ("220000", 2022, "rd_intensity", YEARBOOK_2023, 1.47),
            ("410000", 2022, "rd_intensity", YEARBOOK_2023, 1.86),
            # edition 2024 restates 2022 after the GDP revision: a revision, not compared
            ("000000", 2022, "rd_intensity", YEARBOOK_2024, 2.56),
            ("410000", 2022, "rd_intensity", YEARBOOK_2024, 1.96),
            # a region has no communiqué figure
            ("CN-EAST", 2022, "rd_intensity", YEARBOOK_2023, 2.9),
        ],
    )
    rows = run_check(warehouse, "yearbook_vs_communique_rd")
    assert [r[:11] for r in rows] == [
        (
            "440000",
            "广东省",
            2023,
            "rd_expenditure",
            YEARBOOK_2024,
            4020.4,
            COMMUNIQUE_2023,
            4000.0,
            20.4,
            0.0051,
            20.0,
        ),
        (
            "630000",
            "青海省",
            2023,
            "rd_expenditure",
            YEARBOOK_2024,
            7.149,
            COMMUNIQUE_2023,
            7.2,
            -0.051,
            round((7.149 - 7.2) / 7.2, 5),
            0.05,
        ),
        (
            "220000",
            "吉林省",
            2022,
            "rd_intensity",
            YEARBOOK_2023,
            1.47,
            COMMUNIQUE_2022,
            1.43,
            0.04,
            round((1.47 - 1.43) / 1.43, 5),
            0.03,
        ),
    ]
    # both sources' rows: (yearbook file, row, communiqué file, row)
    assert [r[11:] for r in rows] == [
        ("yearbook.csv", 4, "communique.csv", 4),
        ("yearbook.csv", 6, "communique.csv", 6),
        ("yearbook.csv", 9, "communique.csv", 9),
    ]


def test_yearbook_patent_grants_are_compared_with_the_nbs_export(warehouse):
    add_history(
        warehouse,
        "nbs.csv",
        [
            ("210000", 2023, "patent_grants", NBS_EXPORT, 67632.0),
            ("220000", 2023, "patent_grants", NBS_EXPORT, 20000.0),
            ("230000", 2023, "patent_grants", NBS_EXPORT, 20000.0),
            ("540000", 2023, "invention_grants", NBS_EXPORT, 301.0),
            ("540000", 2023, "design_grants", NBS_EXPORT, 100.0),
            ("210000", 2024, "patent_grants", NBS_EXPORT, 70000.0),
        ],
    )
    add_history(
        warehouse,
        "yearbook.csv",
        [
            ("210000", 2023, "patent_grants", YEARBOOK_2024, 67632.0),
            # 0.5% of 20000 is 100: 100 more passes, 101 more does not
            ("220000", 2023, "patent_grants", YEARBOOK_2024, 20100.0),
            ("230000", 2023, "patent_grants", YEARBOOK_2024, 20101.0),
            # 2 fewer of 301 is 0.66%
            ("540000", 2023, "invention_grants", YEARBOOK_2024, 299.0),
            # design grants are not compared; 2022 has no export figure here
            ("540000", 2023, "design_grants", YEARBOOK_2024, 150.0),
            ("210000", 2022, "patent_grants", YEARBOOK_2023, 60000.0),
            # a communiqué is not an NBS export
            ("220000", 2023, "patent_grants", COMMUNIQUE_2023, 30000.0),
        ],
    )
    rows = run_check(warehouse, "yearbook_vs_nbs_export_patent_grants")
    assert rows == [
        (
            "540000",
            "西藏自治区",
            2023,
            "invention_grants",
            YEARBOOK_2024,
            299.0,
            NBS_EXPORT,
            301.0,
            -2.0,
            round(299 / 301 - 1, 5),
            "yearbook.csv",
            5,
            "nbs.csv",
            5,
        ),
        (
            "230000",
            "黑龙江省",
            2023,
            "patent_grants",
            YEARBOOK_2024,
            20101.0,
            NBS_EXPORT,
            20000.0,
            101.0,
            0.00505,
            "yearbook.csv",
            4,
            "nbs.csv",
            4,
        ),
    ]
