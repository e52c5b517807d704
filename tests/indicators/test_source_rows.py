"""The lineage of an indicator value (source_rows): a list of (source_file, source_row) built by
the lineage macro (sql/marts/indicator_macros.sql) in every formula, carried into
marts.indicator_value and checked by sql/checks/marts/indicator_value_traceable.sql, on the tiny
warehouse of conftest.py."""

from __future__ import annotations

import pytest
import yaml

from pipelines.indicators import load_catalog, load_config
from pipelines.indicators.compute import FormulaError, as_source_rows, compute_raw_indicators
from pipelines.indicators.config import DEFAULT_SETTINGS_FILE, config_from_mapping
from pipelines.indicators.warehouse import build_index_marts, build_northeast_view, traceability
from tests.indicators.conftest import HL, JL, JS, LN, PROC_FILE, PY_FILE

# a file name that the old "file:row; file:row" text could not carry: "; " split it in two and
# the ":13" looked like a row number
HOSTILE = "nbs; table 1:13 (2023).csv"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(load_config())


@pytest.fixture(scope="module")
def config():
    # one province observed in one year: nothing for the Monte Carlo to measure (see
    # test_value_origin_and_pillar_coverage_in_the_mart); this is about marts.indicator_value
    raw = yaml.safe_load(DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8"))
    return config_from_mapping({**raw, "uncertainty": None})


@pytest.fixture
def hostile(tiny, catalog, config):
    tiny.execute(
        "update staging.province_year set source_file = ? where source_file = ?", [HOSTILE, PY_FILE]
    )
    built = build_index_marts(tiny, catalog, config)
    assert built.years == [2023]
    return tiny


def _source_rows(conn, indicator: str) -> list[tuple[str, int]]:
    (value,) = conn.execute(
        "select source_rows from marts.indicator_value"
        " where indicator = ? and province_code = ? and year = 2023",
        [indicator, LN],
    ).fetchone()
    return as_source_rows(value)


def test_a_file_name_with_a_semicolon_and_a_colon_survives_into_the_mart(hostile):
    assert _source_rows(hostile, "d4_fiscal_st_share") == [(HOSTILE, 1), (HOSTILE, 2)]
    assert _source_rows(hostile, "d7_rd_intensity") == [(HOSTILE, 12)]
    # the GDP row and the contracts, distinct and ordered by file then row
    assert _source_rows(hostile, "d2_chain_leader_local_contracts_to_gdp") == sorted(
        [(HOSTILE, 3), (PROC_FILE, 1), (PROC_FILE, 3)]
    )
    (type_name,) = hostile.execute(
        "select data_type from duckdb_columns()"
        " where table_name = 'indicator_value' and column_name = 'source_rows'"
    ).fetchone()
    assert type_name == "STRUCT(source_file VARCHAR, source_row BIGINT)[]"


def test_the_northeast_view_carries_the_same_lineage_list(hostile, config):
    """marts.northeast_view: the Northeast's rows, the national row and the benchmark's, as one
    lineage list like marts.indicator_value's (no "file:row; …" text)."""
    build_northeast_view(hostile, config)
    (type_name,) = hostile.execute(
        "select data_type from duckdb_columns()"
        " where table_name = 'northeast_view' and column_name = 'source_rows'"
    ).fetchone()
    assert type_name == "STRUCT(source_file VARCHAR, source_row BIGINT)[]"
    (value,) = hostile.execute(
        "select source_rows from marts.northeast_view where metric = 'rd_intensity' and year = 2023"
    ).fetchone()
    provinces = hostile.execute(
        "select source_file, source_row from staging.province_year"
        " where metric = 'rd_intensity' and year = 2023 and province_code in (?, ?, ?, ?)",
        [LN, JL, HL, JS],
    ).fetchall()
    assert len(provinces) == 4 and config.benchmark_province == JS
    assert as_source_rows(value) == sorted([*provinces, ("nat.csv", 2)])


def test_every_value_traces_to_staging_rows(hostile, catalog):
    counts = traceability(hostile)
    # Liaoning's value of every indicator and the rd_intensity of Jilin, Heilongjiang, Jiangsu
    assert counts["values_checked"] == len(catalog) + 3
    assert counts["without_sources"] == 0
    assert counts["unknown_source_rows"] == 0 and counts["examples"] is None
    (listed,) = hostile.execute(
        "select sum(len(source_rows)) from marts.indicator_value where raw_value is not null"
    ).fetchone()
    assert counts["source_rows_checked"] == listed > len(catalog)


def test_a_row_gone_from_staging_is_reported_with_its_file_and_row(hostile):
    hostile.execute(
        "update staging.province_year set source_row = 99"
        " where source_file = ? and source_row = 12",
        [HOSTILE],
    )
    counts = traceability(hostile)
    assert counts["unknown_source_rows"] == 1
    assert counts["examples"] == [
        {
            "indicator": "d7_rd_intensity",
            "province_code": LN,
            "year": 2023,
            "source_file": HOSTILE,
            "source_row": 12,
        }
    ]


def test_a_formula_giving_source_rows_as_text_is_refused(tiny, catalog, tmp_path):
    name = "d7_rd_intensity"
    (tmp_path / f"{name}.sql").write_text(
        "select province_code, year, value, source_file || ':' || source_row as source_rows"
        " from staging.province_year where metric = 'rd_intensity'",
        encoding="utf-8",
    )
    with pytest.raises(FormulaError, match=f"{name}.sql.*source_rows is VARCHAR.*lineage"):
        compute_raw_indicators(tiny, catalog[catalog["id"] == name], tmp_path)
