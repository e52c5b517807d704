"""The metric catalog, from ``data/reference/metrics.csv``: which metric a column or
indicator label means, and in which unit the label says its numbers are.

Labels seen in real files:
* a metric id, bare or with a unit suffix: ``gdp``, ``rd_expenditure_100m_yuan``,
  ``rd_intensity_pct``;
* an NBS/communiqué indicator name, bare or with its unit in ASCII or full-width parentheses,
  with or without spaces: ``地区生产总值(亿元)``, ``地方财政科学技术支出 (亿元)``,
  ``研究与试验发展(R&D)经费支出(亿元)`` (whose own "(R&D)" is part of the name, not a unit).
A new Chinese name for a known metric goes into the metric's ``aliases_zh``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pipelines.paths import REFERENCE_DIR
from pipelines.readers.cells import UNKNOWN_UNIT
from pipelines.readers.errors import SourceError
from pipelines.readers.text import compact_key, read_reference_csv
from pipelines.readers.units import Unit, parse_unit, split_unit_suffix, unit_named

METRICS_FILE = REFERENCE_DIR / "metrics.csv"

_TRAILING_PARENTHESES = re.compile(r"^(?P<name>.*\S)\s*\((?P<unit>[^()]*)\)\s*$")


@dataclass(frozen=True)
class Metric:
    id: str
    name_zh: str
    name_en: str
    unit: Unit  # the canonical unit the warehouse stores this metric in
    aliases_zh: tuple[str, ...]


@dataclass(frozen=True)
class MetricMatch:
    metric: Metric
    unit: Unit | None  # the unit the label states; None when it states none
    unit_raw: str  # the unit as written in the label ('' when none)


def get_metric(metric_id: str) -> Metric:
    try:
        return _metric_index()[0][metric_id]
    except KeyError:
        raise KeyError(f"metric {metric_id!r} is not in {METRICS_FILE.name}") from None


def all_metrics() -> tuple[Metric, ...]:
    return tuple(_metric_index()[0].values())


def resolve_metric_label(label: str) -> MetricMatch | None:
    """The metric a header or indicator label names, with the unit it states, or None.

    Raises SourceError when the label names a metric but states a unit nobody knows
    ("地区生产总值(亿美元)"): skipping such a column would silently drop data.
    """
    text = unicodedata.normalize("NFKC", str(label)).strip()
    if not text:
        return None
    metric = _metric_named(text)
    if metric is not None:
        return MetricMatch(metric, None, "")
    return _match_with_parenthesised_unit(text) or _match_with_unit_suffix(text)


def _match_with_parenthesised_unit(text: str) -> MetricMatch | None:
    parts = _TRAILING_PARENTHESES.match(text)
    if parts is None:
        return None
    metric = _metric_named(parts["name"])
    if metric is None:
        return None
    unit_raw = parts["unit"].strip()
    unit = parse_unit(unit_raw)
    if unit is None:
        raise SourceError(
            f"label names metric {metric.id!r} but its unit is unknown "
            "(add the unit to data/reference/units.csv)",
            value=unit_raw,
            rule=UNKNOWN_UNIT,
        )
    return MetricMatch(metric, unit, unit_raw)


def _match_with_unit_suffix(text: str) -> MetricMatch | None:
    split = split_unit_suffix(text)
    if split is None:
        return None
    stem, unit, unit_raw = split
    metric = _metric_index()[0].get(stem.casefold())
    return MetricMatch(metric, unit, unit_raw) if metric is not None else None


def _metric_named(name: str) -> Metric | None:
    """A metric by id, Chinese name or alias, or English name (compared without spaces/case)."""
    by_id, by_name = _metric_index()
    return by_id.get(name.strip().casefold()) or by_name.get(compact_key(name))


@lru_cache(maxsize=1)
def _metric_index() -> tuple[dict[str, Metric], dict[str, Metric]]:
    by_id: dict[str, Metric] = {}
    by_name: dict[str, Metric] = {}
    for row in read_reference_csv(METRICS_FILE):
        aliases = tuple(a.strip() for a in row["aliases_zh"].split("|") if a.strip())
        metric = Metric(
            id=row["metric"],
            name_zh=row["name_zh"],
            name_en=row["name_en"],
            unit=unit_named(row["unit"]),
            aliases_zh=aliases,
        )
        by_id[metric.id.casefold()] = metric
        for name in (metric.name_zh, metric.name_en, *aliases):
            known = by_name.get(compact_key(name))
            # One name for two metrics would make every match a guess.
            if known is not None and known.id != metric.id:
                raise ValueError(
                    f"{METRICS_FILE.name}: name {name!r} belongs to both {known.id} and {metric.id}"
                )
            by_name[compact_key(name)] = metric
    return by_id, by_name
