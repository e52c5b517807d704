"""The dead-run sweeper: a CLI run killed holding the pool slot is failed and its slot freed
without anyone running `impetus` again, so the runs the daemon starts are not blocked."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import dagster as dg
import pytest

from pipelines import runs
from pipelines.defs.operations.dead_runs import dead_run_sweeper
from pipelines.defs.pool import POOL
from tests.conftest import REPO_ROOT


@pytest.fixture
def instance(tmp_path: Path, monkeypatch):
    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # the yaml's relative storage paths
    with dg.DagsterInstance.get() as instance:
        instance.event_log_storage.set_concurrency_slots(POOL, 1)
        yield instance


def a_started_run_of_a_process(instance: dg.DagsterInstance, pid: int) -> str:
    run_id = str(uuid.uuid4())
    instance.add_run(
        dg.DagsterRun(
            job_name="patents_refresh_job",
            run_id=run_id,
            status=dg.DagsterRunStatus.STARTED,
            tags=runs.run_tags(pid),
        )
    )
    assert instance.event_log_storage.claim_concurrency_slot(
        POOL, run_id, "raw__patents"
    ).is_claimed
    return run_id


def test_a_run_whose_process_is_gone_is_failed_and_its_slot_freed(instance):
    process = subprocess.Popen(["sleep", "60"])
    run_id = a_started_run_of_a_process(instance, process.pid)
    process.kill()
    process.wait()

    result = dead_run_sweeper(dg.build_sensor_context(instance=instance))

    assert isinstance(result, dg.SkipReason)
    assert f"released 1 run(s): {run_id}" in result.skip_message
    assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
    assert not instance.event_log_storage.get_concurrency_info(POOL).claimed_slots
    failure = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records[
        -1
    ]
    assert "sensor dead_run_sweeper" in failure.event_log_entry.dagster_event.message


def test_a_live_run_is_left_alone(instance):
    process = subprocess.Popen(["sleep", "60"])
    try:
        run_id = a_started_run_of_a_process(instance, process.pid)
        result = dead_run_sweeper(dg.build_sensor_context(instance=instance))
        assert "no run of a gone process" in result.skip_message
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.STARTED
        assert instance.event_log_storage.get_concurrency_info(POOL).claimed_slots
    finally:
        process.kill()
        process.wait()


def test_the_code_location_runs_the_sweeper_by_default():
    from pipelines.definitions import defs

    sensor = defs.resolve_sensor_def("dead_run_sweeper")
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
