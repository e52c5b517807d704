"""Human-readable validation results: GX's own Data Docs pages, written as static HTML.

GX builds its Data Docs site from a file-backed context's stores; these checks use an
ephemeral context (nothing to configure, nothing persisted in the repo), so the same GX
renderers are called directly: one page per suite run, plus an index of every page.
Each page is made offline as it is written (``docs_offline.py``): GX's CDN stylesheets and
scripts are replaced by files in the folder's ``static/``, so it renders without a network.
The page names its table as the data asset and the run that validated it (``runner.py``).

The folder is ``data/validation/docs`` (ignored by git), or ``IMPETUS_VALIDATION_DOCS``.
"""

from __future__ import annotations

import html
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.paths import DATA_DIR
from pipelines.validation import docs_offline

if TYPE_CHECKING:
    from great_expectations.core import ExpectationSuiteValidationResult

DEFAULT_DOCS_DIR = DATA_DIR / "validation" / "docs"
INDEX = "index.html"
STATIC = "static"  # the offline stylesheet and script the pages link
VEGA_BUNDLE = "vega-bundle.js"  # written only when a page draws a chart


def docs_dir() -> Path:
    return Path(os.environ.get("IMPETUS_VALIDATION_DOCS", DEFAULT_DOCS_DIR))


def write_validation_page(
    result: ExpectationSuiteValidationResult, table: str, folder: Path | None = None
) -> Path:
    """Render one suite run to ``<folder>/<table>/<UTC time>.html`` (offline, its files in
    ``<folder>/static/``); refresh the index."""
    # GX is imported here, in the check step, not when the code location loads.
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    root = docs_dir() if folder is None else folder
    page = root / table / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%fZ')}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    document = ValidationResultsPageRenderer().render(result)
    text = DefaultJinjaPageView().render(document)
    text = docs_offline.offline_page(text, f"../{STATIC}/", VEGA_BUNDLE)
    text = docs_offline.link_site_index(text, f"../{INDEX}")
    docs_offline.write_assets(root / STATIC)
    if "vegaEmbed(" in text and not (root / STATIC / VEGA_BUNDLE).is_file():
        import vl_convert

        bundle = vl_convert.javascript_bundle()
        (root / STATIC / VEGA_BUNDLE).write_text(bundle, encoding="utf-8")
    page.write_text(text, encoding="utf-8")
    write_index(root)
    return page


def write_index(root: Path) -> Path:
    """An index page: each table's runs, newest first (the file names sort by time)."""
    sections = []
    for table_dir in sorted(p for p in root.iterdir() if p.is_dir() and p.name != STATIC):
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
