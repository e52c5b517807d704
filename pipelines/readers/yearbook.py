"""Province tables of the China Statistical Yearbook on Science and Technology (中国科技统计年鉴),
one table per workbook as analysts download them from CNKI (see
``realdata/sci_tech_yearbook/README.md`` for every layout seen).

A table is recognised by its bilingual area header (``地区`` above or beside ``Region``); what
it holds comes from ``data/reference/yearbook_tables.csv`` (by title and column header,
never by table number or file name). The layout, top to bottom:

* a preamble: an optional chapter line (``一、综合``, ``中国科技统计年鉴—2014``), the table number
  and Chinese title (``1-4 各地区…(2023年)``), the English title, the unit in Chinese
  (``单位:万元``, ``单位:个,人,万元``) and in English;
* a header of 1-5 rows: bilingual cells with embedded line breaks, or the same words split over
  several rows; ``#`` marks an "of which" child of the column before it; a header may carry
  its own unit (``营业收入 (亿元)``) that overrides the table's;
* the data: 全国, the four regions, the 31 provinces, names padded (``辽    宁``) and in English
  in the second column; footnotes (``注：…``, ``Note: …``) after them;
* sometimes a continued table (``5-4 续表`` / ``continued``) below in the same sheet, or beside
  it (a second ``地区`` / ``Region`` column pair further right): each part is read the same way.

The data year is the title's ``(2023年)``, or, for a table with years as columns (1-8 R&D
intensity, 8-3x technology-market flows), each column's header. The vintage is the yearbook
edition: the one a chapter line names, else the newest data year + 1 (the 2023 table is in the
2024 yearbook).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pipelines.readers.areas import Area, find_area
from pipelines.readers.cells import NO_YEAR_HEADER, UNKNOWN_AREA
from pipelines.readers.errors import SourceError
from pipelines.readers.grids import Grid, GridRow
from pipelines.readers.observations import EDITION, Observation, SourceFile, observation
from pipelines.readers.rejections import BadCells
from pipelines.readers.text import compact_key
from pipelines.readers.units import Unit, parse_unit
from pipelines.readers.yearbook_tables import (
    YEARBOOK_TABLES_FILE,
    ColumnRule,
    YearbookTable,
    suggested_line,
    table_for_title,
)

YEARBOOK_NAME_ZH = "中国科技统计年鉴"
YEARBOOK_NAME_EN = "China Statistical Yearbook on Science and Technology"

_CJK = re.compile(r"[\u3400-\u9fff]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CHAPTER = re.compile(r"^([一二三四五六七八九十]+、|中国科技统计年鉴)")
_EDITION = re.compile(r"中国科技统计年鉴\D{0,3}(?P<edition>(19|20)\d{2})")
_UNIT_LINE = re.compile(r"^单位\s*[:：]\s*(?P<units>.*)$", re.DOTALL)
_UNIT_SEPARATORS = re.compile(r"[,，、;；]")
_TITLE_YEAR = re.compile(r"\((?P<year>(19|20)\d{2})\s*年?\)")
_CONTINUED = re.compile(r"续表|^continued$", re.IGNORECASE)
_NOTE = re.compile(r"^(注|数据来源|资料来源|说明|note)", re.IGNORECASE)
_YEAR_HEADER = re.compile(r"^(?P<year>(19|20)\d{2})(\.0+)?\s*年?$")
_TRAILING_UNIT = re.compile(r"^(?P<label>.*?)\s*\((?P<unit>[^()]*)\)\s*$")
_AREA_HEADER_ZH = "地区"
_AREA_HEADER_EN = "region"
# Some editions leave the 地区 / Region header out; the 全国 / National Total row is always there
# (once printed 'National Tota1', hence only the prefix).
_NATIONAL_ROW_EN = "nationaltota"
_WHITESPACE = re.compile(r"\s+")
# How far down a sheet the area header of a (first) table may sit.
_HEADER_SEARCH_ROWS = 60


def is_yearbook_table(grid: Grid) -> bool:
    """A bilingual area column below a title: a tidy table whose first row is its header
    (地区, Region, …) is not one."""
    first = next((row for row in grid.rows if not row.is_blank()), None)
    if first is None or compact_key(first.text(0)) == _AREA_HEADER_ZH:
        return False
    return bool(_area_header_columns(grid))


def reader_name(grid: Grid) -> str:
    return f"yearbook_{grid.container}"


@dataclass
class Block:
    """One table (or one continued part) of a sheet: rows of one column strip."""

    first_column: int  # in the sheet, 0-based: where this strip's 地区 column is
    preamble: list[GridRow] = field(default_factory=list)
    header: list[GridRow] = field(default_factory=list)
    data: list[GridRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def preamble_lines(self) -> list[tuple[int, str]]:
        return [(row.number, row.text(0)) for row in self.preamble if row.text(0)]

    @property
    def is_continued(self) -> bool:
        return any(_CONTINUED.search(compact_key(text)) for _, text in self.preamble_lines())


@dataclass(frozen=True)
class Column:
    index: int  # within the strip (0 = the Chinese area column)
    letter: str  # spreadsheet column letter in the sheet
    path: str  # Chinese header path ('R&D人员全时当量/#研究人员'), or the year ('2023')
    year: int | None  # set for a year column
    unit: Unit | None  # the unit the header states
    unit_raw: str

    @property
    def label(self) -> str:
        return f"{self.letter} {self.path}"


@dataclass(frozen=True)
class PlacedColumn:
    column: Column
    rule: ColumnRule
    unit: Unit
    unit_raw: str


def read_yearbook_table(
    grid: Grid,
    source: SourceFile,
    bad_cells: BadCells | None = None,
    catalog: Path | None = None,
) -> tuple[list[Observation], list[str]]:
    bad_cells = bad_cells if bad_cells is not None else BadCells()
    blocks = [block for start, end in _strips(grid) for block in _blocks(grid, start, end)]
    title_row, title = _title(blocks, source)
    table = table_for_title(title, catalog)
    if table is None:
        raise source.at(title_row).error(
            f"a yearbook table nobody knows: no title in {YEARBOOK_TABLES_FILE.name} is part of "
            "its title. Add a line per column to data/reference/yearbook_tables.csv "
            "(table,title,column,metric,unit), e.g. "
            + suggested_line("<table id>", _title_text(title), "<column header>"),
            title,
        )
    notes = [f"yearbook table {table.id} ({_title_text(title)})"]
    table_year = _title_year(title)
    edition = _stated_edition(blocks)
    pending: list[tuple[Block, list[PlacedColumn], set[int]]] = []
    for block in blocks:
        block_unit = _table_units(block, source)
        columns = _columns(block)
        placed = [
            placed
            for column in columns
            if (placed := _place(column, table, title, block_unit, source, notes)) is not None
        ]
        if not placed:
            continue
        years = {p.column.year for p in placed} | {table_year}
        years.discard(None)
        if not years:
            raise source.at(title_row).error(
                "no data year: the title names none (e.g. '(2023年)') and no column is a year",
                title,
            )
        # values under no header, or under one without Chinese words: refused cell by cell
        unlabelled = {column.index for column in columns if not column.path}
        pending.append((block, placed, unlabelled))
        notes.extend(block.notes)
    data_years = [p.column.year or table_year for _, placed, _ in pending for p in placed]
    edition = edition or (max(y for y in data_years if y is not None) + 1 if data_years else None)
    observations = [
        obs
        for block, placed, unlabelled in pending
        for row in block.data
        for obs in _row_observations(
            row, block, placed, unlabelled, table_year, edition, title, source, bad_cells, notes
        )
    ]
    return observations, notes


# --- layout -------------------------------------------------------------------------------


def _area_header_columns(grid: Grid) -> list[int]:
    """Columns holding the Chinese area names, with the English ones right of them: found by
    a 地区 / Region header or a 全国 / National Total row (one column per side-by-side part)."""
    found = set()
    for row in grid.rows[:_HEADER_SEARCH_ROWS]:
        for index in range(len(row.cells) - 1):
            zh, en = compact_key(row.text(index)), compact_key(row.text(index + 1))
            if (zh, en) == (_AREA_HEADER_ZH, _AREA_HEADER_EN) or (
                zh == "全国" and en.startswith(_NATIONAL_ROW_EN)
            ):
                found.add(index)
    return sorted(found)


def _strips(grid: Grid) -> list[tuple[int, int]]:
    starts = _area_header_columns(grid)
    width = max((len(row.cells) for row in grid.rows), default=0)
    return list(zip(starts, [*starts[1:], width], strict=True))


def _blocks(grid: Grid, start: int, end: int) -> list[Block]:
    """The tables of one column strip, top to bottom, each split into its parts."""
    blocks = [Block(start)]
    state = "preamble"
    for sheet_row in grid.rows:
        row = GridRow(sheet_row.number, sheet_row.cells[start:end])
        if row.is_blank():
            continue
        block = blocks[-1]
        first = row.text(0)
        if state in ("data", "notes") and _is_continued_title(row):
            blocks.append(Block(start, preamble=[row]))
            state = "preamble"
        elif state == "preamble":
            if _starts_header(row):
                block.header.append(row)
                state = "header"
            else:
                block.preamble.append(row)
        elif state == "header":
            if _row_area(row) is not None:
                block.data.append(row)
                state = "data"
            else:
                block.header.append(row)
        elif state == "data" and not _NOTE.match(first):
            block.data.append(row)
        else:
            state = "notes"
            text = _row_text(row)
            if _NOTE.match(first) or not block.notes:
                block.notes.append(text)
            else:
                block.notes[-1] = f"{block.notes[-1]}\n{text}"
    return [block for block in blocks if block.header or block.data]


def _starts_header(row: GridRow) -> bool:
    """The first header row: a column header (any cell right of the two area columns) or 地区;
    not the unit line, whose English half some editions put in the last column."""
    if _UNIT_LINE.match(unicodedata.normalize("NFKC", row.text(0)).strip()):
        return False
    return compact_key(row.text(0)) == _AREA_HEADER_ZH or any(
        row.text(index) for index in range(2, len(row.cells))
    )


def _is_continued_title(row: GridRow) -> bool:
    return bool(_CONTINUED.search(compact_key(row.text(0)))) and not any(
        row.text(index) for index in range(2, len(row.cells))
    )


def _row_text(row: GridRow) -> str:
    text = " ".join(row.text(i) for i in range(len(row.cells)) if row.text(i))
    return _LINE_BREAK.sub("\n", text).strip()


def _title(blocks: list[Block], source: SourceFile) -> tuple[int | None, str]:
    """The Chinese title line of the first part (chapter, English and unit lines skipped)."""
    for block in blocks:
        if block.is_continued:
            continue
        for number, text in block.preamble_lines():
            if _CHAPTER.match(compact_key(text)) or _UNIT_LINE.match(text.strip()):
                continue
            if _CJK.search(text):
                return number, text
    raise SourceError(
        "a yearbook-style table (地区 / Region header) without a Chinese title line above it",
        file=source.name,
    )


def _title_text(title: str) -> str:
    """The title without its table number or year, as a catalog line would hold it."""
    text = _LINE_BREAK.sub("", unicodedata.normalize("NFKC", title)).strip()
    text = re.sub(r"^\s*\d+\s*-\s*\d+\s*", "", text)
    return _TITLE_YEAR.sub("", text).strip()


def _title_year(title: str) -> int | None:
    match = _TITLE_YEAR.search(compact_key(title))
    return int(match["year"]) if match else None


def _stated_edition(blocks: list[Block]) -> int | None:
    for block in blocks:
        for _, text in block.preamble_lines():
            match = _EDITION.search(compact_key(text))
            if match:
                return int(match["edition"])
    return None


def _table_units(block: Block, source: SourceFile) -> list[tuple[Unit, str]]:
    """The units of the block's 单位 line (several for '单位:个,人,万元'), [] when it has none."""
    for number, text in block.preamble_lines():
        match = _UNIT_LINE.match(unicodedata.normalize("NFKC", text).strip())
        if match is None:
            continue
        units = []
        for raw in _UNIT_SEPARATORS.split(match["units"]):
            raw = raw.strip()
            if not raw:
                continue
            unit = parse_unit(raw)
            if unit is None:
                raise source.at(number).error(
                    "unknown unit in the table's unit line (add it to data/reference/units.csv)",
                    raw,
                )
            units.append((unit, raw))
        return units
    return []


# --- columns ------------------------------------------------------------------------------


def _columns(block: Block) -> list[Column]:
    """The block's value columns (right of the two area columns) with their header paths."""
    width = max((len(row.cells) for row in block.header + block.data), default=0)
    columns: list[Column] = []
    parent: Column | None = None
    for index in range(2, width):
        lines = [
            line.strip()
            for row in block.header
            for line in _LINE_BREAK.split(_header_cell_text(row, index))
            if line.strip()
        ]
        letter = _column_letter(block.first_column + index)
        year = _year_of(block.header, index)
        if year is not None:
            columns.append(Column(index, letter, str(year), year, None, ""))
            continue
        label, unit, unit_raw = _chinese_label(lines)
        if not label:
            if any(row.text(index) for row in block.data):
                columns.append(Column(index, letter, "", None, None, ""))
            continue
        if label.startswith("#") and parent is not None:
            # "of which": a part of the column before it, in that column's unit unless it
            # states its own
            if unit is None:
                unit, unit_raw = parent.unit, parent.unit_raw
            columns.append(Column(index, letter, f"{parent.path}/{label}", None, unit, unit_raw))
            continue
        column = Column(index, letter, label, None, unit, unit_raw)
        columns.append(column)
        parent = column
    return columns


def _header_cell_text(row: GridRow, index: int) -> str:
    if index >= len(row.cells) or row.cells[index] is None:
        return ""
    cell = row.cells[index]
    return str(int(cell)) if isinstance(cell, float) and cell.is_integer() else str(cell)


def _year_of(header: list[GridRow], index: int) -> int | None:
    for row in header:
        match = _YEAR_HEADER.match(compact_key(_header_cell_text(row, index)))
        if match:
            return int(match["year"])
    return None


def _chinese_label(lines: list[str]) -> tuple[str, Unit | None, str]:
    """(label, unit, unit as written) from a column's header lines, top to bottom.

    The Chinese words come first and the English after them, in one cell or over several
    rows: the label is every line up to the last one with a Chinese character, joined, with
    a parenthesised unit ('(个)', '营业收入 (亿元)') taken out.
    """
    last_chinese = max((i for i, line in enumerate(lines) if _CJK.search(line)), default=-1)
    parts: list[str] = []
    unit: Unit | None = None
    unit_raw = ""
    for line in lines[: last_chinese + 1]:
        text = unicodedata.normalize("NFKC", line).strip()
        match = _TRAILING_UNIT.match(text)
        if match and (found := parse_unit(match["unit"])) is not None:
            if unit is None:
                unit, unit_raw = found, match["unit"].strip()
            text = match["label"]
        parts.append(text)
    return _WHITESPACE.sub("", "".join(parts)), unit, unit_raw


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _place(
    column: Column,
    table: YearbookTable,
    title: str,
    table_units: list[tuple[Unit, str]],
    source: SourceFile,
    notes: list[str],
) -> PlacedColumn | None:
    """The catalog rule and unit for a column; an unknown column refuses the file."""
    if not column.path:
        return None  # values without a header: rejected cell by cell as the rows are read
    rule = table.years_as_columns if column.year is not None else table.rule_for(column.path)
    if rule is None:
        shown = "*" if column.year is not None else column.path
        raise SourceError(
            f"table {table.id} ({_title_text(title)}) has a column the catalog cannot place. "
            "Add a line to data/reference/yearbook_tables.csv: "
            + suggested_line(table.id, table.title, shown),
            file=source.name,
            column=column.label,
            value=column.path,
        )
    if rule.metric is None:
        notes.append(
            f"column {column.label} not loaded ({YEARBOOK_TABLES_FILE.name} line {rule.line})"
        )
        return None
    unit, unit_raw = _column_unit(column, rule, table_units, source)
    return PlacedColumn(column, rule, unit, unit_raw)


def _column_unit(
    column: Column, rule: ColumnRule, table_units: list[tuple[Unit, str]], source: SourceFile
) -> tuple[Unit, str]:
    """The header's unit, else the catalog's, else the table's one unit; never a guess."""
    if column.unit is not None:
        return column.unit, column.unit_raw
    stated = [unit for unit, _ in table_units]
    where = f"{YEARBOOK_TABLES_FILE.name} line {rule.line}"
    if rule.unit is not None:
        if stated and rule.unit not in stated:
            raise SourceError(
                f"{where} says {rule.unit.name} but the table's unit line says "
                f"{', '.join(raw for _, raw in table_units)}",
                file=source.name,
                column=column.label,
            )
        return rule.unit, rule.unit.name
    if len(table_units) == 1:
        return table_units[0]
    if not table_units:
        raise SourceError(
            "the table states no unit and the column header none: put the unit on "
            f"{where} (column unit)",
            file=source.name,
            column=column.label,
        )
    raise SourceError(
        f"the table states several units ({', '.join(raw for _, raw in table_units)}) and the "
        f"column header none: put this column's unit on {where} (column unit)",
        file=source.name,
        column=column.label,
    )


# --- rows ---------------------------------------------------------------------------------


def _row_area(row: GridRow) -> Area | None:
    return find_area(row.text(0)) or find_area(row.text(1))


def _row_observations(
    row: GridRow,
    block: Block,
    placed: list[PlacedColumn],
    unlabelled: set[int],
    table_year: int | None,
    edition: int,
    title: str,
    source: SourceFile,
    bad_cells: BadCells,
    notes: list[str],
) -> list[Observation]:
    labels = ["地区", "Region"] + [""] * (len(row.cells) - 2)
    for p in placed:
        if p.column.index < len(labels):
            labels[p.column.index] = p.column.label
    values = [p for p in placed if row.text(p.column.index)]
    try:
        area = _area(row, source, notes)
    except SourceError as error:
        if values:
            bad_cells.reject(error, row, labels, len(values))
        return []
    _reject_unlabelled_cells(row, block, unlabelled, labels, source, bad_cells)
    observations = []
    for p in values:
        cell = row.cells[p.column.index]
        try:
            observations.append(
                observation(
                    source,
                    row=row.number,
                    column=p.column.label,
                    area_raw=row.text(0) or row.text(1),
                    area=area,
                    year=p.column.year or table_year,
                    metric=p.rule.metric,
                    cell=cell if isinstance(cell, float) else row.text(p.column.index),
                    unit=p.unit,
                    unit_raw=p.unit_raw,
                    stated_vintage=f"{YEARBOOK_NAME_ZH}{edition}",
                    stated_release_date=_edition_release_date(source, edition),
                    stated_release_basis=EDITION,
                    stated_citation=_citation(source, edition, title),
                )
            )
        except SourceError as error:
            bad_cells.reject(error, row, labels, values_withheld=1)
    return observations


def _area(row: GridRow, source: SourceFile, notes: list[str]) -> Area:
    """The row's area from its Chinese name, else its English one (OCR slips such as 四藏)."""
    zh, en = row.text(0), row.text(1)
    by_zh, by_en = find_area(zh), find_area(en)
    if by_zh is not None and by_en is not None and by_zh.code != by_en.code:
        raise source.at(row.number, "地区").error(
            f"the Chinese name says {by_zh.name_zh} but the English one ({en}) says "
            f"{by_en.name_zh}",
            zh,
            UNKNOWN_AREA,
        )
    if by_zh is not None:
        return by_zh
    if by_en is not None:
        notes.append(f"row {row.number}: {zh!r} is no known name; read it as {en.strip()!r}")
        return by_en
    raise source.at(row.number, "地区").error(
        "not one of the 31 provinces, 全国 or the four regions (rows for Hong Kong, Macao, "
        "Taiwan or 'others' are kept here, not loaded; a new spelling of a province goes into "
        "data/reference/area_aliases.csv)",
        zh or en,
        UNKNOWN_AREA,
    )


def _reject_unlabelled_cells(
    row: GridRow,
    block: Block,
    unlabelled: set[int],
    labels: list[str],
    source: SourceFile,
    bad_cells: BadCells,
) -> None:
    for index in sorted(unlabelled):
        if not row.text(index):
            continue
        error = source.at(row.number, f"column {_column_letter(block.first_column + index)}").error(
            "value in a column without a (Chinese) header", row.text(index), NO_YEAR_HEADER
        )
        bad_cells.reject(error, row, labels, values_withheld=1)


def _edition_release_date(source: SourceFile, edition: int) -> date | None:
    """The table prints no release date: an edition is taken as out by the end of its year,
    unless data/reference/nbs_file_metrics.csv gives the day for this file (None: the
    mapping's date is used, and staging applies it as the mapping is then)."""
    if source.facts and source.facts.release_date:
        return None
    return date(edition, 12, 31)


def _citation(source: SourceFile, edition: int, title: str) -> str:
    stated = (
        f"{YEARBOOK_NAME_ZH}{edition} ({YEARBOOK_NAME_EN} {edition}), table {_one_line(title)!r}"
    )
    extra = source.facts.citation if source.facts and source.facts.citation else None
    return f"{stated}; {extra}" if extra else stated


def _one_line(text: str) -> str:
    return " ".join(_LINE_BREAK.sub(" ", text).split())
