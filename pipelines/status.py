"""What needs attention, in one summary: late data first, then checks, quarantine and runs.

The same report twice:

* ``impetus status`` (:func:`status_report`) in a terminal, cron job or CI: read from the
  published copy (the live warehouse is locked while a run writes) and the Dagster instance,
  measured on today (``IMPETUS_TODAY`` for another day); the exit code is 1 when a release is
  late past its slack, so a job can alert on it;
* the ``health`` asset (``pipelines/defs/operations/health.py``) at the end of each run: the
  same report from the live warehouse, as Markdown metadata in the UI.

Sections, in this order:

1. **late data**: every metric whose newest release the calendar says is out is not held
   completely (``pipelines/lateness.py``, ``data/reference/release_calendar.csv``), grouped by
   table, source and the releases missing; releases due but within their slack after it;
2. **checks**: the latest evaluation of every asset check, with counts; failed and warned
   ones named;
3. **quarantine**: rows refused on load, by domain and rule;
4. **runs**: per job, the runs that failed since its last successful run.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.domains import DOMAINS
from pipelines.lateness import (
    ERROR,
    TODAY_ENV,
    WARN,
    MetricLateness,
    Release,
    ReleaseRule,
    calendar_tables,
    level,
    load_calendar,
    table_lateness,
    today,
    uncalendared_metrics,
)
from pipelines.paths import dagster_home

# The health asset (pipelines/defs/operations/health.py): its own check repeats the late data,
# so the report's checks section leaves it out.
REPORT_ASSET = dg.AssetKey(["health"])
LINE_WIDTH = 100
METRICS_NAMED = 8  # metric names shown per group of late metrics (all of them with full=True)
PERIODS_NAMED = 4  # periods shown per group before "first … last (n)"
RUNS_LOOKED_AT = 1000  # newest runs read from the instance for the failed-runs section
MARK = {ERROR: "✗", WARN: "!"}


# --- the report -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckState:
    """The latest evaluation of one asset check."""

    key: str  # asset/path:check_name
    outcome: str  # passed, failed (severity ERROR), warned (severity WARN) or not run
    severity: str | None = None
    run_id: str | None = None
    at: datetime | None = None
    summary: str = ""


@dataclass(frozen=True)
class QuarantineCount:
    domain: str
    rule: str
    rows: int
    files: int


@dataclass(frozen=True)
class JobFailures:
    """Runs of one job that failed since its last success (or ever, if it never succeeded)."""

    job: str
    failed: int
    last_success: datetime | None
    latest_run_id: str
    latest_at: datetime | None


@dataclass(frozen=True)
class LateGroup:
    """Metrics of one table missing the same releases from the same sources."""

    table: str
    metrics: tuple[str, ...]
    releases: tuple[Release, ...]  # those of the first metric; the others' are the same

    @property
    def level(self) -> str:
        return level(len(self.releases))


@dataclass
class HealthReport:
    on: date
    lateness: list[MetricLateness]
    checks: list[CheckState]
    quarantine: list[QuarantineCount]
    failed_runs: list[JobFailures]
    read_from: str = ""  # which warehouse (copy) the report read
    today_fixed: bool = False  # on comes from IMPETUS_TODAY
    uncalendared: list[str] = field(default_factory=list)

    @property
    def late(self) -> list[Release]:
        return [release for item in self.lateness for release in item.late]

    @property
    def due(self) -> list[Release]:
        return [release for item in self.lateness for release in item.due]

    @property
    def exit_code(self) -> int:
        """1 when a release is late past its slack, else 0."""
        return 1 if self.late else 0

    def count(self, outcome: str) -> int:
        return sum(check.outcome == outcome for check in self.checks)


# --- collecting -------------------------------------------------------------------------------


def warehouse_lateness(
    conn: duckdb.DuckDBPyConnection, on: date, rules: Sequence[ReleaseRule] | None = None
) -> list[MetricLateness]:
    """Every calendar metric in every staging table the calendar covers, measured on ``on``."""
    rules = load_calendar() if rules is None else rules
    return [
        item for table in calendar_tables(rules) for item in table_lateness(conn, table, rules, on)
    ]


def quarantine_counts(conn: duckdb.DuckDBPyConnection) -> list[QuarantineCount]:
    """Rows held in ``quarantine.<domain>``, by domain and rule, most first."""
    present = {
        name
        for (name,) in conn.execute(
            "select table_name from duckdb_tables() where schema_name = 'quarantine'"
        ).fetchall()
    }
    counts = []
    for domain in DOMAINS:
        if domain not in present:
            continue
        rows = conn.execute(
            f"select rule, count(*), count(distinct source_file) from quarantine.{domain}"
            " group by rule order by count(*) desc, rule"
        ).fetchall()
        counts += [QuarantineCount(domain, rule, int(n), int(files)) for rule, n, files in rows]
    return counts


def check_states(
    instance: dg.DagsterInstance, check_keys: Iterable[dg.AssetCheckKey]
) -> list[CheckState]:
    """The latest evaluation of each check in ``check_keys``, from the instance."""
    keys = sorted(check_keys, key=lambda key: key.to_user_string())
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    states = []
    for key in keys:
        name = f"{key.asset_key.to_user_string()}:{key.name}"
        record = latest.get(key)
        event = record.event if record else None
        evaluation = (
            event.dagster_event.event_specific_data if event and event.dagster_event else None
        )
        if record is None or not isinstance(evaluation, dg.AssetCheckEvaluation):
            states.append(CheckState(name, "not run"))
            continue
        severity = evaluation.severity.value
        outcome = (
            "passed"
            if evaluation.passed
            else "warned"
            if evaluation.severity == dg.AssetCheckSeverity.WARN
            else "failed"
        )
        states.append(
            CheckState(
                key=name,
                outcome=outcome,
                severity=severity,
                run_id=record.run_id,
                at=datetime.fromtimestamp(record.create_timestamp, UTC),
                summary=_check_summary(evaluation),
            )
        )
    return states


def _check_summary(evaluation: dg.AssetCheckEvaluation) -> str:
    if evaluation.description:
        return evaluation.description
    metadata = evaluation.metadata or {}
    failed = metadata.get("failed_expectations")
    if failed is not None:
        value = getattr(failed, "value", failed)
        return f"{value} failed expectation{'s' if value != 1 else ''}"
    return ""


def failed_runs(
    instance: dg.DagsterInstance, exclude_run_id: str | None = None
) -> list[JobFailures]:
    """Per job, the runs that failed after its last successful run (newest runs first)."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE]),
        limit=RUNS_LOOKED_AT,
    )
    found: dict[str, dict] = {}
    settled: set[str] = set()
    for record in records:  # newest first
        run = record.dagster_run
        if run.run_id == exclude_run_id or run.job_name in settled:
            continue
        ended = _utc(record.end_time or record.update_timestamp)
        if run.status == dg.DagsterRunStatus.SUCCESS:
            settled.add(run.job_name)
            if run.job_name in found:
                found[run.job_name]["last_success"] = ended
            continue
        entry = found.setdefault(
            run.job_name,
            {"failed": 0, "last_success": None, "latest_run_id": run.run_id, "latest_at": ended},
        )
        entry["failed"] += 1
    return [
        JobFailures(job=job, **entry)
        for job, entry in sorted(found.items(), key=lambda item: -item[1]["failed"])
    ]


def _utc(value: float | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromtimestamp(value, UTC)


def collect(
    conn: duckdb.DuckDBPyConnection,
    instance: dg.DagsterInstance,
    check_keys: Iterable[dg.AssetCheckKey],
    on: date,
    rules: Sequence[ReleaseRule] | None = None,
    exclude_run_id: str | None = None,
    read_from: str = "",
) -> HealthReport:
    """The report from a warehouse connection (live or the published copy) and the instance."""
    rules = load_calendar() if rules is None else rules
    return HealthReport(
        on=on,
        lateness=warehouse_lateness(conn, on, rules),
        checks=check_states(instance, check_keys),
        quarantine=quarantine_counts(conn),
        failed_runs=failed_runs(instance, exclude_run_id),
        read_from=read_from,
        today_fixed=bool(os.environ.get(TODAY_ENV, "").strip()),
        uncalendared=uncalendared_metrics(conn, rules),
    )


# --- grouping late metrics ----------------------------------------------------------------


def late_groups(lateness: Iterable[MetricLateness]) -> list[LateGroup]:
    """Late metrics grouped by table and the releases they miss; errors first."""
    groups: dict[tuple, list[MetricLateness]] = {}
    for item in lateness:
        if not item.late:
            continue
        signature = (
            item.table,
            tuple(
                (r.period, r.status, r.expected, r.source, r.provinces, r.provinces_complete)
                for r in item.late
            ),
        )
        groups.setdefault(signature, []).append(item)
    found = [
        LateGroup(
            table=items[0].table,
            metrics=tuple(sorted(item.metric for item in items)),
            releases=tuple(items[0].late),
        )
        for items in groups.values()
    ]
    return sorted(
        found,
        key=lambda group: (
            group.level != ERROR,
            group.table,
            -max(release.days_late for release in group.releases),
            group.metrics,
        ),
    )


def _periods(releases: Sequence[Release]) -> str:
    """``2024, 2025 missing``; ``2024 partial (3 of 31 provinces)``; ``2025-01 … 2026-10 (22)
    missing``."""
    statuses = {release.status for release in releases}
    if len(statuses) == 1 and all(release.provinces is None for release in releases):
        labels = [release.period for release in releases]
        if len(labels) > PERIODS_NAMED:
            shown = f"{labels[0]} … {labels[-1]} ({len(labels)})"
        else:
            shown = ", ".join(labels)
        return f"{shown} {releases[0].status}"
    parts = []
    for release in releases:
        part = f"{release.period} {release.status}"
        if release.status == "partial" and release.provinces is not None:
            part += f" ({release.provinces} of {release.provinces_complete} provinces)"
        parts.append(part)
    return ", ".join(parts)


def _expected(releases: Sequence[Release]) -> str:
    """``R&D communiqué, expected 2025-09-30: 428 days late``, for one or several releases."""
    sources = ", ".join(dict.fromkeys(release.source for release in releases))
    if len(releases) == 1:
        release = releases[0]
        return f"{sources}, expected {release.expected.isoformat()}: {release.days_late} days late"
    if len(releases) <= PERIODS_NAMED:
        dates = " and ".join(release.expected.isoformat() for release in releases)
        days = " and ".join(str(release.days_late) for release in releases)
        return f"{sources}, expected {dates}: {days} days late"
    first, last = releases[0], releases[-1]
    return (
        f"{sources}, expected from {first.expected.isoformat()} to {last.expected.isoformat()}:"
        f" {first.days_late} to {last.days_late} days late"
    )


def _metrics(metrics: Sequence[str], full: bool) -> str:
    if full or len(metrics) <= METRICS_NAMED:
        return ", ".join(metrics)
    shown = ", ".join(metrics[:METRICS_NAMED])
    return f"{shown} and {len(metrics) - METRICS_NAMED} more"


def _when(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if value else "?"


def _table(name: str) -> str:
    return name.replace(".", "/")


# --- the terminal text -----------------------------------------------------------------------


def render_text(report: HealthReport, full: bool = False) -> str:
    """The report for a terminal: late data, checks, quarantine, runs, and a last line."""
    # The calendar's dates are Beijing dates: say so, since it is often tomorrow there already.
    on = report.on.isoformat() + (f" ({TODAY_ENV})" if report.today_fixed else " (Beijing)")
    lines = [f"Status on {on}" + (f", {report.read_from}" if report.read_from else "")]

    late, groups = report.late, late_groups(report.lateness)
    lines.append("")
    if late:
        metrics = len({(r.table, r.metric) for r in late})
        tables = len({r.table for r in late})
        lines.append(
            f"Late data: {len(late)} release{'s' if len(late) != 1 else ''} past the calendar's"
            f" slack, in {metrics} metric{'s' if metrics != 1 else ''}"
            f" of {tables} table{'s' if tables != 1 else ''}"
        )
        for group in groups:
            count = len(group.metrics)
            lines += textwrap.wrap(
                f"  {MARK[group.level]} {_table(group.table)}: {_periods(group.releases)}"
                f" ({_expected(group.releases)})",
                width=LINE_WIDTH,
                subsequent_indent="      ",
                break_on_hyphens=False,
            )
            label = f"{count} metrics: " if count > 1 else ""
            lines += textwrap.wrap(
                label + _metrics(group.metrics, full),
                width=LINE_WIDTH,
                initial_indent="      ",
                subsequent_indent="        ",
                break_on_hyphens=False,
            )
    else:
        lines.append("Late data: none; every metric is as new as the release calendar expects")
    for (table, period, source, after), metrics in _due_groups(report.due).items():
        names = metrics.split(", ")
        lines += textwrap.wrap(
            f"  · due, within its slack: {_table(table)} {period} ({source}, late after {after}):"
            f" {_metrics(names, full)}",
            width=LINE_WIDTH,
            subsequent_indent="      ",
            break_on_hyphens=False,
        )

    lines.append("")
    lines.append(
        f"Checks: {report.count('passed')} passed, {report.count('failed')} failed,"
        f" {report.count('warned')} warned, {report.count('not run')} not run"
        f" (latest evaluation of each of {len(report.checks)})"
    )
    for outcome, mark in (("failed", "✗"), ("warned", "!")):
        for check in report.checks:
            if check.outcome == outcome:
                summary = f": {check.summary}" if check.summary else ""
                lines.append(
                    f"  {mark} {check.key} ({check.severity}){summary}"
                    f" [{_when(check.at)}, run {(check.run_id or '?')[:8]}]"
                )
    not_run = [check.key for check in report.checks if check.outcome == "not run"]
    if not_run:
        lines.append(f"  · not run: {', '.join(not_run)}")

    lines.append("")
    total = sum(count.rows for count in report.quarantine)
    if total:
        lines.append(f"Quarantined rows: {total} (quarantine.<domain>; sql/examples/08)")
        for count in report.quarantine:
            lines.append(
                f"  {count.domain}  {count.rule}: {count.rows} row{'s' if count.rows != 1 else ''}"
                f" from {count.files} file{'s' if count.files != 1 else ''}"
            )
    else:
        lines.append("Quarantined rows: none")

    lines.append("")
    if report.failed_runs:
        lines.append("Runs failed since their job's last success:")
        for job in report.failed_runs:
            since = f"since {_when(job.last_success)}" if job.last_success else "never succeeded"
            lines.append(
                f"  ✗ {job.job}: {job.failed} failed {since}"
                f" (latest run {job.latest_run_id[:8]}, {_when(job.latest_at)})"
            )
    else:
        lines.append("Runs failed since their job's last success: none")

    lines.append("")
    if late:
        lines.append(
            f"Late: {len(late)} release{'s' if len(late) != 1 else ''} past their slack"
            f" (exit {report.exit_code})"
        )
    else:
        lines.append(f"Nothing late on {report.on.isoformat()} (exit {report.exit_code})")
    return "\n".join(lines)


# --- Markdown for the UI ----------------------------------------------------------------------


def _cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: HealthReport) -> str:
    """The report as Markdown (the ``health`` asset's ``summary`` metadata)."""
    out = [f"### Late data on {report.on.isoformat()}"]
    late = report.late
    if late:
        out += [
            f"{len(late)} release(s) past the slack of `data/reference/release_calendar.csv`.",
            "",
            "| | table | releases | expected (source) | days late | metrics |",
            "|---|---|---|---|---|---|",
        ]
        for group in late_groups(report.lateness):
            releases = group.releases
            days = ", ".join(str(release.days_late) for release in releases)
            if len(releases) > PERIODS_NAMED:
                days = f"{releases[0].days_late} … {releases[-1].days_late}"
            expected = f"{releases[0].expected.isoformat()} ({releases[0].source})"
            if len(releases) > 1:
                expected = (
                    f"{releases[0].expected.isoformat()} … {releases[-1].expected.isoformat()}"
                    f" ({', '.join(dict.fromkeys(r.source for r in releases))})"
                )
            out.append(
                f"| {'🔴' if group.level == ERROR else '🟡'} | {_table(group.table)}"
                f" | {_cell(_periods(releases))} | {_cell(expected)} | {days}"
                f" | {_cell(', '.join(group.metrics))} |"
            )
    else:
        out.append("Nothing late: every metric is as new as the release calendar expects.")
    if report.due:
        out += ["", "Due, within their slack:"]
        out += [
            f"- {_table(table)} {period} from {source} (late after {after}): {metrics}"
            for (table, period, source, after), metrics in _due_groups(report.due).items()
        ]

    out += [
        "",
        "### Checks",
        f"{report.count('passed')} passed, {report.count('failed')} failed,"
        f" {report.count('warned')} warned, {report.count('not run')} not run"
        " (latest evaluation of each).",
    ]
    named = [check for check in report.checks if check.outcome in ("failed", "warned")]
    if named:
        out += ["", "| | check | severity | result | when | run |", "|---|---|---|---|---|---|"]
        for check in sorted(named, key=lambda check: (check.outcome != "failed", check.key)):
            out.append(
                f"| {'🔴' if check.outcome == 'failed' else '🟡'} | {_cell(check.key)}"
                f" | {check.severity} | {_cell(check.summary)} | {_when(check.at)}"
                f" | {(check.run_id or '')[:8]} |"
            )

    out += ["", "### Quarantined rows"]
    if report.quarantine:
        out += ["| domain | rule | rows | files |", "|---|---|---|---|"]
        out += [
            f"| {count.domain} | {_cell(count.rule)} | {count.rows} | {count.files} |"
            for count in report.quarantine
        ]
    else:
        out.append("None.")

    out += ["", "### Runs failed since their job's last success"]
    if report.failed_runs:
        out += ["| job | failed | since | latest failed run |", "|---|---|---|---|"]
        out += [
            f"| {job.job} | {job.failed} | "
            f"{_when(job.last_success) if job.last_success else 'never succeeded'}"
            f" | {job.latest_run_id[:8]} ({_when(job.latest_at)}) |"
            for job in report.failed_runs
        ]
    else:
        out.append("None.")
    return "\n".join(out)


def _due_groups(due: Iterable[Release]) -> dict[tuple, str]:
    groups: dict[tuple, list[str]] = {}
    for release in due:
        key = (release.table, release.period, release.source, release.due_by.isoformat())
        groups.setdefault(key, []).append(release.metric)
    return {key: ", ".join(sorted(metrics)) for key, metrics in sorted(groups.items())}


# --- impetus status --------------------------------------------------------------------------


def location_check_keys() -> list[dg.AssetCheckKey]:
    """Every asset check of the code location (``pipelines/definitions.py``) but the health
    asset's own."""
    from pipelines.definitions import defs

    keys = defs.resolve_asset_graph().asset_check_keys
    return sorted(
        (key for key in keys if key.asset_key != REPORT_ASSET), key=lambda k: k.to_user_string()
    )


def status_report(
    on: date | None = None,
    instance: dg.DagsterInstance | None = None,
    published: Path | None = None,
    check_keys: Iterable[dg.AssetCheckKey] | None = None,
    full: bool = False,
) -> tuple[str, int]:
    """``impetus status``: the report's text and the exit code (1 when something is late past
    its slack). Reads the published copy (``published``, else IMPETUS_PUBLISHED or the
    default) and the instance (``instance``, else DAGSTER_HOME's, else the project's own);
    raises ``PublishedCopyMissing`` when nothing was published yet."""
    from pipelines.publish import PUBLICATION_TABLE, connect_published

    on = on or today()
    keys = list(check_keys) if check_keys is not None else location_check_keys()
    owned = instance is None
    if owned:
        os.environ["DAGSTER_HOME"] = str(dagster_home())
        instance = dg.DagsterInstance.get()
    try:
        with connect_published(published) as conn:
            stamp = conn.execute(
                f"select any_value(run_id), max(published_at) from {PUBLICATION_TABLE}"
            ).fetchone()
            read_from = f"published copy of run {str(stamp[0])[:8]} ({_when(_utc(stamp[1]))})"
            report = collect(conn, instance, keys, on, read_from=read_from)
    finally:
        if owned:
            instance.dispose()
    return render_text(report, full=full), report.exit_code
