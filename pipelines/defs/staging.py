"""The one factory of staging tables: ``staging.<table>`` rebuilt by ``sql/staging/<table>.sql``.

Every staging table but ``staging.file_release`` (built in Python) is made here, for the
province-year panel (``province_year/assets.py``) and the micro domains (``micro/assets.py``).
"""

from collections.abc import Sequence

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.defs.table_metadata import source_files_of, table_metadata
from pipelines.warehouse.loads import one_transaction, scalar
from pipelines.warehouse.sql_files import sql


def staging_asset(
    table: str, deps: Sequence[dg.AssetsDefinition | dg.AssetKey], group: str, description: str
) -> dg.AssetsDefinition:
    """The asset of ``staging.<table>``: runs its SQL model in one transaction and reports the
    table's metadata with its source files and how many of its rows are synthetic."""

    @dg.asset(
        key=["staging", table],
        deps=deps,
        group_name=group,
        kinds={"duckdb", "sql"},
        pool=POOL,
        description=description,
    )
    def _asset(warehouse: DuckDBResource) -> dg.MaterializeResult:
        with warehouse.get_connection() as conn:
            with one_transaction(conn):
                conn.execute(sql(f"staging/{table}"))
            synthetic = scalar(
                conn, f"select count(*) filter (where is_synthetic) from staging.{table}"
            )
            return dg.MaterializeResult(
                metadata=table_metadata(
                    conn,
                    f"staging.{table}",
                    source_files_of(conn, f"staging.{table}"),
                    synthetic_rows=synthetic,
                )
            )

    return _asset
