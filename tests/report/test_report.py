"""The report site, built by the ``report`` asset in a materialization of every asset on the
demo data (the session's shared build), then read as files and, where Debian's chromium is
installed, opened page by page with the network off.

Browser tests drive /usr/bin/chromium over the DevTools protocol (``browser.py``) and skip
without it. Set IMPETUS_UPDATE_SCREENSHOT=1 to write the screenshots into docs/img/
(report_overview.png, report_province_210000.png, report_northeast.png).
"""

from __future__ import annotations

import csv
import html
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

from pipelines.composite.aggregate import aggregate
from pipelines.composite.framework import Framework
from pipelines.composite.normalise import normalise
from pipelines.indicators.config import load_config
from pipelines.paths import REPO_ROOT
from pipelines.report.fonts import FONT_FILE, make_subset

from .browser import CHROMIUM, Browser

pytestmark = pytest.mark.integration

SHOTS = {  # page: (file in docs/img, height shown from the top)
    "index.html": ("report_overview.png", 1750),
    "province/210000.html": ("report_province_210000.png", 1500),
    "northeast.html": ("report_northeast.png", 1350),
}
SPEC = re.compile(r'<script type="application/json" id="([^"]+)-spec">(.*?)</script>', re.S)
CHARTS_DRAWN = "document.documentElement.dataset.chartsRendered !== undefined"


@pytest.fixture(scope="module")
def built(demo_build):
    """Every asset materialized on the demo into a temporary warehouse (the session's shared
    build, ``demo_build`` in tests/conftest.py); the report is written beside it
    (``report_dir``). Returns (warehouse, report folder, the report's metadata)."""
    result = demo_build.result
    assert result.success
    events = result.asset_materializations_for_node("report")
    metadata = {k: v.value for k, v in events[-1].metadata.items()}
    assert demo_build.report == demo_build.warehouse.parent / "report"
    return demo_build.warehouse, demo_build.report, metadata


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)")
    with Browser() as opened:
        yield opened


def report_pages(site: Path) -> list[Path]:
    """The report's own pages (the GX copies under validation/ excepted)."""
    return sorted(p for p in site.rglob("*.html") if "validation" not in p.relative_to(site).parts)


# --- the files ---------------------------------------------------------------------------------


def test_the_asset_writes_the_site_and_says_where(built):
    _, site, metadata = built
    assert (site / "index.html").is_file()
    assert metadata["url"] == (site / "index.html").resolve().as_uri()
    pages = report_pages(site)
    assert len(list((site / "province").glob("*.html"))) == 31
    names = {p.relative_to(site).as_posix() for p in pages}
    assert {
        "index.html",
        "provinces.html",
        "northeast.html",
        "whatif.html",
        "quality.html",
        "method.html",
        "downloads.html",
    } <= names
    assert metadata["pages"] >= len(pages)
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    assert metadata["size_bytes"] == size
    print(
        f"\nreport: {metadata['pages']} pages, {metadata['charts']} charts,"
        f" {size / 1e6:.1f} MB, built in {metadata['build_seconds']} s"
    )


def test_every_page_ships_its_scripts_and_styles_and_names_no_remote_host(built):
    _, site, _ = built
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        loaded = re.findall(r'<(?:script|img)[^>]*\ssrc="([^"]+)"', text)
        loaded += re.findall(r'<link[^>]*\shref="([^"]+)"', text)
        loaded += re.findall(r"url\(['\"]?([^)'\"]+)", text)
        for target in loaded:
            assert not re.match(r"(https?:)?//", target), f"{page}: loads {target}"
            assert (page.parent / target).resolve().is_file(), f"{page}: {target} is missing"
        if "validation" in page.relative_to(site).parts:
            continue
        for target in re.findall(r'<a[^>]*\shref="([^"#]+)', text):
            if not target.startswith(("http:", "https:", "file:")):
                assert (page.parent / target).resolve().is_file(), f"{page}: link {target}"


def test_every_page_says_which_indicators_are_synthetic(built):
    warehouse, site, _ = built
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        synthetic = [
            i
            for (i,) in conn.execute(
                "select indicator from marts.indicator where is_synthetic"
            ).fetchall()
        ]
    assert synthetic
    for page in report_pages(site):
        text = page.read_text(encoding="utf-8")
        assert 'id="synthetic-banner"' in text, page
        assert all(indicator in text for indicator in synthetic), page
    method = (site / "method.html").read_text(encoding="utf-8")
    for indicator in synthetic:
        row = re.search(rf'<tr data-indicator="{indicator}">(.*?)</tr>', method, re.S).group(1)
        assert "badge synthetic" in row, indicator


def test_every_chart_is_a_valid_vega_lite_spec(built):
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.v6.schema.core import load_schema

    _, site, metadata = built
    schema = load_schema()
    count = 0
    for page in report_pages(site):
        for _chart_id, text in SPEC.findall(page.read_text(encoding="utf-8")):
            spec = json.loads(text)
            validate_jsonschema(spec, schema)
            count += 1
    assert count == metadata["charts"]


def _strings(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "".join(_strings(k) + _strings(v) for k, v in value.items())
    if isinstance(value, list):
        return "".join(_strings(v) for v in value)
    return str(value)


def test_every_character_of_the_pages_and_charts_is_in_the_shipped_font(built):
    """The site ships its font (a subset): a province, indicator or label with a character the
    subset lacks fails here until the subset is regenerated."""
    _, site, _ = built
    font = site / "assets" / FONT_FILE.name
    assert font.is_file() and (site / "assets" / "wqy-microhei-LICENSE.txt").is_file()
    assert "@font-face" in (site / "assets" / "report.css").read_text(encoding="utf-8")
    chars: set[str] = set()
    pages = report_pages(site) + [site / "validation" / "index.html"]
    for page in (p for p in pages if p.is_file()):
        text = page.read_text(encoding="utf-8")
        for _chart_id, spec in SPEC.findall(text):
            parsed = json.loads(spec)
            assert parsed["config"]["font"].startswith("'Impetus WenQuanYi Micro Hei'")
            chars |= set(_strings(parsed))
        chars |= set(html.unescape(SPEC.sub(" ", text)))
    assert len(chars) > 300  # Chinese text, not only ASCII
    lacking = make_subset.missing(chars, font)
    assert not lacking, (
        f"the report's font lacks {''.join(sorted(lacking))!r}: "
        f"run `{make_subset.COMMAND}` and commit {FONT_FILE.relative_to(REPO_ROOT)}"
    )


def test_the_northeast_facts_of_seed_002_are_computed_with_their_rows(built):
    _, site, _ = built
    text = (site / "northeast.html").read_text(encoding="utf-8")
    facts = dict(re.findall(r'<tr data-fact="([a-z_]+)">(.*?)</tr>', text, re.S))
    assert set(facts) == {
        "rd_total_vs_benchmark",
        "rd_intensity_vs_national",
        "high_tech_enterprise_share",
        "chain_leader_local_procurement",
    }
    ratio = {
        name: float(re.search(r"<strong>([\d.]+)%</strong>", row).group(1))
        for name, row in facts.items()
    }
    assert ratio["rd_total_vs_benchmark"] == pytest.approx(26.5, abs=0.1)  # seed: 26.5%
    assert ratio["rd_intensity_vs_national"] == pytest.approx(65.8, abs=0.1)  # seed: about 65%
    assert ratio["high_tech_enterprise_share"] < 5  # seed: under 5%
    assert 30 < ratio["chain_leader_local_procurement"] < 50  # seed: about 40%
    for name, row in facts.items():
        assert "data/demo/" in row, name  # its source rows
    assert "1,115.97" in facts["rd_total_vs_benchmark"]  # 111.6 bn yuan, in 亿元


def test_the_workbook_has_names_formats_frozen_headers_filters_and_the_notice(built):
    _, site, _ = built
    book = load_workbook(site / "downloads" / "impetus_report.xlsx")
    assert book.sheetnames == [
        "about",
        "scores",
        "indicator_values",
        "catalog",
        "upgrading_path",
        "northeast_facts",
    ]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref, sheet.title
    scores = book["scores"]
    header = [cell.value for cell in scores[1]]
    assert {"province_zh", "province_en", "score", "rank", "rank_p05", "rank_p95"} <= set(header)
    row = [cell for cell in scores[2]]
    named = dict(zip(header, row, strict=True))
    assert named["score"].number_format == "0.00"
    assert named["official_share"].number_format == "0%"
    provinces = {(r[1], r[2]) for r in scores.iter_rows(min_row=2, max_col=3, values_only=True)}
    assert ("辽宁省", "Liaoning") in provinces and len(provinces) == 31
    about = "\n".join(str(c.value) for r in book["about"].iter_rows() for c in r)
    assert "synthetic" in about and "合成" in about and "d2_chain_leader_local_share" in about
    catalog = pd.DataFrame(book["catalog"].values)
    assert "合成 synthetic" in set(catalog[catalog.columns[-3]])


def test_the_csv_files_are_utf8_with_a_byte_order_mark(built):
    _, site, _ = built
    files = sorted((site / "downloads").glob("*.csv"))
    assert {f.stem for f in files} >= {"scores", "indicator_values", "catalog"}
    for file in files:
        assert file.read_bytes()[:3] == b"\xef\xbb\xbf", file
    with (site / "downloads" / "scores.csv").open(encoding="utf-8-sig") as handle:
        first = next(csv.DictReader(handle))
    assert first["province_zh"] and first["province_en"]


def test_the_gx_data_docs_copies_load_nothing_from_a_cdn(built):
    _, site, _ = built
    copies = list((site / "validation").glob("*/*.html"))
    assert copies
    for page in copies:
        text = page.read_text(encoding="utf-8")
        assert not re.search(r'<(script|link|img)[^>]*(src|href)="https?://', text), page
        assert "assets/gx_offline.css" in text, page


def test_a_warehouse_without_scores_still_gets_a_report(built, tmp_path):
    """Empty marts (e.g. before any micro records): every page says there is nothing yet."""
    from pipelines.report import build_report

    warehouse, _, _ = built
    empty = tmp_path / "empty.duckdb"
    with duckdb.connect(str(empty)) as conn:
        conn.execute(f"attach '{warehouse}' as demo (read_only)")
        tables = conn.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'demo'"
        ).fetchall()
        for schema, table in tables:
            conn.execute(f"create schema if not exists {schema}")
            keep = "" if schema == "reference" else " limit 0"  # only the reference tables
            conn.execute(
                f"create table {schema}.{table} as select * from demo.{schema}.{table}{keep}"
            )
        conn.execute("detach demo")
        built_empty = build_report(conn, tmp_path / "report")
    assert built_empty.latest_year is None
    assert (tmp_path / "report" / "province" / "210000.html").is_file()
    assert "no index scores yet" in (tmp_path / "report" / "index.html").read_text()


# --- in the browser, with the network off -----------------------------------------------------


def test_every_page_opens_from_disk_offline_without_errors_and_draws_every_chart(built, browser):
    _, site, _ = built
    opened = 0
    for page in sorted(site.rglob("*.html")):
        own = "validation" not in page.relative_to(site).parts
        log = browser.open(page, wait_for=CHARTS_DRAWN if own else None)
        browser.pump(0.2)
        assert log.problems == [], (page, log.problems)
        assert log.remote_requests == []
        if own:
            charts, drawn = browser.evaluate(
                "[document.querySelectorAll('.chart').length,"
                " Number(document.documentElement.dataset.chartsRendered)]"
            )
            assert drawn == charts, page
            blank = browser.evaluate(
                "Array.from(document.querySelectorAll('.chart')).filter(c => {"
                " const g = c.querySelector('svg, canvas');"
                " if (!g) return true;"
                " const box = g.getBoundingClientRect();"
                " return box.width < 50 || box.height < 50 || g.querySelectorAll('path, rect,"
                " text').length < 5; }).map(c => c.id)"
            )
            assert blank == [], (page, blank)
            assert browser.evaluate("window.reportErrors") == [], page
        opened += 1
    assert opened >= 45


def test_the_language_switch_redraws_the_charts_in_english(built, browser):
    _, site, _ = built
    browser.open(site / "index.html", "#lang=en", wait_for=CHARTS_DRAWN)
    ranking = "document.querySelectorAll('.chart svg')[1].textContent"  # overall index ranks
    text = browser.evaluate(ranking)
    assert "Liaoning" in text and "辽宁" not in text
    browser.evaluate("document.querySelector(\"[data-set-lang='zh']\").click()")
    browser.wait(CHARTS_DRAWN)
    text = browser.evaluate(ranking)
    assert "辽宁" in text and "Liaoning" not in text
    assert (
        browser.evaluate("getComputedStyle(document.querySelector('h1 [lang=en]')).display")
        == "none"
    )
    browser.evaluate("document.querySelector(\"[data-set-lang='both']\").click()")
    browser.wait(CHARTS_DRAWN)


def engine_scores(warehouse: Path, weights: dict[str, float], method: str, year: int):
    """The innovation impetus index by the engine (pipelines/composite) from the marts: the
    catalog's framework with the pillars' weights replaced, aggregated level by level; for the
    geometric mean the treated values normalised min-max 1-100 over the whole panel (as the
    Monte Carlo pairs them). Returns province -> (score, rank)."""
    config = load_config()
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        catalog = conn.execute(
            "select indicator, pillar, weight, direction from marts.indicator"
            " where composite_index = 'overall'"
        ).df()
        cells = conn.execute(
            "select province_code, year, indicator, treated_value, normalised_value"
            " from marts.indicator_value where indicator in (select indicator from"
            " marts.indicator where composite_index = 'overall')"
        ).df()
    drivers = config.pillars_of("overall")
    rows = [
        {
            "code": r.indicator,
            "level": 1,
            "parent": r.pillar,
            "weight": r.weight,
            "direction": r.direction,
        }
        for r in catalog.itertuples()
    ]
    rows += [{"code": p, "level": 2, "parent": "overall", "weight": 1.0} for p in drivers]
    rows.append({"code": "overall", "level": 3, "parent": None, "weight": 1.0})
    framework = Framework.from_table(pd.DataFrame(rows)).with_weights(weights)
    if method == "geometric":
        treated = cells.pivot_table(
            index=["province_code", "year"], columns="indicator", values="treated_value"
        ).reindex(columns=framework.indicators)
        data = normalise(treated, framework.directions, "minmax", {"lower": 1.0, "upper": 100.0})
    else:
        data = cells.pivot_table(
            index=["province_code", "year"], columns="indicator", values="normalised_value"
        ).reindex(columns=framework.indicators)
    scores = aggregate(data, framework, method)["overall"].xs(year, level="year")
    order = sorted(scores.index, key=lambda code: (-scores[code], code))
    return {code: (float(scores[code]), order.index(code) + 1) for code in scores.index}


@pytest.mark.parametrize(
    "weights, method, which_year",
    [
        ([1, 2, 1, 1, 1, 1, 1, 3], "arithmetic", "latest"),
        ([2, 0.5, 1, 0, 1, 1.5, 3, 1], "geometric", "base"),
    ],
)
def test_the_what_if_page_computes_what_the_engine_computes(
    built, browser, weights, method, which_year
):
    warehouse, site, _ = built
    payload = json.loads(
        re.search(
            r'id="whatif-data">(.*?)</script>',
            (site / "whatif.html").read_text(encoding="utf-8"),
            re.S,
        ).group(1)
    )
    year = payload["years"][-1] if which_year == "latest" else payload["years"][0]
    fragment = f"#w={','.join(map(str, weights))}&agg={method}&year={year}"
    browser.open(
        site / "whatif.html", fragment, wait_for="document.documentElement.dataset.whatifReady"
    )
    page = browser.evaluate(
        "Array.from(document.querySelectorAll('#whatif-table tbody tr')).map(r =>"
        " [r.dataset.code, Number(r.dataset.score), Number(r.dataset.rank)])"
    )
    drivers = [p["code"] for p in payload["pillars"]]
    engine = engine_scores(warehouse, dict(zip(drivers, weights, strict=True)), method, year)
    assert len(page) == 31
    for code, score, rank in page:
        assert score == pytest.approx(engine[code][0], abs=1e-9), code
        assert rank == engine[code][1], code
    shown = json.loads(browser.evaluate("document.documentElement.dataset.whatif"))
    assert shown == {"weights": weights, "aggregation": method, "year": year}


def test_the_what_if_page_with_the_published_weights_gives_the_published_scores(built, browser):
    warehouse, site, _ = built
    browser.open(site / "whatif.html", wait_for="document.documentElement.dataset.whatifReady")
    page = browser.evaluate(
        "Array.from(document.querySelectorAll('#whatif-table tbody tr')).map(r =>"
        " [r.dataset.code, Number(r.dataset.score), Number(r.dataset.rank)])"
    )
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        published = {
            code: (score, rank)
            for code, score, rank in conn.execute(
                "select province_code, score, rank from marts.pillar_score where pillar ="
                " 'overall' and year = (select max(year) from marts.pillar_score)"
            ).fetchall()
        }
    assert {code: rank for code, _, rank in page} == {c: r for c, (_, r) in published.items()}
    assert np.allclose([s for _, s, _ in page], [published[c][0] for c, _, _ in page], atol=1e-9)
    assert browser.evaluate("document.getElementById('whatif-moved').textContent") == "0"


def test_screenshots_of_the_overview_a_province_and_the_northeast(built, browser, tmp_path):
    _, site, _ = built
    for page, (name, height) in SHOTS.items():
        browser.open(site / page, wait_for=CHARTS_DRAWN)
        browser.pump(0.3)
        shot = browser.screenshot(tmp_path / name, max_height=height)
        assert shot.stat().st_size > 50_000, name  # a drawn page, not a blank one
        if os.environ.get("IMPETUS_UPDATE_SCREENSHOT") == "1":
            target = REPO_ROOT / "docs" / "img" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(shot, target)


def test_impetus_report_builds_from_the_published_copy_and_opens_it(built, tmp_path, monkeypatch):
    from pipelines import cli

    warehouse, _, _ = built
    home = tmp_path / "dagster_home"
    home.mkdir()
    target = tmp_path / "cli_report"
    monkeypatch.setenv("IMPETUS_WAREHOUSE", str(warehouse))
    monkeypatch.delenv("IMPETUS_PUBLISHED", raising=False)
    monkeypatch.setenv("IMPETUS_REPORT", str(target))
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    assert cli.main(["report"]) == 0
    index = target / "index.html"
    assert "published copy of run" in index.read_text(encoding="utf-8")
    quality = (target / "quality.html").read_text(encoding="utf-8")
    assert 'data-outcome="not run"' in quality  # a new instance: no check has run there
    stamp = index.stat().st_mtime
    assert cli.main(["report", "--open"]) == 0
    assert opened == [index.resolve().as_uri()]
    assert index.stat().st_mtime == stamp  # opened, not rebuilt
