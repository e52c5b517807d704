"""A tiny hand-made warehouse: the real reference tables and a few staging rows whose
indicator values are worked out by hand in the tests."""

from __future__ import annotations

import duckdb
import pytest

from pipelines.indicators.compute import install_formula_macros
from pipelines.paths import REFERENCE_DIR
from pipelines.warehouse.sql_files import sql

LN, JL, HL, JS = "210000", "220000", "230000", "320000"
PY_FILE, ENT_FILE, PAT_FILE, PROC_FILE = "py.csv", "ent.csv", "pat.csv", "proc.csv"


def _reference(conn: duckdb.DuckDBPyConnection) -> None:
    for schema in ("reference", "staging", "marts"):
        conn.execute(f"create schema if not exists {schema}")
    for table, csv_name in (
        ("area", "areas.csv"),
        ("unit", "units.csv"),
        ("metric", "metrics.csv"),
        ("industry_division", "industry_divisions.csv"),
    ):
        conn.execute(sql(f"reference/{table}"), [str(REFERENCE_DIR / csv_name)])


PROVINCE_YEAR_COLUMNS = (
    "province_code varchar, year integer, metric varchar, value double, unit varchar,"
    " is_synthetic boolean, source_file varchar, source_sheet varchar, source_row integer,"
    " source_column varchar"
)


def _province_year(conn: duckdb.DuckDBPyConnection) -> None:
    # the columns the formulas read, in the order of sql/staging/province_year.sql
    conn.execute(f"create table staging.province_year ({PROVINCE_YEAR_COLUMNS})")
    rows = [
        # Liaoning 2023: fiscal S&T spending given in 万元 (1,500,000 万元 = 150 亿元) against a
        # budget in 亿元: the formula must convert with reference.unit.
        (LN, 2023, "local_fiscal_st_expenditure", 1_500_000.0, "万元", False, 1),
        (LN, 2023, "local_fiscal_expenditure", 6000.0, "亿元", False, 2),
        (LN, 2023, "gdp", 30000.0, "亿元", False, 3),
        (LN, 2023, "invention_grants", 12000.0, "件", False, 4),
        (LN, 2023, "patent_grants", 48000.0, "件", False, 5),
        (LN, 2023, "rd_personnel_fte", 21000.0, "人年", False, 6),
        (LN, 2023, "population", 4200.0, "万人", False, 7),
        (LN, 2023, "rd_expenditure", 676.4, "亿元", False, 8),
        (JL, 2023, "rd_expenditure", 210.2, "亿元", False, 9),
        (HL, 2023, "rd_expenditure", 229.3, "亿元", False, 10),
        (JS, 2023, "rd_expenditure", 4212.3, "亿元", False, 11),
        (LN, 2023, "rd_intensity", 2.15, "%", False, 12),
        (JL, 2023, "rd_intensity", 1.55, "%", False, 13),
        (HL, 2023, "rd_intensity", 1.44, "%", False, 14),
        (JS, 2023, "rd_intensity", 3.29, "%", False, 15),
        (LN, 2023, "tech_market_turnover", 1200.0, "亿元", False, 16),
        # S&T Yearbook tables (official); some in 万元 as published, to be converted
        (LN, 2023, "industrial_rd_active_enterprises", 2400.0, "家", False, 17),
        (LN, 2023, "high_tech_industry_enterprises", 450.0, "家", False, 18),
        # aggregates of the synthetic micro records
        (LN, 2023, "enterprises", 200.0, "家", True, 19),
        (LN, 2023, "high_tech_enterprises", 30.0, "家", True, 20),
        (LN, 2023, "high_tech_industry_revenue", 3000.0, "亿元", False, 21),
        (LN, 2022, "high_tech_industry_revenue", 2500.0, "亿元", False, 22),
        (LN, 2023, "high_tech_industry_profit", 180.0, "亿元", False, 23),
        (LN, 2023, "industrial_new_product_sales", 6_000_000.0, "万元", False, 24),
        (LN, 2023, "rd_expenditure_government", 169.1, "亿元", False, 25),
        (LN, 2023, "rd_researchers_fte", 8400.0, "人年", False, 26),
        (LN, 2023, "invention_patents_in_force", 50400.0, "件", False, 27),
        (LN, 2023, "industrial_rd_expenditure", 3_600_000.0, "万元", False, 28),
        (LN, 2023, "tech_market_inflow_value", 900.0, "亿元", False, 29),
        (LN, 2023, "high_tech_rd_expenditure", 600_000.0, "万元", False, 30),
        (LN, 2023, "high_tech_new_product_sales", 750.0, "亿元", False, 31),
        # 2020 high-tech revenue, but not 2019 or 2021: no growth for 2020 or 2021
        (LN, 2020, "high_tech_industry_revenue", 2000.0, "亿元", False, 32),
    ]
    conn.executemany(
        "insert into staging.province_year values (?, ?, ?, ?, ?, ?, ?, 'Sheet1', ?, 'C')",
        [(*r[:6], PY_FILE, r[6]) for r in rows],
    )
    conn.execute(
        "create table staging.national_year as select '000000' as area_code, 2023 as year,"
        " 'rd_intensity' as metric, 2.65 as value, 'nat.csv' as source_file, 2 as source_row"
    )


def _enterprises(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        "create table staging.enterprises (province_code varchar, year integer,"
        " industry_division varchar, is_equipment_manufacturing boolean, is_high_tech boolean,"
        " employees integer, rd_personnel integer, revenue double, new_product_revenue double,"
        " rd_expenditure double, value_added double, profit double, is_synthetic boolean,"
        " source_file varchar, source_row integer)"
    )
    rows = [
        # Liaoning: two equipment makers (divisions 34, 38) and one food maker (13), 万元.
        (LN, 2022, "34", True, False, 100, 10, 800.0, 80.0, 20.0, 200.0, 40.0, 1),
        (LN, 2023, "34", True, True, 100, 12, 1000.0, 300.0, 40.0, 250.0, 50.0, 2),
        (LN, 2023, "38", True, False, 50, 3, 500.0, 0.0, 5.0, 100.0, 10.0, 3),
        (LN, 2023, "13", False, False, 200, 2, 1500.0, None, 3.0, 300.0, 60.0, 4),
    ]
    conn.executemany(
        "insert into staging.enterprises values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true, ?, ?)",
        [(*r[:12], ENT_FILE, r[12]) for r in rows],
    )


def _patents(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        "create table staging.patents (province_code varchar, application_year integer,"
        " grant_year integer, transfer_events integer, licence_events integer,"
        " is_industry_academia boolean, is_synthetic boolean, source_file varchar,"
        " source_row integer)"
    )
    rows = [
        (LN, 2021, 2023, 1, 0, False, 1),
        (LN, 2022, 2023, 0, 2, True, 2),
        (LN, 2022, 2023, 0, 0, False, 3),
        (LN, 2023, 2023, 0, 0, True, 4),
        (LN, 2023, None, 0, 0, False, 5),
    ]
    conn.executemany(
        "insert into staging.patents values (?, ?, ?, ?, ?, ?, true, ?, ?)",
        [(*r[:6], PAT_FILE, r[6]) for r in rows],
    )


def _procurement(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute(
        "create table staging.procurement (buyer_province_code varchar, award_year integer,"
        " buyer_type varchar, is_chain_leader_buyer boolean, is_local_supplier boolean,"
        " amount double, is_innovative_product boolean, is_synthetic boolean,"
        " source_file varchar, source_row integer)"
    )
    rows = [
        # Liaoning 2023, amounts in 元.
        (LN, 2023, "central_soe", True, True, 60_000_000.0, False, 1),
        (LN, 2023, "central_soe", True, False, 40_000_000.0, False, 2),
        (LN, 2023, "central_soe", True, True, 30_000_000.0, True, 3),
        (LN, 2023, "government", False, True, 10_000_000.0, True, 4),
        (LN, 2023, "government", False, False, 30_000_000.0, False, 5),
        (LN, 2023, "private", False, True, 99_000_000.0, True, 6),
    ]
    conn.executemany(
        "insert into staging.procurement values (?, ?, ?, ?, ?, ?, ?, true, ?, ?)",
        [(*r[:7], PROC_FILE, r[7]) for r in rows],
    )


@pytest.fixture
def tiny(tmp_path):
    connection = duckdb.connect(str(tmp_path / "tiny.duckdb"))
    _reference(connection)
    _province_year(connection)
    _enterprises(connection)
    _patents(connection)
    _procurement(connection)
    install_formula_macros(connection)  # as compute_raw_indicators does before the formulas
    yield connection
    connection.close()
