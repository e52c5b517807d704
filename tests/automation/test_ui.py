"""The Dagster UI on a temporary instance: the code location loads, assets report freshness,
checks report results, and a screenshot of the asset catalog (docs/img/asset_catalog.png).

Starts dagster-webserver and dagster-daemon on 127.0.0.1 with a temporary DAGSTER_HOME holding
the repo's dagster.yaml and a temporary warehouse on the demo data, materializes every asset,
then asks Dagster's GraphQL API. The screenshot needs Debian's chromium (/usr/bin/chromium);
without it the test is skipped (nothing is installed here). Set IMPETUS_UPDATE_SCREENSHOT=1 to
write the screenshot into docs/img/ (otherwise it stays in the test's temporary folder).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from ._stack import Stack
from .conftest import REPO_ROOT

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = REPO_ROOT / "docs" / "img" / "asset_catalog.png"


@pytest.fixture
def stack(dagster_home: Path):
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    stack = Stack(dagster_home)
    stack.start(FRESHNESS_DAEMON_INTERVAL_SECONDS="3")
    try:
        yield stack
    finally:
        stack.stop()


def screenshot(url: str, target: Path, profile: Path) -> None:
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
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


def test_location_freshness_checks_and_catalog_screenshot(stack: Stack, tmp_path: Path):
    started = time.time()
    # Materialize every asset (as `impetus materialize` does) while the UI loads.
    run = stack.run_job("full_rebuild_job")
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]

    entry = stack.wait_for("code location loaded", stack.location_loaded, timeout=60)
    assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry

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
    assert target.stat().st_size > 10_000  # a rendered page, not a blank one
    if os.environ.get("IMPETUS_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, SCREENSHOT)
    print(f"\nUI test: {time.time() - started:.0f} s")
