"""Temporary Dagster instances built from the repo's own dagster.yaml.

The file is copied verbatim into a temporary DAGSTER_HOME, and every process of a test runs
with that directory as its working directory, so the yaml's relative paths (.dagster/...) land
in the temporary directory, never in the repo.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def operations_env(home: Path) -> dict[str, str]:
    """Environment for a process working on a temporary instance and warehouse."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("IMPETUS_", "DAGSTER_"))
    }
    env.update(
        DAGSTER_HOME=str(home),
        PYTHONPATH=os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
        IMPETUS_WAREHOUSE=str(home / "warehouse" / "impetus.duckdb"),
        IMPETUS_PUBLISHED=str(home / "warehouse" / "published" / "impetus.duckdb"),
        IMPETUS_SOURCE_ROOTS=os.pathsep.join(
            [str(REPO_ROOT / "data" / "demo"), str(home / "landing")]
        ),
        IMPETUS_LANDING=str(home / "landing"),
        IMPETUS_VALIDATION_DOCS=str(home / "validation_docs"),
        DAGSTER_DISABLE_TELEMETRY="1",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def dagster_home(tmp_path: Path) -> Path:
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    (home / "landing").mkdir()
    return home
