"""Issue 11, case 1, as a user meets it: a growth-rate export lands, the blocking range check
refuses it naming the file, `impetus unload` takes it out, and the next run succeeds and
equals a run that never saw the file."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.defs.sources import SourceFolders
from pipelines.warehouse.unload import unload
from tests.conftest import write_csv

# Growth rates over the previous year (%): negative values are normal for a rate, impossible
# for GDP in 亿元, which is what nbs_file_metrics.csv's pattern gdp_100m_yuan*.csv maps it to.
GROWTH_EXPORT = """数据库：分省年度数据
时间：2022年-2023年
地区,2023年,2022年
北京市,5.2,0.7
辽宁省,5.3,-2.1
数据来源：国家统计局
"""
COMPARED = (
    "raw.province_year",
    "raw.load_log",
    "quarantine.province_year",
    "staging.file_release",
    "staging.area_year_history",
    "staging.province_year",
    "staging.national_year",
)


def run(warehouse, root):
    from pipelines.definitions import defs

    return dg.materialize(
        [*defs.assets, *defs.asset_checks],
        selection=dg.AssetSelection.groups("province_year", "reference"),  # with their checks
        resources={
            "warehouse": DuckDBResource(database=str(warehouse)),
            "sources": SourceFolders(roots=[str(root)]),
        },
        raise_on_error=False,
    )


def checksums(warehouse):
    """Per table, a checksum of its rows without load times (which differ between runs)."""
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        sums = {}
        for table in COMPARED:
            columns = [
                name
                for (name,) in conn.execute(
                    "select column_name from duckdb_columns()"
                    " where schema_name || '.' || table_name = ? order by column_index",
                    [table],
                ).fetchall()
                if name not in ("loaded_at",)
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            sums[table] = conn.execute(
                f"select count(*), bit_xor(hash({listed})) from {table}"
            ).fetchall()[0]
        return sums


@pytest.fixture
def landing(tmp_path):
    root = tmp_path / "sources"
    write_csv(
        root / "province_year" / "rd_2023.csv",
        ["province", "year", "metric", "value", "unit", "vintage", "release_date", "source"],
        [
            ["北京", 2023, "rd_intensity", "6.73", "%", "R&D communiqué 2023", "2024-10-02", "t"],
            ["辽宁", 2023, "rd_intensity", "2.24", "%", "R&D communiqué 2023", "2024-10-02", "t"],
        ],
    )
    return root


def test_a_refused_growth_export_is_named_unloaded_and_leaves_no_trace(tmp_path, landing):
    never_saw_it = tmp_path / "never.duckdb"
    assert run(never_saw_it, landing).success

    warehouse = tmp_path / "warehouse.duckdb"
    assert run(warehouse, landing).success
    growth = landing / "province_year" / "gdp_100m_yuan_比上年增长(%).csv"
    growth.write_text(GROWTH_EXPORT, encoding="utf-8")

    failed = run(warehouse, landing)

    assert not failed.success
    [blocking] = [
        evaluation
        for evaluation in failed.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.asset_key.path == ["staging", "area_year_history"]
    ]
    failures = blocking.metadata["failures"].value
    examples = [example for failure in failures for example in failure.get("examples", [])]
    assert any(growth.name in str(example.get("source_file")) for example in examples), failures

    with duckdb.connect(str(warehouse)) as conn:
        [gone] = unload(conn, str(growth))
    assert gone.rows_removed == 4

    again = run(warehouse, landing)  # the file is still in the landing folder: kept out

    assert again.success
    assert checksums(warehouse) == checksums(never_saw_it)
