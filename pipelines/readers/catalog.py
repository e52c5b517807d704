"""The metric catalog, from ``data/reference/metrics.csv``: which metric a column or
indicator label means, and in which unit the label says its numbers are.

Labels seen in real files:
* a metric id, bare or with a unit suffix: ``gdp``, ``rd_expenditure_100m_yuan``,
  ``rd_intensity_pct``;
* an NBS/communiqué indicator name, bare or with its unit in ASCII or full-width parentheses,
  with or without spaces: ``地区生产总值(亿元)``, ``地方财政科学技术支出 (亿元)``,
  ``研究与试验发展(R&D)经费支出(亿元)`` (whose own "(R&D)" is part of the name, not a unit).
A new Chinese name for a known metric goes into the metric's ``aliases_zh``.

An indicator no metric knows can still be loaded as an *uncatalogued* metric (NBS exports,
``pipelines/readers/nbs.py``): its id is the compacted name (:func:`uncatalogued_metric_id`),
its unit the one its label states, and :func:`metrics_csv_line` is the line that catalogues
it. Staging marks its figures ``metric_status = 'uncatalogued'`` until ``reference.metric``
has that id, and no indicator reads them.
"""

from __future__ import annotations

import csv
import io
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

# staging.province_year / staging.national_year ``metric_status``: catalogued when the metric
# id is in reference.metric (metrics.csv as it is now), uncatalogued otherwise.
CATALOGUED = "catalogued"
UNCATALOGUED = "uncatalogued"
# The words before the metrics.csv line in a load note (raw.load_log.notes); the WARN check
# listing uncatalogued metrics (pipelines/validation/suites/province_year.py) reads the line
# after them, so change both together.
CATALOGUE_HINT = "to catalogue it add this line to data/reference/metrics.csv: "
# Dimensions whose figures cannot be negative: the printed line gives them minimum 0. Money
# (a balance, a profit) and percentages (a growth rate) may be negative: no minimum.
_NEVER_NEGATIVE = ("count", "persons", "person_years")

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


def split_parenthesised_unit(label: str) -> tuple[str, str]:
    """(name, unit text) of an indicator label: ('65岁及以上人口', '万人') for
    '65岁及以上人口（万人）' (NFKC: full-width parentheses count); (name, '') when the label
    ends in no parenthesis. Whether the text is a unit is for :func:`parse_unit` to say."""
    text = unicodedata.normalize("NFKC", str(label)).strip()
    parts = _TRAILING_PARENTHESES.match(text)
    if parts is None:
        return text, ""
    return parts["name"], parts["unit"].strip()


def uncatalogued_metric_id(name: str) -> str:
    """The id an indicator name no metric knows is stored under: the name compacted as labels
    are compared (NFKC, case-folded, no whitespace), '65岁及以上 人口' -> '65岁及以上人口'. The
    same name always gives the same id; put it in metrics.csv's ``metric`` column to catalogue
    the figures already loaded."""
    return compact_key(name)


def uncatalogued_metric(name: str, unit: Unit) -> Metric:
    """A metric for an indicator name no metric knows, stored in the unit its label states."""
    return Metric(
        id=uncatalogued_metric_id(name),
        name_zh=name,
        # Until someone writes an English one. Never empty: metrics.csv names must be unique,
        # and two metrics with an empty name_en would share the name ''.
        name_en=name,
        unit=unit,
        aliases_zh=(name,),
    )


def metrics_csv_line(metric: Metric, description: str) -> str:
    """The line of metrics.csv that catalogues ``metric``, every column of the file's header in
    order, quoted as CSV needs: its id, Chinese name (also as alias, and as English name until
    someone writes one), unit, not summing to 全国 (sums_to_national = no: a sum is never
    assumed), minimum 0 for counts and persons, none otherwise."""
    defaults = {
        "metric": metric.id,
        "name_zh": metric.name_zh,
        "name_en": metric.name_en,
        "unit": metric.unit.name,
        "sums_to_national": "no",
        "national_includes_others": "no",
        "minimum": "0" if metric.unit.dimension in _NEVER_NEGATIVE else "",
        "aliases_zh": "|".join(metric.aliases_zh),
        "description": description,
    }
    line = io.StringIO()
    csv.writer(line, lineterminator="").writerow(
        [defaults.get(column, "") for column in metrics_csv_columns()]
    )
    return line.getvalue()


def metrics_csv_columns() -> tuple[str, ...]:
    """The header of metrics.csv, in order."""
    with METRICS_FILE.open(encoding="utf-8-sig", newline="") as handle:
        return tuple(column.strip() for column in next(csv.reader(handle)))


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
