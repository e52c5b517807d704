"""DuckDB SQL macros the expectations call (check characters, code formats): sql/macros/*.sql."""

from __future__ import annotations

import re
from pathlib import Path

from pipelines.paths import SQL_DIR

MACROS_DIR = SQL_DIR / "macros"
_CREATE_MACRO = re.compile(r"\bcreate\s+or\s+replace\s+macro\b", re.IGNORECASE)


def macro_sql(temporary: bool = True, macros_dir: Path = MACROS_DIR) -> str:
    """Every macro file's statements, in file-name order.

    Validation installs them as TEMP macros: a check reads the warehouse and must not change
    its catalog. Run the files as written to keep the macros in a database for analysts.
    """
    text = "\n".join(path.read_text(encoding="utf-8") for path in sorted(macros_dir.glob("*.sql")))
    return _CREATE_MACRO.sub("create or replace temp macro", text) if temporary else text
