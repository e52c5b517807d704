"""Each indicator formula (sql/indicators/) on the tiny warehouse of conftest.py, against
values worked out by hand. Liaoning (210000), 2023 unless said otherwise."""

from __future__ import annotations

import pytest

from pipelines.indicators import load_catalog, load_config
from pipelines.indicators.catalog import formula_sql
from pipelines.indicators.compute import FormulaError, as_source_rows, compute_raw_indicators
from tests.indicators.conftest import ENT_FILE, LN, PAT_FILE, PROC_FILE, PY_FILE


def _rows_of(source_file: str):
    return lambda *rows: [(source_file, row) for row in rows]


# the source rows of a value: (file, row) pairs, ordered by file then row
py, ent, pat, proc = (_rows_of(name) for name in (PY_FILE, ENT_FILE, PAT_FILE, PROC_FILE))

# indicator -> (value, source rows), worked out from the rows in conftest.py
EXPECTED = {
    # --- staging.province_year, NBS and the R&D communiqué ---------------------------------
    # fiscal S&T given in 万元: 1,500,000 万元 = 150 亿元 of 6,000 亿元 x 100
    "d4_fiscal_st_share": (2.5, py(1, 2)),
    "d4_fiscal_st_to_gdp": (0.5, py(1, 3)),  # 150 / 30,000 亿元 x 100
    "d6_invention_grants_per_gdp": (0.4, py(3, 4)),  # 12,000 件 / 30,000 亿元
    "d6_invention_share_of_grants": (25.0, py(4, 5)),  # 12,000 / 48,000 件 x 100
    "d7_rd_intensity": (2.15, py(12)),  # as published
    "d8_tech_market_turnover_to_gdp": (4.0, py(3, 16)),  # 1,200 / 30,000 亿元 x 100
    # --- staging.province_year, S&T Yearbook tables ----------------------------------------
    # 2,400 家 / 30,000 亿元 x 100 = 8 家 per 100 亿元 (10 bn yuan) of GDP
    "d1_rd_active_industrial_enterprises_per_gdp": (8.0, py(3, 17)),
    # 450 家 / 30,000 亿元 x 100 = 1.5 家 per 100 亿元
    "d1_high_tech_industry_enterprises_per_gdp": (1.5, py(3, 18)),
    # (3,000 亿元 in 2023 / 2,500 亿元 in 2022 - 1) x 100
    "d2_high_tech_revenue_growth": (20.0, py(21, 22)),
    # 6,000,000 万元 = 600 亿元 / 30,000 亿元 x 100
    "d3_industrial_new_product_sales_to_gdp": (2.0, py(3, 24)),
    "d3_high_tech_industry_profit_margin": (6.0, py(21, 23)),  # 180 / 3,000 亿元
    "d4_government_funds_share_of_rd": (25.0, py(8, 25)),  # 169.1 / 676.4 亿元
    # 21,000 人年 / 4,200 万人 (42,000,000 persons) x 10,000 = 5 人年 per 10k residents
    "d5_rd_personnel_fte_per_10k_population": (5.0, py(6, 7)),
    "d5_researcher_share_of_rd_fte": (40.0, py(6, 26)),  # 8,400 / 21,000 人年
    # 50,400 件 / 4,200 万人 = 12 件 per 10k residents
    "d6_invention_patents_in_force_per_10k_population": (12.0, py(7, 27)),
    # 3,600,000 万元 = 360 亿元 / 30,000 亿元 x 100
    "d7_industrial_rd_expenditure_to_gdp": (1.2, py(3, 28)),
    "d8_tech_market_inflow_to_gdp": (3.0, py(3, 29)),  # 900 / 30,000 亿元 x 100
    # 600,000 万元 = 60 亿元 / 3,000 亿元 x 100
    "s1_high_tech_rd_intensity": (2.0, py(21, 30)),
    "s2_high_tech_new_product_share": (25.0, py(21, 31)),  # 750 / 3,000 亿元
    "s3_high_tech_revenue_to_gdp": (10.0, py(3, 21)),  # 3,000 / 30,000 亿元 x 100
    # --- staging.province_year, aggregates of the synthetic micro records ------------------
    "d1_high_tech_enterprise_share": (15.0, py(19, 20)),  # 30 / 200 家 x 100
    # --- staging.enterprises, 万元; rows 2, 3 equipment (34, 38), row 4 food (13, no NPR) ----
    "d5_enterprise_rd_personnel_share": (100 * 17 / 350, ent(2, 3, 4)),
    "d7_enterprise_rd_to_revenue": (1.6, ent(2, 3, 4)),  # 48 / 3,000
    "s1_equipment_rd_personnel_per_enterprise": (7.5, ent(2, 3)),  # 15 / 2
    "s1_equipment_rd_to_revenue": (3.0, ent(2, 3)),  # 45 / 1,500
    "s2_equipment_new_product_share": (20.0, ent(2, 3)),  # 300 / 1,500
    "s2_equipment_value_added_rate": (100 * 350 / 1500, ent(2, 3)),
    "s3_equipment_share_of_manufacturing": (50.0, ent(2, 3, 4)),
    "s3_equipment_high_tech_share": (100 * 1000 / 1500, ent(2, 3)),
    "d2_equipment_revenue_growth": (87.5, ent(1, 2, 3)),  # 1,500 / 800
    # --- staging.patents: granted in 2023 rows 1-4, rows 1 (transfer), 2 (licence) converted -
    "d6_patent_conversion_rate": (50.0, pat(1, 2, 3, 4)),
    "d8_industry_academia_patent_share": (50.0, pat(4, 5)),  # applied in 2023
    # --- staging.procurement, 元: chain leaders 60 + 40 + 30 million, local 60 + 30 ----------
    "d2_chain_leader_local_share": (100 * 90 / 130, proc(1, 2, 3)),
    # 90,000,000 元 / (30,000 亿元 = 300,000,000 万元) = 0.3 元 per 万元 of GDP
    "d2_chain_leader_local_contracts_to_gdp": (0.3, proc(1, 3) + py(3)),
    # government 10 + 30 million, 10 million on the innovative-product list
    "d4_innovative_product_procurement_share": (25.0, proc(4, 5)),
}


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(load_config())


def _run(conn, catalog, indicator):
    row = catalog.set_index("id").loc[indicator]
    return conn.execute(
        f"select province_code, year, value, source_rows from ({formula_sql(row)})"
        " where province_code = ? and year = 2023",
        [LN],
    ).fetchall()


@pytest.mark.parametrize("indicator", sorted(EXPECTED))
def test_formula_gives_the_hand_worked_value(tiny, catalog, indicator):
    value, sources = EXPECTED[indicator]
    rows = _run(tiny, catalog, indicator)
    assert len(rows) == 1, rows
    assert rows[0][2] == pytest.approx(value, rel=1e-12)
    assert as_source_rows(rows[0][3]) == sources


def test_every_catalog_indicator_has_a_hand_worked_value(catalog):
    assert set(catalog["id"]) == set(EXPECTED)


def test_unit_factors_come_from_reference_unit(tiny, catalog):
    """Change the factor of 万元 in reference.unit and the converted indicators follow:
    nothing in the formula hard-codes 1e4."""
    tiny.execute("update reference.unit set factor = 2e4 where unit = '万元'")
    assert _run(tiny, catalog, "d4_fiscal_st_share")[0][2] == pytest.approx(5.0)
    # 90,000,000 元 / (3e12 元 / 2e4) = 0.6
    assert _run(tiny, catalog, "d2_chain_leader_local_contracts_to_gdp")[0][2] == pytest.approx(0.6)
    # S&T Yearbook figures stored in 万元: 600,000 x 2e4 元 / 3,000 亿元 x 100 = 4.0
    assert _run(tiny, catalog, "s1_high_tech_rd_intensity")[0][2] == pytest.approx(4.0)
    assert _run(tiny, catalog, "d7_industrial_rd_expenditure_to_gdp")[0][2] == pytest.approx(2.4)
    # per 100 亿元: the factor of 亿元 scales both GDP and the "100 亿元", so density is unchanged
    tiny.execute("update reference.unit set factor = 2e8 where unit = '亿元'")
    density = _run(tiny, catalog, "d1_rd_active_industrial_enterprises_per_gdp")[0][2]
    assert density == pytest.approx(8.0)


def test_a_unit_stored_in_another_unit_of_its_dimension_gives_the_same_value(tiny, catalog):
    """The yearbook's 万元 and the catalog's 亿元 are one figure: restating a row in 亿元
    leaves the indicator as it was."""
    tiny.execute(
        "update staging.province_year set value = value / 1e4, unit = '亿元'"
        " where metric = 'industrial_new_product_sales'"
    )
    assert _run(tiny, catalog, "d3_industrial_new_product_sales_to_gdp")[0][2] == pytest.approx(2.0)


def test_years_and_provinces_without_data_give_no_rows(tiny, catalog):
    academia = catalog.set_index("id").loc["d8_industry_academia_patent_share"]
    rows = tiny.execute(
        f"select year, value from ({formula_sql(academia)}) order by year"
    ).fetchall()
    assert rows == [(2021, 0.0), (2022, 50.0), (2023, 50.0)]
    growth = catalog.set_index("id").loc["d2_equipment_revenue_growth"]
    assert [r[0] for r in tiny.execute(f"select year from ({formula_sql(growth)})").fetchall()] == [
        2023
    ]
    # high-tech revenue in 2020, 2022, 2023: growth needs the year before, so only 2023
    growth = catalog.set_index("id").loc["d2_high_tech_revenue_growth"]
    assert tiny.execute(f"select province_code, year from ({formula_sql(growth)})").fetchall() == [
        (LN, 2023)
    ]
    # one province, one year: Jilin has GDP nowhere, so no density for it
    density = catalog.set_index("id").loc["d1_high_tech_industry_enterprises_per_gdp"]
    assert tiny.execute(f"select province_code, year from ({formula_sql(density)})").fetchall() == [
        (LN, 2023)
    ]


def test_compute_stacks_all_formulas_and_refuses_a_bad_one(tiny, catalog, tmp_path):
    raw = compute_raw_indicators(tiny, catalog)
    assert set(raw["indicator"]) == set(EXPECTED)
    assert raw["value"].notna().all()
    assert tiny.execute(
        "select count(*) from indicator_raw where source_rows is null"
    ).fetchall() == [(0,)]

    bad_dir = tmp_path / "sql"
    bad_dir.mkdir()
    name = "d1_rd_active_industrial_enterprises_per_gdp"
    (bad_dir / f"{name}.sql").write_text(
        "select province_code, year, value from staging.province_year", encoding="utf-8"
    )
    one = catalog[catalog["id"] == name]
    with pytest.raises(FormulaError, match=f"{name}.sql.*source_rows"):
        compute_raw_indicators(tiny, one, bad_dir)
