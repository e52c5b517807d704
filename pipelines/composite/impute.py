"""Impute missing values; every imputed cell is flagged.

Cross-section methods follow COINr's ``i_mean``, ``i_median``, ``i_mean_grp`` and
``i_median_grp`` (column by column, ``Impute(impute_by = "column")``). Panel methods work within
each unit along time: ``carry_forward`` takes the latest earlier observed value (as COINr's
``impute_panel`` does), ``linear`` interpolates between the observed years around a gap
(interior gaps only: nothing is extrapolated). Panel results are not checked against COINr.
``fill_empty_groups`` (ours, after a panel method) fills a group of indicators that still has
no value at all in a unit-year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

CROSS_SECTION_METHODS = ("mean", "median", "group_mean", "group_median")
PANEL_METHODS = ("carry_forward", "linear", "linear_then_carry_forward")
EMPTY_GROUP_FILLS = ("earliest_observed",)


@dataclass(frozen=True)
class Imputation:
    data: pd.DataFrame
    imputed: pd.DataFrame  # True where a missing cell received a value

    @property
    def n_imputed(self) -> int:
        return int(self.imputed.to_numpy().sum())


def _flagged(before: pd.DataFrame, after: pd.DataFrame) -> Imputation:
    return Imputation(data=after, imputed=before.isna() & after.notna())


def impute_column_statistic(data: pd.DataFrame, statistic: str = "mean") -> Imputation:
    """Missing values take the column mean (or median) of the observed values."""
    fill = data.agg(statistic)
    return _flagged(data, data.fillna(fill))


def impute_group_statistic(
    data: pd.DataFrame, groups: pd.Series, statistic: str = "mean"
) -> Imputation:
    """Missing values take the mean (or median) of the unit's group, column by column.

    Units whose group is missing are left as they are (COINr ``skip_f_na = TRUE``); a group
    with no observed value in a column leaves that column's gaps missing.
    """
    groups = groups.reindex(data.index)
    fill = data.groupby(groups, dropna=True).transform(statistic)
    return _flagged(data, data.fillna(fill))


def _per_unit(data: pd.DataFrame, unit_level: int | str, fill_one_unit) -> pd.DataFrame:
    filled = data.groupby(level=unit_level, group_keys=False, sort=False).apply(fill_one_unit)
    return filled.reindex(data.index)


def impute_carry_forward(
    data: pd.DataFrame, unit_level: int | str = 0, time_level: int | str = 1
) -> Imputation:
    """Within each unit, a gap takes the latest earlier observed value (no back-filling)."""
    ordered = data.sort_index(level=[unit_level, time_level])
    filled = _per_unit(ordered, unit_level, lambda unit: unit.ffill())
    return _flagged(data, filled.reindex(data.index))


def impute_linear(
    data: pd.DataFrame, unit_level: int | str = 0, time_level: int | str = 1
) -> Imputation:
    """Within each unit, interpolate linearly in time between the observed years around a gap.

    Uses the time values themselves (2019 between 2018 and 2021 gets one third of the way),
    so unevenly spaced years are handled; leading and trailing gaps stay missing.
    """
    times = data.index.get_level_values(time_level).to_numpy(dtype=float)
    units = data.index.get_level_values(unit_level)
    values = data.to_numpy(dtype=float).copy()
    for unit in pd.unique(units):
        rows = np.flatnonzero(units == unit)
        rows = rows[np.argsort(times[rows], kind="stable")]
        t = times[rows]
        block = values[rows]
        for j in range(block.shape[1]):
            column = block[:, j]
            observed = ~np.isnan(column)
            if observed.sum() < 2:
                continue
            t_obs = t[observed]
            inside = ~observed & (t > t_obs.min()) & (t < t_obs.max())
            column[inside] = np.interp(t[inside], t_obs, column[observed])
        values[rows] = block
    filled = pd.DataFrame(values, index=data.index, columns=data.columns)
    return _flagged(data, filled)


def impute_linear_then_carry_forward(
    data: pd.DataFrame, unit_level: int | str = 0, time_level: int | str = 1
) -> Imputation:
    """Interior gaps interpolated, then trailing gaps carried forward from the last year."""
    interpolated = impute_linear(data, unit_level, time_level).data
    carried = impute_carry_forward(interpolated, unit_level, time_level).data
    return _flagged(data, carried)


def impute(
    data: pd.DataFrame,
    method: str = "mean",
    groups: pd.Series | None = None,
    unit_level: int | str = 0,
    time_level: int | str = 1,
) -> Imputation:
    """Dispatch on ``method`` (see the module docstring for what each does)."""
    if method in ("mean", "median"):
        return impute_column_statistic(data, method)
    if method in ("group_mean", "group_median"):
        if groups is None:
            raise ValueError(f"imputation method {method!r} needs a group column")
        return impute_group_statistic(data, groups, method.removeprefix("group_"))
    panel = {
        "carry_forward": impute_carry_forward,
        "linear": impute_linear,
        "linear_then_carry_forward": impute_linear_then_carry_forward,
    }
    if method in panel:
        if not isinstance(data.index, pd.MultiIndex):
            raise ValueError(f"panel imputation {method!r} needs a (unit, time) MultiIndex")
        return panel[method](data, unit_level, time_level)
    raise ValueError(f"unknown imputation method {method!r}")


def fill_empty_groups(
    data: pd.DataFrame,
    groups: dict[str, list[str]],
    rule: str = "earliest_observed",
    unit_level: int | str = 0,
    time_level: int | str = 1,
) -> Imputation:
    """Where a unit-year has no value for any indicator of a group (a gap before the unit's
    first observation, which the panel methods do not fill), each indicator of that group takes
    the unit's earliest observed value. Groups with at least one value are left alone, so a
    group score never rests on nothing while a single indicator's leading gap stays missing.

    ``groups``: group -> its indicators (``Framework.groups_at(1)``)."""
    if rule not in EMPTY_GROUP_FILLS:
        raise ValueError(f"empty_group_fill must be one of {EMPTY_GROUP_FILLS}, got {rule!r}")
    if not isinstance(data.index, pd.MultiIndex):
        raise ValueError("filling empty groups needs a (unit, time) MultiIndex")
    ordered = data.sort_index(level=[unit_level, time_level])
    earliest = ordered.groupby(level=unit_level).bfill().reindex(data.index)
    filled = data.copy()
    for indicators in groups.values():
        empty = data[indicators].isna().all(axis=1)
        filled.loc[empty, indicators] = earliest.loc[empty, indicators]
    return _flagged(data, filled)
