"""The whole asset graph, materialized on the embedded demo data into a temporary DuckDB
(the session's shared build, ``demo_build`` in tests/conftest.py)."""

from __future__ import annotations

import gzip
import shutil

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.defs.sources import SourceFolders
from pipelines.paths import DEMO_DIR

pytestmark = pytest.mark.integration

TABLES = [
    "reference.area",
    "reference.metric",
    "reference.industry_division",
    "raw.province_year",
    "staging.area_year_history",
    "staging.province_year",
    "staging.national_year",
    "raw.patents",
    "staging.patents",
    "raw.enterprises",
    "staging.enterprises",
    "raw.procurement",
    "staging.procurement",
    "raw.load_log",
]


def run_all(warehouse_file, roots):
    from pipelines.definitions import defs

    return dg.materialize(
        list(defs.assets),
        resources={
            "warehouse": DuckDBResource(database=str(warehouse_file)),
            "sources": SourceFolders(roots=[str(root) for root in roots]),
        },
    )


@pytest.fixture(scope="module")
def demo_warehouse(demo_build):
    """Every asset materialized on the demo: (warehouse file, ExecuteInProcessResult)."""
    assert demo_build.result.success
    return demo_build.warehouse, demo_build.result


def query(path, text, params=None):
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(text, params or []).fetchall()


def test_every_table_is_built_and_reports_its_row_count(demo_warehouse):
    path, result = demo_warehouse
    reported = {}
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        table = ".".join(materialization.asset_key.path)
        if table in ("health", "report"):  # reports on the warehouse, not tables of it
            continue
        reported[table] = materialization.metadata["dagster/row_count"].value
        assert "dagster/column_schema" in materialization.metadata
    for table in TABLES:
        if table == "raw.load_log":
            continue
        (count,) = query(path, f"select count(*) from {table}")[0]
        assert count > 0, table
        assert reported[table] == count, table


def test_micro_rows_arrive_whole_and_labelled_synthetic(demo_warehouse):
    path, _ = demo_warehouse
    for domain in ("patents", "enterprises", "procurement"):
        lines = 0
        for file in sorted((DEMO_DIR / domain).glob("*.csv.gz")):
            with gzip.open(file, "rt", encoding="utf-8") as handle:
                lines += sum(1 for _ in handle) - 1
        (raw_rows,) = query(path, f"select count(*) from raw.{domain}")[0]
        (not_synthetic,) = query(
            path, f"select count(*) filter (where not is_synthetic) from staging.{domain}"
        )[0]
        assert raw_rows == lines > 10_000, domain
        assert not_synthetic == 0, domain


def test_real_figures_reach_the_panel_with_their_source(demo_warehouse):
    path, _ = demo_warehouse
    beijing = query(
        path,
        "select value, unit, is_synthetic, source_file, source_row"
        " from staging.province_year where province_code = '110000'"
        " and metric = 'gdp' and year = 2024",
    )
    assert beijing[0][:3] == (49670.2, "亿元", False)
    assert beijing[0][3].startswith("data/demo/province_year/") and beijing[0][4] > 1
    # The S&T Yearbook (edition 2024, in 万元) is a later release than the 2023 communiqué
    # (in 亿元, one decimal), so its figure is current; the two agree to the communiqué's rounding.
    rd = {
        code: (value, source_file)
        for code, value, source_file in query(
            path,
            "select province_code, value, source_file from staging.province_year"
            " where metric = 'rd_expenditure' and year = 2023"
            " and province_code in ('210000','220000','230000','320000')",
        )
    }
    assert {code: value for code, (value, _) in rd.items()} == pytest.approx(
        {"210000": 676.4433, "220000": 210.2377, "230000": 229.2913, "320000": 4212.29}
    )
    assert all("yearbook" in source for _, source in rd.values()), rd
    communique = {"210000": 676.4, "220000": 210.2, "230000": 229.3, "320000": 4212.3}
    assert all(abs(rd[code][0] - value) <= 0.05 for code, value in communique.items())
    assert query(
        path,
        "select value from staging.national_year where area_code = '000000'"
        " and metric = 'rd_intensity' and year = 2023",
    ) == [(2.65,)]


def test_every_province_year_row_is_one_of_31_provinces(demo_warehouse):
    path, _ = demo_warehouse
    assert query(
        path,
        "select count(distinct province_code), count(*) filter (where province_zh is null)"
        " from staging.province_year",
    ) == [(31, 0)]
    assert query(
        path,
        "select count(*) from (select province_code, year, metric"
        " from staging.province_year group by all having count(*) > 1)",
    ) == [(0,)]


def test_materializing_again_changes_nothing(demo_warehouse, tmp_path):
    path = tmp_path / "warehouse.duckdb"  # a copy: the shared build stays as built
    shutil.copy(demo_warehouse[0], path)
    before = {t: query(path, f"select count(*) from {t}")[0][0] for t in TABLES}
    assert run_all(path, [DEMO_DIR]).success
    after = {t: query(path, f"select count(*) from {t}")[0][0] for t in TABLES}
    assert after == before


def test_a_file_dropped_in_landing_is_loaded_beside_the_demo(tmp_path):
    path = tmp_path / "w.duckdb"
    landing = tmp_path / "landing"
    (landing / "province_year").mkdir(parents=True)
    (landing / "province_year" / "my_table_2021.csv").write_text(
        "地区,R&D经费(万元)\n辽 宁,6000000\n", encoding="utf-8"
    )
    assert run_all(path, [landing]).success
    assert query(
        path, "select province_code, year, metric, value, unit from staging.province_year"
    ) == [("210000", 2021, "rd_expenditure", 600.0, "亿元")]
