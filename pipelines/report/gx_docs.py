"""Copies of the GX Data Docs pages (``pipelines/validation/data_docs.py``) in the report.

``data_docs.py`` writes each page offline already (``pipelines/validation/docs_offline.py``:
no CDN stylesheet or script, local files in the docs folder's ``static/``). The report copies
the newest page of each table into ``validation/`` and points it at the same files in the
report's ``assets/``, through the same rewrite (pages written before it are made offline here
too). Nothing else of the page is changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipelines.validation import docs_offline
from pipelines.validation.data_docs import STATIC

ASSET_CSS = docs_offline.ASSET_CSS
ASSET_JS = docs_offline.ASSET_JS

_STATUS = re.compile(r"Status:</span>\s*<i class=\"fas fa-(check|times)")


@dataclass(frozen=True)
class DocPage:
    table: str
    href: str  # relative to the report's folder
    stamp: str  # the page's UTC time stamp (its file name)
    status: str  # passed, failed or unknown


def copy_offline(source: Path, target: Path, assets: Path, vega_bundle: str) -> list[DocPage]:
    """The newest page of each table under ``source`` (the GX Data Docs folder), copied into
    ``target/<table>/`` with its files in ``assets`` (shared with the report)."""
    docs_offline.write_assets(assets)
    pages = []
    if not source.is_dir():
        return pages
    for table_dir in sorted(p for p in source.iterdir() if p.is_dir() and p.name != STATIC):
        newest = max(table_dir.glob("*.html"), default=None)
        if newest is None:
            continue
        text = offline_page(newest.read_text(encoding="utf-8"), 2, vega_bundle)
        out = target / table_dir.name / newest.name
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
        found = _STATUS.search(text)
        status = {"check": "passed", "times": "failed"}.get(found.group(1)) if found else None
        pages.append(
            DocPage(
                table=table_dir.name,
                href=f"{target.name}/{table_dir.name}/{newest.name}",
                stamp=newest.stem,
                status=status or "unknown",
            )
        )
    return pages


def offline_page(text: str, depth: int, vega_bundle: str) -> str:
    """A GX page linked to the report's ``assets/`` (``depth``: folders below the report's
    root) and to the report's index of the copies."""
    text = docs_offline.offline_page(text, "../" * depth + "assets/", vega_bundle)
    return docs_offline.link_site_index(text, "../index.html")
