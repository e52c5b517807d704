"""The (province, year) panel the composite engine reads, and its results as the marts' rows.

Units are province-years (a ``(province_code, year)`` MultiIndex), so the engine's panel-wide
steps (outlier treatment, min-max) are fitted on all provinces and all years at once and the
scores compare across years. Imputation works within each province along the years.
"""

from __future__ import annotations

import pandas as pd

from pipelines.composite import Coin
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


def indicator_cells(coin: Coin, rows: pd.Index) -> pd.DataFrame:
    """A built coin's indicators, long: one row per province x year of ``rows`` x indicator
    with the raw, treated and normalised value, the imputation flag and how the value was
    obtained (``value_origin``, see :func:`value_origins`)."""
    raw = coin.datasets["Raw"]
    imputation = coin.analysis.get(coin.latest_up_to("Imputed"), {})
    imputed = imputation.get("imputed_cells")
    if imputed is None:
        imputed = pd.DataFrame(False, index=rows, columns=raw.columns)
    impute = coin.settings.impute if coin.settings is not None else None
    stages = {
        "raw_value": raw,
        "treated_value": coin.datasets[coin.latest_up_to("Treated")],
        "normalised_value": coin.datasets["Normalised"],
        "is_imputed": imputed,
        "value_origin": value_origins(
            raw,
            imputed,
            imputation.get("filled_empty_group_cells"),
            impute.method if impute is not None else None,
        ),
    }
    stacked = {
        name: frame.reindex(rows).stack(future_stack=True).rename(name)
        for name, frame in stages.items()
    }
    cells = pd.concat(stacked.values(), axis=1)
    cells.index = cells.index.set_names([UNIT, TIME, "indicator"])
    cells = cells.reset_index()
    cells["is_imputed"] = cells["is_imputed"].fillna(False).astype(bool)
    return cells


OBSERVED, MISSING = "observed", "missing"
INTERPOLATED, CARRIED_FORWARD, EARLIEST_OBSERVED = (
    "interpolated",
    "carried_forward",
    "earliest_observed",
)


def value_origins(
    raw: pd.DataFrame,
    imputed: pd.DataFrame,
    filled_empty_pillar: pd.DataFrame | None,
    impute_method: str | None,
) -> pd.DataFrame:
    """How each cell's value was obtained (wide, like ``raw``):

    * ``observed``: the formula gave a value;
    * ``interpolated``: a gap between two observed years of the province, filled linearly
      (impute methods ``linear`` and ``linear_then_carry_forward``);
    * ``carried_forward``: a gap after the province's last observed year, which takes that
      year's value (``carry_forward``; ``linear_then_carry_forward``);
    * ``earliest_observed``: ``panel.empty_pillar_fill`` gave the cell the province's earliest
      observed value, the pillar having no value at all in that province-year
      (``filled_empty_pillar``: the engine's ``filled_empty_group_cells``);
    * ``imputed: <method>`` for the engine's other imputation methods (column or group means);
    * ``missing``: no value (a leading gap in a pillar that has another value).

    The engine flags imputed cells without saying which rule filled them; the rule is told
    apart here from where the gap lies between the province's observed years."""
    observed = raw.notna()
    order = raw.index.sort_values()
    ordered = observed.reindex(order)
    by_unit = ordered.groupby(level=UNIT)
    earlier = by_unit.cummax().reindex(raw.index)
    later = ordered.iloc[::-1].groupby(level=UNIT).cummax().iloc[::-1].reindex(raw.index)
    imputed = imputed.reindex(index=raw.index, columns=raw.columns).fillna(False).astype(bool)
    filled = (
        pd.DataFrame(False, index=raw.index, columns=raw.columns)
        if filled_empty_pillar is None
        else filled_empty_pillar.reindex(index=raw.index, columns=raw.columns)
        .fillna(False)
        .astype(bool)
    )
    by_panel_rule = imputed & ~filled & ~observed
    origin = pd.DataFrame(MISSING, index=raw.index, columns=raw.columns, dtype=object)
    if impute_method in ("linear", "linear_then_carry_forward", "carry_forward"):
        interior = by_panel_rule & earlier & later
        trailing = by_panel_rule & earlier & ~later
        if impute_method == "carry_forward":
            origin = origin.mask(interior | trailing, CARRIED_FORWARD)
        else:
            origin = origin.mask(interior, INTERPOLATED)
            if impute_method == "linear_then_carry_forward":
                origin = origin.mask(trailing, CARRIED_FORWARD)
        rest = by_panel_rule & ~interior & ~trailing
    else:
        rest = by_panel_rule
    origin = origin.mask(rest, f"imputed: {impute_method}")
    origin = origin.mask(filled & ~observed, EARLIEST_OBSERVED)
    return origin.mask(observed, OBSERVED)


def pillar_scores(coin: Coin, rows: pd.Index, codes: list[str]) -> pd.DataFrame:
    """A built coin's scores of ``codes`` (pillars, the index), long: province_code, year,
    pillar, score for every province x year of ``rows``."""
    scores = coin.datasets["Aggregated"].reindex(rows)[codes]
    long = scores.stack(future_stack=True).rename("score")
    long.index = long.index.set_names([UNIT, TIME, "pillar"])
    return long.reset_index()


SHARE_COLUMNS = ["official_share", "observed_share", "is_synthetic"]


def pillar_shares(
    cells: pd.DataFrame, catalog: pd.DataFrame, config: CompositeConfig
) -> pd.DataFrame:
    """How much of each pillar and index score rests on official and on observed values.

    ``cells`` is long marts.indicator_value (province_code, year, indicator, raw_value,
    normalised_value). Within a pillar the inputs of a score are the indicators with a
    normalised value there (observed or imputed) and a weight > 0, weighted by their catalog
    weights:

    * ``official_share`` = weight of the inputs that are not synthetic (catalog is_synthetic)
      / weight of all inputs;
    * ``observed_share`` = weight of the inputs observed (raw_value not NULL, i.e. not
      imputed) / weight of all inputs;
    * ``is_synthetic``: any input is synthetic.

    An index row (``overall``, ``upgrading``) takes the pillar-weight-weighted mean of its
    pillars' shares over the pillars that have a score (as the aggregation does), and is
    synthetic when any of them is. All three are NULL where the score has no input. Returns
    long rows (province_code, year, pillar, official_share, observed_share, is_synthetic)."""
    info = catalog.set_index("id")[["pillar", "weight", "is_synthetic"]]
    data = cells[[UNIT, TIME, "indicator", "raw_value", "normalised_value"]].join(
        info, on="indicator"
    )
    weight = data["weight"].where(data["normalised_value"].notna() & (data["weight"] > 0), 0.0)
    pillars = _weighted_shares(
        data.assign(
            official=~data["is_synthetic"].astype(bool), observed=data["raw_value"].notna()
        ),
        weight,
        [UNIT, TIME, "pillar"],
    )
    rows = [pillars]
    for index in config.published_indices:
        members = pillars[pillars["pillar"].isin(config.pillars_of(index))]
        weight = members["pillar"].map(lambda p: config.pillars[p].weight)
        members = members.assign(
            official=members["official_share"],
            observed=members["observed_share"],
            is_synthetic=members["is_synthetic"].fillna(False).astype(bool),
        )
        shares = _weighted_shares(
            members, weight.where(members["official"].notna(), 0.0), [UNIT, TIME]
        )
        rows.append(shares.assign(pillar=index))
    return pd.concat(rows, ignore_index=True)[[UNIT, TIME, "pillar", *SHARE_COLUMNS]]


def _weighted_shares(frame: pd.DataFrame, weight: pd.Series, keys: list[str]) -> pd.DataFrame:
    """Per ``keys`` group: the ``weight``-weighted means of ``official`` and ``observed`` (a
    flag or a share per row), and whether any row with weight > 0 ``is_synthetic``; NULL where
    the group's weight is 0."""
    weighted = pd.DataFrame(
        {
            "w": weight,
            "w_official": weight * frame["official"].astype(float).fillna(0.0),
            "w_observed": weight * frame["observed"].astype(float).fillna(0.0),
            "synthetic": (weight > 0) & frame["is_synthetic"].astype(bool),
        }
    )
    sums = weighted.groupby([frame[k] for k in keys]).agg(
        w=("w", "sum"),
        w_official=("w_official", "sum"),
        w_observed=("w_observed", "sum"),
        is_synthetic=("synthetic", "any"),
    )
    has_input = sums["w"] > 0
    return pd.DataFrame(
        {
            "official_share": (sums["w_official"] / sums["w"]).where(has_input),
            "observed_share": (sums["w_observed"] / sums["w"]).where(has_input),
            "is_synthetic": sums["is_synthetic"].astype("boolean").where(has_input),
        }
    ).reset_index()
