"""The rules expectations check against, read from data/reference (never retyped here).

Province codes and area levels come from areas.csv, GB/T 4754 divisions from
industry_divisions.csv, allowed category values from the micro contract (micro_columns.csv),
metric units and minimums from metrics.csv. Editing those files changes the expectations with them.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from pipelines.paths import REFERENCE_DIR
from pipelines.readers.text import read_reference_csv
from pipelines.warehouse.micro_contract import contract

# The People's Republic's statistics start in 1949; nothing in the warehouse can be older.
FIRST_DATA_YEAR = 1949


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


def data_years() -> tuple[int, int]:
    """The window every year in the warehouse must fall in: 1949 to the current year."""
    return FIRST_DATA_YEAR, date.today().year
