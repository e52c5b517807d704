"""Normalise indicators onto a common scale, COINr ``Normalise`` and its ``n_*`` functions.

Every indicator is first multiplied by its direction (+1/-1), so that higher is always better,
then passed to the method. Missing values stay missing and are ignored by min/max/mean/sd.
With panel data (rows are unit-years) the scale is fitted on all rows at once, so scores stay
comparable across years (COINr ``Normalise.purse(global = TRUE)``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd


def minmax(x: pd.Series, lower: float = 0.0, upper: float = 100.0) -> pd.Series:
    """``n_minmax``: ``(x - min) / (max - min) * (upper - lower) + lower``; NaN if constant."""
    lo, hi = x.min(), x.max()
    if hi == lo:
        return pd.Series(np.nan, index=x.index)
    return (x - lo) / (hi - lo) * (upper - lower) + lower


def zscore(x: pd.Series, mean: float = 0.0, sd: float = 1.0) -> pd.Series:
    """``n_zscore``: ``(x - mean(x)) / sd(x) * sd + mean`` with the sample (n - 1) sd."""
    return (x - x.mean()) / x.std(ddof=1) * sd + mean


def rank(x: pd.Series, ties: str = "min") -> pd.Series:
    """``n_rank``: rank, higher value -> higher rank, ties share the lowest rank by default.

    ``ties`` is pandas' ``method`` (``min``, ``max``, ``average``, ``first``, ``dense``).
    """
    return x.rank(method=ties, ascending=True, na_option="keep")


def percentile_rank(x: pd.Series, ties: str = "min") -> pd.Series:
    """``n_prank``: ``(rank - 1) / (n_observed - 1)``, in [0, 1]."""
    return (rank(x, ties) - 1) / (x.notna().sum() - 1)


def distance_to_reference(x: pd.Series, reference_unit, cap_max: bool = False) -> pd.Series:
    """``n_dist2ref``: ``1 - (x_ref - x) / (x_ref - min)``; the reference unit scores 1.

    COINr takes the reference by position; here it is the unit's label in the index.
    """
    x_ref = x.loc[reference_unit]
    if isinstance(x_ref, pd.Series):
        raise ValueError(f"reference unit {reference_unit!r} is not unique in the index")
    scores = 1 - (x_ref - x) / (x_ref - x.min())
    return scores.clip(upper=1.0) if cap_max else scores


def distance_to_max(x: pd.Series) -> pd.Series:
    """``n_dist2max``: ``1 - (max - x) / (max - min)``."""
    return 1 - (x.max() - x) / (x.max() - x.min())


def distance_to_target(x: pd.Series, target: float, cap_max: bool = False) -> pd.Series:
    """``n_dist2targ``: ``1 - (target - x) / (target - min)``; target is on the directed scale."""
    scores = 1 - (target - x) / (target - x.min())
    return scores.clip(upper=1.0) if cap_max else scores


NORMALISERS: dict[str, Callable[..., pd.Series]] = {
    "minmax": minmax,
    "zscore": zscore,
    "rank": rank,
    "percentile_rank": percentile_rank,
    "dist_to_ref": distance_to_reference,
    "dist_to_max": distance_to_max,
    "dist_to_target": distance_to_target,
}


def normalise(
    data: pd.DataFrame,
    directions: pd.Series | None = None,
    method: str = "minmax",
    params: dict | None = None,
    per_indicator: dict[str, tuple[str, dict]] | None = None,
) -> pd.DataFrame:
    """Normalise each column: ``method(direction * x, **params)``.

    ``per_indicator`` maps a code to its own ``(method, params)``, COINr's ``indiv_specs``.
    Directions default to +1.
    """
    directions = (
        pd.Series(1.0, index=data.columns)
        if directions is None
        else directions.reindex(data.columns).fillna(1.0)
    )
    per_indicator = per_indicator or {}
    normalised = {}
    for code in data.columns:
        code_method, code_params = per_indicator.get(code, (method, params or {}))
        if code_method not in NORMALISERS:
            known = list(NORMALISERS)
            raise ValueError(f"unknown normalisation {code_method!r}; use one of {known}")
        directed = data[code].astype(float) * directions[code]
        normalised[code] = NORMALISERS[code_method](directed, **(code_params or {}))
    return pd.DataFrame(normalised, index=data.index)
