"""Two runs at once can never corrupt or lock the warehouse.

Two real runs on one temporary instance configured by the repo's dagster.yaml (pool
"duckdb_warehouse", default_limit 1, granularity op), started at the same moment in two
processes against one DuckDB file: ``patents_job`` the way ``impetus materialize`` runs it
(``execute_in_process``) and ``enterprises_job`` the way a daemon- or UI-launched run worker
does (``execute_job`` with the code location's executor). Both write the reference tables
and their own raw and staging tables, and run their checks. Without the pool their steps would
fail on DuckDB's file lock; with it, both succeed, the two runs overlap in time, and no two
warehouse steps (from the event log's STEP_START and STEP_SUCCESS times) ever overlap.
"""

from __future__ import annotations

import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.defs.pool import POOL

from .conftest import operations_env

pytestmark = pytest.mark.integration

RUNS = {"patents_job": "in_process", "enterprises_job": "execute_job"}
HELPER = Path(__file__).with_name("_run_job.py")


def pools_of(job_name: str) -> set[str | None]:
    from pipelines.definitions import defs

    job = defs.resolve_job_def(job_name)
    return {node.definition.pool for node in job.graph.nodes}


def step_windows(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, float, float]]:
    starts: dict[str, float] = {}
    windows = []
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or event.step_key is None:
            continue
        if event.event_type == dg.DagsterEventType.STEP_START:
            starts[event.step_key] = entry.timestamp
        elif event.event_type in (
            dg.DagsterEventType.STEP_SUCCESS,
            dg.DagsterEventType.STEP_FAILURE,
        ):
            windows.append(
                (f"{run_id[:8]}:{event.step_key}", starts[event.step_key], entry.timestamp)
            )
    return windows


def test_overlapping_runs_take_turns_on_the_warehouse(dagster_home: Path, monkeypatch):
    # Every step of both jobs opens the warehouse, and every one is in the pool.
    for job_name in RUNS:
        assert pools_of(job_name) == {POOL}, job_name

    env = operations_env(dagster_home)
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    monkeypatch.chdir(dagster_home)  # the yaml's relative paths (.dagster/...) land here
    # Create the instance's storage once, before two processes race to create it.
    with dg.DagsterInstance.get() as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1
    started = time.time()
    processes = {
        job_name: subprocess.Popen(
            [sys.executable, str(HELPER), job_name, executor],
            cwd=dagster_home,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job_name, executor in RUNS.items()
    }
    outputs = {}
    for job_name, process in processes.items():
        try:
            out, err = process.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            for other in processes.values():
                other.kill()
            pytest.fail(f"{job_name} did not finish in 240 s")
        outputs[job_name] = (process.returncode, out, err)
    for job_name, (code, out, err) in outputs.items():
        assert code == 0, f"{job_name} failed:\n{out}\n{err[-3000:]}"

    run_ids = {
        job_name: out.split("RUN ")[1].split()[0] for job_name, (_, out, _) in outputs.items()
    }
    # The instance both runs recorded into: the same dagster.yaml, read from the same home.
    with dg.DagsterInstance.get() as instance:
        windows = {job: step_windows(instance, run_id) for job, run_id in run_ids.items()}
        for run_id in run_ids.values():
            assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS

    all_windows = [window for steps in windows.values() for window in steps]
    assert len(all_windows) >= 10
    # The runs really were in flight at the same time ...
    spans = {job: (min(s for _, s, _ in w), max(e for _, _, e in w)) for job, w in windows.items()}
    (a_start, a_end), (b_start, b_end) = spans.values()
    assert a_start < b_end and b_start < a_end, f"runs did not overlap: {spans}"
    # ... and yet no two warehouse steps ever did.
    overlapping = [
        (a, b)
        for a, b in combinations(sorted(all_windows, key=lambda w: w[1]), 2)
        if a[1] < b[2] and b[1] < a[2]
    ]
    assert not overlapping, overlapping

    warehouse = Path(env["IMPETUS_WAREHOUSE"])
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        for table in ("staging.patents", "staging.enterprises", "reference.area"):
            assert conn.execute(f"select count(*) from {table}").fetchone()[0] > 0, table
    assert time.time() - started < 240
