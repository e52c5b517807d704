"""A read-only warehouse folder and a full disk (issue 12, part 7): one line naming the path
and the cause, a non-zero exit at once, nothing half-written.

Root ignores file modes, so where the tests run as root a read-only folder and a small disk
are tmpfs mounts; without root the read-only folder is chmod 555 and the disk tests skip."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from pipelines import cli

REPO_ROOT = Path(__file__).resolve().parents[2]
IMPETUS = Path(sys.executable).parent / "impetus"
PROCUREMENT = REPO_ROOT / "data" / "demo" / "procurement" / "synthetic_procurement.csv.gz"
WRITING = [
    ["demo"],
    ["materialize"],
    ["materialize", "--domain", "procurement"],
    ["publish"],
    ["unload", "data/landing/procurement/x.csv"],
]


def _mount(folder: Path, options: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a tmpfs (root ignores file modes)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def _umount(folder: Path) -> None:
    subprocess.run(["umount", "-l", str(folder)], capture_output=True)


@contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    _mount(folder, f"size={size}")
    try:
        yield folder
    finally:
        _umount(folder)


@pytest.fixture
def read_only_folder(tmp_path) -> Iterator[tuple[Path, str]]:
    """A folder nobody can write, holding a warehouse file; and the cause the CLI names."""
    folder = tmp_path / "warehouse"
    if os.geteuid() != 0:
        folder.mkdir()
        duckdb.connect(str(folder / "impetus.duckdb")).close()
        folder.chmod(0o555)
        try:
            yield folder, "permission denied"
        finally:
            folder.chmod(0o755)
        return
    _mount(folder, "size=4m")
    try:
        duckdb.connect(str(folder / "impetus.duckdb")).close()
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(folder)], capture_output=True, text=True
        )
        if remount.returncode != 0:
            pytest.skip(f"cannot remount the tmpfs read-only: {remount.stderr.strip()}")
        yield folder, "read-only file system"
    finally:
        _umount(folder)


@pytest.fixture
def places(tmp_path, monkeypatch):
    """A temporary instance, landing folder and sources; the warehouse is set per test."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    sources = tmp_path / "sources" / "procurement"
    sources.mkdir(parents=True)
    shutil.copy(PROCUREMENT, sources)
    env = {
        "DAGSTER_HOME": str(home),
        "IMPETUS_PUBLISHED": str(tmp_path / "published" / "impetus.duckdb"),
        "IMPETUS_SOURCE_ROOTS": str(tmp_path / "sources"),
        "IMPETUS_LANDING": str(tmp_path / "landing"),
        "IMPETUS_VALIDATION_DOCS": str(tmp_path / "validation_docs"),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def run_cli(env: dict[str, str], *argv: str) -> tuple[subprocess.CompletedProcess, float]:
    command = [str(IMPETUS)] if IMPETUS.exists() else [sys.executable, "-m", "pipelines.cli"]
    full = {k: v for k, v in os.environ.items() if not k.startswith(("IMPETUS_", "DAGSTER_"))}
    full.update(env, DAGSTER_DISABLE_TELEMETRY="1", PYTHONUNBUFFERED="1")
    started = time.monotonic()
    done = subprocess.run(
        [*command, *argv],
        env=full,
        cwd=env["DAGSTER_HOME"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    return done, time.monotonic() - started


def no_run(*args, **kwargs):
    pytest.fail("a run was started on a warehouse that cannot be written")


@pytest.mark.parametrize("argv", WRITING, ids=" ".join)
def test_a_read_only_warehouse_folder_stops_a_run_before_it_starts(
    read_only_folder, places, monkeypatch, capsys, argv
):
    folder, cause = read_only_folder
    monkeypatch.setenv("IMPETUS_WAREHOUSE", str(folder / "impetus.duckdb"))
    monkeypatch.setattr(cli, "_execute", no_run)
    started = time.monotonic()
    assert cli.main(argv) == 1
    assert time.monotonic() - started < 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"impetus {argv[0]}: cannot write the warehouse folder {folder}: {cause}; nothing was"
        " run or changed (IMPETUS_WAREHOUSE moves the warehouse)"
    ]


def test_the_command_says_it_in_one_line_and_exits(read_only_folder, places):
    """As a user runs it: before, every step waited some 100 s for DuckDB's resource to give
    up opening the file (dagster_duckdb retries 10 times), and the process seemed hung."""
    folder, cause = read_only_folder
    env = {**places, "IMPETUS_WAREHOUSE": str(folder / "impetus.duckdb")}
    done, _ = run_cli(env, "materialize", "--domain", "procurement")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"impetus materialize: cannot write the warehouse folder {folder}: {cause}; nothing"
        " was run or changed (IMPETUS_WAREHOUSE moves the warehouse)"
    ]


def test_a_full_disk_stops_a_run_before_it_starts(tmp_path, places, monkeypatch, capsys):
    with small_disk(tmp_path / "disk", "2m") as disk:
        with (disk / "filler").open("wb") as filler:
            try:
                while True:
                    filler.write(b"\0" * 65536)
                    filler.flush()
            except OSError:
                pass
        monkeypatch.setenv("IMPETUS_WAREHOUSE", str(disk / "impetus.duckdb"))
        monkeypatch.setattr(cli, "_execute", no_run)
        assert cli.main(["materialize", "--domain", "procurement"]) == 1
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith(
            f"impetus materialize: cannot write the warehouse folder {disk}: no space left on"
            " device ("
        )
        assert line.endswith(
            "the disk is full; nothing was run or changed (IMPETUS_WAREHOUSE moves the warehouse)"
        )


def test_a_disk_that_fills_during_a_load_fails_the_run_in_one_line_and_writes_nothing(
    tmp_path, places
):
    with small_disk(tmp_path / "disk", "2m") as disk:
        warehouse = disk / "impetus.duckdb"
        env = {**places, "IMPETUS_WAREHOUSE": str(warehouse)}
        done, seconds = run_cli(env, "materialize", "--domain", "procurement")
        assert done.returncode == 1, done.stdout + done.stderr
        assert "Traceback" not in done.stdout + done.stderr
        said = (
            f"cannot write {warehouse}.wal: no space left on device (the disk is full); free"
            " space there or move the warehouse (IMPETUS_WAREHOUSE); the step's open"
            " transaction was rolled back"
        )
        assert f"Step failed: raw/procurement: {said}" in done.stdout.splitlines()
        assert "  ✗ raw/procurement: cannot write " in done.stdout
        assert done.stdout.splitlines()[-1].startswith("procurement_refresh_job: FAILED")
        # Nothing of the load was written: the one transaction was rolled back.
        with duckdb.connect(str(warehouse), read_only=True) as conn:
            tables = {
                name
                for (name,) in conn.execute(
                    "select schema_name || '.' || table_name from duckdb_tables()"
                ).fetchall()
            }
            if "raw.load_log" in tables:
                assert conn.execute(
                    "select count(*) from raw.load_log where domain = 'procurement'"
                ).fetchone() == (0,)
            if "raw.procurement" in tables:
                assert conn.execute("select count(*) from raw.procurement").fetchone() == (0,)


def test_a_step_on_a_read_only_folder_fails_at_once_not_after_retries(read_only_folder):
    """Runs the daemon or the UI start skip the CLI's check: their steps open the warehouse
    through the resource, which used to retry for about 100 s before failing."""
    from pipelines.defs.resources import WarehouseResource
    from pipelines.run_summary import storage_failure

    folder, _ = read_only_folder
    resource = WarehouseResource(database=str(folder / "impetus.duckdb"))
    started = time.monotonic()
    with pytest.raises((duckdb.Error, RuntimeError)) as raised:
        with resource.get_connection():
            pass
    assert time.monotonic() - started < 5
    line = storage_failure(str(raised.value))
    assert line is not None and str(folder) in line, str(raised.value)


def test_a_step_still_waits_for_another_process_s_lock(tmp_path):
    from pipelines.defs.resources import WarehouseResource

    path = tmp_path / "impetus.duckdb"
    duckdb.connect(str(path)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect({str(path)!r}); "
            "print('held', flush=True); time.sleep(3)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    with WarehouseResource(database=str(path)).get_connection() as conn:
        assert conn.execute("select 42").fetchone() == (42,)
    assert holder.wait() == 0  # the connection came only once the holder let go
