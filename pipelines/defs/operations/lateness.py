"""Data lateness as asset checks: is each staging table as new as the release calendar says?

One check, ``releases_on_time``, on each staging table the calendar
(``data/reference/release_calendar.csv``) has rules for: ``staging/province_year`` (every
metric), ``staging/patents``, ``staging/enterprises``, ``staging/procurement`` (their date
columns). For every metric it sets the newest period held against the newest period the
calendar says is out today (``pipelines/lateness.py``):

* passed: nothing late (a release within its slack is listed as due);
* WARN: a metric misses one release (a period missing, or held for only some provinces);
* ERROR: a metric misses two or more. Not blocking: late data is still the best data there is.

The metadata lists every late metric-period with its expected release date, source and days
late. The checks run with their table, and once a day on their own (07:00 Asia/Shanghai,
through the ``warehouse_automation`` sensor): the calendar moves on while no new data arrives.
They are made with :func:`build_lateness_check` beside their tables' assets
(``province_year/checks.py``, ``micro/checks.py``), one for each of ``LATENESS_TABLES``.
"""

from datetime import date

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.pool import POOL
from pipelines.domains import MICRO_DOMAINS
from pipelines.lateness import (
    CALENDAR_FILE,
    ERROR,
    OK,
    PANEL_TABLE,
    MetricLateness,
    load_calendar,
    table_lateness,
    table_level,
    today,
    uncalendared_metrics,
)
from pipelines.paths import REPO_ROOT

CHECK_NAME = "releases_on_time"
TIMEZONE = "Asia/Shanghai"
RECHECK_CRON = "0 7 * * *"
MAX_ROWS_SHOWN = 60  # rows of the Markdown table; the JSON metadata has them all


def daily_recheck() -> dg.AutomationCondition:
    """Re-evaluated daily even when the table was not rebuilt: a release becomes late by the
    date alone."""
    return (
        dg.AutomationCondition.cron_tick_passed(RECHECK_CRON, TIMEZONE).since_last_handled()
        & ~dg.AutomationCondition.any_deps_missing()
        & ~dg.AutomationCondition.any_deps_in_progress()
        & ~dg.AutomationCondition.in_progress()
    ).with_label(f"daily at 07:00 {TIMEZONE}")


def check_key(table: str) -> dg.AssetCheckKey:
    schema, name = table.split(".")
    return dg.AssetCheckKey(dg.AssetKey([schema, name]), CHECK_NAME)


def _shown_path() -> str:
    return CALENDAR_FILE.relative_to(REPO_ROOT).as_posix()


def late_table_markdown(found: list[MetricLateness], on: date, limit: int = MAX_ROWS_SHOWN) -> str:
    """Every late metric-period, then the ones due within their slack, as a Markdown table."""
    worst_first = sorted(found, key=lambda item: (-len(item.late), item.metric))
    late = [release for item in worst_first for release in item.late]
    due = [release for item in found for release in item.due]
    if not late and not due:
        return f"Every metric is as new as `{_shown_path()}` expects on {on.isoformat()}."
    lines = [
        f"**{len(late)} late release{'s' if len(late) != 1 else ''}** "
        f"({len({r.metric for r in late})} metrics) on {on.isoformat()}, "
        f"by `{_shown_path()}`.",
        "",
        "| metric | period | status | expected release | source | days late |",
        "|---|---|---|---|---|---|",
    ]
    rows = late + sorted(due, key=lambda r: r.metric)
    for release in rows[:limit]:
        status = release.status
        if release.provinces is not None and release.status == "partial":
            status += f" ({release.provinces} of {release.provinces_complete} provinces)"
        if release.status == "due":
            status += f" (late after {release.due_by.isoformat()})"
        lines.append(
            f"| {release.metric} | {release.period} | {status} | {release.expected.isoformat()}"
            f" | {release.source} | {release.days_late} |"
        )
    if len(rows) > limit:
        lines.append(f"| … and {len(rows) - limit} more (metadata `late`, `due`) | | | | | |")
    return "\n".join(lines)


def lateness_result(
    table: str, found: list[MetricLateness], on: date, uncalendared: list[str] = ()
) -> dg.AssetCheckResult:
    """The check's result for one table's lateness."""
    worst = table_level(found)
    # Worst first: the metrics missing most releases, then the longest overdue.
    by_metric = sorted(found, key=lambda item: (-len(item.late), item.metric))
    late = [release for item in by_metric for release in item.late]
    held = [item for item in found if not item.absent]
    return dg.AssetCheckResult(
        asset_key=check_key(table).asset_key,
        check_name=CHECK_NAME,
        passed=worst == OK,
        severity=dg.AssetCheckSeverity.ERROR if worst == ERROR else dg.AssetCheckSeverity.WARN,
        description=(
            "every metric is as new as the release calendar expects"
            if worst == OK
            else f"{len(late)} late release(s) in {len({r.metric for r in late})} metric(s)"
        ),
        metadata={
            "today": on.isoformat(),
            "late_releases": len(late),
            "late_metrics": len({release.metric for release in late}),
            "metrics_checked": len(held),
            "summary": dg.MetadataValue.md(late_table_markdown(found, on)),
            "late": dg.MetadataValue.json([release.as_metadata() for release in late]),
            "due": dg.MetadataValue.json(
                [release.as_metadata() for item in found for release in item.due]
            ),
            "newest": dg.MetadataValue.json(
                {
                    item.metric: {
                        "held": item.held_newest,
                        "held_completely": item.complete_newest,
                        "expected": item.expected_newest,
                    }
                    for item in held
                }
            ),
            "never_loaded": dg.MetadataValue.json([item.metric for item in found if item.absent]),
            "not_in_calendar": dg.MetadataValue.json(list(uncalendared)),
            "calendar": dg.MetadataValue.path(_shown_path()),
        },
    )


def build_lateness_check(table: str) -> dg.AssetChecksDefinition:
    schema, name = table.split(".")

    @dg.asset_check(
        asset=dg.AssetKey([schema, name]),
        name=CHECK_NAME,
        blocking=False,
        pool=POOL,  # reads the file the writers lock
        automation_condition=daily_recheck(),
        description=(
            f"Data lateness of {table}: for each metric, the newest period held against the "
            f"newest the release calendar ({_shown_path()}) says is out today. WARN when one "
            "release is missing or partial, ERROR when two or more are (not blocking)."
        ),
    )
    def _check(warehouse: DuckDBResource) -> dg.AssetCheckResult:
        rules = load_calendar()  # at run time: an edited calendar applies to the next check
        on = today()
        with warehouse.get_connection() as conn:
            found = table_lateness(conn, table, rules, on)
            uncalendared = uncalendared_metrics(conn, rules) if name == "province_year" else []
        return lateness_result(table, found, on, uncalendared)

    return _check


# The tables the calendar's metrics live in (pipelines.lateness.table_of); fixed here so that a
# typo in the calendar fails the check that reads it, not the loading of the code location.
LATENESS_TABLES = (PANEL_TABLE, *(f"staging.{table}" for table in MICRO_DOMAINS))
