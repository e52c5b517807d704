"""Tidy province tables (CSV in UTF-8/GBK, XLSX, XLS), in two shapes.

WIDE: one row per area (and year), one column per metric, like the R&D communiqué tables::

    province_zh,province_en,year,rd_expenditure_100m_yuan,rd_intensity_pct,source_url
    全国,National,2023,33357.1,2.65,https://www.stats.gov.cn/sj/zxfb/202410/t20241002_1956810.html

  A metric column's header is a metric id (``gdp``), an id with a unit suffix
  (``rd_expenditure_100m_yuan``) or an indicator name with its unit (``R&D经费(亿元)``).
  Without a year column, the one 4-digit year in the file name is used.
  A metric column may hold another release of its figure, by a suffix of VINTAGE_SUFFIXES:
  ``rd_intensity_pct_revised`` (the file's own release) beside
  ``rd_intensity_pct_as_first_published`` (an earlier one, dated by the columns
  ``release_date_as_first_published`` / ``source_as_first_published``, labelled by
  ``vintage_as_first_published``); each column's values are observations of their own vintage.

LONG: one row per value, columns province, year, metric, value and optionally unit,
vintage, release_date, source (or source_url/citation), is_synthetic. Two releases of one
figure are two rows with different vintages.

Columns the reader does not understand (e.g. ``province_en``) are ignored and listed in the
notes; 全国 and region rows are kept, marked by their area level. A header the reader cannot
use refuses the file; a bad row or cell goes to ``BadCells`` (raised, or rejected).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date

from pipelines.readers.areas import Area, normalise_area
from pipelines.readers.catalog import MetricMatch, resolve_metric_label
from pipelines.readers.cells import (
    INVALID_VALUE,
    MIXED_UNITS,
    REQUIRED_MISSING,
    UNKNOWN_METRIC,
    UNKNOWN_UNIT,
)
from pipelines.readers.errors import CellLocation, SourceError
from pipelines.readers.grids import Cell, Grid, GridRow
from pipelines.readers.observations import (
    Observation,
    SourceFile,
    cell_as_text,
    check_year,
    observation,
    release_date_from_citation,
    vintage_from_citation,
)
from pipelines.readers.rejections import BadCells
from pipelines.readers.text import compact_key
from pipelines.readers.units import Unit, parse_unit

# Header spellings per role, most specific first: when a file has two columns of one role,
# the first listed is used and the other is ignored (and noted).
ROLE_HEADERS: dict[str, tuple[str, ...]] = {
    "area": (
        "province",
        "province_zh",
        "province_name",
        "地区",
        "省份",
        "省区市",
        "省",
        "area",
        "area_zh",
        "area_name",
        "province_code",
        "area_code",
    ),
    "year": ("year", "年份", "年度", "年"),
    "metric": ("metric", "indicator", "指标"),
    "value": ("value", "数值", "值"),
    "unit": ("unit", "单位"),
    "vintage": ("vintage",),
    "release_date": ("release_date", "发布日期"),
    "citation": ("source", "citation", "source_url"),
    "is_synthetic": ("is_synthetic",),
    # The release facts of the figures in `*_as_first_published` columns (VINTAGE_SUFFIXES).
    "first_published_vintage": ("vintage_as_first_published",),
    "first_published_release_date": ("release_date_as_first_published",),
    "first_published_citation": (
        "source_as_first_published",
        "citation_as_first_published",
        "source_url_as_first_published",
    ),
}
FIRST_PUBLISHED_FACT_ROLES = (
    "first_published_vintage",
    "first_published_release_date",
    "first_published_citation",
)

# Which release of a figure a wide metric column holds. An unsuffixed column holds the file's
# own release; so does a `_revised` one, which only makes the pairing explicit. Their vintage,
# release date and citation are the file's (vintage/release_date/source columns, else the
# mapping file, else the release the source URL names). An `_as_first_published` column holds
# an earlier release and is dated only by the FIRST_PUBLISHED_FACT_ROLES columns: the file's
# own facts describe the revision, so borrowing them would file the old figure as the new one.
OWN_RELEASE = "own release"
FIRST_PUBLISHED = "first published"
VINTAGE_SUFFIXES: dict[str, str] = {
    "_revised": OWN_RELEASE,
    "_as_first_published": FIRST_PUBLISHED,
}
_TRUE = {"true", "t", "yes", "y", "1", "1.0"}
_FALSE = {"false", "f", "no", "n", "0", "0.0", ""}
_YEAR_IN_NAME = re.compile(r"(?<!\d)(19\d{2}|20\d{2})(?!\d)")
_YEAR_CELL = re.compile(r"^(?P<year>\d{4})(\.0+)?\s*年?$")


@dataclass(frozen=True)
class MetricColumn:
    index: int
    label: str
    match: MetricMatch
    unit: Unit
    unit_raw: str
    vintage_role: str = OWN_RELEASE  # a value of VINTAGE_SUFFIXES


@dataclass
class TidyHeader:
    row: GridRow
    labels: list[str]
    roles: dict[str, int]  # role -> column index
    claimed: set[int]  # columns whose header names a role (used or a duplicate)
    metric_columns: list[MetricColumn] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)

    @property
    def is_long(self) -> bool:
        return "metric" in self.roles and "value" in self.roles

    def first_published_fact_labels(self) -> list[str]:
        return [self.labels[self.roles[r]] for r in FIRST_PUBLISHED_FACT_ROLES if r in self.roles]


@dataclass(frozen=True)
class RowFacts:
    """What a row says about itself beyond area, year and values."""

    vintage: str | None
    release_date: date | None
    citation: str | None
    is_synthetic: bool


def read_tidy_table(
    grid: Grid, source: SourceFile, bad_cells: BadCells | None = None
) -> tuple[str, list[Observation], list[str]]:
    """(reader name, observations, notes) for a wide or long tidy table."""
    bad_cells = bad_cells if bad_cells is not None else BadCells()
    header = _read_header(grid, source)
    body = [row for row in grid.rows if row.number > header.row.number and not row.is_blank()]
    notes: list[str] = []
    if header.is_long:
        observations = _long_observations(body, header, source, notes, bad_cells)
    else:
        _find_metric_columns(header, source, notes)
        year_from_name = None if "year" in header.roles else _year_from_file_name(source, notes)
        observations = [
            obs
            for row in body
            for obs in _wide_row_observations(row, header, year_from_name, source, bad_cells)
        ]
    if header.ignored:
        notes.append(f"ignored column(s) the reader does not use: {', '.join(header.ignored)}")
    shape = "tidy_long" if header.is_long else "tidy"
    return f"{shape}_{grid.container}", observations, notes


def _read_header(grid: Grid, source: SourceFile) -> TidyHeader:
    row = next((r for r in grid.rows if not r.is_blank()), None)
    if row is None:
        raise SourceError("empty file: no header row", file=source.name)
    labels = [row.text(i) for i in range(len(row.cells))]
    keys = [compact_key(label) for label in labels]
    _refuse_repeated_columns(labels, keys, row, source)
    roles: dict[str, int] = {}
    claimed: set[int] = set()  # columns whose header names a role, used or not
    for role, spellings in ROLE_HEADERS.items():
        for index in (keys.index(compact_key(s)) for s in spellings if compact_key(s) in keys):
            roles.setdefault(role, index)
            claimed.add(index)
    if "area" not in roles:
        raise source.at(row.number).error(
            "no province column (expected one of: " + ", ".join(ROLE_HEADERS["area"]) + ")"
        )
    if "metric" in roles and "value" in roles and "year" not in roles:
        raise source.at(row.number).error(
            "a long table (metric and value columns) needs a year column (one of: "
            + ", ".join(ROLE_HEADERS["year"])
            + "); saw "
            + ", ".join(repr(label) for label in labels if label)
        )
    header = TidyHeader(row, labels, roles, claimed)
    # A second column of a filled role (province_code beside province) is not read: say so.
    header.ignored = [labels[i] for i in sorted(claimed - set(roles.values())) if labels[i]]
    if header.is_long:
        header.ignored += [label for i, label in enumerate(labels) if label and i not in claimed]
        # A long file says each row's vintage in its vintage column; these are for wide files.
        header.ignored += header.first_published_fact_labels()
    return header


def _refuse_repeated_columns(
    labels: list[str], keys: list[str], row: GridRow, source: SourceFile
) -> None:
    """A column name twice (compared as labels are everywhere: ignoring case, width and
    spaces, so ``value`` and ``Value`` are one name) refuses the file: which of the two holds
    the figures cannot be told."""
    first_of: dict[str, int] = {}
    for index, key in enumerate(keys):
        if not key:
            continue
        first = first_of.setdefault(key, index)
        if first != index:
            raise source.at(row.number, labels[index]).error(
                f"column name appears twice in the header (as {labels[first]!r} and "
                f"{labels[index]!r}; names are compared ignoring case and spaces): keep one",
                labels[index],
            )


def _find_metric_columns(header: TidyHeader, source: SourceFile, notes: list[str]) -> None:
    for index, label in enumerate(header.labels):
        if index in header.claimed or not label:
            continue
        metric_label, vintage_role = split_vintage_suffix(label)
        match = _resolve(metric_label, source, header.row.number, label)
        if match is None:
            header.ignored.append(label)
            continue
        same_figure = next(
            (
                column
                for column in header.metric_columns
                if column.match.metric.id == match.metric.id and column.vintage_role == vintage_role
            ),
            None,
        )
        if same_figure is not None:
            raise source.at(header.row.number, label).error(
                f"a second column for metric {match.metric.id} ({vintage_role}), "
                f"after {same_figure.label!r}: keep one, or mark an earlier release's column "
                "with the suffix _as_first_published",
                label,
            )
        unit, unit_raw = _column_unit(match, source, header.row.number, label, notes)
        header.metric_columns.append(
            MetricColumn(index, label, match, unit, unit_raw, vintage_role)
        )
    if not header.metric_columns:
        raise source.at(header.row.number).error(
            "no metric columns: headers must be metric ids ('gdp'), ids with a unit suffix "
            "('rd_expenditure_100m_yuan') or indicator names with a unit ('R&D经费(亿元)'); "
            "saw " + ", ".join(repr(label) for label in header.labels if label)
        )
    _check_first_published_can_be_dated(header, source)


def split_vintage_suffix(label: str) -> tuple[str, str]:
    """(metric label, vintage role): ('rd_intensity_pct', FIRST_PUBLISHED) for
    'rd_intensity_pct_as_first_published'; an unsuffixed label holds the file's own release."""
    stripped = label.strip()
    for suffix, vintage_role in VINTAGE_SUFFIXES.items():
        if stripped.casefold().endswith(suffix) and len(stripped) > len(suffix):
            return stripped[: -len(suffix)], vintage_role
    return stripped, OWN_RELEASE


def _check_first_published_can_be_dated(header: TidyHeader, source: SourceFile) -> None:
    first_published = [c for c in header.metric_columns if c.vintage_role == FIRST_PUBLISHED]
    if not first_published:
        header.ignored += header.first_published_fact_labels()
        return
    if not {"first_published_release_date", "first_published_citation"} & header.roles.keys():
        # Staging picks the current figure by release date; an undated first publication
        # would be ranked like the revision, or above it, so it is refused, not guessed.
        raise source.at(header.row.number, first_published[0].label).error(
            "the figures as first published have no release date of their own (the file's "
            "release date is the revised figures'): add a column release_date_as_first_published "
            "with the date of that earlier release (YYYY-MM-DD), or source_as_first_published "
            "with its NBS release URL (…/t20241002_1956810.html)",
            first_published[0].label,
            REQUIRED_MISSING,
        )


def _column_unit(
    match: MetricMatch, source: SourceFile, row: int, column: str, notes: list[str]
) -> tuple[Unit, str]:
    if match.unit is None:
        notes.append(
            f"column {column!r} states no unit; assumed the catalog unit {match.metric.unit.name}"
        )
        return match.metric.unit, ""
    _check_dimension(match, match.unit, match.unit_raw, source.at(row, column))
    return match.unit, match.unit_raw


def _check_dimension(match: MetricMatch, unit: Unit, unit_raw: str, where: CellLocation) -> None:
    expected = match.metric.unit
    if unit.dimension != expected.dimension:
        raise where.error(
            f"mixed units: {match.metric.id} is measured in {expected.name} "
            f"({expected.dimension}), not {unit.name} ({unit.dimension})",
            unit_raw or unit.name,
            MIXED_UNITS,
        )


def _resolve(label: str, source: SourceFile, row: int, column: str) -> MetricMatch | None:
    try:
        return resolve_metric_label(label)
    except SourceError as exc:
        raise exc.located(file=source.name, row=row, column=column) from None


def _year_from_file_name(source: SourceFile, notes: list[str]) -> int:
    years = sorted(set(_YEAR_IN_NAME.findall(source.name)))
    if len(years) != 1:
        found = f"it has {', '.join(years)}" if years else "it has none"
        raise SourceError(
            f"no year column, and the file name does not hold exactly one year ({found})",
            file=source.name,
        )
    notes.append(f"year {years[0]} taken from the file name")
    return int(years[0])


def _wide_row_observations(
    row: GridRow,
    header: TidyHeader,
    year_from_name: int | None,
    source: SourceFile,
    bad_cells: BadCells,
) -> list[Observation]:
    """The row's observations; a bad area, year or row fact rejects the row, bad release facts
    of the first-published figures only those figures, a bad value only its cell."""
    try:
        area_raw, area = _row_area(row, header, source)
        year = year_from_name if year_from_name is not None else _row_year(row, header, source)
        own_facts = _row_facts(row, header, source)
    except SourceError as error:
        values = sum(_cell(row, column.index) is not None for column in header.metric_columns)
        bad_cells.reject(error, row, header.labels, values)
        return []
    facts_by_role = {OWN_RELEASE: own_facts}
    first_published_values = sum(
        _cell(row, column.index) is not None
        for column in header.metric_columns
        if column.vintage_role == FIRST_PUBLISHED
    )
    if first_published_values:
        try:
            facts_by_role[FIRST_PUBLISHED] = _first_published_facts(row, header, source, own_facts)
        except SourceError as error:
            bad_cells.reject(error, row, header.labels, first_published_values)
    observations = []
    for column in header.metric_columns:
        cell = _cell(row, column.index)
        facts = facts_by_role.get(column.vintage_role)
        if cell is None or facts is None:
            continue  # an empty cell is a missing value, never a zero; no facts: rejected
        try:
            observations.append(
                _wide_cell_observation(source, row, column, cell, area_raw, area, year, facts)
            )
        except SourceError as error:
            bad_cells.reject(error, row, header.labels, values_withheld=1)
    return observations


def _first_published_facts(
    row: GridRow, header: TidyHeader, source: SourceFile, own_facts: RowFacts
) -> RowFacts:
    """The release facts of the row's `_as_first_published` figures, from their own columns:
    a dated release, with a vintage other than the file's own and an earlier release date."""
    date_text = _role_text(row, header, "first_published_release_date")
    citation = _role_text(row, header, "first_published_citation") or None
    date_role = (
        "first_published_release_date"
        if "first_published_release_date" in header.roles
        else "first_published_citation"
    )
    where = _role_location(row, header, source, date_role)
    if date_text:
        released = _parse_date(date_text, where)
    else:
        released = release_date_from_citation(citation)
    if released is None:
        raise where.error(
            "no release date for the figures as first published on this row: fill "
            "release_date_as_first_published (YYYY-MM-DD), or give source_as_first_published "
            "the NBS release URL, whose path holds the date (…/t20241002_1956810.html)",
            date_text or citation or "",
            REQUIRED_MISSING,
        )
    stated_vintage = _role_text(row, header, "first_published_vintage")
    vintage = (
        stated_vintage
        or vintage_from_citation(citation)
        or f"as first published {released.isoformat()}"
    )
    own_citation = source.citation(own_facts.citation)
    own_vintage = source.vintage(own_facts.vintage, own_citation)
    if vintage == own_vintage:
        # One key (area, year, metric, vintage) cannot hold two figures.
        vintage_role = "first_published_vintage" if stated_vintage else "first_published_citation"
        raise _role_location(row, header, source, vintage_role).error(
            f"the figures as first published would have the file's own vintage {vintage!r}, so "
            "the two releases could not be told apart: give vintage_as_first_published "
            "(or source_as_first_published) the earlier release",
            vintage,
            INVALID_VALUE,
        )
    own_released = source.release_date(own_facts.release_date, own_citation)
    if own_released is not None and released >= own_released:
        raise where.error(
            f"the figures as first published are dated {released.isoformat()}, not before the "
            f"file's own release of {own_released.isoformat()}: the latest release would "
            "become the current figure, so correct the date of the earlier release",
            date_text or citation,
            INVALID_VALUE,
        )
    return RowFacts(vintage, released, citation, own_facts.is_synthetic)


def _wide_cell_observation(
    source: SourceFile,
    row: GridRow,
    column: MetricColumn,
    cell: Cell,
    area_raw: str,
    area: Area,
    year: int,
    facts: RowFacts,
) -> Observation:
    if column.vintage_role != OWN_RELEASE:
        # The mapping file's vintage, release date and citation are the file's own release's;
        # an earlier release has all three in `facts`, and none may be filled from the file's.
        source = replace(source, facts=None)
    return observation(
        source,
        row=row.number,
        column=column.label,
        area_raw=area_raw,
        area=area,
        year=year,
        metric=column.match.metric,
        cell=cell,
        unit=column.unit,
        unit_raw=column.unit_raw,
        stated_vintage=facts.vintage,
        stated_release_date=facts.release_date,
        stated_citation=facts.citation,
        is_synthetic=facts.is_synthetic,
    )


def _long_observations(
    body: list[GridRow],
    header: TidyHeader,
    source: SourceFile,
    notes: list[str],
    bad_cells: BadCells,
) -> list[Observation]:
    """One observation per row with a value; any problem on a row rejects that row."""
    observations = []
    assumed_units: set[str] = set()
    for row in body:
        cell = _cell(row, header.roles["value"])
        if cell is None:
            continue
        try:
            observations.append(_long_row_observation(row, cell, header, source, assumed_units))
        except SourceError as error:
            bad_cells.reject(error, row, header.labels, values_withheld=1)
    notes.extend(
        f"no unit stated for {metric}; assumed the catalog unit" for metric in sorted(assumed_units)
    )
    return observations


def _long_row_observation(
    row: GridRow, cell: Cell, header: TidyHeader, source: SourceFile, assumed_units: set[str]
) -> Observation:
    area_raw, area = _row_area(row, header, source)
    match, unit, unit_raw = _long_row_metric(row, header, source, assumed_units)
    facts = _row_facts(row, header, source)
    return observation(
        source,
        row=row.number,
        column=header.labels[header.roles["value"]],
        area_raw=area_raw,
        area=area,
        year=_row_year(row, header, source),
        metric=match.metric,
        cell=cell,
        unit=unit,
        unit_raw=unit_raw,
        stated_vintage=facts.vintage,
        stated_release_date=facts.release_date,
        stated_citation=facts.citation,
        is_synthetic=facts.is_synthetic,
    )


def _long_row_metric(
    row: GridRow, header: TidyHeader, source: SourceFile, assumed_units: set[str]
) -> tuple[MetricMatch, Unit, str]:
    """The row's metric and the unit its value is in (unit column, else the metric label)."""
    metric_column = header.labels[header.roles["metric"]]
    label = row.text(header.roles["metric"])
    match = _resolve(label, source, row.number, metric_column) if label else None
    if match is None:
        raise source.at(row.number, metric_column).error(
            "unknown metric (see data/reference/metrics.csv)", label, UNKNOWN_METRIC
        )
    unit_text = row.text(header.roles["unit"]) if "unit" in header.roles else ""
    unit_column = header.labels[header.roles["unit"]] if "unit" in header.roles else None
    where = source.at(row.number, unit_column)
    stated = parse_unit(unit_text) if unit_text else None
    if unit_text and stated is None:
        raise where.error(
            "unknown unit (add it to data/reference/units.csv)", unit_text, UNKNOWN_UNIT
        )
    if stated and match.unit and stated != match.unit:
        raise where.error(
            f"unit column says {stated.name} but metric label {label!r} says {match.unit.name}",
            unit_text,
            INVALID_VALUE,
        )
    unit, unit_raw = (stated, unit_text) if stated else (match.unit, match.unit_raw)
    if unit is None:
        assumed_units.add(match.metric.id)
        return match, match.metric.unit, ""
    _check_dimension(match, unit, unit_raw, where)
    return match, unit, unit_raw


def _row_area(row: GridRow, header: TidyHeader, source: SourceFile) -> tuple[str, Area]:
    index = header.roles["area"]
    column = header.labels[index]
    cell = row.cells[index] if index < len(row.cells) else None
    area_raw = cell_as_text(cell).strip(" \t\r\n")
    if not area_raw:
        raise source.at(row.number, column).error("row has no province/area", "", REQUIRED_MISSING)
    return area_raw, normalise_area(
        cell if isinstance(cell, float) else area_raw,
        file=source.name,
        row=row.number,
        column=column,
    )


def _row_year(row: GridRow, header: TidyHeader, source: SourceFile) -> int:
    index = header.roles["year"]
    text = cell_as_text(_cell(row, index))
    where = source.at(row.number, header.labels[index])
    match = _YEAR_CELL.match(text.strip())
    if match is None:
        raise where.error("not a year", text, INVALID_VALUE)
    return check_year(int(match["year"]), where, text)


def _row_facts(row: GridRow, header: TidyHeader, source: SourceFile) -> RowFacts:
    """The row's own release facts (those of its unsuffixed and `_revised` figures)."""
    release_date = _role_text(row, header, "release_date")
    return RowFacts(
        vintage=_role_text(row, header, "vintage") or None,
        release_date=_parse_date(release_date, _role_location(row, header, source, "release_date"))
        if release_date
        else None,
        citation=_role_text(row, header, "citation") or None,
        is_synthetic=_parse_flag(
            _role_text(row, header, "is_synthetic"),
            _role_location(row, header, source, "is_synthetic"),
        )
        if "is_synthetic" in header.roles
        else False,
    )


def _role_text(row: GridRow, header: TidyHeader, role: str) -> str:
    return cell_as_text(_cell(row, header.roles[role])).strip() if role in header.roles else ""


def _role_location(row: GridRow, header: TidyHeader, source: SourceFile, role: str) -> CellLocation:
    column = header.labels[header.roles[role]] if role in header.roles else None
    return source.at(row.number, column)


def _parse_date(text: str, where: CellLocation) -> date:
    """The date, held to the year window (pipelines/years.py) as every year of the file is."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise where.error("not a date (expected YYYY-MM-DD)", text, INVALID_VALUE) from None
    check_year(day.year, where, text)
    return day


def _parse_flag(text: str, where: CellLocation) -> bool:
    if text.casefold() in _TRUE:
        return True
    if text.casefold() in _FALSE:
        return False
    raise where.error("not a true/false flag", text, INVALID_VALUE)


def _cell(row: GridRow, index: int) -> Cell:
    """The cell, or None when it is missing or holds only whitespace."""
    if index >= len(row.cells):
        return None
    cell = row.cells[index]
    if isinstance(cell, float):
        return cell
    text = row.text(index)
    return text or None
