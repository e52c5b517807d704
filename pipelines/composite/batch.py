"""Array kernels for the Monte Carlo of ``uncertainty``: many weight sets at once, ranks by sort.

``aggregate_level`` is ``aggregate.weighted_arithmetic_mean`` / ``weighted_geometric_mean`` for
a stack of weight sets: the framework's weights of one level become a (children x parents)
matrix per weight set, so one ``matmul`` aggregates every group of the level for every run.
``rank_descending`` is pandas' ``rank(method="min", ascending=False)`` along the last axis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.composite.aggregate import NONPOSITIVE_RULES
from pipelines.composite.framework import Framework


def level_weight_matrix(framework: Framework, weights: pd.Series, level: int) -> np.ndarray:
    """(children of ``level``) x (nodes of ``level + 1``): each child's weight in its parent's
    column, zero elsewhere."""
    children = framework.codes_at(level)
    parents = framework.codes_at(level + 1)
    column = {code: j for j, code in enumerate(parents)}
    matrix = np.zeros((len(children), len(parents)))
    for i, child in enumerate(children):
        matrix[i, column[framework.nodes.at[child, "parent"]]] = weights[child]
    return matrix


def aggregate_level(
    values: np.ndarray,
    weights: np.ndarray,
    method: str,
    nonpositive: str = "error",
    dat_thresh: float | None = None,
) -> np.ndarray:
    """Weighted means of every group of one level, for a stack of weight sets.

    ``values``: (rows, children) shared by every run, or (runs, rows, children);
    ``weights``: (runs, children, parents), zero where a child is not in the parent's group.
    Returns (runs, rows, parents). Missing children are dropped with their weight, exactly as
    ``aggregate.aggregate`` does; so are the geometric mean's rules for zero and negative values.
    """
    observed = ~np.isnan(values)
    present = observed.astype(float)
    total = present @ weights
    if method == "arithmetic":
        filled = np.where(observed, values, 0.0)
    elif method == "geometric":
        if nonpositive not in NONPOSITIVE_RULES:
            raise ValueError(f"nonpositive must be one of {NONPOSITIVE_RULES}, got {nonpositive!r}")
        observed_values = values[observed]
        if np.any(observed_values < 0) or (nonpositive == "error" and np.any(observed_values == 0)):
            raise ValueError(
                "the geometric mean needs positive values: normalise onto a positive range "
                "(e.g. min-max 1-100) or use the arithmetic mean"
            )
        filled = np.log(np.where(observed & (values > 0), values, 1.0))
    else:
        raise ValueError(f"unknown aggregation {method!r}")
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (filled @ weights) / total
    if method == "geometric":
        mean = np.exp(mean)
        zero = (observed & (values == 0)).astype(float)
        if zero.any():
            mean = np.where(zero @ (weights > 0).astype(float) > 0, 0.0, mean)
    mean = np.where(total > 0, mean, np.nan)
    if dat_thresh is not None:
        membership = (weights[:1] != 0).astype(float)  # same tree for every weight set
        counts = np.maximum(membership.sum(axis=1), 1.0)
        availability = (present @ membership) / counts
        mean = np.where(availability < dat_thresh, np.nan, mean)
    return mean


def rank_descending(scores: np.ndarray) -> np.ndarray:
    """Rank along the last axis, highest score = 1, ties share the lowest rank, NaN stays NaN.

    Same numbers as pandas ``rank(method="min", ascending=False, na_option="keep")`` (and
    COINr's ``rank_df``), by one ``argsort`` over the whole array.
    """
    scores = np.asarray(scores, dtype=float)
    missing = np.isnan(scores)
    key = np.where(missing, np.inf, -scores)
    order = np.argsort(key, axis=-1, kind="stable")
    sorted_key = np.take_along_axis(key, order, axis=-1)
    n = scores.shape[-1]
    starts_run = np.ones(sorted_key.shape, dtype=bool)
    starts_run[..., 1:] = sorted_key[..., 1:] != sorted_key[..., :-1]
    position = np.broadcast_to(np.arange(n), sorted_key.shape)
    first_of_run = np.maximum.accumulate(np.where(starts_run, position, 0), axis=-1)
    ranks = np.empty(scores.shape)
    np.put_along_axis(ranks, order, first_of_run + 1.0, axis=-1)
    ranks[missing] = np.nan
    return ranks
