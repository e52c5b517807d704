"""SIGKILL `impetus materialize` at many points; after each kill the next run must succeed, its
tables must equal a clean run's, and the published copy must always be one complete version
(issue 12; run by hand).

Two series, on a temporary instance (a copy of dagster.yaml), warehouse and landing folder:

- ``first``: the first `impetus materialize` on an empty warehouse, demo data only (no
  published copy yet): kills while every file is loaded, in the checks, the marts, the publish;
- ``update``: `impetus materialize` on the warehouse of a clean first run, with new micro
  extracts in the landing folder (generated, seed 7, scale 0.2): kills while the new files
  load, in the checks, the marts and while a new version is published over the old one.

Each series has a clean reference run. Kill points are spread over the clean run's wall time,
plus points inside the longest load, check and mart steps and three inside ``published_copy``
(placed from the run's own STEP_START events). After each kill the script records which step
was running, opens the published copy (none yet, or a complete version: every table listed in
``meta.publication`` with its row count, and whether it is the old or the new version), runs
`impetus materialize` again, and compares every table of the warehouse and of the published
copy with the clean run's: row count and a checksum with floats rounded to 1e-9 and load
times, run ids and publication times left out (on a checksum mismatch the rows are compared
one by one, floats within 1e-9).

    .venv/bin/python benchmarks/kill_campaign.py                # 24 kill points, ~30-40 min
    .venv/bin/python benchmarks/kill_campaign.py --points 6 --series first   # a quick look

Prints one line per kill point and the totals; ``--json FILE`` writes every record.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import dagster as dg
import duckdb

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
POOL = "duckdb_warehouse"
RUN_TIMEOUT = 900  # seconds a run may take before the campaign calls it hung
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
VOLATILE = {("meta.publication", "run_id"), ("meta.publication", "source_warehouse")}
PUBLISH_STEP = "published_copy"


@dataclass
class KillPoint:
    series: str
    at_seconds: float | None = None  # wall time since the process started, or ...
    step: str | None = None  # ... this fraction of this step's clean duration after it starts
    fraction: float = 0.5

    @property
    def label(self) -> str:
        if self.step:
            return f"{self.step} +{self.fraction:.0%}"
        return f"t={self.at_seconds:.1f} s"


@dataclass
class Outcome:
    series: str
    point: str
    killed_at: float | None  # seconds into the run when SIGKILL was sent (None: it ended first)
    running: str  # the step(s) in progress at the kill
    published_after_kill: str
    next_exit: int
    next_seconds: float
    released: int  # dead runs the next run released
    tables_equal: bool
    differing: list[str] = field(default_factory=list)
    published_after_next: str = ""
    published_equal: bool = False


# --- the project in a temporary folder -----------------------------------------------------


def environment(home: Path, roots: list[Path], landing: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMPETUS_", "DAGSTER_"))}
    env.update(
        DAGSTER_HOME=str(home),
        PYTHONPATH=str(ROOT),
        IMPETUS_WAREHOUSE=str(home / "warehouse" / "impetus.duckdb"),
        IMPETUS_PUBLISHED=str(home / "warehouse" / "published" / "impetus.duckdb"),
        IMPETUS_SOURCE_ROOTS=os.pathsep.join(map(str, roots)),
        IMPETUS_LANDING=str(landing),
        IMPETUS_VALIDATION_DOCS=str(home / "validation_docs"),
        DAGSTER_DISABLE_TELEMETRY="1",
        PYTHONUNBUFFERED="1",
    )
    return env


def new_home(folder: Path, like: Path | None = None) -> Path:
    if like is not None:
        shutil.copytree(like, folder, symlinks=True)
        for name in ("materialize.out", "next.out"):
            (folder / name).unlink(missing_ok=True)
    else:
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "dagster.yaml", folder / "dagster.yaml")
    return folder


def start(home: Path, env: dict[str, str], name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "materialize"],
        cwd=home,
        env=env,
        stdout=(home / f"{name}.out").open("w"),
        stderr=subprocess.STDOUT,
    )


def finish(process: subprocess.Popen) -> int:
    try:
        return process.wait(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return -999


class Instance:
    """The trial's Dagster instance (dagster.yaml's paths are relative to its folder)."""

    def __init__(self, home: Path):
        os.chdir(home)
        os.environ["DAGSTER_HOME"] = str(home)
        self.instance = dg.DagsterInstance.get()

    def __enter__(self) -> dg.DagsterInstance:
        return self.instance

    def __exit__(self, *exc) -> None:
        self.instance.dispose()
        os.chdir(ROOT)


def run_of(instance: dg.DagsterInstance, pid: int) -> dg.DagsterRun | None:
    found = instance.get_runs(filters=dg.RunsFilter(tags={"impetus/pid": str(pid)}), limit=1)
    return found[0] if found else None


def step_events(instance: dg.DagsterInstance, run_id: str) -> list[tuple[str, str, float]]:
    kinds = {
        dg.DagsterEventType.STEP_START,
        dg.DagsterEventType.STEP_SUCCESS,
        dg.DagsterEventType.STEP_FAILURE,
    }
    records = instance.get_records_for_run(run_id, of_type=kinds).records
    return [
        (r.event_log_entry.dagster_event.event_type_value, r.event_log_entry.step_key, r.timestamp)
        for r in records
    ]


def timeline(instance: dg.DagsterInstance, run_id: str) -> dict[str, tuple[float, float]]:
    """step -> (start, end) timestamps."""
    starts, spans = {}, {}
    for kind, step, at in step_events(instance, run_id):
        if kind == "STEP_START":
            starts[step] = at
        elif step in starts:
            spans[step] = (starts[step], at)
    return spans


def running_steps(instance: dg.DagsterInstance, run_id: str | None) -> str:
    if run_id is None:
        return "starting up (no run recorded yet)"
    started, ended = [], set()
    for kind, step, _ in step_events(instance, run_id):
        if kind == "STEP_START":
            started.append(step)
        else:
            ended.add(step)
    open_steps = [step for step in started if step not in ended]
    if open_steps:
        return ", ".join(open_steps)
    if not started:
        return "starting up (before the first step)"
    return f"between steps (after {started[-1]})"


# --- what is in the warehouse and the published copy ----------------------------------------


def columns(conn: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    schema, name = table.split(".")
    rows = conn.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return [
        (column, kind)
        for column, kind in rows
        if not kind.startswith("TIMESTAMP") and (table, column) not in VOLATILE
    ]


def tables(conn: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in conn.execute(
            "select schema_name || '.' || table_name from duckdb_tables()"
            " where not temporary and database_name = current_database() order by 1"
        ).fetchall()
    ]


def _is_float(kind: str) -> bool:
    return kind in FLOAT_TYPES or kind.startswith("DECIMAL")


def checksums(path: Path) -> dict[str, tuple[int, int]]:
    """table -> (rows, sum of row hashes); floats rounded to 1e-9, volatile columns left out."""
    out = {}
    with duckdb.connect(str(path), read_only=True) as conn:
        for table in tables(conn):
            parts = [
                f'(round("{c}"::double, 9) + 0.0)::varchar' if _is_float(k) else f'"{c}"::varchar'
                for c, k in columns(conn, table)
            ]
            expression = f"hash({', '.join(parts)})::hugeint" if parts else "0"
            rows, total = conn.execute(
                f"select count(*), coalesce(sum({expression}), 0) from {table}"
            ).fetchone()
            out[table] = (rows, int(total))
    return out


def rows_equal(a: Path, b: Path, table: str) -> bool:
    """Row by row, floats within 1e-9 (relative to their size): a checksum can differ when a
    float lies on a rounding boundary."""
    with duckdb.connect(str(a), read_only=True) as ca, duckdb.connect(str(b), read_only=True) as cb:
        cols = columns(ca, table)
        if cols != columns(cb, table):
            return False
        select = ", ".join(f'"{c}"' if _is_float(k) else f'"{c}"::varchar' for c, k in cols)
        floats = [i for i, (_, k) in enumerate(cols) if _is_float(k)]

        def key(row):
            return tuple(
                (round(v, 6) if v is not None and math.isfinite(v) else str(v))
                if i in floats
                else str(v)
                for i, v in enumerate(row)
            )

        left = sorted(ca.execute(f"select {select} from {table}").fetchall(), key=key)
        right = sorted(cb.execute(f"select {select} from {table}").fetchall(), key=key)
    if len(left) != len(right):
        return False
    for x, y in zip(left, right, strict=True):
        for i, (u, v) in enumerate(zip(x, y, strict=True)):
            if i in floats and u is not None and v is not None:
                if not math.isclose(float(u), float(v), rel_tol=1e-9, abs_tol=1e-9):
                    return False
            elif u != v:
                return False
    return True


def compare(path: Path, clean_path: Path, clean: dict[str, tuple[int, int]]) -> list[str]:
    """Tables that differ from the clean run's (missing, extra, or different rows)."""
    mine = checksums(path)
    differing = sorted(set(mine) ^ set(clean))
    for table in sorted(set(mine) & set(clean)):
        if mine[table] != clean[table] and not rows_equal(path, clean_path, table):
            differing.append(table)
    return differing


def published_state(home: Path) -> tuple[str, Path | None, str | None]:
    """(what the published copy is, its version file, its run id)."""
    link = home / "warehouse" / "published" / "impetus.duckdb"
    if not link.exists() and not link.is_symlink():
        return "none", None, None
    try:
        version = link.resolve(strict=True)
        with duckdb.connect(str(version), read_only=True) as conn:
            stamp = conn.execute(
                "select run_id, table_name, row_count from meta.publication"
            ).fetchall()
            listed = {table: n for _, table, n in stamp}
            present = set(tables(conn)) - {"meta.publication"}
            if not stamp or present != set(listed):
                return f"INCOMPLETE (tables {sorted(present ^ set(listed))})", version, None
            for table, n in listed.items():
                if conn.execute(f"select count(*) from {table}").fetchone()[0] != n:
                    return f"INCOMPLETE ({table} row count)", version, None
            return f"complete, {len(listed)} tables", version, stamp[0][0]
    except Exception as error:  # noqa: BLE001 - the point is to report it
        return f"BROKEN ({type(error).__name__}: {error})"[:120], None, None


# --- the campaign --------------------------------------------------------------------------


@dataclass
class Series:
    name: str
    roots: list[Path]
    landing: Path
    like: Path | None  # the folder a trial starts from (None: empty)
    clean_home: Path | None = None
    clean_seconds: float = 0.0
    clean_sums: dict = field(default_factory=dict)
    clean_published_sums: dict = field(default_factory=dict)
    clean_published_version: Path | None = None
    spans: dict[str, tuple[float, float]] = field(default_factory=dict)
    run_started: float = 0.0  # the clean run's process start (timestamp)
    previous_published_run: str | None = None


def clean_run(series: Series, work: Path) -> None:
    home = new_home(work / f"clean-{series.name}", series.like)
    env = environment(home, series.roots, series.landing)
    started_at = time.time()
    began = time.monotonic()
    process = start(home, env, "materialize")
    code = finish(process)
    series.clean_seconds = time.monotonic() - began
    out = (home / "materialize.out").read_text()
    if code != 0:
        sys.exit(f"the clean {series.name} run failed ({code}):\n{out[-3000:]}")
    series.clean_home = home
    with Instance(home) as instance:
        run = run_of(instance, process.pid)
        series.spans = timeline(instance, run.run_id)
    series.run_started = started_at
    series.clean_sums = checksums(home / "warehouse" / "impetus.duckdb")
    state, version, _ = published_state(home)
    assert state.startswith("complete"), state
    series.clean_published_version = version
    series.clean_published_sums = checksums(version)
    if series.like is not None:
        series.previous_published_run = published_state(series.like)[2]
    print(
        f"clean {series.name} run: {series.clean_seconds:.1f} s, {len(series.spans)} steps,"
        f" {len(series.clean_sums)} tables",
        flush=True,
    )


def kill_points(series: Series, count: int) -> list[KillPoint]:
    """``count`` points: inside the longest load, check and mart steps, three inside the
    publish, and the rest spread evenly over the clean run's wall time."""

    def longest(prefixes: tuple[str, ...]) -> str | None:
        steps = [s for s in series.spans if s.startswith(prefixes)]
        return max(steps, key=lambda s: series.spans[s][1] - series.spans[s][0], default=None)

    targeted = [
        (longest(("raw__",)), 0.5),
        (longest(("validate_",)), 0.5),
        (longest(("marts__", "composite_build")), 0.5),
        (PUBLISH_STEP, 0.15),
        (PUBLISH_STEP, 0.5),
        (PUBLISH_STEP, 0.85),
    ]
    points = [KillPoint(series.name, step=s, fraction=f) for s, f in targeted if s][:count]
    spread = count - len(points)
    for i in range(spread):
        at = series.clean_seconds * (i + 0.5) / spread
        points.append(KillPoint(series.name, at_seconds=round(at, 1)))
    return sorted(points, key=lambda p: p.at_seconds if p.at_seconds is not None else 1e9)


def wait_and_kill(process, point: KillPoint, series: Series, began: float) -> float | None:
    """SIGKILL ``process`` at ``point``; the seconds into the run, or None if it ended first."""
    if point.at_seconds is not None:
        while time.monotonic() - began < point.at_seconds:
            if process.poll() is not None:
                return None
            time.sleep(0.02)
    else:
        start, end = series.spans[point.step]
        delay = (end - start) * point.fraction
        with dg.DagsterInstance.get() as instance:
            run = None
            while True:
                if process.poll() is not None:
                    return None
                run = run or run_of(instance, process.pid)
                if run is not None:
                    events = step_events(instance, run.run_id)
                    if any(k == "STEP_START" and s == point.step for k, s, _ in events):
                        break
                time.sleep(0.05)
        time.sleep(delay)
    if process.poll() is not None:
        return None
    process.send_signal(signal.SIGKILL)
    process.wait()
    return time.monotonic() - began


def trial(series: Series, point: KillPoint, work: Path, index: int) -> Outcome:
    home = new_home(work / f"{series.name}-{index:02d}", series.like)
    env = environment(home, series.roots, series.landing)
    os.chdir(home)
    os.environ["DAGSTER_HOME"] = str(home)
    began = time.monotonic()
    process = start(home, env, "materialize")
    killed_at = wait_and_kill(process, point, series, began)
    with Instance(home) as instance:
        run = run_of(instance, process.pid)
        running = running_steps(instance, run.run_id if run else None)
        if killed_at is None:
            running = f"(the run ended first, exit {process.returncode})"
    state, _, run_id = published_state(home)
    if run_id is not None:
        which = "old version" if run_id == series.previous_published_run else "new version"
        state = f"{state} ({which})"
    next_began = time.monotonic()
    code = finish(start(home, env, "next"))
    next_seconds = time.monotonic() - next_began
    out = (home / "next.out").read_text()
    differing = compare(
        home / "warehouse" / "impetus.duckdb",
        series.clean_home / "warehouse" / "impetus.duckdb",
        series.clean_sums,
    )
    after, version, _ = published_state(home)
    published_equal = version is not None and not compare(
        version, series.clean_published_version, series.clean_published_sums
    )
    return Outcome(
        series=series.name,
        point=point.label,
        killed_at=None if killed_at is None else round(killed_at, 1),
        running=running,
        published_after_kill=state,
        next_exit=code,
        next_seconds=round(next_seconds, 1),
        released=out.count("its process is gone"),
        tables_equal=not differing,
        differing=differing,
        published_after_next=after,
        published_equal=published_equal,
    )


def line(i: int, o: Outcome) -> str:
    at = f"{o.killed_at:6.1f} s" if o.killed_at is not None else "   ended"
    nxt = "ok" if o.next_exit == 0 else f"FAILED ({o.next_exit})"
    tables = "equal" if o.tables_equal else f"DIFFER: {', '.join(o.differing)[:60]}"
    published = "equal" if o.published_equal else "DIFFERS"
    return (
        f"{i:3d} {o.series:<7}{o.point:<36}{at}  {o.running[:44]:<44}"
        f" next {nxt} {o.next_seconds:5.1f} s, released {o.released}; tables {tables};"
        f" published after kill: {o.published_after_kill}; after next: {published}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=24, help="kill points in all (default 24)")
    parser.add_argument("--series", choices=("both", "first", "update"), default="both")
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    parser.add_argument("--json", type=Path, help="write every record to this file")
    parser.add_argument("--keep", action="store_true", help="keep the working folder")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kill_campaign_"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"working in {work}", flush=True)
    started = time.monotonic()

    empty_landing = work / "landing-empty"
    first = Series("first", [DEMO], empty_landing, like=None)
    clean_run(first, work)
    series = [first]
    if args.series in ("both", "update"):
        landing = work / "landing"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pipelines.demo.generate_micro",
                *("--out", str(landing), "--seed", "7", "--scale", "0.2"),
                *("--aggregates-out", "none"),
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        settled = time.time() - 60  # a landed file younger than a few seconds waits a run
        for path in landing.rglob("*"):
            os.utime(path, (settled, settled))
        update = Series("update", [DEMO, landing], landing, like=first.clean_home)
        clean_run(update, work)
        series = [update] if args.series == "update" else [first, update]
    per = [args.points // len(series) + (i < args.points % len(series)) for i in range(len(series))]
    outcomes = []
    index = 0
    for one, count in zip(series, per, strict=True):
        for point in kill_points(one, count):
            index += 1
            outcome = trial(one, point, work, index)
            outcomes.append(outcome)
            print(line(index, outcome), flush=True)
            if not args.keep:
                shutil.rmtree(work / f"{one.name}-{index:02d}", ignore_errors=True)

    killed = [o for o in outcomes if o.killed_at is not None]
    ok = [o for o in outcomes if o.next_exit == 0]
    equal = [o for o in outcomes if o.tables_equal]
    pub_ok = [
        o
        for o in outcomes
        if (o.published_after_kill == "none" or o.published_after_kill.startswith("complete"))
        and o.published_equal
    ]
    seconds = [o.next_seconds for o in outcomes]
    print(
        f"\n{len(outcomes)} kill points ({len(killed)} killed mid-run): next run succeeded"
        f" {len(ok)}/{len(outcomes)}, tables equal to the clean run's {len(equal)}/{len(outcomes)},"
        f" published copy complete after every kill and equal after the next run"
        f" {len(pub_ok)}/{len(outcomes)}; dead runs released {sum(o.released for o in outcomes)};"
        f" next run {min(seconds):.0f}-{max(seconds):.0f} s (clean runs: "
        + ", ".join(f"{s.name} {s.clean_seconds:.0f} s" for s in series)
        + f"); campaign {time.monotonic() - started:.0f} s",
        flush=True,
    )
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1))
    if not args.keep and args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if len(ok) == len(equal) == len(pub_ok) == len(outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
