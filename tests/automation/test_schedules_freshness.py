"""Schedules follow the sources' release calendar; freshness windows follow the same rhythm."""

from __future__ import annotations

import warnings
from datetime import timedelta

import dagster as dg
import pytest

from pipelines.defs.operations.automation import with_operations
from pipelines.defs.operations.freshness import SOURCE_WINDOWS


@pytest.fixture(scope="module")
def defs() -> dg.Definitions:
    from pipelines.definitions import defs as location

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return with_operations(location)


EXPECTED_SCHEDULES = {
    # name: (job, cron, running by default)
    "province_year_yearly": ("province_year_job", "0 6 15 10 *", True),
    "procurement_monthly": ("procurement_job", "0 6 5 * *", True),
    "patents_quarterly": ("patents_job", "0 6 10 1,4,7,10 *", True),
    "enterprises_quarterly": ("enterprises_job", "30 6 10 1,4,7,10 *", True),
    "full_rebuild_weekly": ("full_rebuild_job", "0 3 * * 0", False),
    "health_daily": ("health_job", "30 7 * * *", True),
}


def test_schedules_target_existing_jobs_on_the_release_calendar(defs):
    repo = defs.get_repository_def()
    schedules = {schedule.name: schedule for schedule in repo.schedule_defs}
    assert set(schedules) == set(EXPECTED_SCHEDULES)
    for name, (job, cron, running) in EXPECTED_SCHEDULES.items():
        schedule = schedules[name]
        assert schedule.job_name == job and repo.has_job(job), name
        assert schedule.cron_schedule == cron, name
        assert schedule.execution_timezone == "Asia/Shanghai"
        expected = dg.DefaultScheduleStatus.RUNNING if running else dg.DefaultScheduleStatus.STOPPED
        assert schedule.default_status == expected, name


def test_sensors_are_running_by_default(defs):
    sensors = {sensor.name: sensor for sensor in defs.get_repository_def().sensor_defs}
    assert {"landing_sensor", "warehouse_automation"} <= set(sensors)
    for name in ("landing_sensor", "warehouse_automation"):
        assert sensors[name].default_status == dg.DefaultSensorStatus.RUNNING, name
    # Our automation sensor covers every automated asset: no stopped default sensor appears.
    assert "default_automation_condition_sensor" not in sensors


def days(policy) -> tuple[int, int]:
    return policy.warn_window.to_timedelta().days, policy.fail_window.to_timedelta().days


def test_every_source_table_has_a_window_fitting_its_release_rhythm(defs):
    graph = defs.resolve_asset_graph()
    windows = {
        name: days(graph.get(dg.AssetKey(["raw", name])).freshness_policy)
        for name in SOURCE_WINDOWS
    }
    # Warn when one release run was missed, fail when two were (docs/operations.md).
    assert windows == {
        "province_year": (400, 765),
        "procurement": (35, 66),
        "patents": (100, 192),
        "enterprises": (100, 192),
    }
    # Each warning window is longer than the gap between two release runs of its schedule,
    # and each failure window longer than two gaps.
    for domain, gap in (("procurement", 31), ("patents", 92), ("province_year", 366)):
        warn, fail = SOURCE_WINDOWS[domain]
        assert warn > timedelta(days=gap) and fail > timedelta(days=2 * gap), domain


def test_staging_and_marts_follow_their_tightest_input(defs):
    graph = defs.resolve_asset_graph()

    def window(name: str):
        policy = graph.get(dg.AssetKey.from_user_string(name)).freshness_policy
        return days(policy) if policy else None

    assert window("staging/patents") == (100, 192)
    assert window("staging/procurement") == (35, 66)
    assert window("staging/province_year") == (400, 765)
    assert window("marts/northeast_view") == (400, 765)  # reads only the panel
    assert window("marts/indicator_value") == (35, 66)  # reads all four domains
    assert window("marts/upgrading_path") == (35, 66)
    assert window("marts/indicator") is None  # the catalog: a repo file, not a release
    for name in ("reference/area", "reference/metric"):
        assert window(name) is None
    for asset_key in graph.get_all_asset_keys():
        if asset_key.path[0] in ("raw", "staging"):
            assert graph.get(asset_key).freshness_policy is not None, asset_key


def test_the_code_location_carries_the_policies():
    """pipelines/definitions.py wraps the defs folder with with_operations."""
    from pipelines.definitions import defs as location

    graph = location.resolve_asset_graph()
    assert graph.get(dg.AssetKey(["raw", "procurement"])).freshness_policy is not None, (
        "wrap pipelines/definitions.py: defs = with_operations(dg.load_from_defs_folder(...))"
    )
    assert graph.get(dg.AssetKey(["staging", "patents"])).automation_condition is not None
