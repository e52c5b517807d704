"""Which yearbook table a file is, and which metric each of its columns holds.

``data/reference/yearbook_tables.csv`` is the one place that knows the S&T Yearbook's tables.
One row per (table, column header):

``table``   a short id for the table's theme (``rd_expenditure_by_source``);
``title``   text the table's Chinese title contains, compared without whitespace and
            full-width forms (``各地区按资金来源分研究与试验发展(R&D)经费内部支出``), so table
            numbers and the ``(2023年)`` year may change freely between editions; alternatives
            for a title reworded between editions are separated by ``|``;
``column``  the column's Chinese header path: its header text with English and units removed
            (``R&D经费内部支出``), a ``#`` "of which" child written ``parent/#child``
            (``R&D人员全时当量/#研究人员``), or ``*`` for a table whose columns are years;
``metric``  a metric id of ``metrics.csv``, or ``-`` for a column deliberately not loaded;
``unit``    the column's unit where the table states several (``单位:个,亿元``) and the header
            none; empty otherwise;
``note``    free text for people (table numbers by edition, what changed); not read.
Several rows may give one metric: a header that changed wording between editions
(``主营业务收入`` until 2016, ``营业收入`` after) gets a row of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pipelines.paths import REFERENCE_DIR
from pipelines.readers.catalog import Metric, get_metric
from pipelines.readers.errors import SourceError
from pipelines.readers.text import compact_key, read_reference_csv
from pipelines.readers.units import Unit, require_unit

YEARBOOK_TABLES_FILE = REFERENCE_DIR / "yearbook_tables.csv"
COLUMNS = ("table", "title", "column", "metric", "unit")
NOT_LOADED = "-"
YEAR_COLUMNS = "*"


@dataclass(frozen=True)
class ColumnRule:
    line: int  # line of yearbook_tables.csv, for messages
    column: str  # as written in the catalog
    metric: Metric | None  # None: deliberately not loaded
    unit: Unit | None


@dataclass(frozen=True)
class YearbookTable:
    id: str
    title: str  # the title text that identifies the table, as written in the catalog
    columns: dict[str, ColumnRule]  # compact header path -> rule

    @property
    def title_keys(self) -> tuple[str, ...]:
        return tuple(compact_key(text) for text in self.title.split("|") if text.strip())

    def title_match(self, title: str) -> str | None:
        """The longest of the table's title texts that ``title`` contains, or None."""
        key = compact_key(title)
        found = [text for text in self.title_keys if text in key]
        return max(found, key=len) if found else None

    def rule_for(self, header_path: str) -> ColumnRule | None:
        return self.columns.get(compact_key(header_path))

    @property
    def years_as_columns(self) -> ColumnRule | None:
        return self.columns.get(YEAR_COLUMNS)


def table_for_title(title: str, catalog: Path | None = None) -> YearbookTable | None:
    """The catalog table whose title text the given title contains, or None.

    Two tables matching one title would make the match a guess: the longer title text wins
    only when it contains the shorter one (a more specific table); otherwise it is an error.
    """
    matches = [
        (text, table)
        for table in _tables(catalog or YEARBOOK_TABLES_FILE)
        if (text := table.title_match(title)) is not None
    ]
    if not matches:
        return None
    matches.sort(key=lambda match: len(match[0]), reverse=True)
    best_text, best = matches[0]
    for other_text, other in matches[1:]:
        if other_text not in best_text:
            raise SourceError(
                f"title {title!r} matches two tables of {YEARBOOK_TABLES_FILE.name}: "
                f"{best.id} ({best.title}) and {other.id} ({other.title}); make one title "
                "text more specific"
            )
    return best


def suggested_line(table_id: str, title: str, column: str) -> str:
    """The catalog line a user would add for an unplaced column (metric left to fill in)."""
    return f"{table_id},{title},{column},<metric id from metrics.csv, or - to leave it out>,"


@lru_cache(maxsize=4)
def _tables(path: Path) -> tuple[YearbookTable, ...]:
    rows = read_reference_csv(path)
    missing = [c for c in COLUMNS if rows and c not in rows[0]]
    if missing:
        raise SourceError(f"missing column(s) {', '.join(missing)}", file=path.name, row=1)
    titles: dict[str, str] = {}
    columns: dict[str, dict[str, ColumnRule]] = {}
    for line, row in enumerate(rows, start=2):
        table_id, title = row["table"], row["title"]
        if titles.setdefault(table_id, title) != title:
            raise SourceError(
                f"table {table_id} has two titles ({titles[table_id]!r} and {title!r})",
                file=path.name,
                row=line,
                column="title",
            )
        key = row["column"] if row["column"] == YEAR_COLUMNS else compact_key(row["column"])
        rules = columns.setdefault(table_id, {})
        if key in rules:
            raise SourceError(
                f"column {row['column']!r} of table {table_id} is already on line "
                f"{rules[key].line}",
                file=path.name,
                row=line,
                column="column",
            )
        rules[key] = ColumnRule(
            line, row["column"], _metric(row, path.name, line), _unit(row, path.name, line)
        )
    return tuple(YearbookTable(t, titles[t], columns[t]) for t in titles)


def _metric(row: dict[str, str], file: str, line: int) -> Metric | None:
    if row["metric"] == NOT_LOADED:
        return None
    try:
        return get_metric(row["metric"])
    except KeyError:
        raise SourceError(
            "unknown metric id (see data/reference/metrics.csv; '-' leaves a column out)",
            file=file,
            row=line,
            column="metric",
            value=row["metric"],
        ) from None


def _unit(row: dict[str, str], file: str, line: int) -> Unit | None:
    if not row["unit"]:
        return None
    return require_unit(row["unit"], file=file, row=line, column="unit")
