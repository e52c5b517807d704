"""The synthetic micro records: contract, determinism, keys, codes, dates, and the
published Northeast facts and real-panel magnitudes they are built to reproduce."""

from __future__ import annotations

import csv
import gzip
import hashlib
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from pipelines.check_characters import is_valid_cn_application_number, is_valid_usc
from pipelines.demo.synthetic import vocab
from pipelines.demo.synthetic.panel import load_panel
from pipelines.demo.synthetic.writers import contract_schema
from pipelines.domains import MICRO_DOMAINS
from pipelines.warehouse.micro_contract import contract
from tests.demo.conftest import NORTHEAST, TEST_SCALE, TEST_SEED

REFERENCE = Path(__file__).resolve().parents[2] / "data" / "reference"
NE_LIST = "('" + "','".join(NORTHEAST) + "')"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def contract_columns(table: str) -> list[str]:
    return [column.name for column in contract(table)]


# --- contract --------------------------------------------------------------------------------


@pytest.mark.parametrize("table", MICRO_DOMAINS)
def test_header_is_the_contract(generated, table):
    with gzip.open(generated[table], "rt", encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n")
    assert header == ",".join(contract_columns(table))


@pytest.mark.parametrize("table", MICRO_DOMAINS)
def test_every_row_is_labelled_synthetic(db, table):
    assert (
        db.execute(
            f"select count(*) filter (where not is_synthetic), count(*) from {table}"
        ).fetchone()[0]
        == 0
    )


def test_names_say_synthetic(db):
    prefix = vocab.SYNTHETIC_PREFIX + "%"
    checks = {
        "patents": "applicant",
        "enterprises": "name",
        "procurement": "buyer",
    }
    for table, column in checks.items():
        assert (
            db.execute(
                f"select count(*) from {table} where {column} not like ?", [prefix]
            ).fetchone()[0]
            == 0
        )
    assert (
        db.execute(
            "select count(*) from procurement where supplier not like ?", [prefix]
        ).fetchone()[0]
        == 0
    )


def test_allowed_values_only(db):
    rules = [(table, c) for table in MICRO_DOMAINS for c in contract(table) if c.allowed]
    for table, column in rules:
        seen = {
            v
            for (v,) in db.execute(
                f"select distinct {column.name} from {table} where {column.name} is not null"
            ).fetchall()
        }
        assert seen <= set(column.allowed), (table, column.name, seen - set(column.allowed))


def test_required_columns_have_no_empty_values(db):
    required = [(table, c.name) for table in MICRO_DOMAINS for c in contract(table) if c.required]
    for table, column in required:
        assert (
            db.execute(f"select count(*) from {table} where {column} is null").fetchone()[0] == 0
        ), (table, column)


def test_provinces_are_the_31_full_names(db):
    with open(REFERENCE / "areas.csv", encoding="utf-8") as handle:
        names = {r["name_zh"] for r in csv.DictReader(handle) if r["level"] == "province"}
    for table, column in (
        ("patents", "province"),
        ("enterprises", "province"),
        ("procurement", "buyer_province"),
        ("procurement", "supplier_province"),
    ):
        seen = {v for (v,) in db.execute(f"select distinct {column} from {table}").fetchall()}
        # At small scales the smallest province may place no contract at all.
        assert seen <= names and len(seen) >= 30, (table, column, seen - names)


# --- determinism and scale -------------------------------------------------------------------


def test_same_seed_gives_identical_bytes(generated, generate_into):
    again = generate_into()
    for domain in (*MICRO_DOMAINS, "aggregates"):
        assert sha256(again[domain]) == sha256(generated[domain]), domain


def test_other_seed_gives_other_records(generated, generate_into):
    other = generate_into(seed=TEST_SEED + 1)
    for domain in MICRO_DOMAINS:
        assert sha256(other[domain]) != sha256(generated[domain]), domain


def test_parquet_is_deterministic_and_follows_the_contract(generate_into):
    first = generate_into(scale=0.05, fmt="parquet")
    second = generate_into(scale=0.05, fmt="parquet")
    for domain in MICRO_DOMAINS:
        assert first[domain].suffix == ".parquet"
        assert sha256(first[domain]) == sha256(second[domain])
        schema = pq.read_schema(first[domain])
        assert schema.names == contract_schema(domain).names
        assert [f.type for f in schema] == [f.type for f in contract_schema(domain)]


def test_row_counts_scale(db, generate_into):
    half = generate_into(scale=TEST_SCALE / 2)
    for domain in MICRO_DOMAINS:
        full_rows = db.execute(f"select count(*) from {domain}").fetchone()[0]
        half_rows = db.execute("select count(*) from read_csv(?)", [str(half[domain])]).fetchone()[
            0
        ]
        assert full_rows / half_rows == pytest.approx(2.0, rel=0.08), domain


# --- keys and codes --------------------------------------------------------------------------


def test_keys_are_unique(db):
    assert (
        db.execute("select count(*) - count(distinct application_number) from patents").fetchone()[
            0
        ]
        == 0
    )
    assert (
        db.execute(
            "select count(*) - count(distinct (credit_code, year)) from enterprises"
        ).fetchone()[0]
        == 0
    )
    assert (
        db.execute("select count(*) - count(distinct contract_id) from procurement").fetchone()[0]
        == 0
    )


def test_every_credit_code_is_valid(db):
    codes = [c for (c,) in db.execute("select distinct credit_code from enterprises").fetchall()]
    assert codes and all(is_valid_usc(c) for c in codes)


def test_credit_code_embeds_a_division_of_its_province(db):
    with open(REFERENCE / "areas.csv", encoding="utf-8") as handle:
        prefix = {r["name_zh"]: r["area_code"][:2] for r in csv.DictReader(handle)}
    rows = db.execute("select distinct province, credit_code[3:8] from enterprises").fetchall()
    assert all(division.startswith(prefix[province]) for province, division in rows)


def test_every_application_number_is_valid_and_matches_its_record(db):
    rows = db.execute(
        "select application_number, patent_type, year(application_date) from patents"
    ).fetchall()
    type_digit = {"invention": "1", "utility_model": "2", "design": "3"}
    for number, patent_type, year in rows:
        assert is_valid_cn_application_number(number), number
        assert number[2:6] == str(year) and number[6] == type_digit[patent_type], number


def test_ipc_classes_are_well_formed(db):
    malformed = db.execute(
        r"select count(*) from patents where not regexp_full_match(main_ipc, "
        r"'[A-H][0-9]{2}[A-Z] [0-9]{1,3}/[0-9]{2,}')"
    ).fetchone()[0]
    assert malformed == 0


def test_industry_codes_are_gbt4754_classes(db):
    codes = {c for (c,) in db.execute("select distinct industry_code from enterprises").fetchall()}
    assert codes <= set(vocab.INDUSTRY_CODES.tolist())
    assert all(len(c) == 4 and c.isdigit() for c in codes)


# --- panel structure -------------------------------------------------------------------------


def test_enterprises_form_a_stable_panel_with_entry_and_exit(db):
    one_identity = db.execute(
        "select count(*) from (select credit_code from enterprises group by credit_code "
        "having count(distinct name) > 1 or count(distinct province) > 1 "
        "or count(distinct industry_code) > 1 or count(distinct ownership) > 1)"
    ).fetchone()[0]
    assert one_identity == 0
    full, entered, exited = db.execute(
        "select count(*) filter (where first = 2012 and last = 2024), "
        "count(*) filter (where first > 2012), count(*) filter (where last < 2024) "
        "from (select min(year) as first, max(year) as last from enterprises "
        "group by credit_code)"
    ).fetchone()
    assert full > 0 and entered > 0 and exited > 0
    gaps = db.execute(
        "select count(*) from (select credit_code from enterprises group by credit_code "
        "having max(year) - min(year) + 1 <> count(*))"
    ).fetchone()[0]
    assert gaps == 0


def test_grant_follows_application(db):
    assert (
        db.execute("select count(*) from patents where grant_date < application_date").fetchone()[0]
        == 0
    )
    lags = dict(
        db.execute(
            "select patent_type, max(grant_date - application_date) / 365.25 from patents "
            "group by 1"
        ).fetchall()
    )
    assert lags["invention"] <= 4.01 and lags["utility_model"] < lags["invention"]
    shortest_invention = db.execute(
        "select min(grant_date - application_date) / 365.25 from patents "
        "where patent_type = 'invention'"
    ).fetchone()[0]
    assert shortest_invention >= 0.49
    pending = db.execute("select count(*) from patents where grant_date is null").fetchone()[0]
    assert pending > 0


def test_no_co_applicant_type_without_co_applicant(db):
    assert (
        db.execute(
            "select count(*) from patents where has_co_applicant <> (co_applicant_type is not null)"
        ).fetchone()[0]
        == 0
    )


def test_rd_fields_agree_with_rd_activity(db):
    assert (
        db.execute(
            "select count(*) from enterprises where (not has_rd_activity and rd_expenditure > 0) "
            "or (has_rd_activity and rd_personnel < 1) or (is_high_tech and not has_rd_activity) "
            "or rd_personnel > employees"
        ).fetchone()[0]
        == 0
    )


# --- published Northeast facts (seed 002) ----------------------------------------------------


def test_northeast_holds_under_5_percent_of_high_tech_enterprises_each_year(db):
    shares = db.execute(
        f"select year, count(*) filter (where is_high_tech and province in {NE_LIST}) "
        f"/ count(*) filter (where is_high_tech) from enterprises group by year"
    ).fetchall()
    assert len(shares) == 13
    assert all(0 < share < 0.05 for _, share in shares), shares


def test_northeast_chain_leaders_source_about_40_percent_locally(db):
    rows = dict(
        db.execute(
            f"select buyer_province in {NE_LIST}, "
            "sum(amount) filter (where supplier_province = buyer_province) / sum(amount) "
            "from procurement where buyer_type = 'central_soe' group by 1"
        ).fetchall()
    )
    assert 0.35 <= rows[True] <= 0.45
    assert rows[False] > rows[True] + 0.1


def test_equipment_manufacturing_weighs_more_in_the_northeast(db):
    shares = dict(
        db.execute(
            f"select province in {NE_LIST}, "
            "avg((industry_code[1:2] between '33' and '40')::int) from enterprises group by 1"
        ).fetchall()
    )
    assert shares[True] > shares[False]


def test_equipment_firms_patent_in_equipment_classes(db):
    equipment = "('" + "','".join(vocab.EQUIPMENT_IPC.tolist()) + "')"
    rows = dict(
        db.execute(
            f"select e.industry_code[1:2] between '33' and '40', "
            f"avg((p.main_ipc[1:4] in {equipment})::int) "
            "from patents p join (select distinct name, industry_code from enterprises) e "
            "on p.applicant = e.name group by 1"
        ).fetchall()
    )
    assert rows[True] > 0.6 > rows[False]


# --- magnitudes from the real panel ----------------------------------------------------------


def test_patent_grants_follow_the_real_panel(db, panel_dir):
    panel = load_panel(panel_dir, range(2012, 2025))
    counts = dict(
        db.execute(
            "select province, count(*) from patents where year(grant_date) between 2012 and 2024 "
            "group by 1"
        ).fetchall()
    )
    synthetic = np.array([counts.get(name, 0) for name in panel.provinces.names])
    real = panel.values["patent_grants"].sum(axis=1)
    assert np.corrcoef(synthetic, real)[0, 1] > 0.99
    # The fixed sampling fraction: one record per 750 real grants, times the scale.
    assert synthetic.sum() == pytest.approx(real.sum() * TEST_SCALE / 750, rel=0.02)


def test_invention_share_follows_the_real_panel(db, panel_dir):
    panel = load_panel(panel_dir, range(2012, 2025))
    shares = dict(
        db.execute(
            "select province, avg((patent_type = 'invention')::int) from patents "
            "where grant_date is not null group by 1"
        ).fetchall()
    )
    synthetic = np.array([shares[name] for name in panel.provinces.names])
    real = panel.values["invention_grants"].sum(axis=1) / panel.values["patent_grants"].sum(axis=1)
    assert np.corrcoef(synthetic, real)[0, 1] > 0.9


def test_enterprise_revenue_and_rd_follow_the_real_panel(db, panel_dir):
    panel = load_panel(panel_dir, range(2012, 2025))
    year = 2023
    y = panel.year_index(year)
    totals = {
        p: (revenue, rd)
        for p, revenue, rd in db.execute(
            "select province, sum(revenue), sum(rd_expenditure) from enterprises where year = ? "
            "group by 1",
            [year],
        ).fetchall()
    }
    names = panel.provinces.names
    revenue = np.array([totals[n][0] for n in names])
    rd = np.array([totals[n][1] for n in names])
    assert np.corrcoef(revenue, panel.values["gdp"][:, y])[0, 1] > 0.99
    assert np.corrcoef(rd, panel.values["rd_expenditure"][:, y])[0, 1] > 0.95


# --- aggregates ------------------------------------------------------------------------------


def test_aggregates_are_labelled_and_match_the_records(db):
    columns = [c for (c,) in db.execute("select column_name from (describe aggregates)").fetchall()]
    assert columns == [
        "province",
        "year",
        "metric",
        "value",
        "unit",
        "vintage",
        "release_date",
        "source",
        "is_synthetic",
    ]
    assert (
        db.execute(
            "select count(*) from aggregates where is_synthetic <> 'true' "
            "or not starts_with(vintage, 'synthetic')"
        ).fetchone()[0]
        == 0
    )
    metrics = {m for (m,) in db.execute("select distinct metric from aggregates").fetchall()}
    assert metrics == {
        "rd_personnel",
        "high_tech_enterprises",
        "enterprises",
        "rd_active_enterprises",
    }  # population is real now (data/demo/province_year/nbs_population.csv), never made up
    expected = db.execute(
        "select count(*), count(*) filter (where is_high_tech), sum(rd_personnel) "
        "from enterprises where province = '辽宁省' and year = 2020"
    ).fetchone()
    found = dict(
        db.execute(
            "select metric, value::double from aggregates where province = '辽宁省' "
            "and year = '2020'"
        ).fetchall()
    )
    assert (found["enterprises"], found["high_tech_enterprises"], found["rd_personnel"]) == expected
