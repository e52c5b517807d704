"""The release calendar and lateness, pure: fixed dates before and after a release."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.lateness import (
    DUE,
    ERROR,
    MISSING,
    OK,
    PARTIAL,
    WARN,
    CalendarError,
    Period,
    ReleaseRule,
    complete_periods,
    expected_newest,
    load_calendar,
    metric_lateness,
    parse_rule,
    rules_by_metric,
    today,
)
from pipelines.paths import REFERENCE_DIR
from pipelines.readers.text import read_reference_csv
from tests.conftest import write_csv

ALL_31 = 31


@pytest.fixture(scope="module")
def calendar():
    return rules_by_metric(load_calendar())


def late(found):
    return [(release.period, release.status) for release in found.late]


# --- the calendar file -------------------------------------------------------------------------


def test_every_catalogued_metric_and_micro_table_has_a_release_rule(calendar):
    metrics = {row["metric"] for row in read_reference_csv(REFERENCE_DIR / "metrics.csv")}
    assert metrics <= set(calendar), sorted(metrics - set(calendar))
    assert {"patents.application_date", "enterprises.year", "procurement.award_date"} <= set(
        calendar
    )
    for rules in calendar.values():
        for rule in rules:
            assert rule.source and rule.basis, rule  # every rule says where it comes from


def test_the_calendar_says_the_release_rules_of_the_issue(calendar):
    [communique] = [r for r in calendar["rd_expenditure"] if r.source == "R&D communiqué"]
    [yearbook] = [r for r in calendar["rd_expenditure"] if r.source == "S&T Yearbook"]
    assert communique.release_date(2024) == date(2025, 9, 30)  # late September of Y+1
    assert yearbook.release_date(2024) == date(2025, 12, 31)  # December of Y+1
    [gdp] = calendar["gdp"]
    assert gdp.release_date(2025) == date(2026, 3, 31)  # preliminary GDP: by March of Y+1
    [procurement] = calendar["procurement.award_date"]
    assert procurement.period is Period.MONTH
    assert procurement.release_date(Period.MONTH.index(date(2025, 1, 1))) == date(2025, 2, 5)
    [patents] = calendar["patents.application_date"]
    assert patents.release_date(Period.QUARTER.index(date(2025, 8, 1))) == date(2025, 10, 10)
    # A yearbook column the yearbook dropped is not late after its last year.
    [dropped] = calendar["high_tech_industry_employees"]
    assert dropped.until == 2011


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("Y+1-09-30", (Period.YEAR, 1, 9, 30)),
        ("Y+2-01-15", (Period.YEAR, 2, 1, 15)),
        ("Q+1-01-10", (Period.QUARTER, 1, 1, 10)),
        ("M+1-05", (Period.MONTH, 1, 1, 5)),
    ],
)
def test_rules_read(text, parsed):
    assert parse_rule(text) == parsed


@pytest.mark.parametrize("text", ["late September", "Y+1-13-01", "Q+1-04-10", "M+1-02-05", "Y+1"])
def test_rules_that_do_not_read_are_refused(text):
    with pytest.raises(ValueError, match="published"):
        parse_rule(text)


def test_a_monthly_day_past_the_month_end_is_its_last_day():
    rule = _rule("procurement.award_date", "M+1-31")
    assert rule.release_date(Period.MONTH.index(date(2025, 1, 1))) == date(2025, 2, 28)


def _rule(metric, published, slack=0):
    period, lag, month, day = parse_rule(published)
    return ReleaseRule(metric, "test source", published, period, lag, month, day, slack)


def test_a_bad_calendar_line_is_named(tmp_path):
    header = ["metric", "source", "published", "slack_days", "until", "basis"]
    cases = [
        (["rd_expenditure", "R&D communiqué", "late September", "30", "", "b"], "line 2"),
        (["no_such_metric", "s", "Y+1-09-30", "30", "", "b"], "unknown metric"),
        (["patents.title", "s", "Q+1-01-10", "30", "", "b"], "not a date column"),
        (["enterprises.year", "s", "Q+1-01-10", "30", "", "b"], "holds years"),
        (["gdp", "s", "Y+1-03-31", "-1", "", "b"], "negative"),
    ]
    for row, message in cases:
        path = write_csv(tmp_path / "release_calendar.csv", header, [row])
        with pytest.raises(CalendarError, match=message):
            load_calendar(path)


# --- fresh, then late -------------------------------------------------------------------------


def test_the_same_metric_goes_from_fresh_to_late_when_the_release_date_passes(calendar):
    rules = calendar["rd_expenditure"]
    held = {2021: ALL_31, 2022: ALL_31}  # the 2023 communiqué is due 2024-09-30, slack 30 days

    before = metric_lateness("rd_expenditure", rules, held, date(2024, 9, 29))
    assert before.level == OK and before.releases == []

    within_slack = metric_lateness("rd_expenditure", rules, held, date(2024, 10, 30))
    assert within_slack.level == OK
    assert [(r.period, r.status, r.days_late) for r in within_slack.releases] == [("2023", DUE, 30)]

    after = metric_lateness("rd_expenditure", rules, held, date(2024, 10, 31))
    assert after.level == WARN
    [release] = after.late
    assert (release.period, release.status, release.source) == ("2023", MISSING, "R&D communiqué")
    assert release.expected == date(2024, 9, 30) and release.days_late == 31

    a_year_on = metric_lateness("rd_expenditure", rules, held, date(2025, 10, 31))
    assert a_year_on.level == ERROR  # two releases missing
    assert late(a_year_on) == [("2023", MISSING), ("2024", MISSING)]


def test_the_issue_on_1_december_2026(calendar):
    """A warehouse rebuilt yesterday whose newest R&D figures are for 2023."""
    on = date(2026, 12, 1)
    rd = metric_lateness("rd_expenditure", calendar["rd_expenditure"], {2023: ALL_31}, on)
    assert rd.level == ERROR
    assert [(r.period, r.expected, r.days_late) for r in rd.late] == [
        ("2024", date(2025, 9, 30), 427),
        ("2025", date(2026, 9, 30), 62),
    ]
    gdp = metric_lateness("gdp", calendar["gdp"], {2024: ALL_31}, on)
    assert gdp.level == WARN and late(gdp) == [("2025", MISSING)]


def test_a_metric_is_due_by_its_earliest_source(calendar):
    yearbook_only = [rule for rule in calendar["rd_expenditure"] if rule.source == "S&T Yearbook"]
    held = {2022: ALL_31}
    on = date(2024, 11, 15)  # communiqué 2023 out and past its slack; yearbook 2023 not yet
    assert metric_lateness("rd_expenditure", yearbook_only, held, on).level == OK
    assert metric_lateness("rd_expenditure", calendar["rd_expenditure"], held, on).level == WARN
    assert expected_newest(calendar["rd_expenditure"], on) == 2023
    assert expected_newest(yearbook_only, on) == 2022


def test_a_year_held_for_only_some_provinces_is_partial(calendar):
    rules = calendar["rd_expenditure"]
    held = {2021: ALL_31, 2022: ALL_31, 2023: 3}  # three provinces' own bulletins
    found = metric_lateness("rd_expenditure", rules, held, date(2024, 11, 15))
    assert found.held_newest == "2023" and found.complete_newest == "2022"
    assert found.level == WARN
    [release] = found.late
    assert (release.status, release.provinces, release.provinces_complete) == (PARTIAL, 3, 31)

    two = metric_lateness("rd_expenditure", rules, {2022: 31, 2023: 3, 2024: 3}, date(2025, 11, 1))
    assert late(two) == [("2023", PARTIAL), ("2024", PARTIAL)] and two.level == ERROR


def test_a_sparse_yearbook_column_is_not_partial():
    # Yearbook cells left empty where a province has nothing: a slow drift, never a gap.
    held = {2018: 17, 2019: 16, 2020: 13, 2021: 14, 2022: 12, 2023: 10}
    assert complete_periods(held) == set(held)
    assert complete_periods({2022: 31, 2023: 20}) == {2022}


def test_a_dropped_column_and_a_metric_never_loaded_are_not_late(calendar):
    on = date(2026, 12, 2)
    dropped = metric_lateness(
        "high_tech_industry_employees",
        calendar["high_tech_industry_employees"],
        {2010: ALL_31, 2011: ALL_31},
        on,
    )
    assert dropped.level == OK and dropped.releases == []
    never = metric_lateness("gdp", calendar["gdp"], {}, on)
    assert never.absent and never.level == OK


def test_monthly_extracts_flip_a_day_after_their_slack(calendar):
    rules = calendar["procurement.award_date"]
    held = {Period.MONTH.index(date(2024, 12, 1)): None}
    # January's awards: extract due 2025-02-05, ten days of slack.
    assert metric_lateness("procurement.award_date", rules, held, date(2025, 2, 15)).level == OK
    found = metric_lateness("procurement.award_date", rules, held, date(2025, 2, 16))
    assert found.level == WARN and late(found) == [("2025-01", MISSING)]


def test_today_is_injectable(monkeypatch):
    monkeypatch.setenv("IMPETUS_TODAY", "2026-12-02")
    assert today() == date(2026, 12, 2)
    monkeypatch.setenv("IMPETUS_TODAY", "2 December")
    with pytest.raises(ValueError, match="IMPETUS_TODAY"):
        today()
    monkeypatch.delenv("IMPETUS_TODAY")
    assert isinstance(today(), date)
