"""Sample moments used by the outlier check, defined exactly as COINr defines them.

COINr's ``skew()`` and ``kurt()`` copy e1071's ``type = 2`` estimators (the ones Excel and
pandas' ``Series.skew()``/``Series.kurt()`` use): the adjusted Fisher-Pearson skewness and the
bias-corrected excess kurtosis. Missing values are dropped first.
"""

from __future__ import annotations

import numpy as np


def _finite(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return values[~np.isnan(values)]


def sample_skewness(values: np.ndarray) -> float:
    """Adjusted Fisher-Pearson skewness G1 (e1071 type 2); NaN below 3 observations."""
    x = _finite(values)
    n = x.size
    if n < 3:
        return float("nan")
    d = x - x.mean()
    m2 = np.sum(d**2)
    if m2 == 0:
        return float("nan")
    g1 = np.sqrt(n) * np.sum(d**3) / m2**1.5
    return float(g1 * np.sqrt(n * (n - 1)) / (n - 2))


def sample_excess_kurtosis(values: np.ndarray) -> float:
    """Bias-corrected excess kurtosis G2 (e1071 type 2); NaN below 4 observations."""
    x = _finite(values)
    n = x.size
    if n < 4:
        return float("nan")
    d = x - x.mean()
    m2 = np.sum(d**2)
    if m2 == 0:
        return float("nan")
    r = n * np.sum(d**4) / m2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))
