"""What a user tells us about files that do not say it themselves.

``data/reference/nbs_file_metrics.csv`` has one row per kind of file:
``pattern`` (a glob on the file name, case-insensitive, e.g. ``gdp_100m_yuan*.csv``),
``metric`` and ``unit`` (for NBS exports without an 指标 line), and the release facts
``vintage``, ``release_date`` (YYYY-MM-DD) and ``citation``. Any of the last five may be
empty. The first matching row wins, so put specific patterns above general ones.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipelines.paths import REFERENCE_DIR
from pipelines.readers.catalog import Metric, get_metric
from pipelines.readers.errors import SourceError
from pipelines.readers.text import read_reference_csv
from pipelines.readers.units import Unit, require_unit

FILE_METRICS_FILE = REFERENCE_DIR / "nbs_file_metrics.csv"
COLUMNS = ("pattern", "metric", "unit", "vintage", "release_date", "citation")


@dataclass(frozen=True)
class FileFacts:
    pattern: str
    metric: Metric | None
    unit: Unit | None
    unit_raw: str
    vintage: str | None
    release_date: date | None
    citation: str | None


def facts_for_file(file_name: str, mapping: Path | None = None) -> FileFacts | None:
    """The first mapping row whose pattern matches ``file_name``, or None."""
    mapping = mapping or FILE_METRICS_FILE
    if not mapping.exists():
        return None
    rows = read_reference_csv(mapping)
    _check_columns(mapping, rows)
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        if fnmatch.fnmatchcase(file_name.casefold(), row["pattern"].casefold()):
            return _facts_from_row(mapping.name, line, row)
    return None


def _check_columns(mapping: Path, rows: list[dict[str, str]]) -> None:
    missing = [c for c in COLUMNS if rows and c not in rows[0]]
    if missing:
        raise SourceError(f"missing column(s) {', '.join(missing)}", file=mapping.name, row=1)


def _facts_from_row(mapping_name: str, line: int, row: dict[str, str]) -> FileFacts:
    metric = None
    if row["metric"]:
        try:
            metric = get_metric(row["metric"])
        except KeyError:
            raise SourceError(
                "unknown metric id (see data/reference/metrics.csv)",
                file=mapping_name,
                row=line,
                column="metric",
                value=row["metric"],
            ) from None
    unit = (
        require_unit(row["unit"], file=mapping_name, row=line, column="unit")
        if row["unit"]
        else None
    )
    return FileFacts(
        pattern=row["pattern"],
        metric=metric,
        unit=unit,
        unit_raw=row["unit"],
        vintage=row["vintage"] or None,
        release_date=_parse_date(row["release_date"], mapping_name, line),
        citation=row["citation"] or None,
    )


def _parse_date(text: str, mapping_name: str, line: int) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise SourceError(
            "not a date (expected YYYY-MM-DD)",
            file=mapping_name,
            row=line,
            column="release_date",
            value=text,
        ) from None
