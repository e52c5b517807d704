"""Province-year aggregates of the synthetic enterprise records, in the panel's long tidy
format, so indicators that need enterprise counts or R&D personnel of the records have demo
inputs. Every row says it is synthetic.

Counted by DuckDB straight from the generated file: the records never pass through pandas.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb

from pipelines.demo.synthetic.panel import Panel

AGGREGATE_COLUMNS = (
    "province",
    "year",
    "metric",
    "value",
    "unit",
    "vintage",
    "release_date",
    "source",
    "is_synthetic",
)
# metric -> (unit, SQL aggregate over the enterprise-year records)
ENTERPRISE_METRICS = {
    "enterprises": ("家", "count(*)"),
    "high_tech_enterprises": ("家", "count(*) filter (where is_high_tech)"),
    "rd_active_enterprises": ("家", "count(*) filter (where has_rd_activity)"),
    "rd_personnel": ("人", "coalesce(sum(rd_personnel), 0)"),
}
SOURCE = "pipelines/demo/generate_micro.py"


def enterprise_aggregates(enterprises_file: Path, fmt: str) -> list[tuple[str, int, str, int]]:
    """(province, year, metric, value) for every province-year in the enterprise records."""
    if fmt == "parquet":
        source = "read_parquet(?)"
    else:
        # Read as text and cast the few columns used: no type sniffing over a large file.
        source = (
            "(select province, year::integer as year, is_high_tech::boolean as is_high_tech,"
            " has_rd_activity::boolean as has_rd_activity,"
            " nullif(rd_personnel, '')::integer as rd_personnel"
            " from read_csv(?, header = true, all_varchar = true))"
        )
    selects = ", ".join(f"{expr} as {metric}" for metric, (_, expr) in ENTERPRISE_METRICS.items())
    unpivoted = " union all ".join(
        f"select province, year, '{metric}' as metric, {metric}::bigint as value from counted"
        for metric in ENTERPRISE_METRICS
    )
    query = (
        f"with counted as (select province, year, {selects} from {source} "
        f"group by province, year) {unpivoted}"
    )
    with duckdb.connect() as conn:
        return conn.execute(query, [str(enterprises_file)]).fetchall()


def write_aggregates(
    path: Path,
    panel: Panel,
    enterprises_file: Path,
    fmt: str,
    seed: int,
    scale: float,
) -> int:
    vintage = (
        f"synthetic: aggregates of the demo's synthetic micro records "
        f"(generate_micro seed {seed}, scale {scale:g})"
    )
    order = {name: i for i, name in enumerate(panel.provinces.names)}
    units = {metric: unit for metric, (unit, _) in ENTERPRISE_METRICS.items()}

    rows = [
        (province, int(year), metric, str(int(value)), units[metric], vintage)
        for province, year, metric, value in enterprise_aggregates(enterprises_file, fmt)
    ]
    rows.sort(key=lambda r: (order[r[0]], r[1], r[2]))

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(AGGREGATE_COLUMNS)
        for province, year, metric, value, unit, row_vintage in rows:
            writer.writerow((province, year, metric, value, unit, row_vintage, "", SOURCE, "true"))
    return len(rows)
