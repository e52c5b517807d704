"""Human-readable validation results: GX's own Data Docs pages, written as static HTML.

GX builds its Data Docs site from a file-backed context's stores; these checks use an
ephemeral context (nothing to configure, nothing persisted in the repo), so the same GX
renderers are called directly: one page per suite run, plus an index of every page.
Rendering is offline; a browser fetches the pages' stylesheets from GX's CDN when online and
shows them unstyled otherwise.

The folder is ``data/validation/docs`` (ignored by git), or ``IMPETUS_VALIDATION_DOCS``.
"""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from pathlib import Path

from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.render.renderer import ValidationResultsPageRenderer
from great_expectations.render.view import DefaultJinjaPageView

from pipelines.paths import DATA_DIR

DEFAULT_DOCS_DIR = DATA_DIR / "validation" / "docs"
INDEX = "index.html"


def docs_dir() -> Path:
    return Path(os.environ.get("IMPETUS_VALIDATION_DOCS", DEFAULT_DOCS_DIR))


def write_validation_page(
    result: ExpectationSuiteValidationResult, table: str, folder: Path | None = None
) -> Path:
    """Render one suite run to ``<folder>/<table>/<UTC time>.html``; refresh the index."""
    root = docs_dir() if folder is None else folder
    page = root / table / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    document = ValidationResultsPageRenderer().render(result)
    page.write_text(DefaultJinjaPageView().render(document), encoding="utf-8")
    write_index(root)
    return page


def write_index(root: Path) -> Path:
    """An index page: each table's runs, newest first (the file names sort by time)."""
    sections = []
    for table_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        pages = sorted(table_dir.glob("*.html"), reverse=True)
        links = "".join(
            f'<li><a href="{html.escape(p.relative_to(root).as_posix())}">'
            f"{html.escape(p.stem)}</a></li>"
            for p in pages
        )
        sections.append(f"<h2>{html.escape(table_dir.name)}</h2><ul>{links}</ul>")
    index = root / INDEX
    index.write_text(
        "<!doctype html><meta charset='utf-8'><title>Validation results</title>"
        "<h1>Validation results (Great Expectations)</h1>" + "".join(sections),
        encoding="utf-8",
    )
    return index
