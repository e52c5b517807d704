"""Denominate: turn totals into ratios (indicator / denominator x scale), COINr ``Denominate``."""

from __future__ import annotations

import pandas as pd


def denominate(
    data: pd.DataFrame,
    denominator_of: pd.Series,
    denominators: pd.DataFrame,
    scale_factor: float = 1.0,
) -> pd.DataFrame:
    """Divide each indicator that has a denominator by that unit's denominator.

    ``denominator_of`` maps indicator -> denominator column of ``denominators`` (rows aligned
    with ``data`` by index); indicators not in it are returned unchanged. A missing denominator
    gives a missing ratio rather than a guess.
    """
    missing = sorted(set(denominator_of) - set(denominators.columns))
    if missing:
        raise KeyError(f"denominator columns not found among the unit data: {missing}")
    denominated = data.copy()
    divided = [code for code in denominator_of.index if code in data.columns]
    divisors = denominators.reindex(data.index)[denominator_of[divided].tolist()].to_numpy(float)
    denominated[divided] = data[divided].to_numpy(float) / divisors * scale_factor
    return denominated
