"""Weights: equal, entropy (熵权法, panel form) and PCA (first principal component).

Each function returns weights for the columns it is given; ``weights_by_group`` applies one of
them inside every group of a framework level and returns a re-weighted framework, which
``aggregate`` then uses (COINr keeps weight sets in ``.$Meta$Weights``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipelines.composite.framework import Framework


def equal_weights(framework: Framework) -> Framework:
    """Every node weighs 1: siblings share their parent equally."""
    return framework.with_weights(pd.Series(1.0, index=framework.nodes.index))


def entropy_weights(data: pd.DataFrame, shift: float = 0.0) -> pd.Series:
    """Entropy weight method on a non-negative matrix (rows = units, or unit-years).

    ``p_ij = x_ij / sum_i x_ij``; ``e_j = -1/ln(n) * sum_i p_ij ln p_ij`` with ``0 ln 0 = 0``;
    ``d_j = 1 - e_j``; ``w_j = d_j / sum_j d_j``. Panel form (Yang & Sun 2015's 面板熵值法):
    pass all unit-years as rows, so ``n = units x years`` and one set of weights serves every
    year. The input should be normalised to [0, 1] with directions applied (min-max 0-1 does
    it); ``shift`` adds a constant to every cell first, the common device for keeping zero
    cells out of the logarithm - with the ``0 ln 0 = 0`` convention it is not required.
    """
    x = data.to_numpy(dtype=float) + shift
    if np.isnan(x).any():
        raise ValueError("entropy weights need a complete matrix: impute first")
    if (x < 0).any():
        raise ValueError("entropy weights need non-negative values: min-max normalise first")
    n = x.shape[0]
    if n < 2:
        raise ValueError("entropy weights need at least two rows")
    column_totals = x.sum(axis=0)
    if (column_totals == 0).any():
        constant = data.columns[column_totals == 0].tolist()
        raise ValueError(f"columns with no positive value carry no information: {constant}")
    p = x / column_totals
    with np.errstate(divide="ignore", invalid="ignore"):
        p_log_p = np.where(p > 0, p * np.log(p), 0.0)
    entropy = -p_log_p.sum(axis=0) / np.log(n)
    divergence = 1 - entropy
    if divergence.sum() <= 0:
        raise ValueError("every column is uniform: entropy weights are undefined")
    return pd.Series(divergence / divergence.sum(), index=data.columns, name="weight")


@dataclass(frozen=True)
class PrincipalComponents:
    loadings: pd.DataFrame  # eigenvectors of the correlation matrix, one column per component
    sdev: pd.Series  # standard deviation of each component (sqrt of eigenvalue)

    @property
    def explained_variance_ratio(self) -> pd.Series:
        variance = self.sdev**2
        return variance / variance.sum()


def principal_components(data: pd.DataFrame) -> PrincipalComponents:
    """PCA of the standardised columns on complete rows (R ``prcomp(center, scale = TRUE)``).

    Eigenvector signs are arbitrary; each is oriented so that its loadings sum to a
    non-negative number (prcomp leaves the sign to LAPACK).
    """
    complete = data.dropna()
    correlation = np.corrcoef(complete.to_numpy(dtype=float), rowvar=False)
    eigenvalues, eigenvectors = np.linalg.eigh(correlation)
    order = np.argsort(eigenvalues)[::-1]
    eigenvalues, eigenvectors = eigenvalues[order], eigenvectors[:, order]
    signs = np.where(eigenvectors.sum(axis=0) < 0, -1.0, 1.0)
    names = [f"PC{i + 1}" for i in range(len(order))]
    return PrincipalComponents(
        loadings=pd.DataFrame(eigenvectors * signs, index=data.columns, columns=names),
        sdev=pd.Series(np.sqrt(np.clip(eigenvalues, 0, None)), index=names),
    )


def pca_weights(data: pd.DataFrame) -> pd.Series:
    """COINr ``get_PCA``: the loadings of the first principal component as weights.

    As COINr warns, these can be very unbalanced and, when an indicator is negatively
    correlated with the rest, negative; they are returned as they are, not rescaled.
    """
    return principal_components(data).loadings["PC1"].rename("weight")


WEIGHTING_METHODS: dict[str, Callable[[pd.DataFrame], pd.Series]] = {
    "entropy": entropy_weights,
    "pca": pca_weights,
}


def weights_by_group(
    framework: Framework, scores: pd.DataFrame, method: str, level: int = 1
) -> Framework:
    """Compute ``method`` weights separately inside every group of ``level`` children.

    ``scores`` must hold the columns of that level (normalised indicators for level 1, the
    aggregated data set for higher levels).
    """
    if method not in WEIGHTING_METHODS:
        raise ValueError(f"unknown weighting {method!r}; use one of {list(WEIGHTING_METHODS)}")
    weigh = WEIGHTING_METHODS[method]
    new_weights = pd.concat(
        [weigh(scores[children]) for children in framework.groups_at(level).values()]
    )
    return framework.with_weights(new_weights)
