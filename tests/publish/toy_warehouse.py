"""A toy warehouse whose versions are easy to tell apart, for the publication tests and
benchmarks/publish_swap.py."""

import duckdb


def build_version(conn: duckdb.DuckDBPyConnection, k: int) -> None:
    """Version k of a toy warehouse: 31 provinces x k years of pillar scores, k staging rows."""
    conn.execute("create schema if not exists marts")
    conn.execute("create schema if not exists staging")
    conn.execute(
        "create or replace table marts.pillar_score as select"
        " lpad(cast(p as varchar), 6, '0') as province_code, 2000 + y as year, 'overall' as pillar,"
        " random() as score from range(31) t(p), range(?) s(y)",
        [k],
    )
    conn.execute("create or replace table staging.things as select * from range(?) t(i)", [k])
