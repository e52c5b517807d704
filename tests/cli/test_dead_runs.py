"""A run whose process is gone never blocks the warehouse; a waiting run says on whom it waits,
sleeps while it waits, and stops on SIGTERM (issue 12, pipelines/runs.py).

`impetus` runs in subprocesses (``python -m pipelines.cli``) on a temporary instance built from
the repo's dagster.yaml (pool ``duckdb_warehouse``, one slot), a temporary warehouse and small
sources (the demo patents only). The run that is killed or stopped is `impetus materialize
--domain patents`, caught in its GX check step (which holds the slot for seconds: it imports
GX first); the run after it is `impetus publish`, one step, the quickest run that needs the
slot. A live holder is a run recorded in the instance for a process the test owns (``sleep``),
holding the slot as a run in a long step would.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import runs
from pipelines.defs.pool import POOL

pytestmark = pytest.mark.integration

REPO_ROOT = Path(__file__).resolve().parents[2]
KILLED = ("materialize", "--domain", "patents")  # patents_refresh_job
KILLED_JOB = "patents_refresh_job"
CHECK_STEP = "validate_staging_patents"
NEXT = ("publish",)  # publish_job: published_copy alone
RUN_SECONDS = 60  # `impetus publish` takes about 5 s on 2 idle cores


@pytest.fixture
def home(tmp_path: Path, monkeypatch) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    shutil.copytree(REPO_ROOT / "data" / "demo" / "patents", home / "sources" / "patents")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.chdir(home)  # the yaml's relative paths (.dagster/...) land here
    with dg.DagsterInstance.get() as instance:  # storage created once, before processes race
        instance.event_log_storage.set_concurrency_slots(POOL, 1)
    return home


def environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMPETUS_", "DAGSTER_"))}
    env.update(
        DAGSTER_HOME=str(home),
        PYTHONPATH=str(REPO_ROOT),
        IMPETUS_WAREHOUSE=str(home / "warehouse" / "impetus.duckdb"),
        IMPETUS_PUBLISHED=str(home / "warehouse" / "published" / "impetus.duckdb"),
        IMPETUS_SOURCE_ROOTS=str(home / "sources"),
        IMPETUS_LANDING=str(home / "landing"),
        IMPETUS_VALIDATION_DOCS=str(home / "validation_docs"),
        DAGSTER_DISABLE_TELEMETRY="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def tiny_warehouse(home: Path) -> None:
    """One table, so that `impetus publish` has something to publish."""
    path = home / "warehouse" / "impetus.duckdb"
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.indicator as select 1 as indicator")


def start_run(home: Path, name: str, argv: tuple[str, ...]) -> tuple[subprocess.Popen, Path]:
    out = home / f"{name}.out"
    process = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", *argv],
        cwd=home,
        env=environment(home),
        stdout=out.open("w"),
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, out


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"{what}: not within {seconds:.0f} s")


def finish(process: subprocess.Popen, out: Path, seconds: float = RUN_SECONDS) -> str:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        pytest.fail(f"the run did not end within {seconds:.0f} s:\n{out.read_text()[-3000:]}")
    return out.read_text()


def run_of(instance: dg.DagsterInstance, job: str) -> dg.DagsterRun | None:
    """The newest run of ``job`` (each test's instance is new)."""
    found = instance.get_runs(filters=dg.RunsFilter(job_name=job), limit=1)
    return found[0] if found else None


def holding(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    info = instance.event_log_storage.get_concurrency_info(POOL)
    return [slot.step_key for slot in info.claimed_slots if slot.run_id == run_id]


def queued(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    info = instance.event_log_storage.get_concurrency_info(POOL)
    return [step.step_key for step in info.pending_steps if step.run_id == run_id]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def slot_held_by_a_process_we_own(instance: dg.DagsterInstance) -> tuple[str, subprocess.Popen]:
    """A STARTED run recorded for a live ``sleep`` process of this host, holding the slot."""
    holder = subprocess.Popen(["sleep", "300"])
    run_id = str(uuid.uuid4())
    instance.add_run(
        dg.DagsterRun(
            job_name="holder_job",
            run_id=run_id,
            status=dg.DagsterRunStatus.STARTED,
            tags=runs.run_tags(holder.pid),
        )
    )
    claim = instance.event_log_storage.claim_concurrency_slot(POOL, run_id, "holding_step")
    assert claim.is_claimed
    return run_id, holder


def failure_message(instance: dg.DagsterInstance, run_id: str) -> str:
    records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records
    return records[-1].event_log_entry.dagster_event.message if records else ""


def test_a_run_killed_holding_the_slot_does_not_block_the_next_run(home: Path):
    """`kill -9` of a run inside a step left it STARTED with the slot; the next run waited
    for ever. Now the next run marks it failed, frees the slot, and succeeds."""
    killed, _ = start_run(home, "killed", KILLED)
    with dg.DagsterInstance.get() as instance:
        run = wait_for(lambda: run_of(instance, KILLED_JOB), 60, "the first run was created")
        wait_for(
            lambda: CHECK_STEP in holding(instance, run.run_id),
            60,
            "the first run held the slot in its check step",
        )
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.STARTED
        assert holding(instance, run.run_id) == [CHECK_STEP]

        nxt, out = start_run(home, "next", NEXT)
        text = finish(nxt, out)
        assert nxt.returncode == 0, text[-3000:]
        assert (
            f"  ! run {run.run_id} ({KILLED_JOB}, step {CHECK_STEP}, pid {killed.pid}):"
            " its process is gone: marked failed, its pool slots freed"
        ) in text
        assert re.search(r"^publish_job: succeeded, ", text, re.M), text[-2000:]

        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
        message = failure_message(instance, run.run_id)
        assert f"(pid {killed.pid} on {socket.gethostname()}) is gone" in message
        assert CHECK_STEP in message
        assert not instance.event_log_storage.get_concurrency_info(POOL).claimed_slots


def test_a_waiting_run_names_the_holder_sleeps_and_goes_on_when_the_holder_dies(home: Path):
    """A step blocked by the pool used to spin at 100% of a core and say nothing; now it says
    which run (job, step, pid) holds the slot, sleeps, and frees the slot once that run's
    process is gone."""
    tiny_warehouse(home)
    with dg.DagsterInstance.get() as instance:
        holder_run, holder = slot_held_by_a_process_we_own(instance)
        try:
            waiting, out = start_run(home, "waiting", NEXT)
            line = (
                f"  … published_copy: waiting for pool {POOL}, held by run {holder_run}"
                f" (holder_job, step holding_step, pid {holder.pid})"
            )
            wait_for(lambda: line in out.read_text(), 60, f"the line {line!r}")
            before = cpu_seconds(waiting.pid)
            time.sleep(4)
            busy = cpu_seconds(waiting.pid) - before
            assert busy < 0.8, f"the waiting run used {busy:.1f} s of CPU in 4 s"
            assert waiting.poll() is None
            assert holding(instance, holder_run) == ["holding_step"]
        finally:
            holder.kill()
            holder.wait()
        text = finish(waiting, out)
        assert waiting.returncode == 0, text[-3000:]
        assert (
            f"  ! run {holder_run} (holder_job, step holding_step, pid {holder.pid}):"
            " its process is gone"
        ) in text
        assert instance.get_run_by_id(holder_run).status == dg.DagsterRunStatus.FAILURE


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_a_run_waiting_for_the_slot(home: Path, stop: signal.Signals):
    """The blocked run used to ignore SIGTERM and Ctrl-C (`timeout` had to SIGKILL it); now
    it stops within a second or two, is marked failed and leaves neither a slot nor a queued
    step."""
    tiny_warehouse(home)
    with dg.DagsterInstance.get() as instance:
        holder_run, holder = slot_held_by_a_process_we_own(instance)
        try:
            waiting, out = start_run(home, "waiting", NEXT)
            wait_for(lambda: "waiting for pool" in out.read_text(), 60, "the waiting line")
            run = run_of(instance, "publish_job")
            assert queued(instance, run.run_id)
            waiting.send_signal(stop)
            sent = time.monotonic()
            text = finish(waiting, out, seconds=15)
            assert time.monotonic() - sent < 10
            assert waiting.returncode == 1, text
            assert f"impetus: stopped by SIGINT/SIGTERM: run {run.run_id} marked failed" in text
            assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
            assert not queued(instance, run.run_id) and not holding(instance, run.run_id)
            assert holding(instance, holder_run) == ["holding_step"]  # not its slot to free
        finally:
            holder.kill()
            holder.wait()


def test_sigterm_inside_a_step_stops_the_run_cleanly_and_the_next_run_works(home: Path):
    stopped, out = start_run(home, "stopped", KILLED)
    with dg.DagsterInstance.get() as instance:
        run = wait_for(lambda: run_of(instance, KILLED_JOB), 60, "the run was created")
        wait_for(
            lambda: CHECK_STEP in holding(instance, run.run_id),
            60,
            "the run held the slot in its check step",
        )
        stopped.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        text = finish(stopped, out, seconds=30)
        assert time.monotonic() - sent < 20
        assert stopped.returncode == 1, text
        assert f"  ✗ {CHECK_STEP}: interrupted (SIGINT/SIGTERM)" in text
        assert "DagsterExecutionInterruptedError" not in text and "Step failed" not in text
        assert f"{KILLED_JOB}: STOPPED by SIGINT/SIGTERM" in text
        assert f"impetus: stopped by SIGINT/SIGTERM: run {run.run_id} marked failed" in text
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
        assert not holding(instance, run.run_id) and not queued(instance, run.run_id)

        nxt, out = start_run(home, "next", NEXT)
        text = finish(nxt, out)
        assert nxt.returncode == 0, text[-3000:]
        assert "its process is gone" not in text  # nothing was left to clean up


def test_only_runs_whose_process_is_gone_are_released(home: Path):
    """Live runs, runs of another host and runs the daemon launched are left alone; a finished
    run still holding a slot is freed once its process is gone."""
    with dg.DagsterInstance.get() as instance:
        instance.event_log_storage.set_concurrency_slots(POOL, 3)  # a slot for each run
        live_run, live = slot_held_by_a_process_we_own(instance)
        gone = subprocess.Popen(["true"])
        gone.wait()
        elsewhere, finished = str(uuid.uuid4()), str(uuid.uuid4())
        for run_id, status, host in (
            (elsewhere, dg.DagsterRunStatus.STARTED, "another-host"),
            (finished, dg.DagsterRunStatus.FAILURE, socket.gethostname()),
        ):
            instance.add_run(
                dg.DagsterRun(
                    job_name="other_job",
                    run_id=run_id,
                    status=status,
                    tags={runs.HOST_TAG: host, runs.PID_TAG: str(gone.pid)},
                )
            )
            claim = instance.event_log_storage.claim_concurrency_slot(POOL, run_id, "a_step")
            assert claim.is_claimed
        try:
            released = runs.release_dead_runs(instance)
            assert [(r.run_id, r.marked_failed) for r in released] == [(finished, False)]
            assert instance.get_run_by_id(live_run).status == dg.DagsterRunStatus.STARTED
            assert instance.get_run_by_id(elsewhere).status == dg.DagsterRunStatus.STARTED
            assert holding(instance, live_run) == ["holding_step"]
            assert not holding(instance, finished) and not queued(instance, finished)
            assert {h.run_id for h in runs.slot_holders(instance, POOL)} == {live_run, elsewhere}
        finally:
            live.kill()
            live.wait()
        assert not runs.process_alive(live.pid)
        released = runs.release_dead_runs(instance)
        assert [(r.run_id, r.steps, r.marked_failed) for r in released] == [
            (live_run, ("holding_step",), True)
        ]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_an_interrupt_swallowed_inside_the_check_still_stops_the_step(stop: signal.Signals):
    """GX reports an exception its expectation raised as that expectation's error, the
    interrupt too when the signal lands inside DuckDB: the check step used to go on (CI)."""
    from dagster._core.errors import DagsterExecutionInterruptedError

    swallowed, before = [], signal.getsignal(stop)
    with runs.interrupts_remembered() as stop_if_interrupted:
        try:
            os.kill(os.getpid(), stop)
            time.sleep(1)  # the handler runs here
        except BaseException as error:  # noqa: BLE001 - what GX does with an expectation's error
            swallowed.append(error)
    assert [type(e) for e in swallowed] == [DagsterExecutionInterruptedError]
    with pytest.raises(DagsterExecutionInterruptedError):
        stop_if_interrupted()
    assert signal.getsignal(stop) is before  # the previous handler is back


def test_without_an_interrupt_nothing_is_raised():
    with runs.interrupts_remembered() as stop_if_interrupted:
        pass
    stop_if_interrupted()
