"""Units of measure, from ``data/reference/units.csv`` (unit, dimension, factor, aliases).

A unit is recognised by its name or any alias, in any case, with or without ASCII or
full-width parentheses ("亿元", "(亿元)", "（万元）", "100m_yuan"). Converting between two
units is allowed only within one dimension (money to money, count to count); anything else
is the "mixed units" error, because a number in the wrong dimension cannot be rescued.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pipelines.paths import REFERENCE_DIR
from pipelines.readers.errors import SourceError
from pipelines.readers.text import compact_key, read_reference_csv

UNITS_FILE = REFERENCE_DIR / "units.csv"

_WRAPPING_PARENTHESES = re.compile(r"^\((.*)\)$")
# Only aliases written like identifiers can end a column id ("rd_expenditure_100m_yuan").
_IDENTIFIER_ALIAS = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Unit:
    name: str  # the canonical spelling, e.g. '亿元'
    dimension: str  # money | count | persons | person_years | percent
    factor: float  # size in the dimension's base unit (元, 件, 人, ...)


def parse_unit(text: str | None) -> Unit | None:
    """The unit ``text`` names, or None when it names none (empty text included)."""
    if text is None:
        return None
    inner = unicodedata.normalize("NFKC", str(text)).strip()
    while match := _WRAPPING_PARENTHESES.match(inner):
        inner = match.group(1).strip()
    if not inner:
        return None
    return _unit_index()[0].get(compact_key(inner))


def require_unit(
    text: str, *, file: str | None = None, row: int | None = None, column: str | None = None
) -> Unit:
    unit = parse_unit(text)
    if unit is None:
        raise SourceError(
            "unknown unit (add it to data/reference/units.csv)",
            file=file,
            row=row,
            column=column,
            value=text,
        )
    return unit


def unit_named(name: str) -> Unit:
    """A unit by its canonical name; for names taken from other reference files."""
    unit = parse_unit(name)
    if unit is None:
        raise ValueError(f"unit {name!r} is not in {UNITS_FILE.name}")
    return unit


def split_unit_suffix(identifier: str) -> tuple[str, Unit, str] | None:
    """('rd_expenditure', <亿元>, '100m_yuan') for 'rd_expenditure_100m_yuan'; None if no unit
    suffix. The longest matching alias wins, so '_100m_yuan' is not read as '_yuan'."""
    lowered = identifier.strip().casefold()
    for alias, unit in _unit_index()[1]:
        suffix = "_" + alias
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            return identifier.strip()[: -len(suffix)], unit, identifier.strip()[-len(alias) :]
    return None


def convert(value: float, from_unit: Unit, to_unit: Unit) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``; SourceError if dimensions differ."""
    if from_unit.dimension != to_unit.dimension:
        raise SourceError(
            f"mixed units: {from_unit.name} ({from_unit.dimension}) cannot be converted to "
            f"{to_unit.name} ({to_unit.dimension})"
        )
    if from_unit.factor == to_unit.factor:
        return value
    # One multiplication then one division keeps e.g. 12345 万元 -> 1.2345 亿元 exact to the
    # last bit; multiplying by a precomputed ratio (1e4/1e8) would not.
    return value * from_unit.factor / to_unit.factor


@lru_cache(maxsize=1)
def _unit_index() -> tuple[dict[str, Unit], list[tuple[str, Unit]]]:
    """(units by name/alias key, identifier-like aliases longest first)."""
    by_key: dict[str, Unit] = {}
    identifier_aliases: list[tuple[str, Unit]] = []
    for row in read_reference_csv(UNITS_FILE):
        unit = Unit(name=row["unit"], dimension=row["dimension"], factor=float(row["factor"]))
        spellings = [row["unit"], *(a.strip() for a in row["aliases"].split("|") if a.strip())]
        for spelling in spellings:
            key = compact_key(spelling)
            if key in by_key and by_key[key] != unit:
                raise ValueError(
                    f"{UNITS_FILE.name}: {spelling!r} names both {by_key[key].name} and {unit.name}"
                )
            by_key[key] = unit
            if _IDENTIFIER_ALIAS.match(spelling.casefold()):
                identifier_aliases.append((spelling.casefold(), unit))
    identifier_aliases.sort(key=lambda pair: len(pair[0]), reverse=True)
    return by_key, identifier_aliases
