"""The ``health`` asset: one summary of what needs attention, written at the end of each run.

Like dagster-open-platform's daily health report, but for this warehouse and after every run
that includes it: late data (by ``data/reference/release_calendar.csv``), the latest result
of every asset check with counts, quarantined rows by rule and, per job, the runs that failed
since its last success. The report itself is ``pipelines/status.py``, the same one
``impetus status`` prints in a terminal; here it is the asset's Markdown metadata
(``summary``) and counts the UI can plot.

It depends on every staging table and mart (attached where the definitions are built:
``run_order.py``), so a run that builds them ends with it (its steps' priority is the lowest:
it also waits for the checks that do not block it), and only the published copy comes after.
Its own check, ``releases_on_time``, fails (ERROR, not blocking) when any release is late
past its slack: the one row of the catalog to look at.
Like every asset downstream of a failed blocking check it is skipped in that run: where the
daemon runs, ``health_after_a_failed_run`` then writes it in a run of its own, and
``health_daily`` every morning (a release goes late by the date alone); from a terminal,
``impetus status`` prints the same report.
"""

from collections.abc import Iterable, Sequence

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.lateness import ERROR, load_calendar, table_level, today
from pipelines.status import REPORT_ASSET, collect, location_check_keys, render_markdown

HEALTH_KEY = REPORT_ASSET
GROUP = "operations"
CHECK_NAME = "releases_on_time"
_LAYERS = ("staging", "marts")


def upstream_of_health(keys: Iterable[dg.AssetKey]) -> list[dg.AssetKey]:
    """What the report follows, among the asset keys of the code location: every staging table
    and mart. Attached where the definitions are built (``run_order.py``)."""
    chosen = (key for key in keys if key.path[0] in _LAYERS)
    return sorted(chosen, key=lambda key: key.to_user_string())


def build_health(deps: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The ``health`` asset, following ``deps``. Built where the definitions are built
    (``run_order.py``), with every staging table and mart of the code location as ``deps``."""

    @dg.asset(
        key=HEALTH_KEY,
        deps=deps,
        group_name=GROUP,
        kinds={"duckdb", "python"},
        pool=POOL,
        # Among the steps ready to run, the last: the run's non-blocking checks go first.
        op_tags={"dagster/priority": "-100"},
        check_specs=[
            dg.AssetCheckSpec(
                CHECK_NAME,
                asset=HEALTH_KEY,
                description="Fails (ERROR, not blocking) when any release is late past the slack "
                "of data/reference/release_calendar.csv, in any staging table: what `impetus "
                "status` exits 1 for.",
            )
        ],
    )
    def health(
        context: dg.AssetExecutionContext, warehouse: DuckDBResource
    ) -> dg.MaterializeResult:
        """What needs attention after this run, in one summary: late data by the release
        calendar, failed and warned checks with counts, quarantined rows by rule, runs failed
        since their job's last success. The same report as `impetus status`."""
        # Every check of the location, not only this job's (the run may hold one domain's).
        keys = location_check_keys()
        on = today()
        with warehouse.get_connection() as conn:
            report = collect(
                conn,
                context.instance,
                keys,
                on,
                rules=load_calendar(),
                exclude_run_id=context.run_id,
                read_from="live warehouse",
            )
        late = report.late
        worst = table_level(report.lateness)
        late_tables = sorted({release.table for release in late})
        return dg.MaterializeResult(
            metadata={
                "summary": dg.MetadataValue.md(render_markdown(report)),
                "today": on.isoformat(),
                "late_releases": len(late),
                "late_metrics": len({(release.table, release.metric) for release in late}),
                "late_tables": dg.MetadataValue.json(late_tables),
                "checks_passed": report.count("passed"),
                "checks_failed": report.count("failed"),
                "checks_warned": report.count("warned"),
                "checks_not_run": report.count("not run"),
                "quarantined_rows": sum(count.rows for count in report.quarantine),
                "failed_runs": sum(job.failed for job in report.failed_runs),
                "late": dg.MetadataValue.json([release.as_metadata() for release in late]),
            },
            check_results=[
                dg.AssetCheckResult(
                    check_name=CHECK_NAME,
                    passed=not late,
                    severity=dg.AssetCheckSeverity.ERROR,
                    description=(
                        "nothing late"
                        if not late
                        else f"{len(late)} late release(s) in {', '.join(late_tables)}"
                        + (" (two or more for a metric)" if worst == ERROR else "")
                    ),
                    metadata={"late_releases": len(late), "today": on.isoformat()},
                )
            ],
        )

    return health


# A run that failed (a blocking check, a refused file) skips `health` with the rest of what is
# downstream, and a release goes late by the date alone with no run at all: two more ways, for
# the daemon, to keep the summary in the UI current.
health_job = dg.define_asset_job(
    "health_job",
    selection=[HEALTH_KEY],
    description="Write the health summary alone (after a failed run, and every morning).",
)

health_daily = dg.ScheduleDefinition(
    name="health_daily",
    job=health_job,
    cron_schedule="30 7 * * *",  # after the lateness checks' daily re-check at 07:00
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="The health summary every morning, 07:30: releases go late by the date alone.",
)


@dg.run_failure_sensor(
    name="health_after_a_failed_run",
    request_job=health_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Writes the health summary after any failed run (which skipped `health`).",
)
def health_after_a_failed_run(context: dg.RunFailureSensorContext):
    if context.dagster_run.job_name == health_job.name:
        return dg.SkipReason("a failed health_job is not followed by another")
    return dg.RunRequest(run_key=f"after {context.dagster_run.run_id}")


defs = dg.Definitions(
    jobs=[health_job],
    schedules=[health_daily],
    sensors=[health_after_a_failed_run],
)
