"""The output contract shared by every reader: one row per (area, year, metric) value, with
the lineage and release facts needed to trace it back and to keep vintages apart."""

from __future__ import annotations

import math
import re
from dataclasses import astuple, dataclass
from datetime import date

import pandas as pd

from pipelines.readers.areas import Area
from pipelines.readers.catalog import Metric
from pipelines.readers.cells import (
    MIXED_UNITS,
    NOT_FINITE,
    NOT_FINITE_REASON,
    not_a_number_rule,
)
from pipelines.readers.errors import CellLocation, SourceError
from pipelines.readers.file_metrics import FileFacts
from pipelines.readers.units import Unit, convert
from pipelines.years import year_problem

# Column name -> pandas dtype. release_date and citation stay object so a missing one is None.
OBSERVATION_DTYPES: dict[str, object] = {
    "source_row": "int64",
    "source_column": "str",
    "area_raw": "str",
    "area_code": "str",
    "area_level": "str",
    "year": "int64",
    "metric": "str",
    "value": "float64",
    "unit": "str",
    "value_raw": "str",
    "unit_raw": "str",
    "vintage": "str",
    "release_date": object,
    "citation": object,
    "is_synthetic": "bool",
    "source_sheet": object,  # the worksheet, for spreadsheets; None for text files
    "release_date_basis": object,  # where release_date comes from (RELEASE_DATE_BASES); or None
}
OBSERVATION_COLUMNS = tuple(OBSERVATION_DTYPES)

# NBS release pages carry their publication date in the path: .../t20241002_1956810.html
_NBS_RELEASE_DATE = re.compile(r"/t(?P<day>\d{8})_\d+")
_NBS_RELEASE_ID = re.compile(r"/(?P<id>t\d{8}_\d+)")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_GROUPED_NUMBER = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


@dataclass(frozen=True)
class Observation:
    source_row: int
    source_column: str
    area_raw: str
    area_code: str
    area_level: str
    year: int
    metric: str
    value: float
    unit: str
    value_raw: str
    unit_raw: str
    vintage: str
    release_date: date | None
    citation: str | None
    is_synthetic: bool
    source_sheet: str | None = None
    release_date_basis: str | None = None


# Where an observation's release date comes from. The staging vintage rule ranks them
# (sql/staging/area_year_history.sql): what the file states beats the mapping file as it is at
# ranking time, which beats a date the reader inferred (a yearbook edition's 31 December).
STATED = "stated"  # a release_date column, or the date in an NBS release URL
MAPPING = "mapping"  # data/reference/nbs_file_metrics.csv when the file was read
EDITION = "edition"  # a yearbook edition, taken as out by 31 December of its year
RELEASE_DATE_BASES = (STATED, MAPPING, EDITION)


def observations_frame(observations: list[Observation]) -> pd.DataFrame:
    """The observations as a frame with fixed columns and dtypes, even when there are none."""
    rows = [astuple(o) for o in observations]
    return pd.DataFrame(
        {
            name: pd.Series([row[i] for row in rows], dtype=dtype)
            for i, (name, dtype) in enumerate(OBSERVATION_DTYPES.items())
        }
    )


@dataclass(frozen=True)
class SourceFile:
    """The file being read and what the mapping file says about it."""

    name: str
    sha256: str
    facts: FileFacts | None
    sheet: str | None = None  # the worksheet read, for spreadsheets

    def at(self, row: int | None = None, column: str | None = None) -> CellLocation:
        return CellLocation(self.name, row, column)

    def citation(self, stated: str | None) -> str | None:
        return stated or (self.facts.citation if self.facts else None)

    def release_date(self, stated: date | None, citation: str | None) -> date | None:
        return self.release(stated, citation)[0]

    def release(
        self, stated: date | None, citation: str | None, stated_basis: str = STATED
    ) -> tuple[date | None, str | None]:
        """The release date and where it comes from (one of RELEASE_DATE_BASES, or None)."""
        if stated is not None:
            return stated, stated_basis
        if self.facts and self.facts.release_date:
            return self.facts.release_date, MAPPING
        from_citation = release_date_from_citation(citation)
        return (from_citation, STATED) if from_citation else (None, None)

    def vintage(self, stated: str | None, citation: str | None) -> str:
        """File column, else mapping file, else the NBS release it cites, else the content."""
        if stated:
            return stated
        if self.facts and self.facts.vintage:
            return self.facts.vintage
        return vintage_from_citation(citation) or default_vintage(self.name, self.sha256)


def default_vintage(file_name: str, sha256: str) -> str:
    """Stable for the same content under the same name; changes when either changes."""
    return f"{file_name} sha256:{sha256[:12]}"


def release_date_from_citation(citation: str | None) -> date | None:
    match = _NBS_RELEASE_DATE.search(citation or "")
    if match is None:
        return None
    day = match["day"]
    try:
        return date(int(day[:4]), int(day[4:6]), int(day[6:]))
    except ValueError:
        return None


def vintage_from_citation(citation: str | None) -> str | None:
    """'NBS release 2024-10-02 (t20241002_1956810)' for an NBS release URL, else None."""
    release_id = _NBS_RELEASE_ID.search(citation or "")
    released = release_date_from_citation(citation)
    if release_id is None or released is None:
        return None
    return f"NBS release {released.isoformat()} ({release_id['id']})"


def cell_as_text(cell: str | float | None) -> str:
    """A cell as a person reads it: spreadsheet 27018.0 shows as '27018'."""
    if cell is None:
        return ""
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    return str(cell)


def parse_number(cell: str | float, where: CellLocation) -> float:
    """A finite number from a cell; thousands separators only in the strict 1,234,567 form.
    ``inf``, ``nan`` and a number past a double's range (``1e400``) are ``not_finite``."""
    if isinstance(cell, float):
        value = cell
    else:
        text = cell.strip()
        if _GROUPED_NUMBER.match(text):
            text = text.replace(",", "")
        if not _PLAIN_NUMBER.match(text):
            rule, reason = not_a_number_rule(text)
            raise where.error(reason, cell, rule)
        value = float(text)
    if not math.isfinite(value):
        raise where.error(NOT_FINITE_REASON, cell_as_text(cell), NOT_FINITE)
    return value


def check_year(year: int, where: CellLocation, value: object = None) -> int:
    """Refuse values for years outside the warehouse's window (pipelines/years.py): after
    the current year (a shifted column, a typo) or before 1949."""
    problem = year_problem(year)
    if problem is not None:
        rule, reason = problem
        raise where.error(reason, value if value is not None else year, rule)
    return year


def observation(
    source: SourceFile,
    *,
    row: int,
    column: str,
    area_raw: str,
    area: Area,
    year: int,
    metric: Metric,
    cell: str | float,
    unit: Unit,
    unit_raw: str,
    stated_vintage: str | None = None,
    stated_release_date: date | None = None,
    stated_release_basis: str = STATED,
    stated_citation: str | None = None,
    is_synthetic: bool = False,
) -> Observation:
    """One observation from one cell: the number parsed and converted to the metric's unit."""
    where = source.at(row, column)
    check_year(year, where, cell_as_text(cell))
    number = parse_number(cell, where)
    try:
        value = convert(number, unit, metric.unit)
    except SourceError as exc:
        raise where.error(exc.reason, unit_raw or unit.name, MIXED_UNITS) from None
    citation = source.citation(stated_citation)
    release_date, release_date_basis = source.release(
        stated_release_date, citation, stated_release_basis
    )
    return Observation(
        source_row=row,
        source_column=column,
        area_raw=area_raw,
        area_code=area.code,
        area_level=area.level,
        year=year,
        metric=metric.id,
        value=value,
        unit=metric.unit.name,
        value_raw=cell_as_text(cell),
        unit_raw=unit_raw,
        vintage=source.vintage(stated_vintage, citation),
        release_date=release_date,
        citation=citation,
        is_synthetic=is_synthetic,
        source_sheet=source.sheet,
        release_date_basis=release_date_basis,
    )
