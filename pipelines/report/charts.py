"""The report's charts as Vega-Lite specifications, written with Vega-Altair.

Each function takes plain tables and returns a spec (a dict) that ``report.js`` embeds with
vega-embed from the bundle in ``assets/`` (SVG renderer, no network). Labels in both languages:
a row's ``label_zh`` and ``label_en`` are shipped with the data and ``report.js`` sets the
``label`` field the encodings use to the language chosen (``label`` holds both until then);
titles and axis titles carry both languages.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

GROUP_COLORS = {
    "leader": "#1a7f4b",
    "strong": "#7fbf5f",
    "moderate": "#f2c14e",
    "emerging": "#e4704a",
}
SERIES_COLORS = ["#1f5fa8", "#9aa5b1", "#d9822b", "#6b4fa1", "#2a9d8f", "#c0392b"]
PATH_COLORS = {
    "key_common_technologies": "#1f5fa8",
    "chain_optimisation": "#d9822b",
    "innovation_platform": "#2a9d8f",
}
LABEL_AXIS = alt.Axis(labelLimit=260)  # long bilingual labels are not cut
# The font shipped in assets/ (pipelines/report/fonts/, @font-face in report.css) first.
FONT = "'Impetus WenQuanYi Micro Hei', system-ui, 'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif"


def labelled(frame: pd.DataFrame, zh: str, en: str, name: str = "label") -> pd.DataFrame:
    """``frame`` with ``<name>_zh``, ``<name>_en`` and ``<name>`` (both, until report.js sets
    the language) from the columns ``zh`` and ``en``."""
    out = frame.copy()
    out[f"{name}_zh"] = out[zh].astype(str)
    out[f"{name}_en"] = out[en].astype(str)
    out[name] = out[f"{name}_zh"] + " " + out[f"{name}_en"]
    return out


def bi(zh: str, en: str) -> str:
    return f"{zh} {en}"


VALIDATE = False  # tests/report validate every spec against the Vega-Lite schema instead


def keep(frame: pd.DataFrame, *fields: str) -> pd.DataFrame:
    """Only the columns a chart uses (and their ``_zh`` / ``_en`` pairs): what is shipped."""
    columns = []
    for name in fields:
        columns += [c for c in (name, f"{name}_zh", f"{name}_en") if c in frame.columns]
    return frame[columns]


def spec(chart: alt.TopLevelMixin, localise: tuple[str, ...] = ("label",)) -> dict:
    """The chart as a Vega-Lite spec with the report's fonts; ``usermeta.localise`` names the
    fields report.js sets to the language chosen (from ``<field>_zh`` / ``<field>_en``).
    Altair's schema validation takes most of a build's chart time, so it is left to the tests
    (``VALIDATE``)."""
    configured = chart.configure(font=FONT).configure_view(stroke=None)
    out = configured.to_dict(validate=VALIDATE)
    out["usermeta"] = {"localise": list(localise)}
    return out


def _group_scale(domain: list[str] | None = None) -> alt.Scale:
    groups = domain or list(GROUP_COLORS)
    return alt.Scale(domain=groups, range=[GROUP_COLORS[g] for g in groups])


# The groups' legend in both languages (the data holds the codes, which the scale is keyed on).
GROUP_LABELS = {
    "leader": "领先 leader",
    "strong": "强劲 strong",
    "moderate": "中等 moderate",
    "emerging": "新兴 emerging",
}
GROUP_LABEL_EXPR = (
    " : ".join(f"datum.label == '{code}' ? '{label}'" for code, label in GROUP_LABELS.items())
    + " : datum.label"
)


def _group_legend() -> alt.Legend:
    return alt.Legend(
        title=bi("表现组别", "Performance group"), orient="bottom", labelExpr=GROUP_LABEL_EXPR
    )


def ranking(frame: pd.DataFrame, title: str) -> dict:
    """Provinces ranked by score (bars coloured by performance group) beside their rank with
    the 5-95% Monte Carlo interval as an error bar. ``frame``: label*, rank, score,
    rank_p05, rank_p50, rank_p95, performance_group, group_label*."""
    frame = keep(
        frame, "label", "rank", "score", "rank_p05", "rank_p95", "performance_group", "group_label"
    )
    n = len(frame)
    height = max(14 * n, 120)
    y = alt.Y("label:N", sort=alt.EncodingSortField("rank"), title=None, axis=LABEL_AXIS)
    tooltip = [
        alt.Tooltip("label:N", title="省份 Province"),
        alt.Tooltip("score:Q", format=".1f", title="得分 Score"),
        alt.Tooltip("rank:Q", title="排名 Rank"),
        alt.Tooltip("rank_p05:Q", title="排名5% Rank 5%"),
        alt.Tooltip("rank_p95:Q", title="排名95% Rank 95%"),
        alt.Tooltip("group_label:N", title="组别 Group"),
    ]
    base = alt.Chart(frame)
    bars = (
        base.mark_bar()
        .encode(
            y=y,
            x=alt.X("score:Q", title=bi("得分", "Score (0-100)")),
            color=alt.Color(
                "performance_group:N",
                scale=_group_scale(),
                legend=_group_legend(),
            ),
            tooltip=tooltip,
        )
        .properties(width=260, height=height)
    )
    interval = base.mark_rule(strokeWidth=2, color="#555").encode(
        y=y,
        x=alt.X(
            "rank_p05:Q",
            title=bi("排名及5-95%区间", "Rank with 5-95% interval"),
            scale=alt.Scale(domain=[1, max(n, 2)], reverse=False, nice=False),
        ),
        x2="rank_p95:Q",
        tooltip=tooltip,
    )
    point = base.mark_point(filled=True, size=45).encode(
        y=y,
        x="rank:Q",
        color=alt.Color("performance_group:N", scale=_group_scale(), legend=None),
        tooltip=tooltip,
    )
    ranks = (interval + point).properties(width=220, height=height)
    chart = alt.hconcat(bars, ranks, spacing=8).properties(title=title)
    return spec(chart.resolve_scale(color="shared"), ("label", "group_label"))


def tile_map(frame: pd.DataFrame, title: str) -> dict:
    """The 31 provinces on a tile grid (data/reference/province_tiles.csv), coloured by
    performance group, with the short name and rank. ``frame``: col, row, label*, abbr,
    performance_group, group_label*, score, rank, tile*, rank_text, href."""
    frame = keep(
        frame,
        "col",
        "row",
        "label",
        "tile",
        "rank_text",
        "href",
        "performance_group",
        "group_label",
        "score",
        "rank",
    )
    base = alt.Chart(frame).encode(
        x=alt.X("col:O", axis=None),
        y=alt.Y("row:O", axis=None),
        href="href:N",
        tooltip=[
            alt.Tooltip("label:N", title="省份 Province"),
            alt.Tooltip("score:Q", format=".1f", title="得分 Score"),
            alt.Tooltip("rank:Q", title="排名 Rank"),
            alt.Tooltip("group_label:N", title="组别 Group"),
        ],
    )
    tiles = base.mark_rect(cornerRadius=4, stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "performance_group:N",
            scale=_group_scale(),
            legend=_group_legend(),
        )
    )
    names = base.mark_text(fontSize=11, dy=-7, fontWeight="bold").encode(text="tile:N")
    ranks = base.mark_text(fontSize=10, dy=8).encode(text="rank_text:N")
    chart = (tiles + names + ranks).properties(width=8 * 72, height=8 * 52, title=title)
    return spec(chart, ("label", "tile", "group_label"))


def rank_change(frame: pd.DataFrame, title: str) -> dict:
    """Rank change of each province against the previous and the base year (positive = moved
    up). ``frame``: label*, rank, comparison, change."""
    frame = keep(frame, "label", "rank", "comparison", "change")
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=alt.EncodingSortField("rank"), title=None),
            x=alt.X("change:Q", title=bi("名次变化（正=上升）", "Rank change (+ = up)")),
            color=alt.condition("datum.change > 0", alt.value("#1a7f4b"), alt.value("#c0392b")),
            column=alt.Column("comparison:N", title=None, sort=None),
            tooltip=[
                alt.Tooltip("label:N", title="省份 Province"),
                alt.Tooltip("comparison:N", title="对比 Against"),
                alt.Tooltip("change:Q", title="变化 Change"),
            ],
        )
        .properties(width=200, height=max(14 * frame["label"].nunique(), 120), title=title)
    )
    return spec(chart)


def grouped_bars(frame: pd.DataFrame, title: str, x_title: str, series_order: list[str]) -> dict:
    """Horizontal bars per category (``label``) with one bar per series (``series``), e.g. a
    province's eight drivers against the national mean and the benchmark. ``frame``: label*,
    order, series, value."""
    frame = keep(frame, "label", "order", "series", "value")
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=alt.EncodingSortField("order"), title=None, axis=LABEL_AXIS),
            yOffset=alt.YOffset("series:N", sort=series_order),
            x=alt.X("value:Q", title=x_title),
            color=alt.Color(
                "series:N",
                sort=series_order,
                scale=alt.Scale(domain=series_order, range=SERIES_COLORS[: len(series_order)]),
                legend=alt.Legend(title=None, orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="驱动力 Driver"),
                alt.Tooltip("series:N", title="对象 Series"),
                alt.Tooltip("value:Q", format=".1f", title="值 Value"),
            ],
        )
        .properties(width=300, height=alt.Step(9), title=title)
    )
    return spec(chart)


def rank_intervals(frame: pd.DataFrame, title: str, n: int) -> dict:
    """Rank (point) and 5-95% interval (rule) per row (``label``), 1 = best on the left.
    ``frame``: label*, order, rank, rank_p05, rank_p95."""
    frame = keep(frame, "label", "order", "rank", "rank_p05", "rank_p95")
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", sort=alt.EncodingSortField("order"), title=None, axis=LABEL_AXIS),
        tooltip=[
            alt.Tooltip("label:N", title="驱动力 Driver"),
            alt.Tooltip("rank:Q", title="排名 Rank"),
            alt.Tooltip("rank_p05:Q", title="5%"),
            alt.Tooltip("rank_p95:Q", title="95%"),
        ],
    )
    scale = alt.Scale(domain=[1, max(n, 2)], nice=False)
    rule = base.mark_rule(strokeWidth=3, color="#9aa5b1").encode(
        x=alt.X("rank_p05:Q", scale=scale, title=bi("排名（1=最好）", "Rank (1 = best)")),
        x2="rank_p95:Q",
    )
    point = base.mark_point(filled=True, size=60, color="#1f5fa8").encode(x="rank:Q")
    return spec((rule + point).properties(width=240, height=alt.Step(22), title=title))


def lines(
    frame: pd.DataFrame,
    title: str,
    y_title: str,
    series_order: list[str],
    dashed: list[str] = (),
    reverse_y: bool = False,
    facet: bool = False,
) -> dict:
    """Lines over the years, one per ``series`` (optionally small multiples by ``label``).
    ``frame``: year, series, value (and label*, order for facets)."""
    frame = keep(frame, "year", "series", "value", "label", "order")
    encode = {
        "x": alt.X("year:O", title=bi("年份", "Year")),
        "y": alt.Y(
            "value:Q",
            title=y_title,
            scale=alt.Scale(reverse=reverse_y, zero=False),
        ),
        "color": alt.Color(
            "series:N",
            sort=series_order,
            scale=alt.Scale(domain=series_order, range=SERIES_COLORS[: len(series_order)]),
            legend=alt.Legend(title=None, orient="bottom"),
        ),
        "strokeDash": alt.condition(
            alt.FieldOneOfPredicate(field="series", oneOf=list(dashed)) if dashed else "false",
            alt.value([4, 3]),
            alt.value([1, 0]),
        ),
        "tooltip": [
            alt.Tooltip("series:N", title="对象 Series"),
            alt.Tooltip("year:O", title="年份 Year"),
            alt.Tooltip("value:Q", format=".2f", title="值 Value"),
        ],
    }
    base = alt.Chart(frame).mark_line(point=True).encode(**encode)
    if facet:
        chart = base.properties(width=170, height=110).facet(
            facet=alt.Facet("label:N", sort=alt.EncodingSortField("order"), title=None),
            columns=4,
            title=title,
        )
    else:
        chart = base.properties(width=460, height=240, title=title)
    return spec(chart)


def stages(
    frame: pd.DataFrame, title: str, stage_labels: list[str], path_labels: list[str]
) -> dict:
    """The upgrading stage per year (a step up the three stages), each point coloured by the
    path recommended that year. ``frame``: year, stage_label, stage_order, path_label."""
    frame = keep(frame, "year", "stage_label", "stage_order", "path_label")
    base = alt.Chart(frame).encode(
        x=alt.X("year:O", title=bi("年份", "Year")),
        y=alt.Y(
            "stage_label:N",
            sort=list(reversed(stage_labels)),
            scale=alt.Scale(domain=list(reversed(stage_labels))),
            title=None,
            axis=LABEL_AXIS,
        ),
    )
    line = base.mark_line(interpolate="step-after", color="#9aa5b1")
    points = base.mark_point(filled=True, size=90).encode(
        color=alt.Color(
            "path_label:N",
            scale=alt.Scale(domain=path_labels, range=list(PATH_COLORS.values())),
            legend=alt.Legend(title=bi("推荐路径", "Recommended path"), orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("year:O", title="年份 Year"),
            alt.Tooltip("stage_label:N", title="阶段 Stage"),
            alt.Tooltip("path_label:N", title="推荐路径 Path"),
        ],
    )
    return spec((line + points).properties(width=460, height=130, title=title))


def fits(frame: pd.DataFrame, title: str) -> dict:
    """The fit (0-1) of each upgrading path. ``frame``: label*, path, fit, recommended."""
    frame = keep(frame, "label", "path", "fit", "recommended")
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("label:N", title=None, sort=None),
            x=alt.X("fit:Q", scale=alt.Scale(domain=[0, 1]), title=bi("契合度", "Fit (0-1)")),
            color=alt.Color(
                "path:N",
                scale=alt.Scale(domain=list(PATH_COLORS), range=list(PATH_COLORS.values())),
                legend=None,
            ),
            opacity=alt.condition("datum.recommended", alt.value(1.0), alt.value(0.45)),
            tooltip=[
                alt.Tooltip("label:N", title="路径 Path"),
                alt.Tooltip("fit:Q", format=".2f", title="契合度 Fit"),
            ],
        )
        .properties(width=300, height=alt.Step(24), title=title)
    )
    return spec(chart)


def sobol(frame: pd.DataFrame, title: str) -> dict:
    """Total-order Sobol' indices (bars) with their bootstrap half-widths (error bars) and the
    first-order index (tick), per pillar and method choice, one panel per index. ``frame``:
    label*, pillar, choice, st, st_low, st_high, s1."""
    frame = keep(frame, "label", "pillar", "choice", "st", "st_low", "st_high", "s1")
    base = alt.Chart().encode(
        x=alt.X("pillar:N", title=None, sort=None),
        xOffset=alt.XOffset("choice:N"),
    )
    bars = base.mark_bar().encode(
        y=alt.Y("st:Q", title=bi("总效应指数 ST", "Total-order index ST")),
        color=alt.Color(
            "choice:N",
            scale=alt.Scale(range=SERIES_COLORS[:3]),
            legend=alt.Legend(title=bi("方法选择", "Method choice"), orient="bottom"),
        ),
        tooltip=[
            alt.Tooltip("pillar:N", title="支柱 Pillar"),
            alt.Tooltip("choice:N", title="选择 Choice"),
            alt.Tooltip("st:Q", format=".3f", title="ST"),
            alt.Tooltip("s1:Q", format=".3f", title="S1"),
        ],
    )
    errors = base.mark_rule(color="#333").encode(y="st_low:Q", y2="st_high:Q")
    first = base.mark_tick(color="black", thickness=2, size=8).encode(y="s1:Q")
    chart = (
        alt.layer(bars, errors, first, data=frame)
        .properties(width=alt.Step(14), height=200)
        .facet(column=alt.Column("label:N", title=None, sort=None), title=title)
        .resolve_scale(x="independent")
    )
    return spec(chart)


def whatif_bars(title: str) -> dict:
    """The what-if scores as bars; the data (named ``whatif``) is filled by whatif.js.
    Fields: label, score, rank, rank_change."""
    chart = (
        alt.Chart(alt.NamedData(name="whatif"))
        .mark_bar()
        .encode(
            y=alt.Y("label:N", sort=alt.EncodingSortField("rank"), title=None),
            x=alt.X("score:Q", title=bi("模拟得分", "What-if score")),
            color=alt.Color(
                "rank_change:Q",
                scale=alt.Scale(scheme="redblue", domainMid=0, domain=[-10, 10], clamp=True),
                legend=alt.Legend(title=bi("名次变化", "Rank change"), orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("label:N", title="省份 Province"),
                alt.Tooltip("score:Q", format=".2f", title="得分 Score"),
                alt.Tooltip("rank:Q", title="排名 Rank"),
                alt.Tooltip("rank_change:Q", title="变化 Change"),
            ],
        )
        .properties(width=380, height=alt.Step(14), title=title)
    )
    return spec(chart, ())
