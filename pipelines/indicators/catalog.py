"""data/reference/indicators.csv, the user-editable indicator catalog, and the engine's
frameworks built from it (indicators -> pillars -> index, one framework per index)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipelines.composite import Framework
from pipelines.indicators.config import CompositeConfig
from pipelines.paths import REFERENCE_DIR, SQL_DIR

DEFAULT_CATALOG_FILE = REFERENCE_DIR / "indicators.csv"
INDICATOR_SQL_DIR = SQL_DIR / "indicators"
COLUMNS = [
    "id",
    "name_zh",
    "name_en",
    "unit",
    "formula",
    "direction",
    "pillar",
    "weight",
    "source",
    "is_synthetic",
]
BOOLEANS = {"true": True, "false": False}


class CatalogError(ValueError):
    """indicators.csv has a bad row; the message names the file, row and column."""


def load_catalog(
    config: CompositeConfig, path: Path = DEFAULT_CATALOG_FILE, sql_dir: Path = INDICATOR_SQL_DIR
) -> pd.DataFrame:
    """The validated catalog, one row per indicator, in file order."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise CatalogError(f"{path}: missing columns {missing}")
    problems = []
    for position, row in table.iterrows():
        where = f"{path}, row {position + 2}"  # the header is row 1
        problems += [f"{where}, column {c!r}: empty" for c in COLUMNS if not row[c].strip()]
        if row["direction"].strip() not in ("1", "-1", "+1"):
            problems.append(f"{where}, column 'direction': {row['direction']!r} is not +1 or -1")
        try:
            if float(row["weight"]) < 0:
                raise ValueError
        except ValueError:
            problems.append(f"{where}, column 'weight': {row['weight']!r} is not a number >= 0")
        if row["pillar"] not in config.pillars:
            problems.append(
                f"{where}, column 'pillar': {row['pillar']!r} is not one of {list(config.pillars)}"
            )
        if row["is_synthetic"].strip().lower() not in BOOLEANS:
            problems.append(
                f"{where}, column 'is_synthetic': {row['is_synthetic']!r} not true/false"
            )
        if row["formula"].strip() and not (sql_dir / row["formula"].strip()).is_file():
            problems.append(f"{where}, column 'formula': no file {sql_dir / row['formula']}")
    duplicated = table["id"][table["id"].duplicated()].tolist()
    if duplicated:
        problems.append(f"{path}: duplicate indicator ids {duplicated}")
    empty = [code for code in config.pillars if code not in set(table["pillar"])]
    if empty:
        problems.append(f"{path}: pillars without indicators: {empty}")
    if problems:
        raise CatalogError("indicator catalog refused:\n  " + "\n  ".join(problems))
    catalog = table[COLUMNS].copy()
    catalog["direction"] = catalog["direction"].astype(float).astype(int)
    catalog["weight"] = catalog["weight"].astype(float)
    catalog["is_synthetic"] = catalog["is_synthetic"].str.strip().str.lower().map(BOOLEANS)
    catalog["formula"] = catalog["formula"].str.strip()
    catalog["index"] = catalog["pillar"].map(lambda p: config.pillars[p].index)
    return catalog.reset_index(drop=True)


def formula_sql(row: pd.Series, sql_dir: Path = INDICATOR_SQL_DIR) -> str:
    return (sql_dir / row["formula"]).read_text(encoding="utf-8").strip().rstrip(";")


def build_frameworks(catalog: pd.DataFrame, config: CompositeConfig) -> dict[str, Framework]:
    """One engine framework per index: indicators (level 1) -> pillars (2) -> index (3)."""
    frameworks = {}
    for index in config.indices:
        members = catalog[catalog["index"] == index]
        pillars = [code for code in config.pillars_of(index)]
        rows = [
            {
                "code": r.id,
                "level": 1,
                "parent": r.pillar,
                "weight": r.weight,
                "direction": r.direction,
                "name": r.name_en,
            }
            for r in members.itertuples()
        ]
        rows += [
            {
                "code": code,
                "level": 2,
                "parent": index,
                "weight": config.pillars[code].weight,
                "direction": 1,
                "name": config.pillars[code].name_en,
            }
            for code in pillars
        ]
        rows.append(
            {
                "code": index,
                "level": 3,
                "parent": None,
                "weight": 1.0,
                "direction": 1,
                "name": config.indices[index].name_en,
            }
        )
        frameworks[index] = Framework.from_table(pd.DataFrame(rows))
    return frameworks
