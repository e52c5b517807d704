"""The report's downloads: one Excel workbook and the same tables as CSV files (UTF-8 with a
byte-order mark, so Excel opens the Chinese names correctly by double-click).

The workbook: scores and ranks with the province names in Chinese and English, the indicator
values, the catalog, the upgrading paths, the Northeast facts, and an "about" sheet with the
sources and the synthetic-data notice; every sheet has a frozen header row, a filter and
number formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from pipelines.report.data import GROUP_NAMES, ReportData, source_rows_text

WORKBOOK = "impetus_report.xlsx"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")
SYNTHETIC_FILL = PatternFill("solid", fgColor="FFF4D6")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
FORMATS = {
    "score": "0.00",
    "relative_to_national": "0.0",
    "rank": "0",
    "rank_p05": "0",
    "rank_p50": "0",
    "rank_p95": "0",
    "official_share": "0%",
    "observed_share": "0%",
    "raw_value": "#,##0.00##",
    "normalised_value": "0.00",
    "weight": "0.00",
    "fit_key_common_technologies": "0.00",
    "fit_chain_optimisation": "0.00",
    "fit_innovation_platform": "0.00",
    "northeast_value": "#,##0.00",
    "compared_with": "#,##0.00",
    "pct": "0.0",
    "seed_value": "0.0",
    "year": "0",
}
MAX_WIDTH = 60


@dataclass(frozen=True)
class Table:
    name: str  # sheet and CSV file name
    title: tuple[str, str]  # zh, en
    frame: pd.DataFrame


def download_tables(data: ReportData) -> list[Table]:
    names = data.provinces[["province_code", "name_zh", "name_en"]].rename(
        columns={"name_zh": "province_zh", "name_en": "province_en"}
    )
    scores = names.merge(data.scores, on="province_code", how="inner")
    scores["performance_group_zh"] = scores["performance_group"].map(
        lambda g: GROUP_NAMES.get(g, ("", ""))[0]
    )
    scores = scores[
        [
            "province_code",
            "province_zh",
            "province_en",
            "year",
            "pillar",
            "pillar_zh",
            "pillar_en",
            "score",
            "rank",
            "rank_p05",
            "rank_p50",
            "rank_p95",
            "relative_to_national",
            "performance_group",
            "performance_group_zh",
            "official_share",
            "observed_share",
            "is_synthetic",
        ]
    ].sort_values(["pillar", "year", "rank"])
    info = data.indicators.set_index("indicator")
    values = names.merge(data.values, on="province_code", how="inner")
    values["indicator_zh"] = values["indicator"].map(info["name_zh"])
    values["indicator_en"] = values["indicator"].map(info["name_en"])
    values["unit"] = values["indicator"].map(info["unit"])
    values = values[
        [
            "province_code",
            "province_zh",
            "province_en",
            "year",
            "indicator",
            "indicator_zh",
            "indicator_en",
            "pillar",
            "unit",
            "raw_value",
            "normalised_value",
            "rank",
            "value_origin",
            "is_synthetic",
        ]
    ].sort_values(["indicator", "year", "province_code"])
    catalog = data.indicators.assign(
        data_kind=data.indicators["is_synthetic"].map(
            {True: "合成 synthetic", False: "官方 official"}
        ),
        pillar_weight=data.indicators["pillar"].map(
            lambda p: data.config.pillars[p].weight if p in data.config.pillars else None
        ),
    )[
        [
            "indicator",
            "name_zh",
            "name_en",
            "pillar",
            "pillar_zh",
            "pillar_en",
            "composite_index",
            "source",
            "unit",
            "direction",
            "weight",
            "pillar_weight",
            "data_kind",
            "is_synthetic",
            "formula_file",
        ]
    ]
    upgrading = names.merge(data.upgrading, on="province_code", how="inner")
    upgrading = upgrading.drop(columns=["rules_sha256"], errors="ignore")
    # a spreadsheet cell holds no list: the lineage as text (file:rows; …)
    facts = data.facts.assign(source_rows=data.facts["source_rows"].map(source_rows_text))
    return [
        Table("scores", ("得分与排名", "Scores and ranks"), scores),
        Table("indicator_values", ("指标值", "Indicator values"), values),
        Table("catalog", ("指标目录", "Indicator catalog"), catalog),
        Table("upgrading_path", ("升级阶段与路径", "Upgrading stage and path"), upgrading),
        Table("northeast_facts", ("东北核心事实", "Northeast headline facts"), facts),
    ]


def about_rows(data: ReportData) -> list[tuple[str, str]]:
    synthetic = data.synthetic_indicators
    rows = [
        ("报告 Report", "产业创新动力报告 Industrial innovation impetus report"),
        ("生成时间 Generated", data.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("数据来源 Read from", data.read_from or "warehouse"),
        ("最新年份 Latest year", str(data.latest_year or "")),
        (
            "合成数据 Synthetic data",
            f"{len(synthetic)} of {len(data.indicators)} indicators rest on synthetic demo micro "
            "records (enterprises, patents, procurement): they show that the chain works, not "
            "findings about provinces. 共 "
            f"{len(data.indicators)} 个指标中有 {len(synthetic)} 个基于合成的微观演示数据，"
            "仅用于展示流程，不代表各省实际情况。",
        ),
    ]
    rows += [
        (f"合成指标 Synthetic indicator {i + 1}", f"{r.indicator}: {r.name_zh} / {r.name_en}")
        for i, r in enumerate(synthetic.itertuples())
    ]
    rows += [
        (
            "官方来源 Official sources",
            "NBS 分省年度数据 (data.stats.gov.cn); 全国科技经费投入统计公报 (R&D communiqué); "
            "中国科技统计年鉴 (China Statistical Yearbook on Science and Technology). Every value "
            "keeps its source file and row: column source_rows of indicator_values in the "
            "warehouse (marts.indicator_value).",
        ),
        ("方法 Method", "docs/methodology.md; settings in data/reference/composite_settings.yaml"),
    ]
    for table in download_tables(data):
        rows.append((f"工作表 Sheet {table.name}", f"{table.title[0]} {table.title[1]}"))
    return rows


def write_downloads(data: ReportData, folder: Path) -> list[dict]:
    """Write the workbook and the CSVs into ``folder``; what was written, for the page."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = download_tables(data)
    written = []
    # write-only: rows stream to the file (a normal workbook holds every cell as an object)
    workbook = Workbook(write_only=True)
    _about_sheet(workbook.create_sheet("about"), about_rows(data))
    for table in tables:
        _table_sheet(workbook.create_sheet(table.name), table.frame)
    path = folder / WORKBOOK
    workbook.save(path)
    written.append(
        {
            "file": f"downloads/{WORKBOOK}",
            "title": ("Excel 工作簿", "Excel workbook"),
            "rows": sum(len(t.frame) for t in tables),
            "bytes": path.stat().st_size,
        }
    )
    for table in tables:
        path = folder / f"{table.name}.csv"
        table.frame.to_csv(path, index=False, encoding="utf-8-sig")
        written.append(
            {
                "file": f"downloads/{table.name}.csv",
                "title": table.title,
                "rows": len(table.frame),
                "bytes": path.stat().st_size,
            }
        )
    return written


def _about_sheet(sheet, rows: list[tuple[str, str]]) -> None:
    sheet.freeze_panes = "A2"
    sheet.column_dimensions["A"].width = 34
    sheet.column_dimensions["B"].width = 110
    sheet.auto_filter.ref = f"A1:B{len(rows) + 1}"
    sheet.append(_header_cells(sheet, ["项目 Item", "内容 Content"]))
    for key, value in rows:
        cell = WriteOnlyCell(sheet, value)
        cell.alignment = WRAP
        if "ynthetic" in key:
            cell.fill = SYNTHETIC_FILL
        sheet.append([key, cell])


def _table_sheet(sheet, frame: pd.DataFrame) -> None:
    """A frozen, filtered header row, then the rows, numbers in the formats of FORMATS."""
    columns = list(frame.columns)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"
    for i, column in enumerate(columns, start=1):
        lengths = frame[column].dropna().astype(str).str.len()
        width = max(len(column), int(lengths.quantile(0.9)) if len(lengths) else 0) + 2
        sheet.column_dimensions[get_column_letter(i)].width = min(width, MAX_WIDTH)
    sheet.append(_header_cells(sheet, columns))
    formats = [FORMATS.get(column) for column in columns]
    for row in frame.itertuples(index=False):
        cells = []
        for value, number_format in zip(row, formats, strict=True):
            value = _cell(value)
            if number_format and isinstance(value, int | float) and not isinstance(value, bool):
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = number_format
                value = cell
            cells.append(value)
        sheet.append(cells)


def _header_cells(sheet, names: list[str]) -> list:
    cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, name)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cells.append(cell)
    return cells


def _cell(value):
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        return value.item()
    return value
