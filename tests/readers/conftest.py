"""Shared helpers for the reader tests: fixture files written in the real formats."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "province_year"

MAPPING_HEADER = "pattern,metric,unit,vintage,release_date,citation\n"


@pytest.fixture
def write_file(tmp_path: Path):
    """write_file(name, data) -> path; str data is written as UTF-8, bytes as given."""

    def write(name: str, data: str | bytes, folder: Path = tmp_path) -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return write


@pytest.fixture
def mapping_file(tmp_path: Path):
    """mapping_file(*rows) -> path of a nbs_file_metrics.csv holding those CSV rows."""

    def write(*rows: str) -> Path:
        path = tmp_path / "mapping" / "nbs_file_metrics.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(MAPPING_HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
        return path

    return write


@pytest.fixture
def nbs_xls_fixture() -> Path:
    """The committed NBS Excel export fixture (made by make_nbs_xls.py)."""
    return FIXTURES / "nbs_classic_gdp.xls"
