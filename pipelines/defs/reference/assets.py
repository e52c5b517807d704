"""Reference tables: the product's rules (areas, metrics, divisions) as queryable tables."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.defs.table_metadata import table_metadata
from pipelines.paths import REFERENCE_DIR, REPO_ROOT
from pipelines.warehouse.loads import ensure_schemas, one_transaction
from pipelines.warehouse.sql_files import sql


def _reference_asset(table: str, csv_name: str, description: str) -> dg.AssetsDefinition:
    @dg.asset(
        key=["reference", table],
        group_name="reference",
        kinds={"duckdb", "csv"},
        pool=POOL,
        description=description,
    )
    def _asset(warehouse: DuckDBResource) -> dg.MaterializeResult:
        source = REFERENCE_DIR / csv_name
        with warehouse.get_connection() as conn:
            ensure_schemas(conn)
            with one_transaction(conn):
                conn.execute(sql(f"reference/{table}"), [str(source)])
            return dg.MaterializeResult(
                metadata=table_metadata(
                    conn, f"reference.{table}", [source.relative_to(REPO_ROOT).as_posix()]
                )
            )

    return _asset


area = _reference_asset(
    "area",
    "areas.csv",
    "The 31 provinces (GB/T 2260 codes, Chinese/English names, NBS region), the national "
    "total (000000) and the four NBS regions. Edit data/reference/areas.csv.",
)
metric = _reference_asset(
    "metric",
    "metrics.csv",
    "The metric catalog: every province-year metric id with its Chinese and English name "
    "and the one unit it is stored in. Edit data/reference/metrics.csv.",
)
industry_division = _reference_asset(
    "industry_division",
    "industry_divisions.csv",
    "GB/T 4754-2017 manufacturing divisions; equipment manufacturing (33-40) is marked. "
    "Edit data/reference/industry_divisions.csv.",
)
unit = _reference_asset(
    "unit",
    "units.csv",
    "Units and their conversion factors within a dimension (money: 元/万元/亿元; counts; "
    "persons; percent). Edit data/reference/units.csv.",
)
