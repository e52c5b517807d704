"""Run staleness keeps its freshness policies, with windows the UI words differently; the
lateness checks are re-evaluated daily by the automation sensor, without new data."""

from __future__ import annotations

import warnings
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from pipelines.defs.operations.automation import AUTOMATED, with_operations
from pipelines.defs.operations.freshness import SOURCE_WINDOWS, describe, ui_wording
from pipelines.defs.operations.lateness import CHECK_NAME, LATENESS_TABLES, check_key

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from pipelines.definitions import defs as location

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return with_operations(location)


@pytest.mark.parametrize(
    ("days", "wording"),
    [(1, "24 hours"), (25, "25 days"), (26, "a month"), (32, "a month"), (35, "a month")]
    + [(46, "2 months"), (100, "3 months"), (370, "a year"), (400, "a year"), (765, "2 years")],
)
def test_ui_wording_follows_the_dagster_ui(days, wording):
    # The old windows, 32/35 and 370/400 days, read the same twice on the asset page.
    assert ui_wording(timedelta(days=days)) == wording


def test_each_source_warns_and_fails_in_words_a_person_can_tell_apart():
    worded = {
        domain: (ui_wording(warn), ui_wording(fail))
        for domain, (warn, fail) in SOURCE_WINDOWS.items()
    }
    assert worded == {
        "province_year": ("a year", "2 years"),
        "procurement": ("a month", "2 months"),
        "patents": ("3 months", "6 months"),
        "enterprises": ("3 months", "6 months"),
    }


def test_every_policy_of_the_location_reads_two_different_windows(defs):
    graph = defs.resolve_asset_graph()
    policies = {
        key.to_user_string(): graph.get(key).freshness_policy
        for key in graph.get_all_asset_keys()
        if graph.get(key).freshness_policy is not None
    }
    assert len(policies) > 15
    for name, policy in policies.items():
        warn = ui_wording(policy.warn_window.to_timedelta())
        fail = ui_wording(policy.fail_window.to_timedelta())
        assert warn != fail, (name, describe(policy))
    assert describe(policies["raw/province_year"]) == (
        "warn after a year (400 days), fail after 2 years (765 days)"
    )
    assert "health" not in policies  # a report, not a table with a release rhythm


def test_lateness_checks_rerun_every_morning_without_new_data(defs):
    checks = {check_key(table) for table in LATENESS_TABLES}
    graph = defs.resolve_asset_graph()
    assert checks <= set(AUTOMATED.resolve_checks(graph))  # warehouse_automation evaluates them
    assert all(key.name == CHECK_NAME for key in checks)

    def requested(result):
        return {
            res.key
            for res in result.results
            if isinstance(res.key, dg.AssetCheckKey) and res.true_subset.size
        }

    instance = dg.DagsterInstance.ephemeral()
    at = datetime(2026, 12, 2, 6, 0, tzinfo=SHANGHAI)
    result = dg.evaluate_automation_conditions(defs=defs, instance=instance, evaluation_time=at)
    for asset_key in graph.toposorted_asset_keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key))
    seen = []
    for hour, minute in ((6, 30), (7, 1), (7, 30)):
        result = dg.evaluate_automation_conditions(
            defs=defs,
            instance=instance,
            cursor=result.cursor,
            evaluation_time=at.replace(hour=hour, minute=minute),
        )
        seen.append(requested(result) & checks)
    assert seen == [set(), checks, set()]
