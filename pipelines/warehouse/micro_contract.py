"""The input contract of the micro tables, read from ``data/reference/micro_columns.csv``.

That file is the one place that says which columns the extract of a micro domain (kind
``micro`` in ``data/reference/domains.csv``) must have, their types, units, allowed values,
which columns form the record's key, and the smallest and largest value a column may hold.
``PROVINCE`` is a pseudo-type: any spelling the province normaliser knows, stored as given plus
a ``<column>_code`` (GB/T 2260).
``maximum`` may be ``current_year``: the column is an INTEGER year or a DATE, and must fall in
the warehouse's year window (``pipelines/years.py``: 1949 to the current year; after it is
``future``, before it ``out_of_window``). A ``minimum`` on such a column only matters when it
is later than the window's first year.

:func:`contract_rows` is the one reader of the file (:func:`contract` gives one domain's
columns): the loads, the validation suites, the column descriptions, the lateness checks, the
data dictionary and the demo generator all go through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from pipelines.domains import MICRO_DOMAINS
from pipelines.paths import REFERENCE_DIR
from pipelines.readers.text import read_reference_csv

CONTRACT_FILE = REFERENCE_DIR / "micro_columns.csv"
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

    @property
    def in_year_window(self) -> bool:
        """A year or date column checked against pipelines/years.py's window."""
        return self.maximum == CURRENT_YEAR


@cache
def contract_rows() -> tuple[tuple[str, ContractColumn], ...]:
    """(micro domain, column) for every row of the file, in the file's order."""
    rows = []
    for number, row in enumerate(read_reference_csv(CONTRACT_FILE), start=2):
        if row["table"] not in MICRO_DOMAINS:
            raise ValueError(
                f"{CONTRACT_FILE}, row {number}, column 'table', value {row['table']!r}: not a"
                f" micro domain of data/reference/domains.csv ({', '.join(MICRO_DOMAINS)})"
            )
        column = ContractColumn(
            name=row["column"],
            type=row["type"].upper(),
            unit=row["unit"],
            required=_yes(row["required"]),
            allowed=tuple(v for v in row["allowed"].split("|") if v),
            description=row["description"],
            is_key=_yes(row["key"]),
            minimum=float(row["minimum"]) if row["minimum"] else None,
            maximum=row["maximum"] or None,
        )
        rows.append((row["table"], column))
    return tuple(rows)


@cache
def contract(domain: str) -> tuple[ContractColumn, ...]:
    """The columns of ``domain``'s extracts, in the file's order."""
    if domain not in MICRO_DOMAINS:
        raise ValueError(f"unknown micro domain {domain!r}; expected one of {MICRO_DOMAINS}")
    return tuple(column for table, column in contract_rows() if table == domain)


def key_columns(domain: str) -> tuple[ContractColumn, ...]:
    """The columns that identify one record of ``domain`` (a repeat within a file is refused)."""
    return tuple(column for column in contract(domain) if column.is_key)


def _yes(text: str) -> bool:
    return text.strip().lower() == "yes"
