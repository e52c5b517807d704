"""The input contract of the micro tables, read from ``data/reference/micro_columns.csv``.

That file is the one place that says which columns a patents, enterprises or procurement
extract must have, their types, units, allowed values, which columns form the record's key,
and the smallest and largest value a column may hold. ``PROVINCE`` is a pseudo-type: any
spelling the province normaliser knows, stored as given plus a ``<column>_code`` (GB/T 2260).
``maximum`` may be ``current_year``: for an INTEGER year or a DATE, nothing after this year.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from pipelines.paths import REFERENCE_DIR

MICRO_DOMAINS = ("patents", "enterprises", "procurement")
CURRENT_YEAR = "current_year"


@dataclass(frozen=True)
class ContractColumn:
    name: str
    type: str  # VARCHAR | INTEGER | DOUBLE | DATE | BOOLEAN | PROVINCE
    unit: str
    required: bool
    allowed: tuple[str, ...]
    description: str
    is_key: bool = False  # part of the key that identifies a record within one file
    minimum: float | None = None
    maximum: str | None = None  # a number, or CURRENT_YEAR

    @property
    def is_province(self) -> bool:
        return self.type == "PROVINCE"

    @property
    def is_numeric(self) -> bool:
        return self.type in ("INTEGER", "DOUBLE")


@cache
def contract(domain: str) -> tuple[ContractColumn, ...]:
    if domain not in MICRO_DOMAINS:
        raise ValueError(f"unknown micro domain {domain!r}; expected one of {MICRO_DOMAINS}")
    with (REFERENCE_DIR / "micro_columns.csv").open(encoding="utf-8", newline="") as handle:
        return tuple(
            ContractColumn(
                name=row["column"],
                type=row["type"].upper(),
                unit=row["unit"],
                required=_yes(row["required"]),
                allowed=tuple(v for v in row["allowed"].split("|") if v),
                description=row["description"],
                is_key=_yes(row["key"]),
                minimum=float(row["minimum"]) if row["minimum"].strip() else None,
                maximum=row["maximum"].strip() or None,
            )
            for row in csv.DictReader(handle)
            if row["table"] == domain
        )


def key_columns(domain: str) -> tuple[ContractColumn, ...]:
    """The columns that identify one record of ``domain`` (a repeat within a file is refused)."""
    return tuple(column for column in contract(domain) if column.is_key)


def _yes(text: str) -> bool:
    return text.strip().lower() == "yes"
