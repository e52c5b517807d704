"""Writing to and reading from the DuckDB warehouse, with no Dagster inside.

The Dagster assets in ``pipelines.defs`` call these functions; tests call them directly.
"""
