"""Data lateness: which figures should be out by now, by the sources' release calendar.

Freshness policies (``pipelines/defs/operations/freshness.py``) say whether the pipeline kept
running; this module says whether the *data* kept up. ``data/reference/release_calendar.csv``
states, per metric and source, when the figures for a period are published and how much slack
to allow:

``rd_expenditure,R&D communiqué,Y+1-09-30,30,,...``
    the R&D figures for year Y are out by 30 September of Y+1; 30 days later they are late.

Rules (column ``published``) name the period of the figures and when it is published:
``Y+n-MM-DD`` (year Y: month MM, day DD of year Y+n), ``Q+n-MM-DD`` (quarter Q: day DD of the
MM-th month of the quarter n after it) and ``M+n-DD`` (month M: day DD of the month n after it;
a day past the month's end means its last day). ``until`` is the last period a source
publishes (a yearbook column that was dropped). A metric with several sources (the communiqué
in September, the yearbook in December) is due by the earliest of them.

For each metric held, the newest period held *completely* is set against the newest period the
calendar says is out today (published and past its slack). Every period in between is a late
release: ``missing`` when nothing of it is held, ``partial`` when it is held for only some
provinces (fewer than :data:`PARTIAL_SHARE` of the provinces of the last complete period).
One late release is a warning, two or more an error. Periods published but still within
their slack are ``due``: reported, not late.

The pure part (calendar, expected periods, lateness) needs neither Dagster nor DuckDB; the last
section reads what a staging table holds. "Today" is :func:`today`: ``IMPETUS_TODAY``
(YYYY-MM-DD) when set, else the date in Asia/Shanghai; every function takes it as a parameter.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from pipelines.domains import MICRO_DOMAINS
from pipelines.paths import REFERENCE_DIR
from pipelines.readers.text import read_reference_csv
from pipelines.warehouse.micro_contract import contract

CALENDAR_FILE = REFERENCE_DIR / "release_calendar.csv"
METRICS_FILE = REFERENCE_DIR / "metrics.csv"
TODAY_ENV = "IMPETUS_TODAY"
TIMEZONE = ZoneInfo("Asia/Shanghai")
# A period held for fewer provinces than this share of the last complete period's is partial.
PARTIAL_SHARE = 0.8
PANEL_TABLE = "staging.province_year"

OK, WARN, ERROR = "ok", "warn", "error"
MISSING, PARTIAL, DUE = "missing", "partial", "due"


def today() -> date:
    """The date lateness is measured on: ``IMPETUS_TODAY`` (YYYY-MM-DD), else today in
    Asia/Shanghai (the sources' time zone). The one place the clock is read."""
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError as error:
            raise ValueError(f"{TODAY_ENV}={fixed!r} is not a date (YYYY-MM-DD)") from error
    return datetime.now(TIMEZONE).date()


class CalendarError(ValueError):
    """A line of the release calendar that cannot be used, named with its file and line."""


# --- periods ----------------------------------------------------------------------------------


class Period(StrEnum):
    """Figures come per year, quarter or month; a period is an integer index of its kind."""

    YEAR = "year"
    QUARTER = "quarter"
    MONTH = "month"

    @property
    def months(self) -> int:
        return {Period.YEAR: 12, Period.QUARTER: 3, Period.MONTH: 1}[self]

    def index(self, day: date) -> int:
        """The period ``day`` falls in."""
        if self is Period.YEAR:
            return day.year
        if self is Period.QUARTER:
            return day.year * 4 + (day.month - 1) // 3
        return day.year * 12 + day.month - 1

    def start(self, index: int) -> date:
        if self is Period.YEAR:
            return date(index, 1, 1)
        months = index * self.months
        return date(months // 12, months % 12 + 1, 1)

    def label(self, index: int) -> str:
        if self is Period.YEAR:
            return str(index)
        if self is Period.QUARTER:
            return f"{index // 4}Q{index % 4 + 1}"
        return f"{index // 12}-{index % 12 + 1:02d}"

    def parse(self, text: str) -> int:
        """The index of a label: ``2011``, ``2019Q4``, ``2024-06``."""
        patterns = {
            Period.YEAR: r"(\d{4})",
            Period.QUARTER: r"(\d{4})Q([1-4])",
            Period.MONTH: r"(\d{4})-(\d{2})",
        }
        found = re.fullmatch(patterns[self], text.strip())
        if not found:
            example = self.label(self.index(date(2024, 6, 1)))
            raise ValueError(f"{text!r} is not a {self.value} (e.g. {example})")
        year = int(found.group(1))
        if self is Period.YEAR:
            return year
        part = int(found.group(2))
        if self is Period.MONTH and not 1 <= part <= 12:
            raise ValueError(f"{text!r}: no month {part}")
        return year * (12 // self.months) + part - 1


_RULE = re.compile(r"(?P<letter>[YQM])\+(?P<lag>\d+)-(?P<first>\d{2})(?:-(?P<second>\d{2}))?")
_LETTERS = {"Y": Period.YEAR, "Q": Period.QUARTER, "M": Period.MONTH}


def _add_months(day: date, months: int, day_of_month: int) -> date:
    """``day`` (the first of a month) moved by ``months``, on ``day_of_month`` (clamped to the
    month's last day)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    first_of_next = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last = (first_of_next - timedelta(days=1)).day
    return date(year, month + 1, min(day_of_month, last))


# --- the calendar ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReleaseRule:
    """One line of the calendar: when ``source`` publishes ``metric`` for a period."""

    metric: str
    source: str
    published: str  # the rule as written, e.g. Y+1-09-30
    period: Period
    lag: int  # periods after the period itself
    month: int  # month within that later period (1 for monthly rules)
    day: int
    slack_days: int
    until: int | None = None  # the last period published, None while still published
    basis: str = ""
    line: int = 0

    def release_date(self, index: int) -> date:
        """When the figures for period ``index`` are published."""
        return _add_months(self.period.start(index + self.lag), self.month - 1, self.day)

    def due_by(self, index: int) -> date:
        """The last day they may still arrive without being late."""
        return self.release_date(index) + timedelta(days=self.slack_days)

    def covers(self, index: int) -> bool:
        return self.until is None or index <= self.until

    def newest_out(self, on: date) -> int | None:
        """The newest period this source should have published by ``on``, slack included."""
        index = self.period.index(on)
        while self.due_by(index) >= on:
            index -= 1
        if self.until is not None:
            index = min(index, self.until)
        return index

    def newest_released(self, on: date) -> int:
        """The newest period whose release date has passed by ``on`` (slack or not)."""
        index = self.period.index(on)
        while self.release_date(index) > on:
            index -= 1
        return index if self.until is None else min(index, self.until)


def parse_rule(text: str) -> tuple[Period, int, int, int]:
    """``Y+1-09-30`` -> (year, lag 1, month 9, day 30); ``M+1-05`` -> (month, 1, 1, 5)."""
    found = _RULE.fullmatch(text.strip())
    if not found:
        raise ValueError(
            f"published {text!r} is not a rule: Y+n-MM-DD, Q+n-MM-DD or M+n-DD (e.g. Y+1-09-30)"
        )
    period = _LETTERS[found["letter"]]
    lag = int(found["lag"])
    if period is Period.MONTH:
        if found["second"] is not None:
            raise ValueError(f"published {text!r}: a monthly rule is M+n-DD (e.g. M+1-05)")
        month, day = 1, int(found["first"])
    else:
        if found["second"] is None:
            raise ValueError(f"published {text!r}: write {found['letter']}+n-MM-DD")
        month, day = int(found["first"]), int(found["second"])
    if not 1 <= month <= period.months:
        raise ValueError(f"published {text!r}: month {month} is not within a {period.value}")
    if not 1 <= day <= 31:
        raise ValueError(f"published {text!r}: no day {day}")
    if lag < 1 and period is not Period.YEAR:
        raise ValueError(f"published {text!r}: a period is published after it ends (+1 or more)")
    return period, lag, month, day


def load_calendar(path: Path = CALENDAR_FILE) -> list[ReleaseRule]:
    """Every rule of the calendar file, checked: a known metric (``metrics.csv``) or a micro
    table's date column (``patents.application_date``), a readable rule, a whole number of
    days of slack. A bad line raises :class:`CalendarError` naming it."""
    metrics = {row["metric"] for row in read_reference_csv(METRICS_FILE)}
    date_columns = _micro_date_columns()
    rules = []
    for line, row in enumerate(read_reference_csv(path), start=2):
        where = f"{path.name} line {line}"
        metric = row.get("metric", "")
        try:
            period, lag, month, day = parse_rule(row.get("published", ""))
            slack = int(row.get("slack_days") or 0)
            if slack < 0:
                raise ValueError(f"slack_days {slack} is negative")
            until = period.parse(row["until"]) if row.get("until") else None
        except ValueError as error:
            raise CalendarError(f"{where} ({metric}): {error}") from error
        if "." in metric:
            kind = date_columns.get(metric)
            if kind is None:
                raise CalendarError(
                    f"{where}: {metric!r} is not a date column of a micro table "
                    f"({', '.join(sorted(date_columns))})"
                )
            if kind == "year" and period is not Period.YEAR:
                raise CalendarError(f"{where}: {metric} holds years, its rule must be Y+n-MM-DD")
        elif metric not in metrics:
            raise CalendarError(f"{where}: unknown metric {metric!r} (not in metrics.csv)")
        if not row.get("source"):
            raise CalendarError(f"{where} ({metric}): no source")
        rules.append(
            ReleaseRule(
                metric=metric,
                source=row["source"],
                published=row["published"],
                period=period,
                lag=lag,
                month=month,
                day=day,
                slack_days=slack,
                until=until,
                basis=row.get("basis", ""),
                line=line,
            )
        )
    for metric, own in rules_by_metric(rules).items():
        if len({rule.period for rule in own}) > 1:
            raise CalendarError(f"{path.name}: {metric} has rules for different periods")
    return rules


def _micro_date_columns() -> dict[str, str]:
    """``<table>.<column>`` -> "date" or "year" for the micro tables' date and year columns."""
    found = {}
    for table in MICRO_DOMAINS:
        for column in contract(table):
            if column.type == "DATE":
                found[f"{table}.{column.name}"] = "date"
            elif column.name == "year":
                found[f"{table}.{column.name}"] = "year"
    return found


def rules_by_metric(rules: Iterable[ReleaseRule]) -> dict[str, list[ReleaseRule]]:
    by_metric: dict[str, list[ReleaseRule]] = {}
    for rule in rules:
        by_metric.setdefault(rule.metric, []).append(rule)
    return by_metric


def table_of(metric: str) -> str:
    """Where a calendar metric is held: ``staging.province_year``, or ``staging.<micro>``."""
    return f"staging.{metric.split('.')[0]}" if "." in metric else PANEL_TABLE


# --- lateness (pure) --------------------------------------------------------------------------


def first_release(rules: Sequence[ReleaseRule], index: int) -> ReleaseRule | None:
    """The source that should deliver period ``index`` first (earliest due date)."""
    covering = [rule for rule in rules if rule.covers(index)]
    if not covering:
        return None
    return min(covering, key=lambda rule: (rule.due_by(index), rule.release_date(index)))


def expected_newest(rules: Sequence[ReleaseRule], on: date) -> int | None:
    """The newest period the calendar says is out by ``on`` (past the slack of its first
    source): what a metric should be held to."""
    newest = [rule.newest_out(on) for rule in rules]
    return max(newest) if newest else None


@dataclass(frozen=True)
class Release:
    """A period of a metric the calendar says should be held: late (missing or partial) or
    due (published per the calendar, still within its slack)."""

    metric: str
    table: str
    period: str  # label: 2024, 2025Q3, 2025-07
    status: str  # missing, partial or due
    expected: date  # the release date of the first source that publishes it
    due_by: date  # expected + that source's slack
    source: str
    slack_days: int
    days_late: int  # days since ``expected`` (negative: not released yet)
    provinces: int | None = None  # provinces held (partial periods)
    provinces_complete: int | None = None  # provinces of the last complete period

    @property
    def late(self) -> bool:
        return self.status in (MISSING, PARTIAL)

    def as_metadata(self) -> dict:
        found = {
            "table": self.table,
            "metric": self.metric,
            "period": self.period,
            "status": self.status,
            "expected_release": self.expected.isoformat(),
            "late_after": self.due_by.isoformat(),
            "days_late": self.days_late,
            "source": self.source,
            "slack_days": self.slack_days,
        }
        if self.provinces is not None:
            found["provinces_held"] = self.provinces
            found["provinces_expected"] = self.provinces_complete
        return found


@dataclass
class MetricLateness:
    """One metric of one table, measured on one day."""

    metric: str
    table: str
    period: Period
    held_newest: str | None  # newest period held at all
    complete_newest: str | None  # newest period held completely
    expected_newest: str | None  # newest period the calendar says is out
    releases: list[Release] = field(default_factory=list)

    @property
    def late(self) -> list[Release]:
        return [release for release in self.releases if release.late]

    @property
    def due(self) -> list[Release]:
        return [release for release in self.releases if release.status == DUE]

    @property
    def level(self) -> str:
        return level(len(self.late))

    @property
    def absent(self) -> bool:
        """Nothing of the metric is held: it is not late, it was never loaded."""
        return self.held_newest is None


def level(late_releases: int) -> str:
    """One late release is a warning, two or more an error."""
    return OK if late_releases == 0 else WARN if late_releases == 1 else ERROR


def complete_periods(held: Mapping[int, int | None]) -> set[int]:
    """The periods held completely. ``held`` maps a period to the provinces it is held for
    (None where provinces do not apply). Walking forward, a period is complete unless it
    holds fewer than PARTIAL_SHARE of the provinces of the last complete period before it."""
    complete: set[int] = set()
    reference: int | None = None
    for index in sorted(held):
        provinces = held[index]
        if provinces is None or reference is None or provinces >= PARTIAL_SHARE * reference:
            complete.add(index)
            reference = provinces
    return complete


def metric_lateness(
    metric: str,
    rules: Sequence[ReleaseRule],
    held: Mapping[int, int | None],
    on: date,
    table: str | None = None,
) -> MetricLateness:
    """How late ``metric`` is on ``on``, given the periods held (period -> provinces held,
    None where provinces do not apply) and the metric's calendar rules."""
    if not rules:
        raise ValueError(f"{metric}: no release rule")
    period = rules[0].period
    table = table or table_of(metric)
    expected = expected_newest(rules, on)
    found = MetricLateness(
        metric=metric,
        table=table,
        period=period,
        held_newest=period.label(max(held)) if held else None,
        complete_newest=None,
        expected_newest=period.label(expected) if expected is not None else None,
    )
    if not held:
        return found
    complete = complete_periods(held)
    newest_complete = max(complete)
    found.complete_newest = period.label(newest_complete)
    released = max(rule.newest_released(on) for rule in rules)
    last = max(released, expected if expected is not None else released)
    for index in range(newest_complete + 1, last + 1):
        rule = first_release(rules, index)
        if rule is None or index in complete:
            continue
        is_late = expected is not None and index <= expected
        if not is_late and rule.release_date(index) > on:
            continue
        status = (PARTIAL if index in held else MISSING) if is_late else DUE
        found.releases.append(
            Release(
                metric=metric,
                table=table,
                period=period.label(index),
                status=status,
                expected=rule.release_date(index),
                due_by=rule.due_by(index),
                source=rule.source,
                slack_days=rule.slack_days,
                days_late=(on - rule.release_date(index)).days,
                provinces=held.get(index),
                provinces_complete=held.get(newest_complete) if index in held else None,
            )
        )
    return found


def table_level(found: Iterable[MetricLateness]) -> str:
    """The worst level among a table's metrics."""
    levels = {item.level for item in found}
    return ERROR if ERROR in levels else WARN if WARN in levels else OK


# --- what a staging table holds (DuckDB) -----------------------------------------------------


def _table_exists(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    schema, name = table.split(".")
    return bool(
        conn.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def held_periods(
    conn: duckdb.DuckDBPyConnection, metric: str, period: Period
) -> dict[int, int | None]:
    """The periods of ``metric`` the warehouse holds: for a panel metric, year -> provinces
    held; for a micro table's date column, period -> None."""
    table = table_of(metric)
    if not _table_exists(conn, table):
        return {}
    if "." not in metric:
        rows = conn.execute(
            f"select year, count(distinct province_code) from {PANEL_TABLE}"
            " where metric = ? and year is not null group by year",
            [metric],
        ).fetchall()
        return {int(year): int(provinces) for year, provinces in rows}
    # The table and column were checked against micro_columns.csv when the calendar loaded.
    micro, column = metric.split(".")
    if micro not in MICRO_DOMAINS or not column.isidentifier():
        raise ValueError(f"{metric}: not a micro table's date column")
    values = conn.execute(
        f'select distinct "{column}" from staging.{micro} where "{column}" is not null'
    ).fetchall()
    held: dict[int, int | None] = {}
    for (value,) in values:
        index = int(value) if isinstance(value, int) else period.index(value)
        held[index] = None
    return held


def table_lateness(
    conn: duckdb.DuckDBPyConnection,
    table: str,
    rules: Sequence[ReleaseRule],
    on: date,
) -> list[MetricLateness]:
    """Every calendar metric held in ``table`` (``staging.province_year``, ...), measured on
    ``on``; metrics the table never held come back ``absent``."""
    return [
        metric_lateness(metric, own, held_periods(conn, metric, own[0].period), on, table)
        for metric, own in sorted(rules_by_metric(rules).items())
        if table_of(metric) == table
    ]


def uncalendared_metrics(
    conn: duckdb.DuckDBPyConnection, rules: Sequence[ReleaseRule]
) -> list[str]:
    """Catalogued metrics the panel holds that have no line in the calendar."""
    if not _table_exists(conn, PANEL_TABLE):
        return []
    known = {rule.metric for rule in rules}
    held = conn.execute(
        f"select distinct metric from {PANEL_TABLE} where metric_status = 'catalogued'"
    ).fetchall()
    return sorted(metric for (metric,) in held if metric not in known)


def calendar_tables(rules: Iterable[ReleaseRule]) -> list[str]:
    """The staging tables the calendar has rules for."""
    return sorted({table_of(rule.metric) for rule in rules})
