"""The ``report`` asset: the static bilingual site under ``data/report/``, after the marts.

A thin wrapper around ``pipelines.report.build_report`` (no Dagster inside): it reads the
live warehouse (in the pool, like every step that opens the file), passes the latest check
results of the code location from the instance (the Data quality page lists them with their
example rows) and the GX Data Docs folder (copied offline into the report), and reports where
the site is, its pages, size and build time as metadata: the ``url`` entry opens it from the
asset's page in the UI. It depends on the marts and the staging tables it reads; the published
copy follows every asset (``operations/run_order.py``), so it comes after the report. From a
terminal: ``impetus report [--open]`` builds it from the published copy.
"""

from collections.abc import Iterable
from datetime import UTC, datetime

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.lateness import today
from pipelines.report import CheckRow, build_report, report_dir
from pipelines.run_summary import check_from_evaluation
from pipelines.validation.data_docs import docs_dir

REPORT_KEY = dg.AssetKey(["report"])
GROUP = "report"
# The tables the report reads (pipelines/report/data.py and sql/report/).
READS = [
    dg.AssetKey(["marts", name])
    for name in (
        "indicator",
        "indicator_value",
        "pillar_score",
        "sensitivity",
        "upgrading_path",
        "northeast_view",
    )
] + [
    dg.AssetKey(["staging", name]) for name in ("area_year_history", "province_year", "procurement")
]


def latest_checks(instance: dg.DagsterInstance, keys: Iterable[dg.AssetCheckKey]) -> list[CheckRow]:
    """The latest evaluation of each check, with its failed expectations and example rows
    (``run_summary.check_from_evaluation``, as the run summary shows them)."""
    keys = sorted(keys, key=lambda key: key.to_user_string())
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    rows = []
    for key in keys:
        record = latest.get(key)
        event = record.event if record else None
        evaluation = (
            event.dagster_event.event_specific_data if event and event.dagster_event else None
        )
        if record is None or not isinstance(evaluation, dg.AssetCheckEvaluation):
            rows.append(CheckRow(key.asset_key.to_user_string(), key.name, "not run"))
            continue
        result = check_from_evaluation(evaluation)
        outcome = "passed" if result.passed else "warned" if result.severity == "WARN" else "failed"
        rows.append(
            CheckRow(
                asset=result.asset,
                check=result.check,
                outcome=outcome,
                severity=result.severity,
                blocking=result.blocking,
                at=datetime.fromtimestamp(record.create_timestamp, UTC),
                findings=tuple(
                    {
                        "description": finding.description,
                        "count": finding.count,
                        "column": finding.column,
                        "examples": list(finding.examples),
                    }
                    for finding in result.findings
                ),
            )
        )
    return rows


def location_checks(instance: dg.DagsterInstance) -> list[CheckRow]:
    """The latest result of every check of the code location."""
    from pipelines.status import location_check_keys

    return latest_checks(instance, location_check_keys())


@dg.asset(
    key=REPORT_KEY,
    deps=READS,
    group_name=GROUP,
    kinds={"html", "duckdb"},
    pool=POOL,
    # Among the steps ready to run, late: the run's non-blocking checks go first, so the
    # Data quality page shows this run's results.
    op_tags={"dagster/priority": "-50"},
)
def report(context: dg.AssetExecutionContext, warehouse: DuckDBResource) -> dg.MaterializeResult:
    """The report: a static bilingual (中文/English) site an analyst hands to a colleague:
    overview with rank intervals and a tile map, one page per province, the Northeast with the
    seed-002 facts, what-if weights recomputed in the browser, data quality, method and
    downloads (Excel, CSV). Opens from disk: every script and style is in its folder."""
    target = report_dir(warehouse.database)
    with warehouse.get_connection() as conn:
        built = build_report(
            conn,
            target,
            checks=location_checks(context.instance),
            on=today(),
            read_from=f"live warehouse, run {context.run_id[:8]}",
            validation_docs=docs_dir(),
        )
    context.log.info(
        f"report: {built.pages} pages, {built.size_bytes / 1e6:.1f} MB in {built.seconds:.1f} s"
        f" at {built.index}"
    )
    return dg.MaterializeResult(
        metadata={
            "url": dg.MetadataValue.url(built.index.resolve().as_uri()),
            "path": dg.MetadataValue.path(str(built.index)),
            "pages": built.pages,
            "charts": built.charts,
            "files": built.files,
            "size_bytes": built.size_bytes,
            "build_seconds": dg.MetadataValue.float(round(built.seconds, 2)),
            "latest_year": built.latest_year,
        }
    )


defs = dg.Definitions(assets=[report])
