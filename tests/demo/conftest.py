"""Small generations of the synthetic micro records, shared by the demo tests.

Generated against the committed real panel (data/demo/province_year); scale 0.2 keeps each
run under a second while leaving the Northeast a few hundred chain-leader contracts.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from pipelines.demo.generate_micro import generate

REPO_ROOT = Path(__file__).resolve().parents[2]
PANEL_DIR = REPO_ROOT / "data" / "demo" / "province_year"
TEST_SCALE = 0.2
TEST_SEED = 7
NORTHEAST = ("辽宁省", "吉林省", "黑龙江省")


def _panel_present() -> bool:
    return any(p for p in PANEL_DIR.glob("nbs_*.csv"))


@pytest.fixture(scope="session")
def panel_dir() -> Path:
    if not _panel_present():
        pytest.skip(f"the real demo panel is not in {PANEL_DIR}")
    return PANEL_DIR


def _generate(root: Path, panel_dir: Path, **kwargs) -> dict[str, Path]:
    kwargs.setdefault("seed", TEST_SEED)
    kwargs.setdefault("scale", TEST_SCALE)
    written = generate(root / "micro", panel_dir, aggregates_out=root / "aggregates.csv", **kwargs)
    return {item.domain: item.path for item in written}


@pytest.fixture(scope="session")
def generated(tmp_path_factory, panel_dir) -> dict[str, Path]:
    return _generate(tmp_path_factory.mktemp("micro_a"), panel_dir)


@pytest.fixture(scope="session")
def generate_into(tmp_path_factory, panel_dir):
    """Call with generate() keyword arguments to get another generation's files."""

    def run(**kwargs) -> dict[str, Path]:
        return _generate(tmp_path_factory.mktemp("micro"), panel_dir, **kwargs)

    return run


@pytest.fixture(scope="session")
def db(generated):
    """DuckDB views patents, enterprises, procurement, aggregates over the generated files."""
    conn = duckdb.connect()
    options = {
        "patents": "",
        "enterprises": ", types = {'industry_code': 'VARCHAR'}",
        "procurement": "",
        "aggregates": ", all_varchar = true",
    }
    for name, extra in options.items():
        # A view cannot take a bound parameter; the path is our own temporary folder.
        path = str(generated[name]).replace("'", "''")
        conn.execute(
            f"create view {name} as select * from read_csv('{path}', header = true{extra})"
        )
    yield conn
    conn.close()
