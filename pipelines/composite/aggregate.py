"""Aggregate level by level along the framework, COINr ``Aggregate`` with ``a_amean``/``a_gmean``.

Each group's score is a weighted mean of its children's scores; a child's missing score is left
out and the remaining weights are rescaled (COINr drops the NA and its weight). Optionally a
group score is left missing when fewer than ``dat_thresh`` of its children are available.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.composite.framework import Framework

NONPOSITIVE_RULES = ("error", "zero")


def weighted_arithmetic_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise ``sum(w x) / sum(w)`` over the non-missing entries; NaN if none."""
    observed = ~np.isnan(values)
    w = np.where(observed, weights, 0.0)
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (np.where(observed, values, 0.0) * w).sum(axis=1) / total
    return np.where(total > 0, mean, np.nan)


def weighted_geometric_mean(
    values: np.ndarray, weights: np.ndarray, nonpositive: str = "error"
) -> np.ndarray:
    """Row-wise ``exp(sum(w ln x) / sum(w))`` over the non-missing entries.

    The geometric mean is defined for positive values only. COINr's ``a_gmean`` stops with an
    error on any zero or negative value, and so does ``nonpositive="error"`` (the default);
    normalise onto a positive range first (e.g. min-max 1-100). ``nonpositive="zero"`` instead
    takes the limit of the product as a child goes to zero: any zero child (with a positive
    weight) makes the group score 0 - full non-compensability; negative values are refused
    under both rules because their logarithm is undefined.
    """
    if nonpositive not in NONPOSITIVE_RULES:
        raise ValueError(f"nonpositive must be one of {NONPOSITIVE_RULES}, got {nonpositive!r}")
    observed = ~np.isnan(values)
    if np.any(values[observed] < 0) or (nonpositive == "error" and np.any(values[observed] == 0)):
        raise ValueError(
            "the geometric mean needs positive values: normalise onto a positive range "
            "(e.g. min-max 1-100) or use the arithmetic mean"
        )
    w = np.where(observed, weights, 0.0)
    total = w.sum(axis=1)
    has_zero = np.any(observed & (values == 0) & (w > 0), axis=1)
    safe = np.where(observed & (values > 0), values, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.exp((np.log(safe) * w).sum(axis=1) / total)
    mean = np.where(has_zero, 0.0, mean)
    return np.where(total > 0, mean, np.nan)


def aggregate(
    data: pd.DataFrame,
    framework: Framework,
    method: str | tuple[str, ...] = "arithmetic",
    dat_thresh: float | None = None,
    nonpositive: str = "error",
) -> pd.DataFrame:
    """Append a column for every group, level by level up to the index.

    ``method`` is ``"arithmetic"`` or ``"geometric"``, or one per level above the indicators
    (COINr ``f_ag`` of length ``n_levels - 1``).
    """
    n_steps = framework.top_level - 1
    methods = (method,) * n_steps if isinstance(method, str) else tuple(method)
    if len(methods) != n_steps:
        raise ValueError(f"give one aggregation method, or {n_steps} (one per level above 1)")
    scores = data[framework.indicators].astype(float).copy()
    weights = framework.weights
    for level, level_method in zip(range(1, framework.top_level), methods, strict=True):
        new_columns = {}
        for parent, children in framework.groups_at(level).items():
            values = scores[children].to_numpy(float)
            w = weights[children].to_numpy(float)
            if level_method == "arithmetic":
                group_score = weighted_arithmetic_mean(values, w)
            elif level_method == "geometric":
                group_score = weighted_geometric_mean(values, w, nonpositive)
            else:
                raise ValueError(f"unknown aggregation {level_method!r}")
            if dat_thresh is not None:
                availability = (~np.isnan(values)).mean(axis=1)
                group_score = np.where(availability < dat_thresh, np.nan, group_score)
            new_columns[parent] = group_score
        scores = pd.concat([scores, pd.DataFrame(new_columns, index=scores.index)], axis=1)
    return scores
