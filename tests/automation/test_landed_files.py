"""One rule for what is a landed file (pipelines/landing.py), the same for the landing sensor
and for every run: hidden folders, Office lock files, files still being written and links
leading out of the landing folder are never loaded, and nothing of a file that was not landed
is ever shown (issue 12, parts 3 and 8)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from pipelines import landing as rule
from pipelines.defs.operations.automation import landing_sensor, scan_landing
from pipelines.defs.operations.jobs import DOMAINS
from pipelines.defs.sources import SourceFolders

PAST = time.time() - 3600
SECRET = "root:x:0:0:SECRET-LINE-OF-A-FILE-THAT-WAS-NEVER-LANDED"
GDP = "province,year,gdp\n辽宁,2020,25115.0\n吉林,2020,12311.3\n"


def put(path: Path, text: str, mtime: float = PAST) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.utime(path, (mtime, mtime))
    return path


def link(path: Path, target: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    return path


@pytest.fixture
def landing(tmp_path, monkeypatch) -> Path:
    """A landing folder holding one file of each kind, and a secret file outside it."""
    root = tmp_path / "landing"
    monkeypatch.setenv("IMPETUS_LANDING", str(root))
    monkeypatch.setenv("IMPETUS_LANDING_SETTLE", "30")  # generous: a slow machine still settles
    outside = tmp_path / "elsewhere"
    secret = put(outside / "passwd", SECRET + "\n")
    put(outside / "patents" / "p.csv", "application_number\n")

    put(root / "province_year" / "gdp.csv", GDP)  # landed
    put(root / "province_year" / "sub" / "gdp_2019.csv", GDP)  # landed, in a sub-folder
    put(root / "province_year" / ".incoming" / "partial.csv", GDP)  # copy in progress
    put(root / "province_year" / "~$book.xlsx", "lock")  # Office lock file
    put(root / "province_year" / "README.md", "# notes\n")
    put(root / "province_year" / "copying.csv", GDP, mtime=time.time())  # still being written
    link(root / "province_year" / "passwd.csv", secret)  # a link leading out
    link(root / "province_year" / "up.csv", Path("..") / ".." / "elsewhere" / "passwd")
    link(root / "province_year" / "latest.csv", Path("gdp.csv"))  # a link inside: landed
    link(root / "province_year" / "gone.csv", root / "nowhere.csv")  # broken
    link(root / "patents", outside / "patents")  # a whole domain folder leading out
    put(root / "procurement" / "notes.docx", "x")  # unknown suffix
    return root


def verdicts(root: Path) -> dict[str, str]:
    return {verdict.relative: verdict.status for verdict in rule.scan(root)}


def test_every_kind_of_file_gets_its_verdict(landing):
    assert verdicts(landing) == {
        "patents": rule.OUTSIDE,
        "procurement/notes.docx": rule.UNROUTABLE,
        "province_year/README.md": rule.IGNORED,
        "province_year/copying.csv": rule.SETTLING,
        "province_year/gdp.csv": rule.LANDED,
        "province_year/gone.csv": rule.UNROUTABLE,
        "province_year/latest.csv": rule.LANDED,
        "province_year/passwd.csv": rule.OUTSIDE,
        "province_year/sub/gdp_2019.csv": rule.LANDED,
        "province_year/up.csv": rule.OUTSIDE,
        "province_year/~$book.xlsx": rule.IGNORED,
        # .incoming/ is not even entered
    }


def test_the_sensor_and_every_run_give_the_same_answer(landing):
    scan, _ = scan_landing(landing, {})
    sensed = {(landed.domain, landed.path) for landed in scan.routable}
    sources = SourceFolders(roots=[str(landing)])
    run = {
        (domain, path.relative_to(landing).as_posix())
        for domain in DOMAINS
        for path in sources.files(domain)
    }
    assert run == sensed
    assert sensed == {
        ("province_year", "province_year/gdp.csv"),
        ("province_year", "province_year/latest.csv"),
        ("province_year", "province_year/sub/gdp_2019.csv"),
    }
    assert scan.settling == ["province_year/copying.csv"]
    # Once it settles, both take it.
    os.utime(landing / "province_year" / "copying.csv", (PAST, PAST))
    scan, _ = scan_landing(landing, {})
    assert "province_year/copying.csv" in {landed.path for landed in scan.routable}
    assert landing / "province_year" / "copying.csv" in sources.files("province_year")


def test_the_sensor_names_links_leading_out_without_showing_them(landing):
    result = landing_sensor(dg.build_sensor_context())
    assert isinstance(result, dg.SensorResult)
    cursor = json.loads(result.cursor)
    assert "province_year/passwd.csv" in cursor["unroutable"]
    assert "patents" in cursor["unroutable"]
    assert "province_year/passwd.csv" not in cursor["files"]
    shown = json.dumps([r.tags for r in result.run_requests]) + result.cursor
    assert "SECRET" not in shown and "elsewhere" not in shown


def test_a_run_skips_and_names_them_and_never_reads_a_file_that_was_not_landed(landing, tmp_path):
    from pipelines.defs.province_year.assets import raw_province_year

    result = dg.materialize(
        [raw_province_year],
        resources={
            "warehouse": DuckDBResource(database=str(tmp_path / "warehouse.duckdb")),
            "sources": SourceFolders(roots=[str(landing)]),
        },
        raise_on_error=False,
    )
    assert result.success
    everything = "\n".join(str(event) for event in result.all_events)
    assert "SECRET" not in everything
    (event,) = result.get_asset_materialization_events()
    metadata = {name: value.value for name, value in event.materialization.metadata.items()}
    skipped = {Path(path).name: why for path, why in metadata["files_skipped"].items()}
    assert skipped["copying.csv"].startswith("still being written, skipped this run")
    assert "symbolic link leading outside" in skipped["passwd.csv"]
    assert "symbolic link leading outside" in skipped["up.csv"]
    loaded = {Path(path).name for path in metadata["files"]}
    assert loaded == {"gdp.csv", "gdp_2019.csv"}  # latest.csv is gdp.csv's content


def test_other_source_folders_hold_finished_files_and_do_not_wait(tmp_path, monkeypatch):
    monkeypatch.setenv("IMPETUS_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("IMPETUS_LANDING_SETTLE", "30")
    fresh = put(tmp_path / "extracts" / "province_year" / "gdp.csv", GDP, mtime=time.time())
    assert SourceFolders(roots=[str(tmp_path / "extracts")]).files("province_year") == [fresh]
    inside = put(tmp_path / "landing" / "province_year" / "gdp.csv", GDP, mtime=time.time())
    assert rule.scan(tmp_path / "landing", "province_year")[0].status == rule.SETTLING
    assert SourceFolders(roots=[str(tmp_path / "landing")]).files("province_year") == []
    monkeypatch.setenv("IMPETUS_LANDING_SETTLE", "0")
    assert SourceFolders(roots=[str(tmp_path / "landing")]).files("province_year") == [inside]


def test_the_domains_are_the_jobs_domains():
    assert rule.DOMAINS == DOMAINS
