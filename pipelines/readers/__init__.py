"""Pure readers for province-year statistics: bytes in, tidy observations out.

No Dagster and no DuckDB in here, so the readers can be tested and reused on their own.
One entry point, :func:`read_province_year_file`, looks at a file's *content* (never its
extension) and hands it to the right reader:

=====================  =====================================================================
reader                 what it reads
=====================  =====================================================================
nbs_csv_gbk            NBS 分省年度数据 classic CSV export (GBK, 指标 line, footnotes)
nbs_csv_utf8           the same layout saved as UTF-8
nbs_csv_tabcomma       NBS newer CSV (UTF-8 BOM, every field followed by TAB and a comma)
nbs_xls / nbs_xlsx     NBS Excel export (header as text, numeric values, footnote rows)
yearbook_xls / _xlsx   S&T Yearbook province tables from CNKI (encrypted or not, bilingual)
tidy_csv / tidy_xlsx   wide tidy tables (one column per metric), e.g. the R&D communiqué
tidy_long_csv / _xlsx  long tidy tables (province, year, metric, value, ...)
=====================  =====================================================================

Every problem is a :class:`SourceError` naming the file, row, column and value. A problem
with the file (cannot be decoded, no province/metric/year column, an indicator it cannot
name, a column name twice, past a bound of pipelines/readers/limits.py) is always raised; an
NBS 指标 line naming an indicator the catalog does not know, with a known unit, is read as an
uncatalogued metric (docs/loading.md). A problem confined to a cell
or row (a placeholder or text instead of a number,
an unknown province, a year outside 1949..this year (pipelines/years.py), a number that is
not finite, a unit of another dimension) is raised too by default;
with ``bad_cells="reject"`` it is returned in ``ProvinceYearRead.rejected`` instead and the
rest of the file is read, which is how the warehouse quarantines bad rows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipelines.readers import limits
from pipelines.readers.areas import Area, find_area, normalise_area
from pipelines.readers.catalog import Metric, MetricMatch, get_metric, resolve_metric_label
from pipelines.readers.errors import SourceError
from pipelines.readers.file_metrics import facts_for_file
from pipelines.readers.grids import load_grid
from pipelines.readers.nbs import is_nbs_export, nbs_reader_name, read_nbs_export
from pipelines.readers.observations import (
    OBSERVATION_COLUMNS,
    SourceFile,
    default_vintage,
    observations_frame,
)
from pipelines.readers.rejections import (
    BAD_CELL_MODES,
    RAISE,
    REJECT,
    REJECTION_COLUMNS,
    BadCells,
    rejections_frame,
)
from pipelines.readers.tidy import read_tidy_table
from pipelines.readers.units import Unit, convert, parse_unit
from pipelines.readers.yearbook import is_yearbook_table, read_yearbook_table
from pipelines.readers.yearbook import reader_name as yearbook_reader_name

__all__ = [
    "BAD_CELL_MODES",
    "OBSERVATION_COLUMNS",
    "RAISE",
    "REJECT",
    "REJECTION_COLUMNS",
    "Area",
    "Metric",
    "MetricMatch",
    "ProvinceYearRead",
    "SourceError",
    "Unit",
    "convert",
    "default_vintage",
    "find_area",
    "get_metric",
    "normalise_area",
    "parse_unit",
    "read_province_year_file",
    "resolve_metric_label",
]


@dataclass
class ProvinceYearRead:
    """One source file, read.

    ``observations`` has exactly the columns in OBSERVATION_COLUMNS: source_row, source_column,
    area_raw, area_code, area_level, year, metric, value (in the metric's canonical unit), unit,
    value_raw, unit_raw, vintage, release_date, citation, is_synthetic. Rows for 全国 and the
    regions are included; filter on ``area_level == 'province'`` for the 31 provinces.
    ``notes`` holds the file's footnotes and what the reader assumed or ignored.
    ``rejected`` (columns REJECTION_COLUMNS) holds the cells and rows refused when the file was
    read with ``bad_cells="reject"``; it is empty otherwise, because the first one is raised.
    """

    path: Path
    reader: str
    file_sha256: str
    observations: pd.DataFrame
    notes: list[str]
    rejected: pd.DataFrame = field(default_factory=lambda: rejections_frame([]))


def read_province_year_file(
    path: str | Path,
    *,
    file_metrics: Path | None = None,
    yearbook_tables: Path | None = None,
    bad_cells: str = RAISE,
) -> ProvinceYearRead:
    """Read one province-year file of any supported kind.

    ``file_metrics`` replaces ``data/reference/nbs_file_metrics.csv`` (the user-editable
    mapping from file-name patterns to metric, unit and release facts), and ``yearbook_tables``
    ``data/reference/yearbook_tables.csv`` (which yearbook table and column holds which
    metric), mainly for tests.
    ``bad_cells`` is ``"raise"`` (the first bad cell or row raises SourceError) or
    ``"reject"`` (bad cells and rows come back in ``rejected``; file problems still raise).
    """
    collected = BadCells(bad_cells)
    path = Path(path)
    _check_file_size(path)
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    grid = load_grid(data, path.name)
    source = SourceFile(path.name, sha256, facts_for_file(path.name, file_metrics), grid.sheet)
    if is_nbs_export(grid):
        reader = nbs_reader_name(grid)
        observations, notes = read_nbs_export(grid, source, collected)
    elif is_yearbook_table(grid):
        reader = yearbook_reader_name(grid)
        observations, notes = read_yearbook_table(grid, source, collected, yearbook_tables)
    else:
        reader, observations, notes = read_tidy_table(grid, source, collected)
    return ProvinceYearRead(
        path=path,
        reader=reader,
        file_sha256=sha256,
        observations=observations_frame(observations),
        notes=grid.notes + notes,
        rejected=rejections_frame(collected.rejections),
    )


def _check_file_size(path: Path) -> None:
    """Refuse a file larger than MAX_PROVINCE_YEAR_FILE_BYTES before reading it whole."""
    size = path.stat().st_size
    if size > limits.MAX_PROVINCE_YEAR_FILE_BYTES:
        raise SourceError(
            f"the file is {size:,} bytes, more than the {limits.MAX_PROVINCE_YEAR_FILE_BYTES:,} "
            "bytes a province-year file may hold (pipelines/readers/limits.py): it is read whole "
            "into memory, and a province table is a few hundred kilobytes; split it into "
            "several files (by metric or by years)",
            file=path.name,
        )
