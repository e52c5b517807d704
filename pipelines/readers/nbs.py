"""NBS data.stats.gov.cn "分省年度数据" exports, all three variants of
``realdata/nbs_format/FORMAT.md`` (classic GBK CSV, classic XLS, UTF-8-BOM tab-comma CSV).

The layout is the same in all of them once loaded as a grid:
label lines (``数据库：…``, ``指标：…``, ``时间：…``), a header ``地区, 2024年, 2023年, …``
(newest first), one row per area, then footnotes (``注：…``, continuation lines, ``数据来源：…``).

Which indicator the numbers are comes, in this order, from the ``指标`` line, the mapping file
``data/reference/nbs_file_metrics.csv``, or the file name; a file that says none is refused.
A ``指标`` line naming an indicator no metric knows, with a unit units.csv knows, loads as an
*uncatalogued* metric (``catalog.uncatalogued_metric``): its figures are queryable at once, kept
out of the indicators, and the notes give the metrics.csv line that catalogues them.
A bad cell or an area nobody knows goes to ``BadCells`` (raised, or rejected and the rest read).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.readers.areas import Area, normalise_area
from pipelines.readers.catalog import (
    CATALOGUE_HINT,
    Metric,
    MetricMatch,
    metrics_csv_line,
    resolve_metric_label,
    split_parenthesised_unit,
    uncatalogued_metric,
)
from pipelines.readers.cells import NO_YEAR_HEADER, REQUIRED_MISSING, UNKNOWN_UNIT
from pipelines.readers.errors import SourceError
from pipelines.readers.grids import Grid, GridRow
from pipelines.readers.observations import Observation, SourceFile, observation
from pipelines.readers.rejections import BadCells
from pipelines.readers.units import Unit, parse_unit

NBS_DATABASE = "分省年度数据"
AREA_HEADER = "地区"
INDICATOR_HEADER = "指标"  # the header of the one-region variant, where rows are indicators

_LABEL = re.compile(r"^(?P<key>数据库|指标|时间)\s*[：:]\s*(?P<value>.*)$", re.DOTALL)
_NOTE_START = re.compile(r"^(注|数据来源|资料来源|说明)")
_YEAR_HEADER = re.compile(r"^(?P<year>\d{4})\s*年?$")


@dataclass(frozen=True)
class YearColumn:
    index: int
    year: int
    label: str  # as in the header, e.g. '2024年'


@dataclass
class NbsLayout:
    labels: dict[str, tuple[int, str]]  # '指标' -> (row number, '地区生产总值(亿元)')
    header: GridRow
    years: list[YearColumn]
    data_rows: list[GridRow]
    notes: list[str]

    @property
    def labels_of_columns(self) -> list[str]:
        return [self.header.text(i) for i in range(len(self.header.cells))]


@dataclass(frozen=True)
class Indicator:
    metric: Metric
    unit: Unit
    unit_raw: str
    notes: list[str] = field(default_factory=list)


def is_nbs_export(grid: Grid) -> bool:
    first = next((row for row in grid.rows if not row.is_blank()), None)
    return first is not None and first.text(0).startswith("数据库")


def nbs_reader_name(grid: Grid) -> str:
    if grid.container != "csv":
        return f"nbs_{grid.container}"
    if grid.tab_comma:
        return "nbs_csv_tabcomma"
    return "nbs_csv_gbk" if grid.encoding == "gb18030" else "nbs_csv_utf8"


def read_nbs_export(
    grid: Grid, source: SourceFile, bad_cells: BadCells | None = None
) -> tuple[list[Observation], list[str]]:
    bad_cells = bad_cells if bad_cells is not None else BadCells()
    layout = _split_layout(grid, source)
    indicator = _indicator(layout, source)
    observations = [
        obs
        for row in layout.data_rows
        for obs in _row_observations(row, layout, indicator, source, bad_cells)
    ]
    notes = layout.notes + indicator.notes + _empty_year_notes(layout)
    return observations, notes


def _split_layout(grid: Grid, source: SourceFile) -> NbsLayout:
    rows = iter(grid.rows)
    labels: dict[str, tuple[int, str]] = {}
    for row in rows:
        if row.is_blank():
            continue
        first = row.text(0)
        if first in (AREA_HEADER, INDICATOR_HEADER):
            _check_supported(labels, row, source)
            data_rows, notes = _body(rows)
            return NbsLayout(labels, row, _year_columns(row, source), data_rows, notes)
        label = _LABEL.match(first)
        if label is None:
            raise source.at(row.number).error(
                f"unexpected line before the '{AREA_HEADER}' header of an NBS export", first
            )
        labels[label["key"]] = (row.number, label["value"].strip())
    raise SourceError(f"NBS export without a '{AREA_HEADER}' header row", file=source.name)


def _check_supported(
    labels: dict[str, tuple[int, str]], header: GridRow, source: SourceFile
) -> None:
    database_row, database = labels.get("数据库", (None, ""))
    if database != NBS_DATABASE:
        raise source.at(database_row, "数据库").error(
            f"only NBS '{NBS_DATABASE}' exports are supported", database
        )
    if header.text(0) == INDICATOR_HEADER:
        raise source.at(header.number, INDICATOR_HEADER).error(
            "one-region NBS export (indicators on rows) is not supported: the file does not say "
            "which region it covers; export again with 地区 on rows and one indicator",
            INDICATOR_HEADER,
        )


def _body(rows: Iterator[GridRow]) -> tuple[list[GridRow], list[str]]:
    """Data rows up to the first footnote, then the footnotes. A footnote line that does not
    start with 注/数据来源 continues the previous one (XLS indents these with U+3000)."""
    data_rows: list[GridRow] = []
    notes: list[str] = []
    for row in rows:
        if row.is_blank():
            continue
        text = _note_text(row)
        if _NOTE_START.match(row.text(0)):
            notes.append(text)
        elif notes:
            notes[-1] = f"{notes[-1]}\n{text}"
        else:
            data_rows.append(row)
    return data_rows, notes


def _note_text(row: GridRow) -> str:
    """A footnote row as one string; a quoted CSV footnote may hold commas and CRLF breaks."""
    text = ",".join(row.text(i) for i in range(len(row.cells)) if row.text(i))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _year_columns(header: GridRow, source: SourceFile) -> list[YearColumn]:
    columns: list[YearColumn] = []
    for index in range(1, len(header.cells)):
        label = header.text(index)
        if not label:
            continue
        match = _YEAR_HEADER.match(label)
        if match is None:
            raise source.at(header.number, label).error(
                "not a year column (expected e.g. 2024年)", label
            )
        year = int(match["year"])
        if any(column.year == year for column in columns):
            raise source.at(header.number, label).error(f"year {year} appears twice", label)
        columns.append(YearColumn(index, year, label))
    if not columns:
        raise source.at(header.number).error("header has no year columns")
    return columns


def _indicator(layout: NbsLayout, source: SourceFile) -> Indicator:
    stated_row, stated = layout.labels.get("指标", (None, ""))
    if stated:
        match = _resolve(stated, source, stated_row, "指标")
        if match is None:
            return _uncatalogued(stated, source, stated_row)
        how = f"the 指标 line ({stated})"
    elif source.facts and source.facts.metric:
        match = MetricMatch(source.facts.metric, source.facts.unit, source.facts.unit_raw)
        how = f"data/reference/nbs_file_metrics.csv (pattern {source.facts.pattern})"
    else:
        match = _resolve(Path(source.name).stem, source, None, None)
        if match is None:
            raise SourceError(
                "cannot tell which indicator this NBS export holds: it has no 指标 line, no "
                "pattern in data/reference/nbs_file_metrics.csv matches its name, and its name "
                "is not a metric id or indicator name",
                file=source.name,
            )
        how = "the file name"
    _check_agrees_with_mapping(match, source)
    if match.unit is None and source.facts and source.facts.unit:
        match = MetricMatch(match.metric, source.facts.unit, source.facts.unit_raw)
    return _with_unit(match, how, source, stated_row)


def _uncatalogued(stated: str, source: SourceFile, stated_row: int | None) -> Indicator:
    """The 指标 line names an indicator no metric knows: load it as an uncatalogued metric in
    the unit the line states. A unit is never guessed: without one the file is refused."""
    where = source.at(stated_row, "指标")
    name, unit_raw = split_parenthesised_unit(stated)
    facts = source.facts
    if facts is not None and facts.metric is not None:
        raise where.error(
            f"the 指标 line names an indicator no metric in data/reference/metrics.csv knows, "
            f"but data/reference/nbs_file_metrics.csv (pattern {facts.pattern}) says the file "
            f"holds {facts.metric.id}: if it is the same indicator, add {name!r} to the "
            f"aliases_zh of {facts.metric.id} in metrics.csv; otherwise correct the pattern",
            stated,
        )
    if not unit_raw:
        placeholder = uncatalogued_metric(name, Unit("<unit>", "", 1.0))
        raise where.error(
            f"indicator {name!r} is not in data/reference/metrics.csv and the 指标 line states "
            "no unit, so its figures cannot be loaded (a unit is never guessed): add this line "
            "to data/reference/metrics.csv, with <unit> replaced by its unit from "
            f"data/reference/units.csv: {metrics_csv_line(placeholder, _description(stated))}",
            stated,
        )
    unit = parse_unit(unit_raw)
    if unit is None:
        raise where.error(
            f"indicator {name!r} is not in data/reference/metrics.csv and its unit "
            f"{unit_raw!r} is not in data/reference/units.csv: add the unit to "
            "data/reference/units.csv (unit,dimension,factor,aliases) and load the file again "
            f"(if '({unit_raw})' is part of the indicator's name, add the indicator to "
            "data/reference/metrics.csv instead)",
            unit_raw,
            UNKNOWN_UNIT,
        )
    if facts is not None and facts.unit is not None and facts.unit != unit:
        raise SourceError(
            f"the 指标 line says {unit_raw} but data/reference/nbs_file_metrics.csv (pattern "
            f"{facts.pattern}) says {facts.unit_raw}",
            file=source.name,
        )
    metric = uncatalogued_metric(name, unit)
    note = (
        f"指标 {stated!r} is not in data/reference/metrics.csv: loaded as uncatalogued metric "
        f"{metric.id}, kept out of the indicators; "
        f"{CATALOGUE_HINT}{metrics_csv_line(metric, _description(stated))}"
    )
    return Indicator(metric, unit, unit_raw, [note])


def _description(stated: str) -> str:
    return (
        f"NBS 分省年度数据 indicator 指标：{stated}, added from a load note: "
        "check name_en, sums_to_national and minimum."
    )


def _resolve(
    label: str, source: SourceFile, row: int | None, column: str | None
) -> MetricMatch | None:
    try:
        return resolve_metric_label(label)
    except SourceError as exc:
        raise exc.located(file=source.name, row=row, column=column) from None


def _check_agrees_with_mapping(match: MetricMatch, source: SourceFile) -> None:
    """When the file and the mapping both say something, they must say the same."""
    facts = source.facts
    if facts is None:
        return
    said_by_file = f"the file says {match.metric.id} ({match.unit_raw or 'no unit'})"
    said_by_mapping = (
        f"data/reference/nbs_file_metrics.csv (pattern {facts.pattern}) says "
        f"{facts.metric.id if facts.metric else '-'} ({facts.unit_raw or 'no unit'})"
    )
    metric_differs = facts.metric is not None and facts.metric.id != match.metric.id
    unit_differs = facts.unit is not None and match.unit is not None and facts.unit != match.unit
    if metric_differs or unit_differs:
        raise SourceError(f"{said_by_file} but {said_by_mapping}", file=source.name)


def _with_unit(
    match: MetricMatch, how: str, source: SourceFile, stated_row: int | None
) -> Indicator:
    notes = [f"metric {match.metric.id} taken from {how}"]
    unit, unit_raw = match.unit, match.unit_raw
    if unit is None:
        unit, unit_raw = match.metric.unit, ""
        notes.append(f"no unit stated; assumed the catalog unit {unit.name} for {match.metric.id}")
    if unit.dimension != match.metric.unit.dimension:
        raise source.at(stated_row).error(
            f"mixed units: {match.metric.id} is measured in {match.metric.unit.name} "
            f"({match.metric.unit.dimension}) but the file is in {unit.name} ({unit.dimension})",
            unit_raw or unit.name,
        )
    return Indicator(match.metric, unit, unit_raw, notes)


def _row_observations(
    row: GridRow, layout: NbsLayout, indicator: Indicator, source: SourceFile, bad_cells: BadCells
) -> list[Observation]:
    """The row's observations; a bad area rejects the row, a bad cell only that cell."""
    labels = layout.labels_of_columns
    try:
        area = _row_area(row, layout, source)
    except SourceError as error:
        bad_cells.reject(error, row, labels, _values_in_year_columns(row, layout))
        return []
    _reject_cells_outside_years(row, layout, source, bad_cells)
    observations = []
    for column in layout.years:
        cell = row.cells[column.index] if column.index < len(row.cells) else None
        if cell is None or row.text(column.index) == "":
            continue  # an empty cell is a missing value, never a zero
        try:
            observations.append(
                observation(
                    source,
                    row=row.number,
                    column=column.label,
                    area_raw=row.text(0),
                    area=area,
                    year=column.year,
                    metric=indicator.metric,
                    cell=cell if isinstance(cell, float) else row.text(column.index),
                    unit=indicator.unit,
                    unit_raw=indicator.unit_raw,
                )
            )
        except SourceError as error:
            bad_cells.reject(error, row, labels, values_withheld=1)
    return observations


def _row_area(row: GridRow, layout: NbsLayout, source: SourceFile) -> Area:
    area_raw = row.text(0)
    area_column = layout.header.text(0)
    if not area_raw:
        raise source.at(row.number, area_column).error(
            "row has values but no area name", "", REQUIRED_MISSING
        )
    return normalise_area(area_raw, file=source.name, row=row.number, column=area_column)


def _values_in_year_columns(row: GridRow, layout: NbsLayout) -> int:
    return sum(1 for column in layout.years if row.text(column.index) != "")


def _reject_cells_outside_years(
    row: GridRow, layout: NbsLayout, source: SourceFile, bad_cells: BadCells
) -> None:
    year_indexes = {column.index for column in layout.years}
    for index in range(1, len(row.cells)):
        if index not in year_indexes and row.text(index):
            error = source.at(row.number, f"column {index + 1}").error(
                "value in a column without a year header", row.text(index), NO_YEAR_HEADER
            )
            bad_cells.reject(error, row, layout.labels_of_columns, values_withheld=1)


def _empty_year_notes(layout: NbsLayout) -> list[str]:
    return [
        f"column {column.label} is empty for every area: no observations for {column.year}"
        for column in layout.years
        if all(row.text(column.index) == "" for row in layout.data_rows)
    ]
