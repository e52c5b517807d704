"""A tiny hand-made marts.pillar_score: five provinces, one year (2023).

Values are relative_to_national (national mean = 100); score and rank are filled in but the
shipped rules do not read them. Expected stages, fits and paths are worked out by hand in
test_upgrading.py from data/reference/upgrading_paths.csv.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from pipelines.upgrading.rules import RULES_FILE

YEAR = 2023
PILLARS = ("D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8", "S1", "S2", "S3", "overall")

# relative_to_national by province (rows) and pillar (columns, in PILLARS order); None = missing
#            D1   D2    D3   D4   D5   D6   D7   D8   S1   S2   S3  overall
_TABLE = {
    # Heilongjiang-like: weak base and value chain, good policy/talent/funding
    "230000": (70, 60, 80, 120, 110, 90, 105, 70, 80, 60, 50, 85),
    # Liaoning-like: strong chain leaders; D6 exactly at the threshold (>= holds)
    "210000": (105, 130, 95, 90, 95, 100, 92, 85, 110, 90, 80, 98),
    # Guangdong-like: above the mean everywhere
    "440000": (150, 120, 140, 110, 160, 170, 150, 180, 150, 140, 160, 150),
    # low base, strong elsewhere (the file-order tie once a threshold is edited)
    "220000": (120, 110, 120, 110, 110, 110, 90, 110, 60, 110, 90, 100),
    # D2 missing
    "650000": (90, None, 110, 100, 100, 90, 100, 90, 90, 80, 70, 92),
}
RELATIVE: dict[str, dict[str, float | None]] = {
    province: dict(zip(PILLARS, values, strict=True)) for province, values in _TABLE.items()
}


def pillar_frame(relative: dict[str, dict[str, float | None]] = RELATIVE, year: int = YEAR):
    rows = []
    for pillar in PILLARS:
        present = {p: v[pillar] for p, v in relative.items()}
        ordered = sorted(present, key=lambda p: -(present[p] or -1))
        for province, value in present.items():
            rows.append(
                {
                    "province_code": province,
                    "year": year,
                    "pillar": pillar,
                    "score": None if value is None else value / 2,
                    "rank": ordered.index(province) + 1,
                    "rank_p05": 1,
                    "rank_p50": ordered.index(province) + 1,
                    "rank_p95": 5,
                    "relative_to_national": value,
                    "performance_group": "strong",
                }
            )
    return pd.DataFrame(rows).astype({"score": "float64", "relative_to_national": "float64"})


@pytest.fixture
def pillars() -> pd.DataFrame:
    return pillar_frame()


@pytest.fixture
def pillar_db(tmp_path: Path) -> Path:
    """A DuckDB file holding marts.pillar_score with the hand-made rows."""
    path = tmp_path / "warehouse.duckdb"
    frame = pillar_frame()
    with duckdb.connect(str(path)) as conn:
        conn.execute("create schema marts")
        conn.register("frame", frame)
        conn.execute(
            "create table marts.pillar_score as select province_code, cast(year as integer) as"
            " year, pillar, score, cast(rank as integer) as rank, rank_p05, rank_p50, rank_p95,"
            " relative_to_national, performance_group from frame"
        )
    return path


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "upgrading_paths.csv"
    shutil.copyfile(RULES_FILE, target)
    return target


def edit_rule(path: Path, condition_id: str, column: str, value: str) -> None:
    """Change one cell of a rules file copy."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert (frame["condition_id"] == condition_id).sum() == 1, condition_id
    frame.loc[frame["condition_id"] == condition_id, column] = value
    frame.to_csv(path, index=False)
