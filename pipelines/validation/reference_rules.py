"""The rules expectations check against, read from data/reference (never retyped here).

Province codes and area levels come from areas.csv, GB/T 4754 divisions from
industry_divisions.csv, allowed category values from the micro contract (micro_columns.csv),
metric units and minimums from metrics.csv. Editing those files changes the expectations with them.
The year window is not here: the suites take it from pipelines/years.py, as the readers and the
micro loads do.
A metric that is not in metrics.csv (an uncatalogued NBS indicator) is in none of these lists,
so the checks that need catalog facts (minimum, percent range, catalog unit) skip it.
"""

from __future__ import annotations

from functools import cache

from pipelines.paths import REFERENCE_DIR
from pipelines.readers.text import read_reference_csv
from pipelines.readers.units import unit_named
from pipelines.warehouse.micro_contract import contract


@cache
def area_codes(*levels: str) -> tuple[str, ...]:
    """Codes of the areas at the given levels ('province', 'national', 'region'), or all."""
    return tuple(
        row["area_code"]
        for row in read_reference_csv(REFERENCE_DIR / "areas.csv")
        if not levels or row["level"] in levels
    )


def province_codes() -> tuple[str, ...]:
    return area_codes("province")


@cache
def industry_divisions() -> tuple[str, ...]:
    return tuple(
        row["division"] for row in read_reference_csv(REFERENCE_DIR / "industry_divisions.csv")
    )


@cache
def metrics_in_unit(unit: str) -> tuple[str, ...]:
    return tuple(
        row["metric"]
        for row in read_reference_csv(REFERENCE_DIR / "metrics.csv")
        if row["unit"] == unit
    )


@cache
def metrics_by_unit() -> dict[str, tuple[str, ...]]:
    """Catalog unit (its canonical name in units.csv) -> the metrics stored in it."""
    by_unit: dict[str, list[str]] = {}
    for row in read_reference_csv(REFERENCE_DIR / "metrics.csv"):
        by_unit.setdefault(unit_named(row["unit"]).name, []).append(row["metric"])
    return {unit: tuple(metrics) for unit, metrics in by_unit.items()}


@cache
def metric_minimums() -> dict[float, tuple[str, ...]]:
    """minimum -> the metrics that may not fall below it (metrics.csv ``minimum``; a metric
    with an empty minimum, such as a profit, may be negative)."""
    by_minimum: dict[float, list[str]] = {}
    for row in read_reference_csv(REFERENCE_DIR / "metrics.csv"):
        if row["minimum"]:
            by_minimum.setdefault(float(row["minimum"]), []).append(row["metric"])
    return {minimum: tuple(metrics) for minimum, metrics in by_minimum.items()}


def allowed_values(table: str, column: str) -> tuple[str, ...]:
    """The contract's allowed values for a micro column; an error if it declares none."""
    for declared in contract(table):
        if declared.name == column:
            if not declared.allowed:
                raise ValueError(
                    f"micro_columns.csv declares no allowed values for {table}.{column}"
                )
            return declared.allowed
    raise KeyError(f"micro_columns.csv has no column {table}.{column}")
