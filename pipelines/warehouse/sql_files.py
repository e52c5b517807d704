"""SQL lives in ``sql/``, one model a file; this module is the only way Python reads it."""

from __future__ import annotations

from functools import cache

from pipelines.paths import SQL_DIR


@cache
def sql(name: str) -> str:
    """Return the text of ``sql/<name>.sql``, e.g. ``sql("staging/province_year")``."""
    path = SQL_DIR / f"{name}.sql"
    if not path.is_file():
        raise FileNotFoundError(f"no SQL model {name!r} (looked for {path})")
    return path.read_text(encoding="utf-8")
