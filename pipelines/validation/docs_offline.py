"""GX Data Docs pages that render offline: the CDN references GX writes are replaced by files
beside the pages.

GX's validation pages load Bootstrap, jQuery, Font Awesome and their logo from CDNs, so they
show unstyled (and log errors) without a network. The great_expectations package ships none of
those, only its own stylesheet (``render/view/static/styles/data_docs_default_styles.css``, a
Jinja template whose ``{% ... %}`` lines are dropped here). ``offline_page`` removes every
remote script, stylesheet, image and CSS url and links two local files instead: that
stylesheet plus a small one for the Bootstrap classes the pages use, and a script standing in
for jQuery's few calls (modals and show/hide toggles do nothing; every section is shown
expanded). Nothing else of the page is changed.

Used by ``data_docs.py`` (pages under ``data/validation/docs``, the files in its ``static/``)
and by the report (``pipelines/report/gx_docs.py``: the same pages pointed at its ``assets/``).
No Great Expectations import: the report asset loads this with the code location.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ASSET_CSS = "gx_offline.css"
ASSET_JS = "gx_offline.js"


def gx_styles() -> Path | None:
    """GX's default Data Docs stylesheet in the installed package (without importing it)."""
    spec = importlib.util.find_spec("great_expectations")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    path = root / "render" / "view" / "static" / "styles" / "data_docs_default_styles.css"
    return path if path.is_file() else None


_REMOTE_SCRIPT = re.compile(r"<script[^>]*\ssrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I)
_REMOTE_LINK = re.compile(r"<link[^>]*\shref=\"https?://[^\"]*\"[^>]*>", re.I)
_ICON_LINK = re.compile(r"<link[^>]*rel=\"shortcut icon\"[^>]*>", re.I)
_REMOTE_URL = re.compile(r"url\(['\"]?https?://[^)]*\)", re.I)
_REMOTE_IMG = re.compile(r"(<img[^>]*?)\ssrc=\"https?://[^\"]*\"", re.I | re.S)
_SITE_INDEX = re.compile(r"href=\"(\.\./)+index\.html\"")
# What an earlier pass linked (a page made offline is made offline again for another folder).
_OFFLINE_HEAD = re.compile(
    r"<link rel=\"stylesheet\" href=\"[^\"]*gx_offline\.css\">"
    r"<script src=\"[^\"]*gx_offline\.js\"></script>"
    r"(<script src=\"[^\"]*\"></script>)?"
)

SHIM_JS = """/* Stands in for jQuery on the offline GX Data Docs pages: the pages call $(...) for a
 * welcome modal and show/hide toggles; offline every call does nothing. */
(function () {
  function Chain() {}
  var chain = new Proxy(new Chain(), {
    get: function (target, name) {
      if (name === "length") return 0;
      if (name === "each") return function () { return chain; };
      return function () { return chain; };
    },
  });
  var $ = function (arg) {
    if (typeof arg === "function") document.addEventListener("DOMContentLoaded", arg);
    return chain;
  };
  window.$ = window.jQuery = $;
})();
"""

OFFLINE_CSS = """/* Bootstrap classes the GX Data Docs pages use, for their offline pages. */
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #222; }
.navbar { display: flex; align-items: center; padding: 8px 16px; background: #f4f6f8;
  border-bottom: 1px solid #ddd; }
.navbar-brand img { display: none; }
.breadcrumb { list-style: none; display: flex; gap: 8px; margin: 0; padding: 0; }
.container-fluid { padding: 16px 32px; }
.row { display: flex; flex-wrap: wrap; gap: 16px; }
.col-lg-2 { flex: 0 0 220px; }
.col-lg-10, .col-md-10 { flex: 1 1 600px; min-width: 0; }
.col-12 { width: 100%; }
.card { border: 1px solid #ddd; border-radius: 6px; margin-bottom: 16px; }
.card-header { background: #f4f6f8; padding: 8px 12px; border-bottom: 1px solid #ddd; }
.card-body { padding: 8px 12px; }
table, .table { border-collapse: collapse; width: 100%; margin-bottom: 8px; font-size: 14px; }
th, td { border: 1px solid #ddd; padding: 4px 6px; text-align: left; vertical-align: top; }
.table-sm td, .table-sm th { padding: 2px 4px; }
.text-danger { color: #c0392b; }
.text-success { color: #1a7f4b; }
.text-muted { color: #666; }
.d-none, .modal, .ge-walkthrough-modal, footer { display: none; }
.collapse { display: block; }
.badge { display: inline-block; padding: 0 5px; border-radius: 3px; background: #eee; }
.fas.fa-times::before { content: "× "; color: #c0392b; }
.fas.fa-check::before, .fas.fa-check-circle::before { content: "✓ "; color: #1a7f4b; }
code, pre { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 13px; }
pre { white-space: pre-wrap; }
"""


def write_assets(folder: Path) -> None:
    """The stylesheet and the script the offline pages link, into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    styles = gx_styles()
    css = _without_jinja(styles.read_text(encoding="utf-8")) if styles else ""
    (folder / ASSET_CSS).write_text(css + "\n" + OFFLINE_CSS, encoding="utf-8")
    (folder / ASSET_JS).write_text(SHIM_JS, encoding="utf-8")


def offline_page(text: str, assets: str, vega_bundle: str | None = None) -> str:
    """A GX page with every remote script, stylesheet, image and CSS url removed and the
    offline files linked from ``assets`` (a relative folder ending in ``/``); the Vega bundle
    too when the page draws a chart. Applying it again (another ``assets``) relinks."""
    text = _OFFLINE_HEAD.sub("", text)
    text = _REMOTE_SCRIPT.sub("", text)
    text = _REMOTE_LINK.sub("", text)
    text = _ICON_LINK.sub("", text)
    text = _REMOTE_URL.sub("none", text)
    text = _REMOTE_IMG.sub(r"\1", text)
    head = (
        f'<link rel="stylesheet" href="{assets}{ASSET_CSS}">'
        f'<script src="{assets}{ASSET_JS}"></script>'
    )
    if vega_bundle and "vegaEmbed(" in text:
        head += f'<script src="{assets}{vega_bundle}"></script>'
    return re.sub(r"<head>", "<head>" + head, text, count=1, flags=re.I)


def link_site_index(text: str, href: str) -> str:
    """GX's breadcrumb links to the index of a GX site several folders up: ``href`` instead."""
    return _SITE_INDEX.sub(f'href="{href}"', text)


def _without_jinja(css: str) -> str:
    """GX's default stylesheet is a Jinja template; its {% ... %} lines are dropped."""
    return "\n".join(line for line in css.splitlines() if not line.lstrip().startswith("{%"))
