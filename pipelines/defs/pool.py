"""The concurrency pool every step that opens the warehouse takes a slot of."""

POOL = "duckdb_warehouse"  # one slot (dagster.yaml): one step on the DuckDB file at a time
