"""The report's parts that need no warehouse: reference files, paths, the GX offline rewrite,
the chart helpers and the template helpers."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from pipelines.paths import DATA_DIR, DEFAULT_WAREHOUSE, REFERENCE_DIR, SQL_DIR
from pipelines.report import charts, gx_docs
from pipelines.report.data import FACTS_FILE, TILES_FILE
from pipelines.report.fonts import FONT_FILE, make_subset
from pipelines.report.site import bilingual, number, report_dir, signed


def test_the_tile_grid_places_each_of_the_31_provinces_once():
    tiles = pd.read_csv(TILES_FILE, dtype={"province_code": str})
    areas = pd.read_csv(REFERENCE_DIR / "areas.csv", dtype=str)
    provinces = set(areas.loc[areas["level"] == "province", "area_code"])
    assert set(tiles["province_code"]) == provinces and len(tiles) == 31
    assert not tiles.duplicated(["col", "row"]).any()
    assert not tiles["abbr"].duplicated().any()
    northeast = tiles.set_index("province_code").loc[["210000", "220000", "230000"]]
    assert northeast["col"].min() >= 6  # the Northeast sits in the north-east corner
    assert northeast["row"].max() <= 1


def test_every_fact_of_the_seed_file_is_computed_by_the_facts_query():
    facts = pd.read_csv(FACTS_FILE)
    query = (SQL_DIR / "report" / "northeast_facts.sql").read_text(encoding="utf-8")
    computed = set(re.findall(r"'([a-z_]+)'(?: as fact)?,", query))
    assert set(facts["fact"]) <= computed


def test_the_report_goes_to_data_report_for_the_default_warehouse_else_beside_it(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("IMPETUS_REPORT", raising=False)
    assert report_dir(DEFAULT_WAREHOUSE) == DATA_DIR / "report"
    assert report_dir(tmp_path / "w.duckdb") == tmp_path / "report"
    monkeypatch.setenv("IMPETUS_REPORT", str(tmp_path / "elsewhere"))
    assert report_dir(tmp_path / "w.duckdb") == tmp_path / "elsewhere"


GX_PAGE = """<html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
<link rel="shortcut icon" href="../../../../static/images/favicon.ico" type="image/x-icon"/>
<style>.navbar-brand a { background: url('https://example.com/logo.png') 0 0 no-repeat; }</style>
</head><body><a href="../../../../../index.html"><img class="x"
 src="https://example.com/logo-long.png?d=1" alt="GX"/></a>
<script>$(".ge-walkthrough-modal").modal();</script>
<span class="h6">Status:</span> <i class="fas fa-times text-danger"></i> Failed</body></html>"""


def test_a_gx_page_is_rewritten_to_load_only_the_reports_own_files(tmp_path):
    text = gx_docs.offline_page(GX_PAGE, 2, "vega.js")
    assert "https://" not in text
    assert '<link rel="stylesheet" href="../../assets/gx_offline.css">' in text
    assert '<script src="../../assets/gx_offline.js"></script>' in text
    assert 'href="../index.html"' in text and "favicon" not in text
    assert "vega.js" not in text  # the page draws no Vega chart
    source = tmp_path / "docs" / "staging.patents"
    source.mkdir(parents=True)
    (source / "20260101T000000Z.html").write_text("old", encoding="utf-8")
    (source / "20260102T000000Z.html").write_text(GX_PAGE, encoding="utf-8")
    pages = gx_docs.copy_offline(tmp_path / "docs", tmp_path / "validation", tmp_path / "a", "v.js")
    assert [(p.table, p.stamp, p.status) for p in pages] == [
        ("staging.patents", "20260102T000000Z", "failed")
    ]
    assert pages[0].href == "validation/staging.patents/20260102T000000Z.html"
    assert (tmp_path / "a" / "gx_offline.css").read_text().count("{%") == 0


def test_a_chart_ships_only_the_columns_it_draws_and_names_those_to_translate():
    frame = pd.DataFrame(
        {
            "label_zh": ["辽宁"],
            "label_en": ["Liaoning"],
            "name_zh": ["辽宁省"],  # not drawn: left out
            "name_en": ["Liaoning"],
            "order": [0],
            "series": ["a"],
            "value": [1.0],
        }
    )
    spec = charts.grouped_bars(charts.labelled(frame, "label_zh", "label_en"), "t", "x", ["a"])
    (rows,) = spec["datasets"].values()
    assert set(rows[0]) == {"label", "label_zh", "label_en", "order", "series", "value"}
    assert rows[0]["label"] == "辽宁 Liaoning"
    assert spec["usermeta"] == {"localise": ["label"]}


def test_template_helpers():
    assert str(bilingual("<中>", "E")) == (
        '<span lang="zh-Hans">&lt;中&gt;</span><span lang="en">E</span>'
    )
    assert number(None) == "—" and number(float("nan")) == "—" and number(1234.5, 0) == "1,234"
    assert (signed(3), signed(-2), signed(0), signed(None)) == ("▲3", "▼2", "=", "—")


@pytest.mark.parametrize("name", ["report.js", "whatif.js", "report.css"])
def test_the_static_files_load_nothing_remote(name):
    from pipelines.report.site import STATIC

    text = (STATIC / name).read_text(encoding="utf-8")
    assert not re.search(r"https?://", text)


def _cjk(text: str) -> set[str]:
    return {c for c in text if "\u3000" <= c <= "\u9fff" or "\uf900" <= c <= "\uffef"}


def test_the_shipped_font_holds_every_chinese_character_of_the_texts_it_is_cut_from():
    """Reference files, templates, static files, SQL and Python strings: a new name with a
    Chinese character the font subset lacks fails here (every character of the built site is
    checked in test_report.py; emoji of CLI output are not the report's)."""
    texts = make_subset.source_texts()
    lacking = {
        name: "".join(sorted(make_subset.missing(_cjk(text)))) for name, text in texts.items()
    }
    lacking = {name: chars for name, chars in lacking.items() if chars}
    assert not lacking, (
        f"the report's font lacks {lacking}: run `{make_subset.COMMAND}`"
        f" and commit {FONT_FILE.name}"
    )
    assert FONT_FILE.stat().st_size < 250_000  # a subset, not the 5 MB font
