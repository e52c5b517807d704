"""The input contract of the micro tables, read from ``data/reference/micro_columns.csv``.

That file is the one place that says which columns a patents, enterprises or procurement
extract must have, their types, units and allowed values. ``PROVINCE`` is a pseudo-type: any
spelling the province normaliser knows, stored as given plus a ``<column>_code`` (GB/T 2260).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from pipelines.paths import REFERENCE_DIR

MICRO_DOMAINS = ("patents", "enterprises", "procurement")


@dataclass(frozen=True)
class ContractColumn:
    name: str
    type: str  # VARCHAR | INTEGER | DOUBLE | DATE | BOOLEAN | PROVINCE
    unit: str
    required: bool
    allowed: tuple[str, ...]
    description: str

    @property
    def is_province(self) -> bool:
        return self.type == "PROVINCE"


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
                required=row["required"].strip().lower() == "yes",
                allowed=tuple(v for v in row["allowed"].split("|") if v),
                description=row["description"],
            )
            for row in csv.DictReader(handle)
            if row["table"] == domain
        )
