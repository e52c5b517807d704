"""The one province/area normaliser. Every name it knows comes from two reference files:

* ``data/reference/areas.csv``: code, level, official name, short name, English, pinyin;
* ``data/reference/area_aliases.csv``: everything else seen in real files (OCR typos,
  other romanisations, English long forms, national-total labels).

A name is matched after removing all whitespace (so "辽　宁", "黑龙 江" and "上   海" match),
case-folding, and dropping an English administrative suffix ("Heilongjiang Province").
To teach it a new spelling, add a row to area_aliases.csv; there is no other place.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pipelines.paths import REFERENCE_DIR
from pipelines.readers.cells import UNKNOWN_AREA
from pipelines.readers.errors import SourceError
from pipelines.readers.text import compact_key, read_reference_csv

AREAS_FILE = REFERENCE_DIR / "areas.csv"
ALIASES_FILE = REFERENCE_DIR / "area_aliases.csv"

LEVELS = ("province", "region", "national")

# Administrative words that English and pinyin sources append to a name; they never tell two
# areas apart, so they are dropped before matching.
_ENGLISH_SUFFIX = re.compile(
    r"[\s_-]+(province|municipality|city|autonomous\s+region|special\s+administrative\s+region"
    r"|sheng|shi|zizhiqu)$",
    re.IGNORECASE,
)
# ASCII punctuation that varies between romanisations ("Shan'xi", "Nei-Mongol").
_ROMAN_PUNCTUATION = re.compile(r"['’`.\-_]")
_AREA_CODE = re.compile(r"^\d{6}(\.0+)?$")


@dataclass(frozen=True)
class Area:
    code: str  # GB/T 2260 code ('230000'), '000000' for national, 'CN-EAST' etc. for regions
    level: str  # province | region | national
    name_zh: str
    short_zh: str
    name_en: str
    pinyin: str
    region: str | None  # the region code a province belongs to
    nbs_order: int | None  # position in NBS tables (national = 0)


def area_key(name: str) -> str:
    """How a name is compared: whitespace-free, case-folded, without an English suffix."""
    text = unicodedata.normalize("NFKC", name).strip()
    text = _ENGLISH_SUFFIX.sub("", text)
    return _ROMAN_PUNCTUATION.sub("", compact_key(text))


def find_area(raw: object) -> Area | None:
    """The area a name or code stands for, or None. Cached: it is called once per cell."""
    try:
        return _find_area_cached(raw)
    except TypeError:  # unhashable cell values are never area names
        return None


def normalise_area(
    raw: object, *, file: str | None = None, row: int | None = None, column: str | None = None
) -> Area:
    """The area ``raw`` stands for; an unknown name raises SourceError naming where it was."""
    area = find_area(raw)
    if area is None:
        raise SourceError(
            "unknown province/area name (add it to data/reference/area_aliases.csv "
            "if it is a spelling of a known area)",
            file=file,
            row=row,
            column=column,
            value=raw,
            rule=UNKNOWN_AREA,
        )
    return area


def all_areas() -> tuple[Area, ...]:
    """Every area in areas.csv, in file order."""
    return _area_table()[0]


def area_by_code(code: str) -> Area:
    return _area_table()[1][code]


@lru_cache(maxsize=8192)
def _find_area_cached(raw: object) -> Area | None:
    code = _as_area_code(raw)
    if code is not None:
        return _area_table()[1].get(code)
    if not isinstance(raw, str) or not raw.strip():
        return None
    return _area_table()[2].get(area_key(raw))


def _as_area_code(raw: object) -> str | None:
    """'230000', 230000 and 230000.0 (how spreadsheets hand codes over) all mean 230000."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return f"{raw:06d}" if 0 <= raw <= 999999 else None
    if isinstance(raw, float):
        if math.isfinite(raw) and raw.is_integer():
            return _as_area_code(int(raw))
        return None
    if isinstance(raw, str) and _AREA_CODE.match(raw.strip()):
        return raw.strip().split(".")[0]
    return None


@lru_cache(maxsize=1)
def _area_table() -> tuple[tuple[Area, ...], dict[str, Area], dict[str, Area]]:
    """(areas in file order, areas by code, areas by name key), built once."""
    areas = tuple(_area_from_row(row) for row in read_reference_csv(AREAS_FILE))
    by_code = {area.code: area for area in areas}
    by_name: dict[str, Area] = {}
    for area in areas:
        for name in (area.code, area.name_zh, area.short_zh, area.name_en, area.pinyin):
            _index_name(by_name, name, area, AREAS_FILE.name)
    for alias in read_reference_csv(ALIASES_FILE):
        if alias["area_code"] not in by_code:
            raise ValueError(
                f"{ALIASES_FILE.name}: alias {alias['alias']!r} points to unknown area code "
                f"{alias['area_code']!r}"
            )
        _index_name(by_name, alias["alias"], by_code[alias["area_code"]], ALIASES_FILE.name)
    return areas, by_code, by_name


def _area_from_row(row: dict[str, str]) -> Area:
    if row["level"] not in LEVELS:
        raise ValueError(f"{AREAS_FILE.name}: area {row['area_code']}: bad level {row['level']!r}")
    return Area(
        code=row["area_code"],
        level=row["level"],
        name_zh=row["name_zh"],
        short_zh=row["short_zh"],
        name_en=row["name_en"],
        pinyin=row["pinyin"],
        region=row["region"] or None,
        nbs_order=int(row["nbs_order"]) if row["nbs_order"] else None,
    )


def _index_name(by_name: dict[str, Area], name: str, area: Area, origin: str) -> None:
    if not name:
        return
    key = area_key(name)
    known = by_name.get(key)
    # Two areas answering to one spelling would make every later match a guess.
    if known is not None and known.code != area.code:
        raise ValueError(
            f"{origin}: name {name!r} matches both {known.code} and {area.code}; "
            "reference data must name each area unambiguously"
        )
    by_name[key] = area
