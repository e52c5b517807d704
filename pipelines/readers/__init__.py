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
tidy_csv / tidy_xlsx   wide tidy tables (one column per metric), e.g. the R&D communiqué
tidy_long_csv / _xlsx  long tidy tables (province, year, metric, value, ...)
=====================  =====================================================================

Every problem is a :class:`SourceError` naming the file, row, column and value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

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
from pipelines.readers.tidy import read_tidy_table
from pipelines.readers.units import Unit, convert, parse_unit

__all__ = [
    "OBSERVATION_COLUMNS",
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
    """

    path: Path
    reader: str
    file_sha256: str
    observations: pd.DataFrame
    notes: list[str]


def read_province_year_file(
    path: str | Path, *, file_metrics: Path | None = None
) -> ProvinceYearRead:
    """Read one province-year file of any supported kind.

    ``file_metrics`` replaces ``data/reference/nbs_file_metrics.csv`` (the user-editable
    mapping from file-name patterns to metric, unit and release facts), mainly for tests.
    """
    path = Path(path)
    data = path.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    source = SourceFile(path.name, sha256, facts_for_file(path.name, file_metrics))
    grid = load_grid(data, path.name)
    if is_nbs_export(grid):
        reader = nbs_reader_name(grid)
        observations, notes = read_nbs_export(grid, source)
    else:
        reader, observations, notes = read_tidy_table(grid, source)
    return ProvinceYearRead(
        path=path,
        reader=reader,
        file_sha256=sha256,
        observations=observations_frame(observations),
        notes=grid.notes + notes,
    )
