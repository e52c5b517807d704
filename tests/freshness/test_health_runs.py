"""Where the daemon runs, the health summary follows failed runs (which skip `health`) and is
rewritten every morning (releases go late by the date alone)."""

from __future__ import annotations

import dagster as dg

from pipelines.defs.operations.health import (
    HEALTH_KEY,
    health_after_a_failed_run,
    health_daily,
    health_job,
)


@dg.op
def fails():
    raise RuntimeError("a blocking check failed")


@dg.job
def patents_job():
    fails()


def failure_context(job: dg.JobDefinition, instance: dg.DagsterInstance):
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    return dg.build_run_status_sensor_context(
        sensor_name=health_after_a_failed_run.name,
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
    ).for_run_failure()


def test_a_failed_run_requests_the_health_job_once():
    with dg.instance_for_test() as instance:
        context = failure_context(patents_job, instance)
        request = health_after_a_failed_run(context)
        assert isinstance(request, dg.RunRequest)
        assert request.run_key == f"after {context.dagster_run.run_id}"
        assert health_after_a_failed_run.job_name == health_job.name == "health_job"


def test_a_failed_health_job_is_not_followed_by_another():
    failing_health = dg.JobDefinition(graph_def=patents_job.graph, name="health_job")
    with dg.instance_for_test() as instance:
        result = health_after_a_failed_run(failure_context(failing_health, instance))
        assert isinstance(result, dg.SkipReason)


def test_the_morning_schedule_writes_health_alone_after_the_lateness_rechecks():
    from pipelines.definitions import defs
    from pipelines.defs.operations.lateness import RECHECK_CRON

    job = defs.resolve_job_def(health_daily.job_name)
    assert job.asset_layer.selected_asset_keys == {HEALTH_KEY}

    def hour_minute(cron: str) -> tuple[int, int]:
        minute, hour = cron.split()[:2]
        return int(hour), int(minute)

    assert hour_minute(health_daily.cron_schedule) > hour_minute(RECHECK_CRON)
    assert health_daily.execution_timezone == "Asia/Shanghai"
