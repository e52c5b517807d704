"""`impetus status` and the health asset: late data first, then checks, quarantine and runs;
the exit code says whether anything is late past its slack."""

from __future__ import annotations

from datetime import date

import dagster as dg
import pytest
from dagster_duckdb import DuckDBResource

from pipelines.defs.sources import SourceFolders
from pipelines.publish import publish
from pipelines.status import REPORT_ASSET, status_report
from tests.conftest import write_csv

TIDY = ["province", "year", "metric", "value", "unit", "vintage", "release_date", "source"]
PROVINCES = ["北京", "辽宁", "吉林", "黑龙江", "江苏"]
WARNED = dg.AssetCheckKey(dg.AssetKey(["staging", "province_year"]), "gx_warn")
PASSED = dg.AssetCheckKey(dg.AssetKey(["staging", "patents"]), "gx_blocking")
NEVER = dg.AssetCheckKey(dg.AssetKey(["staging", "procurement"]), "gx_blocking")


def rows(metric: str, years: list[int], unit: str) -> list[list]:
    return [
        [name, year, metric, f"{100 + i}.5", unit, f"release {year}", "", "t"]
        for year in years
        for i, name in enumerate(PROVINCES)
    ]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A warehouse with rd_expenditure to 2022, gdp to 2023 and one quarantined row,
    published; an instance with a warned check, a passed one and two failed runs."""
    from pipelines.definitions import defs

    tmp_path = tmp_path_factory.mktemp("status")
    root = tmp_path / "sources"
    write_csv(
        root / "province_year" / "panel.csv",
        TIDY,
        rows("rd_expenditure", [2021, 2022], "亿元")
        + rows("gdp", [2022, 2023], "亿元")
        + [["辽宁", 2021, "gdp", "—", "亿元", "release 2021", "", "t"]],  # a placeholder
    )
    warehouse = tmp_path / "warehouse.duckdb"
    resources = {
        "warehouse": DuckDBResource(database=str(warehouse)),
        "sources": SourceFolders(roots=[str(root)]),
    }
    with dg.instance_for_test() as instance:
        result = dg.materialize(
            [*defs.assets, *defs.asset_checks],
            selection=dg.AssetSelection.groups("province_year", "reference").without_checks(),
            resources=resources,
            instance=instance,
        )
        assert result.success
        published = tmp_path / "published" / "impetus.duckdb"
        publish(warehouse, published, run_id="test-run")
        for key, passed, severity in (
            (WARNED, False, dg.AssetCheckSeverity.WARN),
            (PASSED, True, dg.AssetCheckSeverity.ERROR),
        ):
            instance.report_runless_asset_event(
                dg.AssetCheckEvaluation(
                    asset_key=key.asset_key,
                    check_name=key.name,
                    passed=passed,
                    severity=severity,
                    metadata={"failed_expectations": 0 if passed else 3},
                )
            )
        for _ in range(2):
            failing_job.execute_in_process(instance=instance, raise_on_error=False)
        yield warehouse, published, instance, resources


@dg.op
def boom():
    raise RuntimeError("the source folder was not mounted")


@dg.job(name="patents_job")
def failing_job():
    boom()


def report(built, on: date) -> tuple[str, int]:
    _, published, instance, _ = built
    return status_report(
        on=on, instance=instance, published=published, check_keys=[WARNED, PASSED, NEVER]
    )


def flat(text: str) -> str:
    """Lines wrapped at 100 columns, joined again."""
    return " ".join(text.split())


def test_late_data_comes_first_then_checks_quarantine_and_runs(built):
    text, code = report(built, date(2025, 11, 1))
    sections = [
        text.index("Late data:"),
        text.index("Checks:"),
        text.index("Quarantined rows:"),
        text.index("Runs failed since"),
    ]
    assert sections == sorted(sections), text
    late = text[sections[0] : sections[1]]
    # rd_expenditure misses the 2023 and 2024 communiqués (error) before gdp's 2024 (warning).
    assert late.index("✗ staging/province_year: 2023, 2024 missing") < late.index(
        "! staging/province_year: 2024 missing"
    ), late
    expected = "R&D communiqué, expected 2024-09-30 and 2025-09-30: 397 and 32 days late"
    assert expected in flat(late)
    assert "rd_expenditure" in late and "gdp" in late
    assert "Checks: 1 passed, 0 failed, 1 warned, 1 not run" in text
    assert "! staging/province_year:gx_warn (WARN): 3 failed expectations" in text
    assert "not run: staging/procurement:gx_blocking" in text
    quarantine = text[sections[2] : sections[3]]
    assert "Quarantined rows: 1" in quarantine and "province_year" in quarantine
    assert "✗ patents_job: 2 failed never succeeded" in text
    assert text.splitlines()[-1] == "Late: 3 releases past their slack (exit 1)"
    assert code == 1


def test_nothing_late_exits_0(built):
    # 2023-11-01: the 2023 figures are not due yet, gdp's 2023 is held.
    text, code = report(built, date(2023, 11, 1))
    assert "Late data: none" in text
    assert code == 0
    assert text.splitlines()[-1] == "Nothing late on 2023-11-01 (exit 0)"


def test_a_release_within_its_slack_is_due_not_late(built):
    # 2024-10-15: the 2023 communiqué came out on 2024-09-30 by the calendar, slack to 10-30.
    text, code = report(built, date(2024, 10, 15))
    assert "due, within its slack: staging/province_year 2023 (R&D communiqué" in flat(text)
    assert "rd_expenditure" in text.split("due, within its slack")[1]
    # gdp's 2024 is not out until March 2025: nothing is late yet.
    assert code == 0


def test_the_health_asset_reports_the_same_as_markdown(built, monkeypatch):
    from pipelines.defs.operations.health import build_health

    warehouse, _, instance, resources = built
    monkeypatch.setenv("IMPETUS_TODAY", "2025-11-01")
    result = dg.materialize([build_health([])], resources=resources, instance=instance)
    assert result.success  # its check fails, but blocks nothing
    [materialization] = result.asset_materializations_for_node("health")
    metadata = materialization.metadata
    summary = metadata["summary"].value
    assert summary.index("### Late data") < summary.index("### Checks")
    assert summary.index("### Checks") < summary.index("### Quarantined rows")
    assert summary.index("### Quarantined rows") < summary.index("### Runs failed")
    assert "| 🔴 | staging/province_year | 2023, 2024 missing |" in summary
    assert metadata["late_releases"].value == 3
    assert metadata["quarantined_rows"].value == 1
    assert metadata["failed_runs"].value == 2
    [evaluation] = result.get_asset_check_evaluations()
    assert evaluation.asset_key == REPORT_ASSET
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR


def test_without_a_published_copy_status_says_what_to_do(tmp_path):
    from pipelines.publish import PublishedCopyMissing

    with dg.instance_for_test() as instance:
        with pytest.raises(PublishedCopyMissing, match="impetus materialize"):
            status_report(
                on=date(2026, 12, 2),
                instance=instance,
                published=tmp_path / "nothing.duckdb",
                check_keys=[],
            )


@pytest.mark.parametrize(
    ("today", "code", "last_line"),
    [
        ("2023-11-01", 0, "Nothing late on 2023-11-01 (exit 0)"),
        ("2025-11-01", 1, "Late: 3 releases past their slack (exit 1)"),
    ],
)
def test_the_command_exits_1_once_a_release_is_late(built, tmp_path, today, code, last_line):
    """`impetus status` as a cron job runs it: a process, IMPETUS_TODAY, the exit code."""
    import os
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    _, published, _, _ = built
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IMPETUS_", "DAGSTER_"))}
    env.update(
        DAGSTER_HOME=str(tmp_path),  # a new instance: no runs, no check results
        IMPETUS_PUBLISHED=str(published),
        IMPETUS_TODAY=today,
        PYTHONPATH=str(REPO_ROOT),
    )
    (tmp_path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    done = subprocess.run(
        [sys.executable, "-m", "pipelines.cli", "status"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == code, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"Status on {today} (IMPETUS_TODAY)")
    assert lines[-1] == last_line
