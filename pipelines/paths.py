"""Where things live. Every path the product uses is derived here, from the repo root.

Environment variables let a deployment move the warehouse or the landing folder without
touching code: IMPETUS_WAREHOUSE (the DuckDB file), IMPETUS_LANDING (the landing folder).
DAGSTER_HOME moves the Dagster instance (run history, sensor cursors, pool slots).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
REFERENCE_DIR = DATA_DIR / "reference"
DEMO_DIR = DATA_DIR / "demo"
SQL_DIR = REPO_ROOT / "sql"

DEFAULT_WAREHOUSE = DATA_DIR / "warehouse" / "impetus.duckdb"
DEFAULT_LANDING = DATA_DIR / "landing"


def warehouse_path() -> Path:
    return Path(os.environ.get("IMPETUS_WAREHOUSE", DEFAULT_WAREHOUSE))


def landing_dir() -> Path:
    return Path(os.environ.get("IMPETUS_LANDING", DEFAULT_LANDING))


def dagster_home() -> Path:
    """The Dagster instance folder: DAGSTER_HOME when set, else the repo root, whose
    dagster.yaml is the project's instance (what the Makefile sets for `make ui`)."""
    return Path(os.environ.get("DAGSTER_HOME") or REPO_ROOT)


def ensure_landing_folders(domains: Iterable[str]) -> list[Path]:
    """``<landing>/<domain>/`` for every domain, created if missing: git keeps only the landing
    folder's README (data/landing/* is ignored), so a fresh clone gets them on its first run."""
    folders = [landing_dir() / domain for domain in domains]
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    return folders
