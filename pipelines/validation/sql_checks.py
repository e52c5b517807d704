"""Cross-table checks kept as SQL files (sql/checks/*.sql), wired into the suites.

Each file starts with a header line naming the check, the table whose suite runs it and its
severity, and is a SELECT over ``{batch}`` (that table) returning the unexpected rows:

    -- check: province_sum_vs_national  table: staging.area_year_history  severity: warn

Every file becomes a GX ``UnexpectedRowsExpectation`` in the named table's suite, so adding a
file adds a check; nothing has to be registered in Python. Sub-folders are not read here:
``sql/checks/marts/`` holds the marts' own asset checks (``pipelines/defs/indicators/checks.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.paths import SQL_DIR
from pipelines.validation.severity import Severity

CHECKS_DIR = SQL_DIR / "checks"
_HEADER = re.compile(
    r"--\s*check:\s*(?P<name>\S+)\s+table:\s*(?P<table>\S+)\s+severity:\s*(?P<severity>\S+)"
)


class SqlCheckHeaderError(ValueError):
    """A file in sql/checks has no usable header: refuse it rather than silently skip it."""


@dataclass(frozen=True)
class SqlCheck:
    name: str
    table: str  # schema-qualified, e.g. 'staging.national_year'
    severity: Severity
    query: str
    path: Path


def read_sql_check(path: Path) -> SqlCheck:
    text = path.read_text(encoding="utf-8")
    first_line = text.splitlines()[0] if text else ""
    header = _HEADER.match(first_line.strip())
    if header is None:
        raise SqlCheckHeaderError(
            f"{path}: the first line must read '-- check: <name>  table: <schema.table>  "
            f"severity: blocking|warn', found {first_line!r}"
        )
    try:
        severity = Severity(header["severity"].lower())
    except ValueError:
        raise SqlCheckHeaderError(
            f"{path}: severity must be one of {[s.value for s in Severity]}, "
            f"found {header['severity']!r}"
        ) from None
    return SqlCheck(header["name"], header["table"], severity, text, path)


def sql_checks_for(table: str, checks_dir: Path | None = None) -> list[SqlCheck]:
    """The checks whose header names ``table`` (schema-qualified), in file-name order."""
    folder = CHECKS_DIR if checks_dir is None else checks_dir
    checks = [read_sql_check(path) for path in sorted(folder.glob("*.sql"))]
    return [check for check in checks if check.table == table]
