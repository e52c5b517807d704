"""Outlier treatment, COINr ``Treat`` with its default functions.

Per indicator (``Treat.numeric``):

1. check: the indicator passes if ``|skew| < skew_thresh`` OR ``kurtosis < kurt_thresh``
   (``check_SkewKurt``; sample skewness and excess kurtosis, see ``stats``);
2. if it fails, winsorise (``winsorise``): repeatedly replace the current extreme value(s) on
   the side of the skew (high end when skew >= 0, low end otherwise) by the next value inward,
   re-checking after each step, while fewer than ``winmax`` points have been moved;
3. if it still fails, apply ``f2`` (default ``log_CT``: ``log(x - min + 0.01 (max - min))``) to
   the *untreated* values (or to the winsorised ones when ``combine_treat``), and check again.

Counting follows COINr exactly: after a step, the points just moved share the current extreme
value with the points moved before, so the number treated is the number of points equal to the
current extreme (plus those at the other end if the skew changed sign); tied extremes move
together, so one step can move several points and overshoot ``winmax``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.composite.stats import sample_excess_kurtosis, sample_skewness

WINSORISED_HIGH = "winhi"
WINSORISED_LOW = "winlo"


@dataclass(frozen=True)
class SkewKurtCheck:
    passed: bool
    skew: float
    kurt: float


def check_skew_kurt(x: np.ndarray, skew_thresh: float = 2.0, kurt_thresh: float = 3.5):
    """COINr ``check_SkewKurt``: pass if |skew| < skew_thresh OR kurtosis < kurt_thresh.

    With too few distinct values for the moments (NaN), the check passes: there is nothing
    an outlier treatment could do.
    """
    skew, kurt = sample_skewness(x), sample_excess_kurtosis(x)
    if np.isnan(skew) or np.isnan(kurt):
        return SkewKurtCheck(True, skew, kurt)
    return SkewKurtCheck(bool(abs(skew) < skew_thresh or kurt < kurt_thresh), skew, kurt)


@dataclass(frozen=True)
class Winsorisation:
    values: np.ndarray
    n_winsorised: int
    points: np.ndarray  # "winhi" / "winlo" / "" per value


def winsorise(
    x: np.ndarray,
    winmax: int | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    force_win: bool = False,
) -> Winsorisation:
    """COINr ``winsorise`` (see the module docstring); ``winmax=None`` means no limit."""
    x = np.asarray(x, dtype=float).copy()
    at_max = np.zeros(x.size, dtype=bool)
    at_min = np.zeros(x.size, dtype=bool)
    n_winsorised = 0

    def below_winmax() -> bool:
        return winmax is None or n_winsorised < winmax

    passing = check_skew_kurt(x, skew_thresh, kurt_thresh).passed
    while (not passing or force_win) and below_winmax():
        high_side = sample_skewness(x) >= 0
        extreme = np.nanmax(x) if high_side else np.nanmin(x)
        moved = x == extreme
        rest = x[~moved & ~np.isnan(x)]
        if rest.size == 0:  # every value is the extreme: nothing left to winsorise towards
            break
        x[moved] = rest.max() if high_side else rest.min()
        if high_side:
            at_max = moved
        else:
            at_min = moved
        n_winsorised = int(at_max.sum() + at_min.sum())
        passing = check_skew_kurt(x, skew_thresh, kurt_thresh).passed

    points = np.full(x.size, "", dtype=object)
    points[at_max] = WINSORISED_HIGH
    points[at_min] = WINSORISED_LOW
    return Winsorisation(values=x, n_winsorised=n_winsorised, points=points)


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr ``log_CT``: ``log(x - min(x) + 0.01 (max(x) - min(x)))``, NaN ignored."""
    x = np.asarray(x, dtype=float)
    lo, hi = np.nanmin(x), np.nanmax(x)
    return np.log(x - lo + 0.01 * (hi - lo))


def log_ct_orig(x: np.ndarray) -> np.ndarray:
    """COINr ``log_CT_orig``: ``log(x - min(x) + 1)``."""
    x = np.asarray(x, dtype=float)
    return np.log(x - np.nanmin(x) + 1)


SECOND_STAGE = {"log_CT": log_ct, "log_CT_orig": log_ct_orig}


@dataclass(frozen=True)
class IndicatorTreatment:
    values: np.ndarray
    record: dict  # one row of the details table
    points: np.ndarray


def treat_indicator(
    x: np.ndarray,
    winmax: int | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    f2: str | None = "log_CT",
    combine_treat: bool = False,
) -> IndicatorTreatment:
    """COINr ``Treat.numeric`` with ``f1 = winsorise``, ``f_pass = check_SkewKurt``."""
    x = np.asarray(x, dtype=float)
    check = check_skew_kurt(x, skew_thresh, kurt_thresh)
    record: dict = {"pass_0": check.passed, "skew_0": check.skew, "kurt_0": check.kurt}
    points = np.full(x.size, "", dtype=object)
    if check.passed:
        record["treatment"] = "none"
        return IndicatorTreatment(x.copy(), record, points)

    win = winsorise(x, winmax, skew_thresh, kurt_thresh)
    check = check_skew_kurt(win.values, skew_thresh, kurt_thresh)
    record |= {
        "n_winsorised": win.n_winsorised,
        "pass_1": check.passed,
        "skew_1": check.skew,
        "kurt_1": check.kurt,
    }
    if check.passed or f2 is None:
        record["treatment"] = "winsorise"
        return IndicatorTreatment(win.values, record, win.points)

    if f2 not in SECOND_STAGE:
        raise ValueError(f"unknown second-stage treatment {f2!r}; use one of {list(SECOND_STAGE)}")
    transformed = SECOND_STAGE[f2](win.values if combine_treat else x)
    check = check_skew_kurt(transformed, skew_thresh, kurt_thresh)
    record |= {"pass_2": check.passed, "skew_2": check.skew, "kurt_2": check.kurt}
    if combine_treat:
        record["treatment"] = f"winsorise+{f2}"
        points = np.where(win.points == "", f2, win.points + "+" + f2)
    else:
        record["treatment"] = f2
        points = np.full(x.size, f2, dtype=object)
    return IndicatorTreatment(transformed, record, points)


DETAIL_COLUMNS = [
    "treatment",
    "pass_0",
    "skew_0",
    "kurt_0",
    "n_winsorised",
    "pass_1",
    "skew_1",
    "kurt_1",
    "pass_2",
    "skew_2",
    "kurt_2",
]


@dataclass(frozen=True)
class Treatment:
    data: pd.DataFrame
    details: pd.DataFrame  # one row per indicator: checks, treatment applied, points moved
    points: pd.DataFrame  # per cell: "", "winhi", "winlo", "log_CT", ...

    @property
    def treated_indicators(self) -> list[str]:
        return self.details.index[self.details["treatment"] != "none"].tolist()


def treat(
    data: pd.DataFrame,
    winmax: int | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    f2: str | None = "log_CT",
    combine_treat: bool = False,
    exclude: tuple[str, ...] = (),
) -> Treatment:
    """Treat every column of ``data`` (except ``exclude``, left as is) with ``treat_indicator``."""
    treated = data.copy()
    points = pd.DataFrame("", index=data.index, columns=data.columns)
    records = {}
    for code in data.columns:
        if code in exclude:
            records[code] = {"treatment": "excluded"}
            continue
        result = treat_indicator(
            data[code].to_numpy(float), winmax, skew_thresh, kurt_thresh, f2, combine_treat
        )
        treated[code] = result.values
        points[code] = result.points
        records[code] = result.record
    details = pd.DataFrame.from_dict(records, orient="index").reindex(columns=DETAIL_COLUMNS)
    details.index.name = "code"
    return Treatment(data=treated, details=details, points=points)
