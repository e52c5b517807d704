"""Run a table's suite inside DuckDB through GX's SQL route (SQLAlchemy + duckdb-engine).

Every expectation becomes SQL that DuckDB executes where the table lives; only aggregates and
a handful of example rows come back to Python, so a 10-million-row table is never pulled
into pandas.

DuckDB lets one process hold the file for writing and refuses, within a process, a second
connection with another configuration. The run therefore opens the warehouse only after the
asset that wrote it has closed its connection (Dagster runs the check after the asset, in the
same pool as every writer) and disposes GX's engine before returning.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

import great_expectations as gx
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.core.expectation_validation_result import ExpectationValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.datasource.fluent import SQLDatasource

from pipelines.validation import gx_duckdb
from pipelines.validation.macros import macro_sql
from pipelines.validation.outcome import EXAMPLES_PER_EXPECTATION, SuiteOutcome, summarise
from pipelines.validation.suite import TableSuite

# GX announces each ephemeral context's temporary docs folder at INFO, which reached the
# terminal of every `impetus materialize` once something had configured the root logger.
logging.getLogger("great_expectations").setLevel(logging.WARNING)

ROW_QUERY_TYPE = "unexpected_rows_expectation"
# Row queries need COMPLETE to return any rows at all; GX caps them at 200.
ROW_QUERY_RESULT_FORMAT = {"result_format": "COMPLETE"}


def column_result_format(suite: TableSuite) -> dict:
    """SUMMARY: counts plus a few unexpected rows identified by the suite's example columns.

    COMPLETE would fetch every unexpected value of a column, millions on a bad load.
    """
    return {
        "result_format": "SUMMARY",
        "partial_unexpected_count": EXAMPLES_PER_EXPECTATION,
        "unexpected_index_column_names": list(suite.example_columns),
        "return_unexpected_index_query": False,
    }


def validate_table(
    database: str | Path, suite: TableSuite, run_name: str | None = None
) -> SuiteOutcome:
    """Validate ``suite.qualified_name`` in the DuckDB file ``database``.

    The result names the table as its data asset (the GX asset is named after it) and carries
    a GX run identifier: ``run_name`` (the Dagster run id in a check), else the table and the
    UTC time; the Data Docs page shows both."""
    run_time = datetime.now(UTC)
    run_id = RunIdentifier(
        run_name=run_name or f"{suite.qualified_name} {run_time:%Y-%m-%dT%H:%M:%SZ}",
        run_time=run_time,
    )
    gx_duckdb.apply()
    context = gx.get_context(mode="ephemeral")
    # GX draws a progress bar per metric batch on stdout: noise in run logs and `make demo`.
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    source = context.data_sources.add_sql(
        name="warehouse", connection_string=f"duckdb:///{Path(database).resolve()}"
    )
    try:
        _install_macros(source)
        # A query asset, not a table asset: duckdb-engine's column reflection fails on DuckDB
        # 2.0 (no pg_catalog.pg_collation) and GX's fallback then loses the schema name.
        asset = source.add_query_asset(
            name=suite.qualified_name, query=f"select * from {suite.qualified_name}"
        )
        batch = asset.add_batch_definition_whole_table("whole table").get_batch()
        column_suite, row_queries = _split(suite)
        columns = batch.validate(column_suite, result_format=column_result_format(suite))
        results = list(columns.results)
        batch_meta = {**columns.meta, "run_id": run_id}  # GX's batch_spec names the asset
        _rollback(source)
        for expectation in row_queries:
            results.append(batch.validate(expectation, result_format=ROW_QUERY_RESULT_FORMAT))
            _rollback(source)
    finally:
        _close(source)
    combined = _combine(suite.qualified_name, results, batch_meta)
    return SuiteOutcome(
        table=suite.qualified_name, outcomes=summarise(combined), gx_result=combined
    )


def _split(suite: TableSuite) -> tuple[gx.ExpectationSuite, list]:
    """Column expectations (one GX pass, metrics bundled) and row queries (one by one)."""
    whole = suite.gx_suite()
    columns = gx.ExpectationSuite(name=whole.name)
    row_queries = []
    for expectation in whole.expectations:
        if expectation.expectation_type == ROW_QUERY_TYPE:
            row_queries.append(expectation)
        else:
            columns.add_expectation(expectation)
    return columns, row_queries


def _combine(
    suite_name: str, expectation_results: list[ExpectationValidationResult], meta: dict
) -> ExpectationSuiteValidationResult:
    """One validation result for the table, as if the suite had run in a single pass (with
    the column pass's ``meta``: batch, data asset and run)."""
    successful = sum(bool(r.success) for r in expectation_results)
    evaluated = len(expectation_results)
    return ExpectationSuiteValidationResult(
        success=successful == evaluated,
        results=expectation_results,
        suite_name=suite_name,
        statistics={
            "evaluated_expectations": evaluated,
            "successful_expectations": successful,
            "unsuccessful_expectations": evaluated - successful,
            "success_percent": 100.0 * successful / evaluated if evaluated else None,
        },
        meta={**meta, "great_expectations_version": gx.__version__},
    )


def _install_macros(source: SQLDatasource) -> None:
    # GX keeps one connection per engine on DuckDB (gx_duckdb), so temp macros created on it
    # are visible to every query GX runs afterwards.
    with source.get_execution_engine().get_connection() as connection:
        connection.exec_driver_sql(macro_sql(temporary=True))
        connection.commit()


def _rollback(source: SQLDatasource) -> None:
    """End GX's transaction: in DuckDB one failed query aborts it, and every later query on
    the (single, shared) connection would then fail too."""
    with source.get_execution_engine().get_connection() as connection:
        connection.rollback()


def _close(source: SQLDatasource) -> None:
    """Release the DuckDB file: the writers of the next run need it."""
    source.get_execution_engine().close()
    source.get_engine().dispose()
