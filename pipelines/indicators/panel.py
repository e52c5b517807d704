"""The (province, year) panel through the composite engine.

Units are province-years (a ``(province_code, year)`` MultiIndex), so the engine's panel-wide
steps (outlier treatment, min-max) are fitted on all provinces and all years at once and the
scores compare across years. Imputation works within each province along the years.
"""

from __future__ import annotations

import pandas as pd

from pipelines.composite import Coin, Framework
from pipelines.indicators.catalog import build_frameworks
from pipelines.indicators.config import CompositeConfig

UNIT, TIME = "province_code", "year"


def panel_years(raw: pd.DataFrame, catalog: pd.DataFrame) -> list[int]:
    """The years in which every pillar has at least one observed indicator value.

    A year outside them would have a pillar resting on imputation alone (or nothing), so the
    panel is those years only; with the demo data, 2012-2024.
    """
    pillar_of = catalog.set_index("id")["pillar"]
    observed = raw.assign(pillar=raw["indicator"].map(pillar_of))
    per_year = observed.groupby("year")["pillar"].nunique()
    n_pillars = catalog["pillar"].nunique()
    return sorted(int(year) for year in per_year.index[per_year == n_pillars])


def panel_frame(
    raw: pd.DataFrame, catalog: pd.DataFrame, provinces: list[str], years: list[int]
) -> pd.DataFrame:
    """Wide panel: one row per province x year (all of them), one column per indicator."""
    grid = pd.MultiIndex.from_product([sorted(provinces), sorted(years)], names=[UNIT, TIME])
    wide = raw.pivot_table(index=[UNIT, TIME], columns="indicator", values="value", aggfunc="first")
    wide = wide.reindex(index=grid, columns=catalog["id"].tolist())
    wide.columns.name = None
    return wide.astype(float)


def indicator_cells(
    panel: pd.DataFrame, catalog: pd.DataFrame, config: CompositeConfig
) -> pd.DataFrame:
    """Every province x year x indicator after the engine's indicator steps (impute, screen,
    treat, normalise): raw, treated and normalised value and the imputation flag."""
    long = []
    for _index, framework in build_frameworks(catalog, config).items():
        built = run_indicator_steps(Coin.from_data(framework, panel[framework.indicators]), config)
        stages = {
            "raw_value": built.datasets["Raw"],
            "treated_value": built.datasets[
                _last(built, ("Treated", "Screened", "Imputed", "Raw"))
            ],
            "normalised_value": built.datasets[_last(built, ("Normalised",))],
        }
        imputed = built.analysis.get(_last(built, ("Imputed", "Denominated", "Raw")), {}).get(
            "imputed_cells"
        )
        if imputed is None:
            imputed = pd.DataFrame(False, index=panel.index, columns=framework.indicators)
        stages["is_imputed"] = imputed
        stacked = {
            name: frame.reindex(panel.index).stack(future_stack=True).rename(name)
            for name, frame in stages.items()
        }
        cells = pd.concat(stacked.values(), axis=1)
        cells.index = cells.index.set_names([UNIT, TIME, "indicator"])
        long.append(cells.reset_index())
    cells = pd.concat(long, ignore_index=True)
    cells["is_imputed"] = cells["is_imputed"].fillna(False).astype(bool)
    return cells


def run_indicator_steps(coin: Coin, config: CompositeConfig) -> Coin:
    """The engine's steps up to normalisation, as ``build`` runs them, plus one step of ours
    right after imputation: ``fill_empty_pillars`` when the settings ask for it."""
    settings = config.engine
    if settings.denominate is not None:
        coin.denominate(settings.denominate)
    if settings.impute is not None:
        coin.impute(settings.impute)
    if config.empty_pillar_fill == "earliest_observed":
        fill_empty_pillars(coin)
    for name in ("screen", "treat", "normalise"):
        step = getattr(settings, name)
        if step is not None:
            getattr(coin, name)(step)
    return coin


def fill_empty_pillars(coin: Coin) -> None:
    """Where a province-year still has no value for any indicator of a pillar (a gap before
    the province's first observation, which panel imputation does not fill), each indicator
    of that pillar takes the province's earliest observed value. Those cells are flagged as
    imputed like the others; cells of pillars with at least one value are left alone."""
    stage = coin.latest
    data = coin.datasets[stage]
    framework: Framework = coin.framework
    earliest = data.sort_index(level=[UNIT, TIME]).groupby(level=UNIT).bfill().reindex(data.index)
    filled = data.copy()
    for _pillar, indicators in framework.groups_at(1).items():
        empty = data[indicators].isna().all(axis=1)
        filled.loc[empty, indicators] = earliest.loc[empty, indicators]
    new_cells = data.isna() & filled.notna()
    coin.datasets[stage] = filled
    analysis = coin.analysis.setdefault(stage, {})
    before = analysis.get(
        "imputed_cells", pd.DataFrame(False, index=data.index, columns=data.columns)
    )
    analysis["imputed_cells"] = before | new_cells
    analysis["filled_empty_pillar_cells"] = new_cells
    analysis["n_imputed"] = int(analysis["imputed_cells"].to_numpy().sum())


def _last(coin: Coin, stages: tuple[str, ...]) -> str:
    for stage in stages:
        if stage in coin.datasets:
            return stage
    raise KeyError(f"none of the data sets {stages} was built; check the engine settings")


def pillar_scores(
    normalised: pd.DataFrame, catalog: pd.DataFrame, config: CompositeConfig
) -> pd.DataFrame:
    """Pillar and index scores from normalised indicator values (long: province_code, year,
    indicator, normalised_value) with the engine's aggregation step. Returns long rows
    (province_code, year, pillar, score) for every pillar and every published index."""
    wide = normalised.pivot_table(
        index=[UNIT, TIME],
        columns="indicator",
        values="normalised_value",
        aggfunc="first",
        dropna=False,
    )
    aggregate_settings = config.engine.aggregate
    if aggregate_settings is None:
        raise ValueError("composite_settings.yaml: engine.aggregate is needed for pillar scores")
    rows = []
    for index, framework in build_frameworks(catalog, config).items():
        data = wide.reindex(columns=framework.indicators).astype(float)
        coin = Coin(framework, units=pd.DataFrame(index=data.index), datasets={"Normalised": data})
        scores = coin.aggregate(aggregate_settings).datasets["Aggregated"]
        codes = framework.codes_at(2) + ([index] if config.indices[index].publish else [])
        long = scores[codes].stack(future_stack=True).rename("score")
        long.index = long.index.set_names([UNIT, TIME, "pillar"])
        rows.append(long.reset_index())
    return pd.concat(rows, ignore_index=True)
