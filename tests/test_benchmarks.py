"""The hand-run benchmarks still run, at their smallest size, so they cannot rot unnoticed.

Only the machinery is checked here. What a campaign finds is its own report: the fuzz
campaign exits 1 when a file breaks a promise, and that is for whoever runs it by hand
(docs/operations.md, *Measured*), not a failure of this test.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
KINDS = {"patents", "enterprises", "procurement", "province_tidy", "province_nbs"}


def test_the_fuzz_campaign_runs_five_files(tmp_path):
    records = tmp_path / "records.json"
    result = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "benchmarks" / "fuzz_campaign.py"),
            *("--files", "5", "--seed", "1"),
            *("--work", str(tmp_path / "work"), "--json", str(records)),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode in (0, 1), result.stdout[-2000:] + result.stderr[-3000:]
    assert "| all | 5 |" in result.stdout, result.stdout[-2000:]
    done = json.loads(records.read_text())
    assert {record["kind"] for record in done} == KINDS
    assert all(record["outcome"] in ("loaded", "unchanged", "refused", "error") for record in done)
