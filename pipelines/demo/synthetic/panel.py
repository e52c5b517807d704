"""The real province-year panel, as the synthetic generator needs it: dense arrays
[province, year] of the few metrics whose magnitudes the micro records must follow.

Reads the long tidy CSVs of the demo panel (province, year, metric, value, unit, vintage,
release_date, source), keeps the newest vintage of each value, converts it to the metric's
catalog unit and fills gaps from the nearest year, so the generators never meet a hole.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.paths import REFERENCE_DIR
from pipelines.readers import read_province_year_file

NORTHEAST_REGION = "CN-NORTHEAST"
NATIONAL_CODE = "000000"

# Without these the micro records would have no magnitudes to follow.
REQUIRED_METRICS = (
    "gdp",
    "patent_grants",
    "invention_grants",
    "patent_applications",
    "invention_applications",
)
# Each has a documented stand-in in the generators when the panel lacks it.
OPTIONAL_METRICS = (
    "rd_expenditure",
    "tech_market_turnover",
    "local_fiscal_st_expenditure",
    "utility_model_grants",
    "design_grants",
)
# Used only when the panel has no R&D expenditure at all: an order of magnitude for R&D / GDP
# so enterprise R&D stays plausible; the ranking then comes from invention applications.
FALLBACK_RD_INTENSITY = 0.02
PANEL_COLUMNS = ("province", "year", "metric", "value", "unit", "vintage", "release_date", "source")


class PanelError(ValueError):
    """The panel folder cannot give the generator what it needs."""


@dataclass(frozen=True)
class Provinces:
    """The 31 mainland provinces in NBS order."""

    codes: tuple[str, ...]
    names: tuple[str, ...]  # full Chinese names, e.g. 辽宁省
    short_names: tuple[str, ...]  # e.g. 辽宁
    is_northeast: np.ndarray  # bool [province]

    def __len__(self) -> int:
        return len(self.codes)


@dataclass(frozen=True)
class Panel:
    """Dense panel: ``values[metric]`` is float [province, year] in the catalog unit,
    ``national[metric]`` float [year] (the 全国 row, else the sum of provinces)."""

    provinces: Provinces
    years: np.ndarray  # int [year]
    values: dict[str, np.ndarray]
    national: dict[str, np.ndarray]
    observed: dict[str, np.ndarray]  # bool [province, year]: the value was published, not filled
    source_files: tuple[str, ...]

    def has(self, metric: str) -> bool:
        return metric in self.values

    def year_index(self, year: int) -> int:
        return int(year - self.years[0])


def load_provinces(reference_dir: Path = REFERENCE_DIR) -> Provinces:
    rows = _read_csv(reference_dir / "areas.csv")
    provinces = sorted(
        (r for r in rows if r["level"] == "province"), key=lambda r: int(r["nbs_order"])
    )
    return Provinces(
        codes=tuple(r["area_code"] for r in provinces),
        names=tuple(r["name_zh"] for r in provinces),
        short_names=tuple(r["short_zh"] for r in provinces),
        is_northeast=np.array([r["region"] == NORTHEAST_REGION for r in provinces]),
    )


def load_panel(
    panel_dir: Path,
    years: range,
    reference_dir: Path = REFERENCE_DIR,
) -> Panel:
    """Read every ``*.csv`` in ``panel_dir`` except ``synthetic_*`` (our own output)."""
    panel_dir = Path(panel_dir)
    files = sorted(p for p in panel_dir.glob("*.csv") if not p.name.startswith("synthetic_"))
    if not files:
        raise PanelError(f"no panel CSV files in {panel_dir}")
    provinces = load_provinces(reference_dir)
    wanted = set(REQUIRED_METRICS) | set(OPTIONAL_METRICS)
    newest = _newest_values(files, wanted, years)

    year_array = np.arange(years.start, years.stop)
    index = {code: i for i, code in enumerate(provinces.codes)}
    values: dict[str, np.ndarray] = {}
    national: dict[str, np.ndarray] = {}
    observed: dict[str, np.ndarray] = {}
    for metric in sorted(wanted):
        raw = np.full((len(provinces), len(year_array) + 5), np.nan)
        raw_national = np.full(len(year_array) + 5, np.nan)
        for (area, year, m), (_, value) in newest.items():
            if m != metric:
                continue
            column = year - years.start + 5
            if area == NATIONAL_CODE:
                raw_national[column] = value
            else:
                raw[index[area], column] = value
        if np.isnan(raw).all():
            if metric in REQUIRED_METRICS:
                raise PanelError(f"metric {metric!r} is missing from every file in {panel_dir}")
            continue
        if metric in REQUIRED_METRICS:
            missing = [provinces.names[i] for i in np.flatnonzero(np.isnan(raw).all(axis=1))]
            if missing:
                raise PanelError(f"metric {metric!r} has no value for {missing} in {panel_dir}")
        # Extra leading years let a gap in 2012 borrow from 2011 rather than from 2013.
        filled = fill_from_nearest_year(raw)[:, 5:]
        values[metric] = filled
        observed[metric] = ~np.isnan(raw[:, 5:])
        national_filled = fill_from_nearest_year(raw_national[None, :])[0, 5:]
        # The 全国 row is optional: the sum of provinces stands in year by year.
        national[metric] = np.where(
            np.isnan(national_filled), np.nansum(filled, axis=0), national_filled
        )
    return Panel(provinces, year_array, values, national, observed, tuple(p.name for p in files))


def rd_intensity(panel: Panel) -> np.ndarray:
    """R&D / GDP [province, year] from the years R&D is published, carried to the others.

    The communiqué gives R&D only for a few years; carrying the *ratio* (not the level) keeps
    a province's R&D moving with its GDP. Without any R&D figures, invention applications per
    GDP ranks the provinces instead, at the same national mean (a stand-in, documented).
    """
    gdp = panel.values["gdp"]
    if panel.has("rd_expenditure"):
        published = np.where(
            panel.observed["rd_expenditure"], panel.values["rd_expenditure"] / gdp, np.nan
        )
        intensity = fill_from_nearest_year(published)
        if not np.isnan(intensity).any():
            return intensity
        fallback = _invention_intensity_proxy(panel, np.nanmean(intensity))
        return np.where(np.isnan(intensity), fallback, intensity)
    return _invention_intensity_proxy(panel, FALLBACK_RD_INTENSITY)


def relative_rd_intensity(panel: Panel) -> np.ndarray:
    """A province's R&D intensity over the national one (GDP-weighted), [province, year]."""
    intensity = rd_intensity(panel)
    gdp = panel.values["gdp"]
    national = (intensity * gdp).sum(axis=0) / gdp.sum(axis=0)
    return intensity / national[None, :]


def relative_to_national(panel: Panel, numerator: str, denominator: str = "gdp") -> np.ndarray:
    """(numerator / denominator) of each province over the national ratio, [province, year]."""
    ratio = panel.values[numerator] / panel.values[denominator]
    national_ratio = panel.national[numerator] / panel.national[denominator]
    return ratio / national_ratio[None, :]


def _invention_intensity_proxy(panel: Panel, mean_intensity: float) -> np.ndarray:
    relative = relative_to_national(panel, "invention_applications")
    return mean_intensity * relative


def fill_from_nearest_year(matrix: np.ndarray) -> np.ndarray:
    """Fill NaN cells of each row from the nearest year that has a value (earlier on ties).

    A row with no value at all stays NaN; callers decide what that means.
    """
    filled = matrix.copy()
    n_rows, n_cols = matrix.shape
    columns = np.arange(n_cols)
    for r in range(n_rows):
        present = np.flatnonzero(~np.isnan(matrix[r]))
        if present.size == 0 or present.size == n_cols:
            continue
        distance = np.abs(columns[:, None] - present[None, :])
        nearest = present[np.argmin(distance, axis=1)]  # argmin keeps the earlier on ties
        filled[r] = matrix[r, nearest]
    return filled


def _newest_values(
    files: list[Path], wanted: set[str], years: range
) -> dict[tuple[str, int, str], tuple[tuple[str, str], float]]:
    """(area, year, metric) -> newest value, read with the project's own province-year readers."""
    newest: dict[tuple[str, int, str], tuple[tuple[str, str], float]] = {}
    for path in files:
        observations = read_province_year_file(path).observations
        keep = (
            observations["metric"].isin(wanted)
            & observations["year"].between(years.start - 5, years.stop - 1)
            & observations["area_level"].isin(["province", "national"])
        )
        for row in observations[keep].itertuples(index=False):
            key = (row.area_code, int(row.year), row.metric)
            # Never blend vintages: the newest release wins as a whole value.
            rank = (str(row.release_date or ""), row.vintage or "")
            if key not in newest or rank >= newest[key][0]:
                newest[key] = (rank, float(row.value))
    return newest


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))
