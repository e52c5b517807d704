"""`impetus tables | query | export` read the published copy, read-only; `materialize` and
`demo` write the live warehouse, in the project's own Dagster instance unless DAGSTER_HOME
says otherwise, and then publish."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from datetime import datetime
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from openpyxl import load_workbook

from pipelines import cli
from pipelines.defs.operations.jobs import DOMAINS
from pipelines.paths import REPO_ROOT, dagster_home
from pipelines.publish import publish


@pytest.fixture
def published(tmp_path, monkeypatch):
    live = tmp_path / "impetus.duckdb"
    with duckdb.connect(str(live)) as conn:
        conn.execute("create schema marts")
        conn.execute("create schema reference")
        conn.execute(
            "create table reference.area as select * from (values"
            " ('210000', '辽宁省', 'Liaoning', 2.5),"
            " ('230000', '黑龙江省', 'Heilongjiang', null),"
            " ('320000', '江苏省', 'Jiangsu', 1234567.891234)) t(area_code, name_zh, name_en, x)"
        )
        conn.execute(
            "create table marts.pillar_score as select lpad(cast(i as varchar), 6, '0')"
            " as province_code, 2024 as year, i * 1.5 as score, date '2024-01-01' as d,"
            " timestamptz '2024-05-01 10:00:00+08' as ts from range(100) t(i)"
        )
    target = tmp_path / "published" / "impetus.duckdb"
    monkeypatch.setenv("IMPETUS_PUBLISHED", str(target))
    monkeypatch.setenv("IMPETUS_WAREHOUSE", str(live))
    publish(live, target, run_id="run-42")
    return target


def test_the_console_script_is_installed_with_the_project():
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["scripts"]["impetus"] == "pipelines.cli:run"


def test_tables_lists_the_published_copy_with_its_stamp(published, capsys):
    assert cli.main(["tables"]) == 0
    out = capsys.readouterr().out
    assert "run run-42" in out
    version_line = out.splitlines()[1]
    assert re.fullmatch(
        r"  version file: .*/published/versions/impetus-\d{8}T\d{12}Z-run_42\.duckdb", version_line
    ), version_line
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines()[3:]}
    assert lines == {
        "marts.pillar_score": "100",
        "meta.publication": "2",
        "reference.area": "3",
    }


def test_query_prints_an_aligned_table(published, capsys):
    assert cli.main(["query", "select * from reference.area order by area_code"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["area_code", "name_zh", "name_en", "x"]
    assert out[-1] == "(3 rows)"
    rows = out[2:5]
    # CJK characters take two columns: the English names start in the same column
    starts = {
        cli._width(line[: line.index(name)])
        for line, name in zip(rows, ["Liaoning", "Heilongjiang", "Jiangsu"], strict=True)
    }
    assert len(starts) == 1
    assert "NULL" in rows[1] and "1234567.8912" in rows[2]
    # numbers are right-aligned: the column's values end in the same column
    assert len({cli._width(line) for line in rows}) == 1


def test_query_limits_the_rows_it_prints(published, capsys):
    assert cli.main(["query", "select * from marts.pillar_score", "--limit", "7"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 + 7 + 1
    assert out[-1].startswith("(first 7 rows shown")
    assert cli.main(["query", "select * from marts.pillar_score", "--limit", "0"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "(100 rows)"


@pytest.mark.parametrize(
    "statement",
    [
        "select * from read_csv('/etc/passwd')",
        "copy marts.pillar_score to '/tmp/impetus_cli_test_leak.csv'",
        "attach '/tmp/impetus_cli_test_other.duckdb' as other",
        "set enable_external_access = true",
        "create table marts.x as select 1",
        "drop table marts.pillar_score",
    ],
)
def test_query_cannot_read_files_copy_out_or_write(published, capsys, statement):
    assert cli.main(["query", statement]) == 1
    err = capsys.readouterr().err
    assert err.startswith("impetus query: ")
    assert cli.main(["query", "select count(*) from marts.pillar_score"]) == 0


def test_query_without_a_published_copy_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IMPETUS_PUBLISHED", str(tmp_path / "nothing.duckdb"))
    assert cli.main(["query", "select 1"]) == 1
    assert "impetus materialize" in capsys.readouterr().err
    assert cli.main(["tables"]) == 1


def test_export_csv_parquet_and_xlsx_hold_the_table(published, tmp_path, capsys):
    out = tmp_path / "out"
    assert (
        cli.main(["export", "reference.area", "--format", "csv", "--out", str(out / "a.csv")]) == 0
    )
    with (out / "a.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["area_code", "name_zh", "name_en", "x"]
    assert [r[1] for r in rows[1:]] == ["辽宁省", "黑龙江省", "江苏省"]

    assert (
        cli.main(
            ["export", "marts.pillar_score", "--format", "parquet", "--out", str(out / "p.parquet")]
        )
        == 0
    )
    with duckdb.connect() as conn:
        assert conn.execute(
            f"select count(*), sum(score) from '{out / 'p.parquet'}'"
        ).fetchone() == (100, 7425.0)

    assert (
        cli.main(["export", "MARTS.PILLAR_SCORE", "--format", "xlsx", "--out", str(out / "p.xlsx")])
        == 0
    )
    sheet = load_workbook(out / "p.xlsx", read_only=True).active
    values = list(sheet.values)
    assert values[0] == ("province_code", "year", "score", "d", "ts")
    assert values[1][4] == datetime(2024, 5, 1, 2, 0)  # timestamptz as UTC
    assert len(values) == 101 and values[3][:3] == ("000002", 2024, 3.0)
    assert "wrote" in capsys.readouterr().out


def test_export_defaults_to_the_current_folder(published, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["export", "reference.area", "--format", "csv"]) == 0
    assert (tmp_path / "reference.area.csv").exists()


@pytest.mark.parametrize(
    "name", ["nope.table", "reference.area; drop table x", "read_csv('/etc/passwd')"]
)
def test_export_takes_only_a_table_of_the_copy(published, tmp_path, capsys, name):
    assert cli.main(["export", name, "--format", "csv", "--out", str(tmp_path / "x.csv")]) == 1
    assert "no table" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_materialize_one_domain_runs_its_refresh_job_which_publishes(monkeypatch, tmp_path):
    monkeypatch.setenv("IMPETUS_PUBLISHED", str(tmp_path / "p.duckdb"))
    monkeypatch.setenv("IMPETUS_LANDING", str(tmp_path / "landing"))
    ran = []
    monkeypatch.setattr(cli, "_execute", lambda job, verbose=False: ran.append(job) or True)
    # The domain, everything built from it and the published copy, in one run: no second
    # publish_job run.
    assert cli.main(["materialize", "--domain", "patents"]) == 0
    assert ran == ["patents_refresh_job"]
    ran.clear()
    assert cli.main(["materialize", "--domain", "indicators"]) == 0
    assert ran == ["indicators_refresh_job"]
    ran.clear()
    assert cli.main(["materialize"]) == 0
    assert ran == ["full_rebuild_job"]  # the full job ends with the published_copy asset
    ran.clear()
    assert cli.main(["publish"]) == 0
    assert ran == ["publish_job"]
    monkeypatch.setattr(cli, "_execute", lambda job, verbose=False: ran.append(job) and False)
    ran.clear()
    assert cli.main(["materialize", "--domain", "patents"]) == 1  # a failed run: exit code 1
    assert ran == ["patents_refresh_job"]


@pytest.mark.parametrize(
    "argv", [["demo"], ["materialize"], ["materialize", "--domain", "province_year"], ["publish"]]
)
def test_run_commands_keep_dagsters_log_only_with_verbose(monkeypatch, tmp_path, argv):
    monkeypatch.setenv("IMPETUS_LANDING", str(tmp_path / "landing"))
    seen = []
    monkeypatch.setattr(cli, "_execute", lambda job, verbose=False: seen.append(verbose) and False)
    cli.main(argv)
    cli.main([*argv, "--verbose"])
    assert seen == [False, True]


def test_without_dagster_home_runs_go_to_the_projects_own_instance(monkeypatch):
    # set, then removed: so that monkeypatch also takes away what _instance() sets
    monkeypatch.setenv("DAGSTER_HOME", "set by the test")
    monkeypatch.delenv("DAGSTER_HOME")
    assert dagster_home() == REPO_ROOT
    assert (REPO_ROOT / "dagster.yaml").is_file()
    monkeypatch.setattr(cli.dg.DagsterInstance, "get", staticmethod(lambda: os.environ))
    assert cli._instance()["DAGSTER_HOME"] == str(REPO_ROOT)


def test_a_users_own_dagster_home_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    assert dagster_home() == tmp_path
    monkeypatch.setattr(cli.dg.DagsterInstance, "get", staticmethod(lambda: os.environ))
    assert cli._instance()["DAGSTER_HOME"] == str(tmp_path)


def test_materialize_creates_a_landing_folder_per_domain(monkeypatch, tmp_path):
    landing = tmp_path / "landing"
    monkeypatch.setenv("IMPETUS_LANDING", str(landing))
    monkeypatch.setattr(cli, "_execute", lambda job, verbose=False: True)
    assert cli.materialize("patents")
    assert sorted(p.name for p in landing.iterdir()) == sorted(DOMAINS)


def project_copy(tmp_path: Path) -> Path:
    """The project without its warehouse, instance, landed files or venv: a fresh clone."""
    root = tmp_path / "clone"
    for part in ("pipelines", "sql", "data/reference", "data/demo"):
        shutil.copytree(REPO_ROOT / part, root / part, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("dagster.yaml", "pyproject.toml"):
        shutil.copy(REPO_ROOT / name, root / name)
    (root / "data" / "landing").mkdir()
    shutil.copy(REPO_ROOT / "data" / "landing" / "README.md", root / "data" / "landing")
    return root


def run_cli(root: Path, *argv: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "IMPETUS_"))}
    env.update(PYTHONPATH=str(root), DAGSTER_DISABLE_TELEMETRY="1", PYTHONUNBUFFERED="1")
    return subprocess.run(
        [sys.executable, "-m", "pipelines.cli", *argv],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.integration
def test_demo_then_one_domain_on_a_fresh_clone_without_dagster_home(tmp_path, monkeypatch):
    """`make demo` and then the README's `impetus materialize --domain province_year`, with no
    DAGSTER_HOME: both record into the project's own instance, the landing folders exist, and
    the domain run rebuilds the marts and publishes, once."""
    root = project_copy(tmp_path)
    demo = run_cli(root, "demo")
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "DagsterHomeNotSetError" not in demo.stderr and "Traceback" not in demo.stdout
    assert re.search(r"^full_rebuild_job: succeeded, .* \(run [0-9a-f-]+\)$", demo.stdout, re.M)
    for domain in DOMAINS:
        assert (root / "data" / "landing" / domain).is_dir(), domain

    landed = root / "data" / "landing" / "province_year" / "gdp_2024_liaoning.csv"
    landed.write_text(
        "province,year,metric,value,unit,vintage,release_date,source\n"
        "辽宁,2024,gdp,32612.7,亿元,test release,2026-01-15,a test\n",
        encoding="utf-8",
    )
    settled = time.time() - 3600  # copied an hour ago: past the "still being written" window
    os.utime(landed, (settled, settled))
    one = run_cli(root, "materialize", "--domain", "province_year")
    assert one.returncode == 0, one.stdout[-3000:] + one.stderr[-3000:]
    # One step (the composite build) writes indicator_value with the other index marts.
    assert re.search(r"^  ✓ [^\n]*marts/indicator_value[,  ]", one.stdout, re.M), one.stdout
    assert "  ✓ published_copy  " in one.stdout
    assert "  province_year  1 loaded, " in one.stdout
    run_id = re.search(
        r"^province_year_refresh_job: succeeded, .* \(run ([0-9a-f-]+)\)$", one.stdout, re.M
    )[1]

    monkeypatch.chdir(root)  # dagster.yaml's paths (.dagster/...) are relative to the folder
    with dg.DagsterInstance.from_config(str(root)) as instance:
        jobs = [run.job_name for run in instance.get_runs()]
    assert sorted(jobs) == ["full_rebuild_job", "province_year_refresh_job"]  # no publish_job
    assert (root / ".dagster" / "storage").is_dir()
    published = root / "data" / "warehouse" / "published" / "impetus.duckdb"
    with duckdb.connect(str(published.resolve()), read_only=True) as conn:
        assert conn.execute("select distinct run_id from meta.publication").fetchall() == [
            (run_id,)
        ]
        assert conn.execute(
            "select value from staging.province_year"
            " where province_code = '210000' and metric = 'gdp' and year = 2024"
        ).fetchall() == [(32612.7,)]


def test_demo_summary_names_the_live_warehouse_and_the_published_copy(published, capsys):
    cli.print_summary()
    out = capsys.readouterr().out
    assert "reference.area" in out and "Published read-only copy" in out
    assert str(published.name) in out and "sql/examples" in out


def test_format_table_counts_cjk_as_two_columns():
    text = cli.format_table(["a", "n"], [("黑龙江", 1), ("jl", 22)])
    lines = text.splitlines()
    assert lines[2] == "黑龙江   1"
    assert lines[3] == "jl      22"


def test_demo_summary_names_the_report_once_it_was_built(published, capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("IMPETUS_REPORT", str(tmp_path / "report"))
    cli.print_summary()
    assert "Report for colleagues" not in capsys.readouterr().out  # not built: not promised
    (tmp_path / "report").mkdir()
    (tmp_path / "report" / "index.html").write_text("<html></html>", encoding="utf-8")
    cli.print_summary()
    out = capsys.readouterr().out
    assert f"Report for colleagues (opens from disk): {tmp_path / 'report' / 'index.html'}" in out
    assert "impetus report --open" in out
