"""Entropy-TOPSIS: rank units by relative closeness to the best and worst observed profiles.

Common in Chinese provincial studies (熵权-TOPSIS): normalise the indicators (directions
applied, e.g. min-max 0-1), weight them (usually with ``entropy_weights``), then

    v_ij = w_j z_ij,   v+_j = max_i v_ij,   v-_j = min_i v_ij,
    D+_i = sqrt(sum_j (v_ij - v+_j)^2),   D-_i = sqrt(sum_j (v_ij - v-_j)^2),
    C_i = D-_i / (D+_i + D-_i)   in [0, 1], 1 = the ideal.

With panel data (rows = unit-years) the ideal and anti-ideal are taken over all rows, so
closeness is comparable across years. COINr has no TOPSIS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Topsis:
    distance_to_best: pd.Series
    distance_to_worst: pd.Series
    closeness: pd.Series

    @property
    def rank(self) -> pd.Series:
        return self.closeness.rank(ascending=False, method="min")


def topsis(normalised: pd.DataFrame, weights: pd.Series) -> Topsis:
    """TOPSIS closeness of each row; ``weights`` are rescaled to sum to 1."""
    if normalised.isna().any().any():
        raise ValueError("TOPSIS needs a complete matrix: impute first")
    w = weights.reindex(normalised.columns).to_numpy(dtype=float)
    if np.isnan(w).any():
        raise ValueError("a weight is missing for some column")
    weighted = normalised.to_numpy(dtype=float) * (w / w.sum())
    to_best = np.sqrt(((weighted - weighted.max(axis=0)) ** 2).sum(axis=1))
    to_worst = np.sqrt(((weighted - weighted.min(axis=0)) ** 2).sum(axis=1))
    with np.errstate(invalid="ignore"):
        closeness = to_worst / (to_best + to_worst)
    index = normalised.index
    return Topsis(
        distance_to_best=pd.Series(to_best, index=index, name="distance_to_best"),
        distance_to_worst=pd.Series(to_worst, index=index, name="distance_to_worst"),
        closeness=pd.Series(closeness, index=index, name="closeness"),
    )
