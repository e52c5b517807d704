"""From a file landing to fresh marts, with the real daemon: sensor tick -> run -> staging
-> automation -> marts. Prints the measured times (docs/operations.md reports them).

A new procurement extract (300 rows of the demo's, a new sha256) is moved into
<landing>/procurement/ of a temporary setup whose warehouse was built once. The landing sensor
starts procurement_job; when it has rebuilt staging.procurement, the automation sensor starts
the marts (and the published copy). staging.enterprises, whose inputs did not change, is not
rebuilt; and the same bytes landing again under another name start nothing.

Sensor and automation intervals are 5 s here (IMPETUS_LANDING_INTERVAL,
IMPETUS_AUTOMATION_INTERVAL); IMPETUS_MEASURE_DEFAULT_INTERVALS=1 keeps the defaults (30 s).
"""

from __future__ import annotations

import gzip
import os
import time
from pathlib import Path

import pytest

from pipelines.paths import DEMO_DIR

from ._stack import Stack

pytestmark = pytest.mark.integration

RUNS_QUERY = """
{ runsOrError(limit: 20) { ... on Runs { results {
    runId jobName status creationTime startTime endTime
    tags { key value }
} } } }
"""


def runs(stack: Stack) -> list[dict]:
    return stack.graphql(RUNS_QUERY)["runsOrError"]["results"]


def tag(run: dict, key: str) -> str | None:
    return next((t["value"] for t in run["tags"] if t["key"] == key), None)


def materialized_at(assets: dict, name: str) -> float:
    events = assets[name]["assetMaterializations"]
    return int(events[0]["timestamp"]) / 1000 if events else 0.0


def new_extract(target: Path) -> None:
    with gzip.open(DEMO_DIR / "procurement" / "synthetic_procurement.csv.gz", "rt") as source:
        lines = [line for _, line in zip(range(301), source, strict=False)]
    staging = target.parent.parent / f".{target.name}.part"
    staging.write_text("".join(lines), encoding="utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(staging, target)  # lands whole, as a copy finishing would


@pytest.fixture
def stack(dagster_home: Path):
    fast = (
        {}
        if os.environ.get("IMPETUS_MEASURE_DEFAULT_INTERVALS") == "1"
        else {
            "IMPETUS_LANDING_INTERVAL": "5",
            "IMPETUS_AUTOMATION_INTERVAL": "5",
            "IMPETUS_LANDING_SETTLE": "1",
        }
    )
    stack = Stack(dagster_home)
    stack.start(FRESHNESS_DAEMON_INTERVAL_SECONDS="5", **fast)
    try:
        yield stack
    finally:
        stack.stop()


def test_a_landed_file_reaches_the_marts(stack: Stack):
    built = stack.run_job("full_rebuild_job")
    assert built.returncode == 0, built.stdout + built.stderr[-3000:]
    stack.wait_for("code location loaded", stack.location_loaded, timeout=90)
    before = stack.assets()
    enterprises_before = materialized_at(before, "staging/enterprises")

    landed = stack.home / "landing" / "procurement" / "contracts_2025-10.csv"
    time.sleep(1)
    t0 = time.time()
    new_extract(landed)

    def marts_rebuilt():
        assets = stack.assets()
        done = all(
            materialized_at(assets, name) > t0
            for name in ("marts/indicator_value", "marts/pillar_score", "marts/upgrading_path")
        )
        return assets if done else None

    assets = stack.wait_for(
        "marts rebuilt after the landing", marts_rebuilt, timeout=300, interval=2
    )
    t_marts = max(
        materialized_at(assets, name)
        for name in ("marts/indicator_value", "marts/pillar_score", "marts/upgrading_path")
    )
    assert materialized_at(assets, "staging/procurement") > t0
    assert materialized_at(assets, "raw/procurement") > t0
    # What did not change was not rebuilt.
    assert materialized_at(assets, "staging/enterprises") == enterprises_before
    assert materialized_at(assets, "staging/patents") < t0

    recent = [run for run in runs(stack) if run["creationTime"] > t0]
    by_sensor = [run for run in recent if tag(run, "dagster/sensor_name") == "landing_sensor"]
    assert [run["jobName"] for run in by_sensor] == ["procurement_job"]
    assert tag(by_sensor[0], "impetus/landing_file") == "procurement/contracts_2025-10.csv"
    assert all(run["status"] == "SUCCESS" for run in recent if run["endTime"]), recent

    landing_run = by_sensor[0]
    automation_runs = [run for run in recent if run is not landing_run]
    print(
        "\nlanding -> fresh marts: "
        f"{t_marts - t0:.0f} s (sensor run created after {landing_run['creationTime'] - t0:.0f} s,"
        f" started {landing_run['startTime'] - t0:.0f} s, procurement_job done"
        f" {landing_run['endTime'] - t0:.0f} s; automation runs created at "
        + ", ".join(f"{run['creationTime'] - t0:.0f} s" for run in automation_runs)
        + ")"
    )

    # The same bytes again, under another name: the run key exists, nothing starts.
    count = len(runs(stack))
    (landed.parent / "copy of contracts_2025-10.csv").write_bytes(landed.read_bytes())
    interval = int(stack.env.get("IMPETUS_LANDING_INTERVAL", "30"))
    time.sleep(2 * interval + 3)
    assert len(runs(stack)) == count
