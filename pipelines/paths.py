"""Where things live. Every path the product uses is derived here, from the repo root.

Environment variables let a deployment move the warehouse or the landing folder without
touching code: IMPETUS_WAREHOUSE (the DuckDB file), IMPETUS_LANDING (the landing folder).
"""

from __future__ import annotations

import os
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
