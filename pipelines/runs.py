"""Runs whose process is gone, the pool slots they hold, and the runs `impetus` executes itself.

`impetus materialize` runs its job in its own process (``execute_in_process``), with no daemon
and no run worker. Dagster 1.13 leaves three holes there, each seen in issue 12:

* **A killed run keeps its slot.** A step frees its ``duckdb_warehouse`` slot when it ends; a
  process killed inside a step never ends it, and its run stays ``STARTED``. Nothing fails such
  a run: run monitoring asks the run launcher whether the worker is alive, and the default
  launcher cannot tell (``supports_check_run_worker_health`` is False), nor does it know about
  runs it never launched; the daemon frees slots only of *finished* runs. So every later step
  of every run waited for good.
* **A waiting step spins.** The in-process executor sleeps for
  ``InstanceConcurrencyContext.interval_to_next_pending_claim_check()``, which is
  ``min([0, …])``, never more than 0: a step blocked by a pool ran its loop flat out, 100% of
  a core, for as long as it waited.
* **A waiting run ignores SIGTERM and Ctrl-C.** During a run Dagster turns both into a flag
  that is only acted on when user code (a step) runs; a step waiting for a slot runs none.

So the CLI tags its runs with its host, pid and the process's start time (:func:`run_tags`),
and around each run:

* :func:`release_dead_runs` (before the run starts, and every few seconds while one of its
  steps waits for a slot) reports runs executed in a process of this host that is gone as
  failed and frees their slots and queued steps (untagged in-process runs too, on a local
  SQLite instance, by the pid of their engine event), and frees the slots of finished runs
  that still hold some (what the daemon does 60 s after a run ends, for instances without a
  daemon). Runs the daemon or the UI launched are left to Dagster (their code server fails
  them when their process dies);
* :func:`supervised` makes a waiting step sleep between claims (at most
  :data:`WAIT_POLL_SECONDS`), stops the run on SIGINT/SIGTERM while it waits, and tells the
  caller who holds the slot (:class:`SlotHolder`) and which dead runs it released;
* :func:`free_run_slots` frees whatever the run still holds once it returns.

Dagster-aware, but prints nothing: ``pipelines/cli.py`` and ``pipelines/run_summary.py`` say it.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
from dagster._core.events import JobFailureData, RunFailureReason
from dagster._core.storage.runs import SqliteRunStorage

HOST_TAG = "impetus/host"
PID_TAG = "impetus/pid"
PROCESS_START_TAG = "impetus/process_start"  # the pid's start time, so a reused pid is not "alive"

WAIT_POLL_SECONDS = 1.0  # longest sleep of a step waiting for a slot: how soon a signal stops it
SWEEP_EVERY_SECONDS = 5.0  # how often a waiting step looks for dead runs and who holds the slot
# Finished runs that still hold slots are freed this long after they ended, unless dagster.yaml
# says otherwise (run_monitoring.free_slots_after_run_end_seconds, as the daemon reads it).
DEFAULT_FREE_AFTER_END_SECONDS = 60

UNFINISHED = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


@dataclass(frozen=True)
class SlotHolder:
    """A run holding (or queued first for) a pool slot."""

    run_id: str
    job: str
    step: str
    pool: str
    status: str  # the run's status, e.g. STARTED
    pid: int | None  # its process, when known (impetus' tag, or the run's engine events)
    host: str | None  # the host of a run executed in process; None for launched ones
    launched: bool  # by the daemon or the UI (a run worker), not executed in process


@dataclass(frozen=True)
class DeadRun:
    """A run released because its process is gone (or, finished, it still held slots)."""

    run_id: str
    job: str
    status: str  # its status before: STARTED, …, or FAILURE/… for a finished one
    steps: tuple[str, ...]  # the steps whose slots were freed
    pid: int | None
    host: str | None
    marked_failed: bool  # False: it had finished already, only its slots were freed


def run_tags(pid: int | None = None) -> dict[str, str]:
    """Tags of a run this process (or process ``pid`` of this host) executes: where it runs,
    so another process can tell whether it is still alive."""
    pid = os.getpid() if pid is None else pid
    tags = {HOST_TAG: socket.gethostname(), PID_TAG: str(pid)}
    started = _process_start(pid)
    if started is not None:
        tags[PROCESS_START_TAG] = started
    return tags


def process_alive(pid: int, process_start: str | None = None) -> bool:
    """Whether process ``pid`` of this host is alive (and is the one that started at
    ``process_start``, when that is known: pids are reused). A zombie counts as dead."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    stat = _proc_stat(pid)
    if stat is None:
        return True  # no /proc (macOS): os.kill is all there is
    if stat[0] in ("Z", "X"):
        return False
    return process_start is None or stat[19] == process_start


def _proc_stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: state first, start time at [19]."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def _process_start(pid: int) -> str | None:
    stat = _proc_stat(pid)
    return stat[19] if stat else None


def _process_of(
    instance: dg.DagsterInstance, run: dg.DagsterRun
) -> tuple[str, int, str | None] | None:
    """(host, pid, process start) of the process executing ``run`` in process, when it can be
    known: a run `impetus` tagged (:func:`run_tags`); or another run executed in process (no
    launcher: a script, or `impetus` before it tagged its runs) on an instance kept in local
    SQLite files, hence on this host, by the pid its engine event names. None for runs the
    daemon or the UI launched: Dagster watches those (their code server fails a run whose
    process died)."""
    try:
        return run.tags[HOST_TAG], int(run.tags[PID_TAG]), run.tags.get(PROCESS_START_TAG)
    except (KeyError, ValueError):
        pass
    if run.remote_job_origin is not None or not isinstance(instance.run_storage, SqliteRunStorage):
        return None
    pid = _pid_from_events(instance, run.run_id)
    return (socket.gethostname(), pid, None) if pid is not None else None


def _gone(process: tuple[str, int, str | None] | None) -> bool:
    if process is None:
        return False
    host, pid, started = process
    return host == socket.gethostname() and not process_alive(pid, started)


def dead_runs(instance: dg.DagsterInstance, exclude: Sequence[str] = ()) -> list[dg.DagsterRun]:
    """Unfinished runs executed in a process of this host that is gone (:func:`_process_of`)."""
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=UNFINISHED))
    return [run for run in runs if run.run_id not in exclude and _gone(_process_of(instance, run))]


def release_dead_runs(
    instance: dg.DagsterInstance, exclude: Sequence[str] = (), by: str | None = None
) -> list[DeadRun]:
    """Report each dead run (:func:`dead_runs`) as failed and free its slots and its place in
    the pools' queues; free the slots of finished runs that still hold some (at once when their
    process is gone, else ``free_slots_after_run_end_seconds`` after they ended, as the daemon
    would). ``by`` names who does it (``run <id>``, ``sensor <name>``), for the dead run's
    event log."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return []
    held = _held_steps(instance)
    released: list[DeadRun] = []
    for run in dead_runs(instance, exclude):
        steps = held.pop(run.run_id, ())
        host, pid, _ = _process_of(instance, run) or (None, None, None)
        at = f" while step {', '.join(steps)} held a pool slot" if steps else ""
        message = (
            f"The process of this run (pid {pid} on {host}) is gone: killed or crashed{at}."
            f" Marked failed and its pool slots freed by impetus (pid {os.getpid()}"
            + (f", {by}" if by else "")
            + ")."
        )
        current = instance.get_run_by_id(run.run_id)
        if current is None or current.is_finished:
            continue  # another process got there first
        instance.report_run_failed(
            current,
            message,
            JobFailureData(error=None, failure_reason=RunFailureReason.UNEXPECTED_TERMINATION),
        )
        storage.free_concurrency_slots_for_run(run.run_id)
        released.append(DeadRun(run.run_id, run.job_name, run.status.value, steps, pid, host, True))
    released += _release_finished(instance, held, exclude)
    return released


def _release_finished(
    instance: dg.DagsterInstance, held: dict[str, tuple[str, ...]], exclude: Sequence[str]
) -> list[DeadRun]:
    candidates = [run_id for run_id in held if run_id not in exclude]
    if not candidates:
        return []
    after = (instance.run_monitoring_settings or {}).get(
        "free_slots_after_run_end_seconds", DEFAULT_FREE_AFTER_END_SECONDS
    )
    released = []
    for record in instance.get_run_records(filters=dg.RunsFilter(run_ids=candidates)):
        run = record.dagster_run
        if not run.is_finished:
            continue
        process = _process_of(instance, run)
        ended_long_ago = record.end_time is not None and record.end_time + after < time.time()
        if not (ended_long_ago or _gone(process)):
            continue
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        host, pid, _ = process or (None, None, None)
        released.append(
            DeadRun(run.run_id, run.job_name, run.status.value, held[run.run_id], pid, host, False)
        )
    return released


def _held_steps(instance: dg.DagsterInstance) -> dict[str, tuple[str, ...]]:
    """run id -> its steps holding a slot (of any pool), for every run holding one or queued."""
    storage = instance.event_log_storage
    held: dict[str, list[str]] = {}
    for key in storage.get_concurrency_keys():
        info = storage.get_concurrency_info(key)
        for slot in info.claimed_slots:
            held.setdefault(slot.run_id, []).append(slot.step_key)
        for step in info.pending_steps:
            held.setdefault(step.run_id, [])
    return {run_id: tuple(dict.fromkeys(steps)) for run_id, steps in held.items()}


def slot_holders(
    instance: dg.DagsterInstance, pool: str, exclude: Sequence[str] = ()
) -> list[SlotHolder]:
    """The runs (but ``exclude``) holding ``pool``'s slots now, or assigned one and about to
    claim it, with their job, step and process."""
    info = instance.event_log_storage.get_concurrency_info(pool)
    taken = [(slot.run_id, slot.step_key) for slot in info.claimed_slots]
    taken += [
        (step.run_id, step.step_key)
        for step in info.pending_steps
        if step.assigned_timestamp is not None and (step.run_id, step.step_key) not in taken
    ]
    taken = [(run_id, step) for run_id, step in taken if run_id not in exclude]
    holders = []
    for run_id, step in taken:
        run = instance.get_run_by_id(run_id)
        if run is None:
            holders.append(SlotHolder(run_id, "?", step, pool, "?", None, None, False))
            continue
        process = _process_of(instance, run)
        host, pid, _ = process or (None, _pid_from_events(instance, run_id), None)
        launched = run.remote_job_origin is not None
        holders.append(
            SlotHolder(run_id, run.job_name, step, pool, run.status.value, pid, host, launched)
        )
    return holders


def _pid_from_events(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid a run's engine events name ("Executing steps in process (pid: …)", "Started
    process for run (pid: …)")."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ENGINE_EVENT, limit=20
    ).records
    for record in records:
        event = record.event_log_entry.dagster_event
        data = event.event_specific_data if event is not None else None
        value = (getattr(data, "metadata", None) or {}).get("pid")
        if value is not None:
            try:
                return int(getattr(value, "value", value))
            except (TypeError, ValueError):
                continue
    return None


def free_run_slots(instance: dg.DagsterInstance, run_id: str) -> None:
    """Free every slot ``run_id`` still holds or waits for: for a run this process executed
    in process, once it returned, nothing of it can still be using one."""
    if instance.event_log_storage.supports_global_concurrency_limits:
        instance.event_log_storage.free_concurrency_slots_for_run(run_id)


def interrupted(result: dg.ExecuteInProcessResult) -> bool:
    """Whether the run ended because the process got SIGINT or SIGTERM."""
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.RUN_FAILURE:
            data = event.event_specific_data
            if getattr(data, "failure_reason", None) == RunFailureReason.UNEXPECTED_TERMINATION:
                return True
    return False


OnBlocked = Callable[[str, str, list[SlotHolder]], None]  # (step, pool, holders)
OnReleased = Callable[[list[DeadRun]], None]


@contextmanager
def supervised(
    instance: dg.DagsterInstance,
    on_blocked: OnBlocked | None = None,
    on_released: OnReleased | None = None,
    sweep_every: float = SWEEP_EVERY_SECONDS,
) -> Iterator[None]:
    """Within: runs this process executes in process (``execute_in_process``) wait for a pool
    slot without spinning (a claim at most every :data:`WAIT_POLL_SECONDS`), stop on SIGINT or
    SIGTERM while they wait (the run fails as interrupted, like a step interrupted in its own
    code), release dead runs (:func:`release_dead_runs`) every ``sweep_every`` seconds of a
    wait, calling ``on_released``, and call ``on_blocked`` when a step starts waiting and when
    who holds the slot changes.

    Dagster's in-process executor builds its ``InstanceConcurrencyContext`` by that module-level
    name; within, it builds this subclass. Not thread-safe: one run at a time in the process.
    """
    from dagster._core.errors import DagsterExecutionInterruptedError
    from dagster._core.executor import in_process
    from dagster._utils.interrupts import pop_captured_interrupt

    base = getattr(in_process, "InstanceConcurrencyContext", None)
    if base is None:  # a Dagster that builds it elsewhere: run as Dagster does
        yield
        return

    class SupervisedConcurrencyContext(base):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self._next_look = 0.0  # when to look at the pool again (monotonic), while waiting
            self._told: tuple = ()  # the other runs' holders last told to on_blocked

        def claim(self, concurrency_key: str, step_key: str, step_priority: int = 0) -> bool:
            if pop_captured_interrupt():
                raise DagsterExecutionInterruptedError(
                    f"stopped by SIGINT/SIGTERM while step {step_key} waited for pool"
                    f" {concurrency_key}"
                )
            if super().claim(concurrency_key, step_key, step_priority):
                self._next_look, self._told = 0.0, ()  # the next wait is told afresh
                return True
            if not self._claims:  # no step of this run holds a slot: another run's does
                try:
                    self._look(concurrency_key, step_key)
                except Exception:  # noqa: BLE001 - a look at the pool is not worth the run
                    pass
            return False

        def _look(self, pool: str, step_key: str) -> None:
            now = time.monotonic()
            if now < self._next_look:
                return
            self._next_look = now + sweep_every
            released = release_dead_runs(instance, exclude=[self._run_id], by=f"run {self._run_id}")
            if released:
                for pending in list(self._pending_timeouts):
                    self._pending_timeouts[pending] = 0.0  # claim again at once
                if on_released:
                    on_released(released)
            holders = slot_holders(instance, pool, exclude=[self._run_id])
            told = tuple((holder.run_id, holder.step) for holder in holders)
            if holders and on_blocked and told != self._told:
                on_blocked(step_key, pool, holders)
            self._told = told

        def interval_to_next_pending_claim_check(self) -> float:
            # Dagster's returns min([0, …]) <= 0: the executor never slept while it waited.
            if not self._pending_claims:
                return 0.0
            now = time.time()
            due = min(self._pending_timeouts.get(step, now) for step in self._pending_claims)
            return min(max(due - now, 0.0), WAIT_POLL_SECONDS)

    in_process.InstanceConcurrencyContext = SupervisedConcurrencyContext
    try:
        yield
    finally:
        in_process.InstanceConcurrencyContext = base


@contextmanager
def interrupts_remembered() -> Iterator[Callable[[], None]]:
    """Within: SIGINT and SIGTERM interrupt the step as Dagster's own handler does, and are
    also remembered; call the yielded function after the code to stop the step even if that
    code swallowed the interrupt.

    Great Expectations catches whatever an expectation raises and reports it as that
    expectation's error, the interrupt included when the signal arrives while DuckDB runs the
    expectation's query (DuckDB raises it as its own error, SQLAlchemy wraps that): the check
    step then went on to the end and the run with it (seen in CI under load)."""
    from dagster._core.errors import DagsterExecutionInterruptedError

    def stop() -> None:
        if received:
            raise DagsterExecutionInterruptedError("stopped by SIGINT/SIGTERM")

    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield stop  # only the main thread may set handlers; Dagster's own apply
        return

    def remember(signo: int, _frame) -> None:
        received.append(signo)
        raise DagsterExecutionInterruptedError("stopped by SIGINT/SIGTERM")

    previous = {signo: signal.getsignal(signo) for signo in (signal.SIGINT, signal.SIGTERM)}
    for signo in previous:
        signal.signal(signo, remember)
    try:
        yield stop
    finally:
        for signo, handler in previous.items():
            signal.signal(signo, handler)
