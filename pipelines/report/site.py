"""``build_report``: the whole static site from a warehouse connection, in one call.

The site is written into a folder beside the target and swapped into place at the end, so a
half-written report never replaces a good one. Its ``assets/`` hold everything the pages load:
the Vega, Vega-Lite and vega-embed JavaScript bundle (from vl-convert-python, the library
Altair itself uses to inline them), the stylesheet and the two scripts of this package, and
the font (a subset of WenQuanYi Micro Hei holding every character the report can show,
``fonts/``) with its licence.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import altair as alt
import duckdb
import vl_convert
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from pipelines.indicators.config import CompositeConfig, load_config
from pipelines.paths import DATA_DIR, DEFAULT_WAREHOUSE, warehouse_path
from pipelines.report import gx_docs, pages
from pipelines.report.data import CheckRow, ReportData, load_report_data, source_rows_text
from pipelines.report.downloads import write_downloads
from pipelines.report.fonts import FONT_FILE, FONT_LICENCE_FILE

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_FILES = ("report.css", "report.js", "whatif.js")
FONT_LICENCE = "wqy-microhei-LICENSE.txt"  # the font's licence, beside it in assets/
REPORT_ENV = "IMPETUS_REPORT"
DEFAULT_REPORT_DIR = DATA_DIR / "report"
SITE_ZH, SITE_EN = "产业创新动力报告", "Industrial innovation impetus report"


def report_dir(warehouse: str | Path | None = None) -> Path:
    """Where the report is written: IMPETUS_REPORT, else data/report/ for the default
    warehouse, else a folder ``report`` beside the warehouse file (tests, other warehouses)."""
    configured = os.environ.get(REPORT_ENV)
    if configured:
        return Path(configured)
    live = Path(warehouse) if warehouse is not None else warehouse_path()
    if live.resolve() == DEFAULT_WAREHOUSE.resolve():
        return DEFAULT_REPORT_DIR
    return live.parent / "report"


@dataclass(frozen=True)
class ReportBuild:
    path: Path  # the site's folder; open index.html
    pages: int  # HTML pages (the GX copies included)
    files: int
    size_bytes: int
    seconds: float
    latest_year: int | None
    charts: int

    @property
    def index(self) -> Path:
        return self.path / "index.html"


def vega_bundle_name() -> str:
    """The bundle's file name carries the versions it holds."""
    vl = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    return (
        f"vega-{vl_convert.get_vega_version()}"
        f"-lite-{vl}-embed-{vl_convert.get_vega_embed_version()}.js"
    )


def write_vega_bundle(assets: Path, previous: Path | None) -> str:
    """Vega, Vega-Lite (the version Altair writes specs for) and vega-embed in one script,
    from vl-convert-python; copied from the previous build when it has the same versions."""
    name = vega_bundle_name()
    target = assets / name
    if previous is not None and (previous / name).is_file():
        shutil.copyfile(previous / name, target)
        return name
    vl = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    target.write_text(vl_convert.javascript_bundle(vl_version=vl), encoding="utf-8")
    return name


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["t"] = bilingual
    env.filters["num"] = number
    env.filters["pct"] = percent
    env.filters["signed"] = signed
    env.filters["source_rows"] = source_rows_text
    return env


def bilingual(zh: object, en: object, tag: str = "span") -> Markup:
    """Chinese and English side by side; the stylesheet shows one or both (report.js)."""
    return Markup(
        f'<{tag} lang="zh-Hans">{escape(zh)}</{tag}><{tag} lang="en">{escape(en)}</{tag}>'
    )


def number(value: object, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return str(value)


def percent(value: object, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return f"{100 * float(value):.{digits}f}%"


def signed(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    value = int(value)
    return f"▲{value}" if value > 0 else f"▼{-value}" if value < 0 else "="


def build_report(
    conn: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    config: CompositeConfig | None = None,
    checks: list[CheckRow] | None = None,
    on: date | None = None,
    read_from: str = "",
    validation_docs: Path | None = None,
) -> ReportBuild:
    """Write the report of the warehouse behind ``conn`` into ``out_dir`` (replaced whole).

    ``checks``: the latest check results (from the Dagster instance; None when there is none),
    ``on``: the day lateness is measured on, ``validation_docs``: the GX Data Docs folder whose
    newest pages are copied (offline) into the report."""
    started = time.perf_counter()
    out_dir = Path(out_dir)
    data = load_report_data(
        conn, config or load_config(), checks=checks, on=on, read_from=read_from
    )
    staging = out_dir.with_name(out_dir.name + ".building")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "assets").mkdir(parents=True)
    previous_assets = out_dir / "assets" if (out_dir / "assets").is_dir() else None
    bundle = write_vega_bundle(staging / "assets", previous_assets)
    for name in STATIC_FILES:
        shutil.copyfile(STATIC / name, staging / "assets" / name)
    shutil.copyfile(FONT_FILE, staging / "assets" / FONT_FILE.name)
    shutil.copyfile(FONT_LICENCE_FILE, staging / "assets" / FONT_LICENCE)
    gx_pages = []
    if validation_docs is not None:
        gx_pages = gx_docs.copy_offline(
            validation_docs, staging / "validation", staging / "assets", bundle
        )
    files = write_downloads(data, staging / "downloads")
    site_pages = [
        pages.overview(data),
        pages.provinces_index(data),
        *(pages.province(data, code) for code in data.provinces["province_code"]),
        pages.northeast(data),
        pages.whatif(data),
        pages.quality(data, [vars(page) for page in gx_pages]),
        pages.method(data),
        pages.downloads(files),
    ]
    if gx_pages:
        site_pages.append(_validation_index(gx_pages))
    env = _environment()
    common = _common(data, bundle)
    for page in site_pages:
        target = staging / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        html = env.get_template(page.template).render(
            page=page, root=page.root, **common, **page.context
        )
        target.write_text(html, encoding="utf-8")
    _swap(staging, out_dir)
    all_files = [p for p in out_dir.rglob("*") if p.is_file()]
    return ReportBuild(
        path=out_dir,
        pages=sum(p.suffix == ".html" for p in all_files),
        files=len(all_files),
        size_bytes=sum(p.stat().st_size for p in all_files),
        seconds=time.perf_counter() - started,
        latest_year=data.latest_year,
        charts=sum(len(page.charts) for page in site_pages),
    )


def _common(data: ReportData, bundle: str) -> dict:
    synthetic = data.synthetic_indicators
    return {
        "site_zh": SITE_ZH,
        "site_en": SITE_EN,
        "nav": pages.NAV,
        "vega_bundle": bundle,
        "synthetic": pages.records(synthetic[["indicator", "name_zh", "name_en", "pillar"]]),
        "synthetic_ids": set(synthetic["indicator"]),
        "n_indicators": len(data.indicators),
        "generated_at": data.generated_at.strftime("%Y-%m-%d %H:%M UTC"),
        "read_from": data.read_from or "the warehouse",
    }


def _validation_index(gx_pages: list[gx_docs.DocPage]) -> pages.Page:
    page = pages.Page(
        "validation/index.html",
        "validation_index.html",
        "quality",
        "校验结果",
        "Validation results",
    )
    page.context = {"gx_pages": [{**vars(p), "href": p.href.split("/", 1)[1]} for p in gx_pages]}
    return page


def _swap(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` with ``staging``: the old report is moved aside first, so a reader
    sees either the old or the new one, and it is removed after."""
    old = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)
