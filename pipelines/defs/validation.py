"""Great Expectations suites as Dagster asset checks on the staging tables: the factory.

One multi-asset check per table runs its suite once, inside DuckDB, and reports up to two
checks on the table's asset (made beside the table's asset: ``province_year/checks.py``,
``micro/checks.py``):

* ``gx_blocking`` (blocking, severity ERROR): failures that make downstream numbers wrong;
  downstream assets in the same run do not materialize.
* ``gx_warn`` (severity WARN): doubtful values a person should read; nothing is stopped.

Each check's metadata lists its failed expectations (type, column, unexpected count, a few
example rows with source_file/source_row) and links the run's Data Docs page.
"""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines import runs
from pipelines.defs.pool import POOL
from pipelines.validation.severity import Severity
from pipelines.validation.suite import TableSuite

if TYPE_CHECKING:
    from pipelines.validation.outcome import ExpectationOutcome, SuiteOutcome

CHECK_NAMES = {Severity.BLOCKING: "gx_blocking", Severity.WARN: "gx_warn"}
DAGSTER_SEVERITY = {
    Severity.BLOCKING: dg.AssetCheckSeverity.ERROR,
    Severity.WARN: dg.AssetCheckSeverity.WARN,
}


def check_key(schema: str, table: str, severity: Severity) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(dg.AssetKey([schema, table]), CHECK_NAMES[severity])


def _spec(suite: TableSuite, severity: Severity) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        CHECK_NAMES[severity],
        asset=dg.AssetKey([suite.schema, suite.table]),
        blocking=severity is Severity.BLOCKING,
        # Cross-table SQL reads other tables: in a run that builds them, validate after.
        additional_deps=[dg.AssetKey(list(table)) for table in suite.referenced_tables()],
        description=(
            f"Great Expectations suite of {suite.qualified_name} ({suite.description}): "
            f"its {severity.value} expectations. See pipelines/validation/suites/"
            f"{suite.table}.py and sql/checks/."
        ),
    )


def check_metadata(outcome: "SuiteOutcome", severity: Severity, docs_page: Path) -> dict:
    failures = outcome.failures(severity)
    return {
        "expectations": len(outcome.of(severity)),
        "failed_expectations": len(failures),
        "failures": dg.MetadataValue.json([f.as_metadata() for f in failures]),
        "summary": dg.MetadataValue.md(_failure_table(failures)),
        "data_docs": dg.MetadataValue.path(str(docs_page)),
        "data_docs_url": dg.MetadataValue.url(docs_page.resolve().as_uri()),
    }


def _failure_table(failures: "list[ExpectationOutcome]") -> str:
    if not failures:
        return "All expectations passed."
    lines = ["| expectation | column | unexpected | first example |", "|---|---|---|---|"]
    for failure in failures:
        example = failure.examples[0] if failure.examples else failure.error or ""
        cells = [failure.description, failure.column or "", failure.unexpected_count, example]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def build_suite_check(build_suite: Callable[[], TableSuite]) -> dg.AssetChecksDefinition:
    suite = build_suite()
    severities = suite.severities()

    @dg.multi_asset_check(
        name=f"validate_{suite.schema}_{suite.table}",
        specs=[_spec(suite, severity) for severity in severities],
        can_subset=True,
        pool=POOL,  # validation reads the file the writers lock: never run beside them
        description=f"Runs the Great Expectations suite of {suite.qualified_name} in DuckDB.",
    )
    def _check(
        context: dg.AssetCheckExecutionContext, warehouse: DuckDBResource
    ) -> Iterator[dg.AssetCheckResult]:
        # Great Expectations is imported here, in the check step, not when the code location
        # loads (seconds on every UI load and run start otherwise).
        from pipelines.validation.data_docs import write_validation_page
        from pipelines.validation.runner import validate_table

        # Rebuilt at run time: data/reference and sql/checks may have changed since load.
        with runs.interrupts_remembered() as stop_if_interrupted:
            outcome = validate_table(warehouse.database, build_suite(), run_name=context.run.run_id)
        stop_if_interrupted()  # GX reports an interrupt as an expectation's error
        page = write_validation_page(outcome.gx_result, outcome.table)
        for severity in severities:
            key = check_key(suite.schema, suite.table, severity)
            if key not in context.selected_asset_check_keys:
                continue
            yield dg.AssetCheckResult(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=outcome.passed(severity),
                severity=DAGSTER_SEVERITY[severity],
                metadata=check_metadata(outcome, severity, page),
            )

    return _check
