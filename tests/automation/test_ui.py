"""The Dagster UI on a temporary instance: the code location loads, assets report freshness,
checks report results, a late release shows as a failed check in the catalog, and screenshots
of the asset catalog (docs/img/asset_catalog.png) and of the late staging tables
(docs/img/late_check.png).

Starts dagster-webserver and dagster-daemon on 127.0.0.1 with a temporary DAGSTER_HOME holding
the repo's dagster.yaml and a temporary warehouse on the demo data, materializes every asset
with "today" fixed at 2026-12-02 (IMPETUS_TODAY), then asks Dagster's GraphQL API. The
screenshots need Debian's chromium (/usr/bin/chromium); without it the tests are skipped
(nothing is installed here). Set IMPETUS_UPDATE_SCREENSHOT=1 to write the screenshots into
docs/img/ (otherwise they stay in the test's temporary folder).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.report.browser import HEADLESS_FLAGS

from ._stack import Stack
from .conftest import REPO_ROOT

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = REPO_ROOT / "docs" / "img" / "asset_catalog.png"
LATE_SCREENSHOT = REPO_ROOT / "docs" / "img" / "late_check.png"
TODAY = "2026-12-02"  # the demo's newest R&D figures are for 2023: two communiqués late

CHECKS_QUERY = """
query ($path: [String!]!) { assetNodeOrError(assetKey: {path: $path}) {
  ... on AssetNode { assetChecksOrError { ... on AssetChecks { checks {
    name
    executionForLatestMaterialization {
      status
      evaluation { severity description metadataEntries {
        label
        ... on JsonMetadataEntry { jsonString }
        ... on IntMetadataEntry { intValue }
        ... on TextMetadataEntry { text }
      } }
    }
  } } } }
} }
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The stack with every asset materialized once, and when that started."""
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    home = tmp_path_factory.mktemp("ui") / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    (home / "landing").mkdir()
    stack = Stack(home)
    stack.start(FRESHNESS_DAEMON_INTERVAL_SECONDS="3", IMPETUS_TODAY=TODAY)
    try:
        started = time.time()
        # Materialize every asset (as `impetus materialize` does) while the UI loads.
        run = stack.run_job("full_rebuild_job")
        assert run.returncode == 0, run.stdout + run.stderr[-3000:]
        entry = stack.wait_for("code location loaded", stack.location_loaded, timeout=60)
        assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry
        yield stack, started
    finally:
        stack.stop()


def screenshot(url: str, target: Path, profile: Path) -> None:
    subprocess.run(
        [
            str(CHROMIUM),
            *HEADLESS_FLAGS,
            f"--user-data-dir={profile}",
            "--virtual-time-budget=20000",  # let the UI's JavaScript fetch and render
            f"--screenshot={target}",
            "--window-size=1600,1000",
            url,
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )


def keep(shot: Path, target: Path) -> None:
    assert shot.stat().st_size > 10_000  # a rendered page, not a blank one
    if os.environ.get("IMPETUS_UPDATE_SCREENSHOT") == "1":
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(shot, target)


def test_location_freshness_checks_and_catalog_screenshot(built, tmp_path: Path):
    stack, started = built

    def all_fresh():
        assets = stack.assets()
        with_policy = {k: a for k, a in assets.items() if a["internalFreshnessPolicy"]}
        states = {k: a["freshnessStatusInfo"]["freshnessStatus"] for k, a in with_policy.items()}
        return assets if states and set(states.values()) == {"HEALTHY"} else None

    assets = stack.wait_for("every freshness policy evaluated as fresh", all_fresh, timeout=45)
    for name in ("raw/province_year", "raw/procurement", "raw/patents", "raw/enterprises"):
        assert assets[name]["internalFreshnessPolicy"]["__typename"] == (
            "TimeWindowFreshnessPolicy"
        ), name
        assert assets[name]["freshnessStatusInfo"]["freshnessStatus"] == "HEALTHY", name
    assert assets["marts/indicator_value"]["freshnessStatusInfo"]["freshnessStatus"] == "HEALTHY"
    assert assets["reference/area"]["freshnessStatusInfo"] is None  # no policy

    check_status = {
        f"{name}:{check['name']}": (check["executionForLatestMaterialization"] or {}).get("status")
        for name, asset in assets.items()
        if asset["assetChecksOrError"]["__typename"] == "AssetChecks"
        for check in asset["assetChecksOrError"]["checks"]
    }
    assert check_status["staging/patents:gx_blocking"] == "SUCCEEDED", check_status
    assert check_status["marts/indicator_value:traceable"] == "SUCCEEDED", check_status
    # Every check ran and reported a result (a WARN-severity check may report a failure).
    assert all(status in ("SUCCEEDED", "FAILED") for status in check_status.values()), {
        k: v for k, v in check_status.items() if v not in ("SUCCEEDED", "FAILED")
    }

    target = tmp_path / "asset_catalog.png"
    screenshot(f"{stack.url}/assets", target, tmp_path / "chromium-profile")
    keep(target, SCREENSHOT)
    print(f"\nUI test: {time.time() - started:.0f} s")


def checks_of(stack: Stack, path: list[str]) -> dict[str, dict]:
    node = stack.graphql(CHECKS_QUERY, {"path": path})["assetNodeOrError"]
    return {
        check["name"]: check["executionForLatestMaterialization"]
        for check in node["assetChecksOrError"]["checks"]
    }


def red_in_the_catalog(execution: dict) -> bool:
    """What makes the catalog's status column red for a check (Dagster's
    AssetNodeStatusContent: failed with severity ERROR, or failed to execute)."""
    return execution["status"] == "EXECUTION_FAILED" or (
        execution["status"] == "FAILED" and execution["evaluation"]["severity"] == "ERROR"
    )


def test_a_late_release_shows_as_a_failed_check_in_the_catalog(built, tmp_path: Path):
    stack, _ = built
    panel = checks_of(stack, ["staging", "province_year"])["releases_on_time"]
    assert red_in_the_catalog(panel), panel
    entries = {entry["label"]: entry for entry in panel["evaluation"]["metadataEntries"]}
    late = json.loads(entries["late"]["jsonString"])
    rd = [
        (r["period"], r["status"], r["expected_release"])
        for r in late
        if r["metric"] == "rd_expenditure"
    ]
    assert rd == [("2024", "missing", "2025-09-30"), ("2025", "missing", "2026-09-30")]
    assert entries["today"]["text"] == TODAY

    # One release late is a warning: yellow in the lineage's checks, not red in the list.
    enterprises = checks_of(stack, ["staging", "enterprises"])["releases_on_time"]
    assert enterprises["status"] == "FAILED"
    assert enterprises["evaluation"]["severity"] == "WARN"
    assert not red_in_the_catalog(enterprises)

    # The health asset's own check: red whenever anything is late past its slack.
    health = checks_of(stack, ["health"])["releases_on_time"]
    assert red_in_the_catalog(health), health

    target = tmp_path / "late_check.png"
    screenshot(f"{stack.url}/assets/staging?view=folder", target, tmp_path / "chromium-profile")
    keep(target, LATE_SCREENSHOT)
