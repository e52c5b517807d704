"""The report's pages: one function per page builds what its template shows (tables as rows,
charts as Vega-Lite specs from ``charts.py``), from ``ReportData`` only."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import yaml

from pipelines.indicators.config import DEFAULT_SETTINGS_FILE
from pipelines.report import charts
from pipelines.report.charts import bi, labelled
from pipelines.report.data import GROUP_NAMES, GROUPS, INDICES, ReportData
from pipelines.upgrading.rules import PATHS, STAGES

STRENGTHS_SHOWN = 5  # indicators listed as a province's strengths, and as its weaknesses
SHORT_INDEX_NAMES = {
    "overall": ("动力指数", "Impetus index"),
    "upgrading": ("升级指数", "Upgrading index"),
}


@dataclass
class Page:
    """One HTML file of the site: its template, title, navigation entry, context, charts."""

    path: str  # relative to the site's folder, e.g. province/210000.html
    template: str
    nav: str
    title_zh: str
    title_en: str
    context: dict[str, Any] = field(default_factory=dict)
    charts: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def root(self) -> str:
        """The way back to the site's folder from this page."""
        return "../" * self.path.count("/")

    def chart(self, spec: dict | None, chart_id: str | None = None) -> str | None:
        """Register a chart; its id is the container's ``id`` in the template."""
        if spec is None:
            return None
        chart_id = chart_id or f"chart-{len(self.charts) + 1}"
        self.charts.append((chart_id, spec))
        return chart_id


NAV = [
    {"key": "overview", "href": "index.html", "zh": "总览", "en": "Overview"},
    {"key": "provinces", "href": "provinces.html", "zh": "省份", "en": "Provinces"},
    {"key": "northeast", "href": "northeast.html", "zh": "东北", "en": "Northeast"},
    {"key": "whatif", "href": "whatif.html", "zh": "权重模拟", "en": "What-if weights"},
    {"key": "quality", "href": "quality.html", "zh": "数据质量", "en": "Data quality"},
    {"key": "method", "href": "method.html", "zh": "方法", "en": "Method"},
    {"key": "downloads", "href": "downloads.html", "zh": "下载", "en": "Downloads"},
]


def clean(value: Any) -> Any:
    """NaN / NA as None, numpy scalars as Python ones, arrays (a lineage list) as lists (for
    templates and JSON)."""
    if getattr(value, "ndim", 0) > 0:
        return value.tolist()
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
        if isinstance(value, float) and math.isnan(value):
            return None
    return value


def records(frame: pd.DataFrame) -> list[dict]:
    return [{k: clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


# --- shared tables -----------------------------------------------------------------------------


def index_table(data: ReportData, pillar: str, year: int | None) -> pd.DataFrame:
    """One pillar or index in ``year`` for the 31 provinces, ranked, with the names, the group
    label and the rank change against the previous and the base year (positive = moved up)."""
    scores = data.scores
    now = scores[(scores["pillar"] == pillar) & (scores["year"] == year)]
    table = data.provinces.merge(now, on="province_code", how="inner")
    for name, other in (("previous", data.previous_year), ("base", data.base_year)):
        earlier = scores[(scores["pillar"] == pillar) & (scores["year"] == other)]
        ranks = earlier.set_index("province_code")["rank"]
        table[f"rank_{name}"] = pd.to_numeric(table["province_code"].map(ranks))
        table[f"change_{name}"] = table[f"rank_{name}"] - pd.to_numeric(table["rank"])
    table["group_zh"] = table["performance_group"].map(lambda g: GROUP_NAMES.get(g, ("", ""))[0])
    table["group_en"] = table["performance_group"].map(lambda g: GROUP_NAMES.get(g, ("", ""))[1])
    table = labelled(table, "short_zh", "name_en")
    table = labelled(table, "group_zh", "group_en", "group_label")
    return table.sort_values("rank").reset_index(drop=True)


def national_mean(data: ReportData, pillars: list[str]) -> pd.DataFrame:
    """Mean score of the 31 provinces per pillar and year (relative_to_national's 100)."""
    scores = data.scores[data.scores["pillar"].isin(pillars)]
    return scores.groupby(["pillar", "year"], as_index=False)["score"].mean()


def _province_label(data: ReportData, code: str) -> tuple[str, str]:
    row = data.province(code)
    return row["short_zh"], row["name_en"]


# --- overview ----------------------------------------------------------------------------------


def overview(data: ReportData) -> Page:
    page = Page("index.html", "overview.html", "overview", "总览", "Overview")
    year = data.latest_year
    tables = {}
    for index in INDICES:
        zh, en = data.pillar_name(index)
        table = index_table(data, index, year)
        tables[index] = {
            "name": (zh, en),
            "rows": records(table),
            "chart": page.chart(
                charts.ranking(table, bi(f"{zh}（{year}年）", f"{en}, {year}"))
                if len(table)
                else None
            ),
            "groups": [
                {
                    "group": group,
                    "name": GROUP_NAMES[group],
                    "provinces": records(table[table["performance_group"] == group]),
                }
                for group in GROUPS
            ],
        }
    overall = index_table(data, "overall", year)
    tile_chart = None
    change_chart = None
    if len(overall):
        tiles = overall.copy()
        tiles["tile_zh"] = tiles["short_zh"]
        tiles["tile_en"] = tiles["abbr"]
        tiles["tile"] = tiles["tile_zh"] + " " + tiles["tile_en"]
        tiles["rank_text"] = "#" + tiles["rank"].astype(int).astype(str)
        tiles["href"] = "province/" + tiles["province_code"] + ".html"
        zh, en = data.pillar_name("overall")
        tile_chart = page.chart(charts.tile_map(tiles, bi(f"{zh}：表现组别", f"{en}: groups")))
        changes = []
        for name, other, zh_what, en_what in (
            ("previous", data.previous_year, "较上一年", "vs previous year"),
            ("base", data.base_year, "较基年", "vs base year"),
        ):
            if other is None:
                continue
            part = overall[["label", "label_zh", "label_en", "rank", f"change_{name}"]].rename(
                columns={f"change_{name}": "change"}
            )
            changes.append(part.assign(comparison=f"{zh_what} {other} {en_what} {other}"))
        if changes:
            change_chart = page.chart(
                charts.rank_change(
                    pd.concat(changes, ignore_index=True),
                    bi(f"{zh}名次变化", f"{en}: rank change"),
                )
            )
    page.context = {
        "year": year,
        "previous_year": data.previous_year,
        "base_year": data.base_year,
        "indices": tables,
        "tile_chart": tile_chart,
        "change_chart": change_chart,
        "thresholds": data.config.performance_groups,
    }
    return page


def provinces_index(data: ReportData) -> Page:
    page = Page("provinces.html", "provinces.html", "provinces", "省份", "Provinces")
    table = index_table(data, "overall", data.latest_year)
    ranks = table.set_index("province_code")["rank"] if len(table) else pd.Series(dtype=float)
    rows = records(data.provinces.assign(rank=data.provinces["province_code"].map(ranks)))
    page.context = {"provinces": rows, "year": data.latest_year}
    return page


# --- one page per province ---------------------------------------------------------------------


def benchmark_for(data: ReportData, code: str) -> str | None:
    """The benchmark province (composite_settings.yaml northeast_view.benchmark_province); on
    the benchmark's own page, the best-ranked other province on the overall index."""
    if code != data.benchmark_province:
        return data.benchmark_province
    overall = index_table(data, "overall", data.latest_year)
    others = overall[overall["province_code"] != code]
    return None if others.empty else str(others.iloc[0]["province_code"])


def province(data: ReportData, code: str) -> Page:
    zh_name, en_name = data.province(code)[["name_zh", "name_en"]]
    page = Page(f"province/{code}.html", "province.html", "provinces", zh_name, en_name)
    year = data.latest_year
    drivers = data.drivers
    pillars = [*drivers, *data.stage_pillars, *INDICES]
    latest = data.scores[(data.scores["year"] == year) & (data.scores["province_code"] == code)]
    latest = latest.set_index("pillar")
    mean = national_mean(data, pillars)
    mean_now = mean[mean["year"] == year].set_index("pillar")["score"]
    benchmark = benchmark_for(data, code)
    bench_scores = data.scores[
        (data.scores["year"] == year) & (data.scores["province_code"] == benchmark)
    ].set_index("pillar")["score"]
    bench_zh, bench_en = _province_label(data, benchmark) if benchmark else ("", "")
    own_zh, own_en = _province_label(data, code)

    pillar_rows = []
    for order, pillar in enumerate(pillars):
        zh, en = data.pillar_name(pillar)
        row = latest.loc[pillar] if pillar in latest.index else None
        pillar_rows.append(
            {
                "pillar": pillar,
                "order": order,
                "name": (zh, en),
                "score": clean(row["score"]) if row is not None else None,
                "national_mean": clean(mean_now.get(pillar)),
                "benchmark": clean(bench_scores.get(pillar)),
                "relative": clean(row["relative_to_national"]) if row is not None else None,
                "rank": clean(row["rank"]) if row is not None else None,
                "rank_p05": clean(row["rank_p05"]) if row is not None else None,
                "rank_p95": clean(row["rank_p95"]) if row is not None else None,
                "group": clean(row["performance_group"]) if row is not None else None,
                "group_name": GROUP_NAMES.get(
                    row["performance_group"] if row is not None else None, ("", "")
                ),
                "official_share": clean(row["official_share"]) if row is not None else None,
                "is_synthetic": bool(row["is_synthetic"]) if row is not None else False,
            }
        )
    driver_rows = [r for r in pillar_rows if r["pillar"] in drivers]

    series = [bi(own_zh, own_en), bi("全国均值", "National mean")]
    if benchmark:
        series.append(bi(bench_zh, bench_en))
    bars = []
    for r in driver_rows:
        label = {
            "label_zh": f"{r['pillar']} {r['name'][0]}",
            "label_en": f"{r['pillar']} {r['name'][1]}",
        }
        values = [r["score"], r["national_mean"], r["benchmark"] if benchmark else None]
        for name, value in zip(series, values, strict=False):
            if value is not None:
                bars.append({**label, "order": r["order"], "series": name, "value": value})
    bars_frame = labelled(pd.DataFrame(bars), "label_zh", "label_en") if bars else None
    driver_chart = page.chart(
        charts.grouped_bars(
            bars_frame,
            bi("八大驱动力", "The eight drivers"),
            bi("得分（0-100）", "Score (0-100)"),
            series,
        )
        if bars_frame is not None
        else None
    )
    ranked = [
        r for r in pillar_rows if r["rank"] is not None and r["pillar"] in [*drivers, *INDICES]
    ]
    interval_chart = None
    if ranked:
        frame = pd.DataFrame(
            [
                {
                    "label_zh": f"{r['pillar']} {r['name'][0]}"
                    if r["pillar"] not in INDICES
                    else r["name"][0],
                    "label_en": f"{r['pillar']} {r['name'][1]}"
                    if r["pillar"] not in INDICES
                    else r["name"][1],
                    "order": r["order"],
                    "rank": r["rank"],
                    "rank_p05": r["rank_p05"],
                    "rank_p95": r["rank_p95"],
                }
                for r in ranked
            ]
        )
        interval_chart = page.chart(
            charts.rank_intervals(
                labelled(frame, "label_zh", "label_en"),
                bi("排名与5-95%区间", "Rank, 5-95% interval"),
                len(data.provinces),
            )
        )

    # trends: the two indices and each driver, the province against the national mean
    history = data.scores[data.scores["province_code"] == code]
    own_label, nat_label = bi(own_zh, own_en), bi("全国均值", "National mean")
    index_rows, driver_trend_rows = [], []
    for frame, who in ((history, own_label), (mean, nat_label)):
        for row in frame[frame["pillar"].isin(INDICES)].itertuples():
            index_rows.append(
                {
                    "year": int(row.year),
                    "series": f"{bi(*SHORT_INDEX_NAMES[row.pillar])} · {who}",
                    "value": clean(row.score),
                }
            )
        for row in frame[frame["pillar"].isin(drivers)].itertuples():
            zh, en = data.pillar_name(row.pillar)
            driver_trend_rows.append(
                {
                    "year": int(row.year),
                    "series": who,
                    "value": clean(row.score),
                    "label_zh": f"{row.pillar} {zh}",
                    "label_en": f"{row.pillar} {en}",
                    "order": drivers.index(row.pillar),
                }
            )
    trend_chart = None
    if index_rows:
        order = [
            f"{bi(*SHORT_INDEX_NAMES[index])} · {who}"
            for index in INDICES
            for who in (own_label, nat_label)
        ]
        trend_chart = page.chart(
            charts.lines(
                pd.DataFrame(index_rows),
                bi("指数得分随时间变化", "Index scores over the years"),
                bi("得分", "Score"),
                order,
                dashed=[s for s in order if s.endswith(nat_label)],
            )
        )
    driver_trend_chart = None
    if driver_trend_rows:
        driver_trend_chart = page.chart(
            charts.lines(
                labelled(pd.DataFrame(driver_trend_rows), "label_zh", "label_en"),
                bi("各驱动力得分随时间变化", "Each driver over the years"),
                bi("得分", "Score"),
                [own_label, nat_label],
                dashed=[nat_label],
                facet=True,
            )
        )

    strengths, weaknesses = strengths_and_weaknesses(data, code, year)
    stage_context = upgrading_context(data, code, page)
    group = latest.loc["overall"]["performance_group"] if "overall" in latest.index else None
    page.context = {
        "code": code,
        "name": (zh_name, en_name),
        "short": (own_zh, own_en),
        "is_northeast": bool(data.province(code)["is_northeast"]),
        "year": year,
        "group": group,
        "group_name": GROUP_NAMES.get(group, ("", "")),
        "pillars": pillar_rows,
        "benchmark": benchmark,
        "benchmark_name": (bench_zh, bench_en),
        "is_default_benchmark": benchmark == data.benchmark_province,
        "driver_chart": driver_chart,
        "interval_chart": interval_chart,
        "trend_chart": trend_chart,
        "driver_trend_chart": driver_trend_chart,
        "strengths": strengths,
        "weaknesses": weaknesses,
        "strengths_shown": STRENGTHS_SHOWN,
        "neighbours": _neighbours(data, code),
        **stage_context,
    }
    return page


def strengths_and_weaknesses(data: ReportData, code: str, year: int | None):
    """The indicators where the province ranks best and worst among the provinces in
    ``year`` (on the normalised value, so direction is applied), best first / worst first."""
    values = data.values[(data.values["province_code"] == code) & (data.values["year"] == year)]
    values = values[values["rank"].notna()]
    info = data.indicators.set_index("indicator")
    rows = []
    for row in values.itertuples():
        meta = info.loc[row.indicator]
        rows.append(
            {
                "indicator": row.indicator,
                "name": (meta["name_zh"], meta["name_en"]),
                "pillar": row.pillar,
                "pillar_name": (meta["pillar_zh"], meta["pillar_en"]),
                "unit": meta["unit"],
                "raw_value": clean(row.raw_value),
                "rank": int(row.rank),
                "ranked": int(row.ranked),
                "value_origin": row.value_origin,
                "is_synthetic": bool(meta["is_synthetic"]),
            }
        )
    ordered = sorted(rows, key=lambda r: (r["rank"], r["indicator"]))
    best = ordered[:STRENGTHS_SHOWN]
    worst = [r for r in reversed(ordered) if r not in best][:STRENGTHS_SHOWN]
    return best, worst


def upgrading_context(data: ReportData, code: str, page: Page) -> dict:
    """The province's stage over the years, and the latest recommended path with its reasons
    and the fit of each path (marts.upgrading_path)."""
    rows = data.upgrading[data.upgrading["province_code"] == code].sort_values("year")
    if rows.empty:
        return {"stage": None}
    stage_labels = [bi(*data.stage_name(stage)) for stage in STAGES]
    path_labels = [bi(*data.path_names[path]) for path in PATHS]
    frame = pd.DataFrame(
        {
            "year": rows["year"].astype(int),
            "stage_label": rows["stage"].map(lambda s: bi(*data.stage_name(s))),
            "stage_order": rows["stage"].map(STAGES.index),
            "path_label": rows["recommended_path"].map(lambda p: bi(*data.path_names[p])),
        }
    )
    stage_chart = page.chart(
        charts.stages(
            frame,
            bi("升级阶段与推荐路径", "Upgrading stage and recommended path"),
            stage_labels,
            path_labels,
        )
    )
    last = rows.iloc[-1]
    fit_frame = pd.DataFrame(
        [
            {
                "label_zh": data.path_names[path][0],
                "label_en": data.path_names[path][1],
                "path": path,
                "fit": float(last[f"fit_{path}"]),
                "recommended": path == last["recommended_path"],
            }
            for path in PATHS
        ]
    )
    fit_chart = page.chart(
        charts.fits(
            labelled(fit_frame, "label_zh", "label_en"),
            bi(
                f"各升级路径的契合度（{int(last['year'])}年）",
                f"Fit of each path, {int(last['year'])}",
            ),
        )
    )
    history = [
        {
            "year": int(r.year),
            "stage": data.stage_name(r.stage),
            "path": data.path_names[r.recommended_path],
        }
        for r in rows.itertuples()
    ]
    return {
        "stage": data.stage_name(last["stage"]),
        "stage_year": int(last["year"]),
        "path": data.path_names[last["recommended_path"]],
        "fits": [
            {
                "path": data.path_names[p],
                "fit": float(last[f"fit_{p}"]),
                "recommended": p == last["recommended_path"],
            }
            for p in PATHS
        ],
        "reason": (last["reason_zh"], last["reason_en"]),
        "stage_chart": stage_chart,
        "fit_chart": fit_chart,
        "stage_history": history,
    }


def _neighbours(data: ReportData, code: str) -> dict:
    codes = data.provinces["province_code"].tolist()
    i = codes.index(code)
    previous, following = codes[i - 1], codes[(i + 1) % len(codes)]
    return {
        "previous": (previous, *_province_label(data, previous)),
        "next": (following, *_province_label(data, following)),
    }


# --- Northeast ---------------------------------------------------------------------------------


def northeast(data: ReportData) -> Page:
    page = Page("northeast.html", "northeast.html", "northeast", "东北", "Northeast")
    ne = data.provinces[data.provinces["is_northeast"]]
    codes = ne["province_code"].tolist()
    bench = data.benchmark_province
    bench_zh, bench_en = _province_label(data, bench)
    region = bi("东北三省", "Northeast (3)")
    national = bi("全国", "National")
    names = {c: bi(*_province_label(data, c)) for c in codes}
    series = [*names.values(), region, bi(bench_zh, bench_en), national]
    index_charts = {}
    for index in INDICES:
        zh, en = data.pillar_name(index)
        scores = data.scores[data.scores["pillar"] == index]
        rows = []
        for year, group in scores.groupby("year"):
            rel = group.set_index("province_code")["relative_to_national"]
            for c in codes:
                rows.append({"year": int(year), "series": names[c], "value": clean(rel.get(c))})
            rows.append({"year": int(year), "series": region, "value": clean(rel[codes].mean())})
            rows.append({"year": int(year), "series": series[-2], "value": clean(rel.get(bench))})
            rows.append({"year": int(year), "series": national, "value": 100.0})
        index_charts[index] = page.chart(
            charts.lines(
                pd.DataFrame(rows),
                bi(f"{zh}（全国均值=100）", f"{en} (national mean = 100)"),
                bi("相对全国", "Relative to national"),
                series,
                dashed=[national, region],
            )
            if rows
            else None
        )
    year = data.latest_year
    drivers_now = data.scores[
        (data.scores["year"] == year) & data.scores["pillar"].isin(data.drivers)
    ]
    bars = []
    for order, pillar in enumerate(data.drivers):
        zh, en = data.pillar_name(pillar)
        rel = drivers_now[drivers_now["pillar"] == pillar].set_index("province_code")[
            "relative_to_national"
        ]
        values = {names[c]: rel.get(c) for c in codes}
        values[region] = rel[codes].mean() if len(rel) else None
        values[series[-2]] = rel.get(bench)
        for name, value in values.items():
            if clean(value) is not None:
                bars.append(
                    {
                        "label_zh": f"{pillar} {zh}",
                        "label_en": f"{pillar} {en}",
                        "order": order,
                        "series": name,
                        "value": clean(value),
                    }
                )
    driver_chart = page.chart(
        charts.grouped_bars(
            labelled(pd.DataFrame(bars), "label_zh", "label_en"),
            bi(
                f"八大驱动力（{year}年，全国均值=100）",
                f"The eight drivers, {year} (national = 100)",
            ),
            bi("相对全国", "Relative to national"),
            series[:-1],
        )
        if bars
        else None
    )
    metric_charts = []
    for metric, zh, en in (
        ("rd_intensity", "R&D经费投入强度", "R&D intensity"),
        ("rd_expenditure", "R&D经费", "R&D expenditure"),
        ("high_tech_enterprises", "高新技术企业数", "High-tech enterprises"),
    ):
        view = data.northeast[data.northeast["metric"] == metric]
        if view.empty:
            continue
        unit = view["unit"].iloc[0]
        rows = []
        for r in view.itertuples():
            rows.append({"year": int(r.year), "series": region, "value": clean(r.northeast_value)})
            if clean(r.benchmark_value) is not None:
                rows.append(
                    {"year": int(r.year), "series": series[-2], "value": clean(r.benchmark_value)}
                )
            if clean(r.national_value) is not None and metric == "rd_intensity":
                rows.append(
                    {"year": int(r.year), "series": national, "value": clean(r.national_value)}
                )
        basis = view["northeast_basis"].iloc[0]
        basis_zh = "合计" if basis == "total" else "均值"
        synthetic = bool(view["is_synthetic"].any())
        metric_charts.append(
            {
                "chart": page.chart(
                    charts.lines(
                        pd.DataFrame(rows),
                        bi(
                            f"{zh}（{unit}，东北为三省{basis_zh}）",
                            f"{en} ({unit}; Northeast {basis})",
                        ),
                        unit,
                        [region, series[-2], national],
                        dashed=[national],
                    )
                ),
                "synthetic": synthetic,
                "name": (zh, en),
            }
        )
    facts = records(data.facts)
    page.context = {
        "provinces": records(ne),
        "benchmark_name": (bench_zh, bench_en),
        "index_charts": index_charts,
        "driver_chart": driver_chart,
        "metric_charts": metric_charts,
        "facts": facts,
        "year": year,
        "paths": [
            {"code": c, "name": _province_label(data, c), **upgrading_summary(data, c)}
            for c in codes
        ],
    }
    return page


def upgrading_summary(data: ReportData, code: str) -> dict:
    rows = data.upgrading[data.upgrading["province_code"] == code].sort_values("year")
    if rows.empty:
        return {"stage": None}
    last = rows.iloc[-1]
    return {
        "stage": data.stage_name(last["stage"]),
        "path": data.path_names[last["recommended_path"]],
        "year": int(last["year"]),
    }


# --- what-if -----------------------------------------------------------------------------------


def whatif_payload(data: ReportData) -> dict:
    """What whatif.js needs, per panel year: the normalised value of every indicator of the
    overall index for every province (null where missing), the catalog weights, the pillars'
    weights, and the published scores and ranks to compare with."""
    drivers = data.drivers
    members = data.indicators[data.indicators["pillar"].isin(drivers)]
    members = members.assign(order=members["pillar"].map(drivers.index)).sort_values(
        ["order", "indicator"]
    )
    indicator_ids = members["indicator"].tolist()
    codes = data.provinces["province_code"].tolist()
    values = data.values[data.values["indicator"].isin(indicator_ids)]
    wide = values.pivot_table(
        index=["year", "province_code"],
        columns="indicator",
        values="normalised_value",
        aggfunc="first",
        dropna=False,
    )
    overall = data.scores[data.scores["pillar"] == "overall"]
    out_values, published = {}, {}
    for year in data.years:
        grid = wide.reindex(pd.MultiIndex.from_product([[year], codes]), columns=indicator_ids)
        out_values[str(year)] = [[clean(v) for v in row] for row in grid.to_numpy().tolist()]
        now = overall[overall["year"] == year].set_index("province_code")
        published[str(year)] = {
            "scores": [clean(now["score"].get(c)) for c in codes],
            "ranks": [clean(now["rank"].get(c)) for c in codes],
        }
    return {
        "years": data.years,
        "default_year": data.latest_year,
        "provinces": [
            {"code": r.province_code, "zh": r.short_zh, "en": r.name_en}
            for r in data.provinces.itertuples()
        ],
        "pillars": [
            {
                "code": code,
                "zh": data.pillar_name(code)[0],
                "en": data.pillar_name(code)[1],
                "weight": data.config.pillars[code].weight,
            }
            for code in drivers
        ],
        "indicators": [
            {
                "id": r.indicator,
                "pillar": r.pillar,
                "weight": float(r.weight),
                "zh": r.name_zh,
                "en": r.name_en,
                "synthetic": bool(r.is_synthetic),
            }
            for r in members.itertuples()
        ],
        "values": out_values,
        "published": published,
    }


def whatif(data: ReportData) -> Page:
    page = Page("whatif.html", "whatif.html", "whatif", "权重模拟", "What-if weights")
    payload = whatif_payload(data)
    zh, en = data.pillar_name("overall")
    chart = page.chart(
        charts.whatif_bars(bi(f"模拟的{zh}", f"What-if {en}")) if data.years else None,
        chart_id="whatif-chart",
    )
    page.context = {
        "payload": payload,
        "chart": chart,
        "index_name": (zh, en),
        "synthetic_count": sum(i["synthetic"] for i in payload["indicators"]),
        "indicator_count": len(payload["indicators"]),
    }
    return page


# --- data quality ------------------------------------------------------------------------------


def quality(data: ReportData, gx_pages: list[dict]) -> Page:
    page = Page("quality.html", "quality.html", "quality", "数据质量", "Data quality")
    q = data.quality
    checks = q.checks
    check_rows = []
    if checks is not None:
        order = {"failed": 0, "warned": 1, "not run": 2, "passed": 3}
        for c in sorted(checks, key=lambda c: (order.get(c.outcome, 9), not c.blocking, c.asset)):
            check_rows.append(
                {
                    "asset": c.asset,
                    "check": c.check,
                    "outcome": c.outcome,
                    "severity": c.severity,
                    "blocking": c.blocking,
                    "at": c.at.strftime("%Y-%m-%d %H:%M UTC") if c.at else None,
                    "findings": [
                        {
                            **f,
                            "examples": [_example(e) for e in (f.get("examples") or [])[:3]],
                        }
                        for f in c.findings
                    ],
                }
            )
    counts = {}
    for row in check_rows:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    page.context = {
        "on": q.on.isoformat(),
        "freshness": q.freshness,
        "loads": records(q.loads),
        "quarantine": records(q.quarantine),
        "vintages": records(q.vintages),
        "checks": check_rows if checks is not None else None,
        "check_counts": counts,
        "gx_pages": gx_pages,
    }
    return page


def _example(example: Any) -> dict:
    if isinstance(example, dict):
        return {str(k): clean(v) for k, v in example.items()}
    return {"value": str(example)}


# --- method ------------------------------------------------------------------------------------


def method(data: ReportData) -> Page:
    page = Page("method.html", "method.html", "method", "方法", "Method")
    catalog = data.indicators.copy()
    sobol_chart = None
    sens = data.sensitivity
    if not sens.empty:
        frame = sens.copy()
        frame["label_zh"] = frame["composite_index"].map(lambda i: data.pillar_name(i)[0])
        frame["label_en"] = frame["composite_index"].map(lambda i: data.pillar_name(i)[1])
        frame["label"] = frame["label_zh"] + " " + frame["label_en"]
        frame["st_low"] = (frame["st"] - frame["st_conf"]).clip(lower=0)
        frame["st_high"] = frame["st"] + frame["st_conf"]
        sobol_chart = page.chart(
            charts.sobol(
                frame,
                bi(
                    "敏感性分析：哪种方法选择最影响排名（Sobol指数）",
                    "Sensitivity: which method choice moves the ranks (Sobol' indices)",
                ),
            )
        )
    settings_text = DEFAULT_SETTINGS_FILE.read_text(encoding="utf-8")
    settings = yaml.safe_load(settings_text)
    page.context = {
        "catalog": records(catalog),
        "pillars": [
            {
                "code": code,
                "name": (p.name_zh, p.name_en),
                "index": p.index,
                "weight": p.weight,
                "indicators": int((catalog["pillar"] == code).sum()),
            }
            for code, p in data.config.pillars.items()
        ],
        "settings_text": settings_text,
        "engine": settings.get("engine", {}),
        "uncertainty": settings.get("uncertainty", {}),
        "groups": data.config.performance_groups,
        "sensitivity": records(sens),
        "sobol_chart": sobol_chart,
    }
    return page


def downloads(files: list[dict]) -> Page:
    page = Page("downloads.html", "downloads.html", "downloads", "下载", "Downloads")
    page.context = {"files": files}
    return page
