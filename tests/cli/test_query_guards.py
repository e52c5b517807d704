"""`impetus query` guards (issue 12, parts 5 and 6): a timeout, Ctrl-C, a memory cap, readable
errors for SQL that is not UTF-8 and for a warehouse another process holds, and control
characters from data files printed as visible escapes."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from pipelines import cli
from pipelines.publish import current_version, publish

# 10^12 rows to count: hours of work, and no memory to speak of
CROSS_JOIN = "select count(*) from marts.t a, marts.t b, marts.t c, marts.t d"
IMPETUS = Path(sys.executable).parent / "impetus"


@pytest.fixture
def copy(tmp_path, monkeypatch) -> Path:
    """A live warehouse and its published copy; IMPETUS_* point at them."""
    live = tmp_path / "warehouse" / "impetus.duckdb"
    live.parent.mkdir()
    with duckdb.connect(str(live)) as conn:
        conn.execute("create schema marts")
        conn.execute("create table marts.t as select range as i from range(1000)")
        conn.execute(
            "create table marts.esc as select"
            " chr(27) || '[31mred' || chr(27) || '[0m' || chr(7) || chr(155) as v,"
            " 'ok' as \"col\x07umn\""
        )
    target = live.parent / "published" / "impetus.duckdb"
    publish(live, target, run_id="guards")
    monkeypatch.setenv("IMPETUS_WAREHOUSE", str(live))
    monkeypatch.setenv("IMPETUS_PUBLISHED", str(target))
    return target


def test_a_query_stops_at_its_timeout(copy, capsys):
    started = time.monotonic()
    assert cli.main(["query", CROSS_JOIN, "--timeout", "1"]) == 1
    assert time.monotonic() - started < 1 + 2.5
    err = capsys.readouterr().err
    assert err.startswith("impetus query: stopped after 1 s (--timeout 1)")
    assert len(err.strip().splitlines()) == 1


def test_a_query_has_a_timeout_by_default():
    parser = cli.argparse.ArgumentParser()
    cli._query_arguments(parser)
    args = parser.parse_args(["select 1"])
    assert 0 < args.timeout == cli.DEFAULT_TIMEOUT and args.memory_limit == cli.DEFAULT_MEMORY_LIMIT


def _has_open(pid: int, path: Path) -> bool:
    try:
        links = [os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()]
    except (FileNotFoundError, ProcessLookupError, PermissionError, OSError):
        return False
    return str(path) in links


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see the query start")
def test_ctrl_c_stops_a_query_at_once_with_one_line(copy):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAGSTER_")}
    env["PYTHONUNBUFFERED"] = "1"
    command = [str(IMPETUS)] if IMPETUS.exists() else [sys.executable, "-m", "pipelines.cli"]
    process = subprocess.Popen(
        [*command, "query", CROSS_JOIN, "--timeout", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        version = current_version(copy)
        deadline = time.monotonic() + 90  # importing takes seconds on a busy machine
        while not _has_open(process.pid, version):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the query never started"
            time.sleep(0.1)
        time.sleep(0.5)  # into the join
        process.send_signal(signal.SIGINT)
        sent = time.monotonic()
        out, err = process.communicate(timeout=15)
        took = time.monotonic() - sent
    finally:
        process.kill()
        process.wait()
    assert took < 3, f"took {took:.1f} s to stop"
    assert process.returncode in (130, 1)
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        "impetus query: interrupted (Ctrl-C): the query was stopped; nothing was changed"
    ]


def test_sql_that_is_not_utf8_gets_a_readable_error(copy, capsys):
    # What Python hands over for `impetus query $'select \'\xff\''` in a GBK terminal.
    sql = os.fsdecode(b"select '\xff\xfe'")
    assert cli.main(["query", sql]) == 1
    err = capsys.readouterr().err
    assert err.strip() == (
        "impetus query: the SQL is not UTF-8 text (byte 0xff at character 9): type it in a"
        " UTF-8 terminal, or convert the file it came from (iconv -f GB18030 -t UTF-8)"
    )


def test_a_memory_cap_stops_a_huge_query_with_words(copy, capsys):
    sql = "select list(range) from range(100000000)"  # 800 MB in one value
    assert cli.main(["query", sql, "--memory-limit", "100MB"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "impetus query: the query needs more memory than its cap (--memory-limit 100MB):"
        " Out of Memory Error"
    )
    assert "raise --memory-limit" in err and len(err.strip().splitlines()) == 1
    # The cap cannot be lifted from SQL, and nothing spills beside the published copy.
    assert cli.main(["query", "set memory_limit = '100GB'"]) == 1
    assert "--memory-limit sets its memory cap" in capsys.readouterr().err
    assert cli.main(["query", "select current_setting('temp_directory') as t"]) == 0
    assert capsys.readouterr().out.splitlines()[2] == ""


def test_a_memory_limit_must_be_a_size(copy, capsys):
    with pytest.raises(SystemExit):
        cli.main(["query", "select 1", "--memory-limit", "lots"])
    assert "is not a size such as 500MB" in capsys.readouterr().err


@pytest.fixture
def held_live_warehouse(copy):
    """Another process holds the live warehouse for writing (as a run does)."""
    live = Path(os.environ["IMPETUS_WAREHOUSE"])
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); print('held', flush=True);"
            " time.sleep(120)",
            str(live),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        yield live
    finally:
        holder.kill()
        holder.wait()


@pytest.mark.parametrize(
    "argv", [["query", "select 1"], ["tables"], ["export", "marts.t", "--format", "csv"]]
)
def test_the_locked_live_warehouse_points_at_the_published_copy(
    held_live_warehouse, monkeypatch, capsys, tmp_path, argv
):
    live = held_live_warehouse
    monkeypatch.setenv("IMPETUS_PUBLISHED", str(live))  # pointed at the live file by mistake
    monkeypatch.chdir(tmp_path)
    assert cli.main(argv) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert re.fullmatch(
        rf"impetus {argv[0]}: {re.escape(str(live))} is the live warehouse, held for writing"
        r" by \S+ \(PID \d+\) \(a run\?\), and then nothing else can open it, not even"
        r" read-only\. Read the published copy instead: "
        + re.escape(str(live.parent / "published" / live.name))
        + r" \(set IMPETUS_PUBLISHED to it, or unset IMPETUS_PUBLISHED\)",
        line,
    ), line
    assert not (tmp_path / "marts.t.csv").exists()


def test_control_characters_in_values_and_names_are_printed_escaped(copy, capsys):
    assert cli.main(["query", "select * from marts.esc"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
    assert "\\x1b[31mred\\x1b[0m\\x07\\x9b" in out
    assert "col\\x07umn" in out.splitlines()[0]
    # Columns still line up: widths count the escapes as printed.
    header, rule, row = out.splitlines()[:3]
    assert len(rule.split("  ")[0]) == len("\\x1b[31mred\\x1b[0m\\x07\\x9b")
