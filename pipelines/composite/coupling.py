"""Coupling-coordination degree between n subsystems (e.g. innovation drivers and upgrading).

For subsystem scores U_1..U_n in [0, 1] of one unit (one row):

    C = (prod U_i)^(1/n) / (sum U_i / n)     coupling: geometric over arithmetic mean, in [0, 1]
    T = sum a_i U_i,  sum a_i = 1             comprehensive development (default a_i = 1/n)
    D = sqrt(C T)                             coupling-coordination degree

For n = 2, C = 2 sqrt(U_1 U_2) / (U_1 + U_2). This is the corrected form (Wang, Kong, Ren,
Zhi & Wang 2021, 经济地理 41(2)); the older sqrt(U_1 U_2) / (U_1 + U_2) is capped at 0.5 and is
not used. When every U_i is 0, C is undefined (NaN) but D = 0 since T = 0.
Bands: the usual ten equal bands of D, from 极度失调 [0, 0.1) to 优质协调 [0.9, 1].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COORDINATION_BANDS = (
    "极度失调 extreme imbalance",
    "严重失调 serious imbalance",
    "中度失调 moderate imbalance",
    "轻度失调 mild imbalance",
    "濒临失调 verging on imbalance",
    "勉强协调 barely coordinated",
    "初级协调 primary coordination",
    "中级协调 intermediate coordination",
    "良好协调 good coordination",
    "优质协调 high-quality coordination",
)


def coordination_band(degree: pd.Series) -> pd.Series:
    """Band of D: [0, 0.1) -> band 1, ..., [0.9, 1] -> band 10 (1.0 itself is in band 10)."""
    position = np.floor(degree.to_numpy(dtype=float) * 10)
    position = np.clip(position, 0, 9)
    labels = [COORDINATION_BANDS[int(p)] if not np.isnan(p) else None for p in position]
    return pd.Series(labels, index=degree.index, name="band")


def coupling_coordination(
    subsystems: pd.DataFrame, contributions: pd.Series | None = None
) -> pd.DataFrame:
    """C, T, D and the band for every row; columns of ``subsystems`` are the n >= 2 systems."""
    u = subsystems.to_numpy(dtype=float)
    n = u.shape[1]
    if n < 2:
        raise ValueError("coupling needs at least two subsystems")
    if np.nanmin(u) < 0 or np.nanmax(u) > 1:
        raise ValueError("subsystem scores must lie in [0, 1]")
    if contributions is None:
        a = np.full(n, 1 / n)
    else:
        a = contributions.reindex(subsystems.columns).to_numpy(dtype=float)
        if not np.isclose(a.sum(), 1.0):
            raise ValueError("contribution coefficients must sum to 1")
    arithmetic = u.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        geometric = np.exp(np.log(u).mean(axis=1))
        coupling = geometric / arithmetic
    development = u @ a
    degree = np.sqrt(np.where(development == 0, 0.0, coupling * development))
    result = pd.DataFrame({"C": coupling, "T": development, "D": degree}, index=subsystems.index)
    result["band"] = coordination_band(result["D"])
    return result
