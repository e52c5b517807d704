"""Statistical audit: correlations, Cronbach's alpha, indicators at odds with their parent."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.composite.framework import Framework


def correlation_matrix(scores: pd.DataFrame, method: str = "pearson") -> pd.DataFrame:
    """Pairwise-complete correlations (``pearson``, ``spearman`` or ``kendall``)."""
    return scores.corr(method=method)


def cronbach_alpha(scores: pd.DataFrame) -> float:
    """``k / (k - 1) * (1 - sum var(x_i) / var(sum x_i))`` on complete rows, sample variances.

    NaN for fewer than two items or two rows.
    """
    complete = scores.dropna().to_numpy(dtype=float)
    n_rows, k = complete.shape
    if k < 2 or n_rows < 2:
        return float("nan")
    item_variances = complete.var(axis=0, ddof=1).sum()
    total_variance = complete.sum(axis=1).var(ddof=1)
    return float(k / (k - 1) * (1 - item_variances / total_variance))


def cronbach_by_group(framework: Framework, scores: pd.DataFrame, level: int = 1) -> pd.Series:
    """Alpha of the children of every group above ``level`` (``scores`` holds their columns)."""
    alphas = {
        parent: cronbach_alpha(scores[children])
        for parent, children in framework.groups_at(level).items()
    }
    return pd.Series(alphas, name="cronbach_alpha")


def parent_correlation_flags(
    framework: Framework, aggregated: pd.DataFrame, threshold: float = 0.0
) -> pd.DataFrame:
    """Correlation of every node with its own parent; flags those below ``threshold``.

    A negative correlation with the parent means the component pulls its group the other way -
    usually a wrong direction or a conceptual misfit (Handbook step 7; COINr's
    ``get_corr_flags`` flags pairs of siblings instead). ``aggregated`` is the Aggregated data set.
    """
    children = framework.nodes[framework.nodes["parent"].notna()]
    rows = []
    for code, parent in children["parent"].items():
        pair = aggregated[[code, parent]].dropna()
        correlation = (
            float(np.corrcoef(pair[code], pair[parent])[0, 1]) if len(pair) > 2 else np.nan
        )
        rows.append(
            {
                "code": code,
                "parent": parent,
                "level": int(children.at[code, "level"]),
                "correlation": correlation,
                "flag": bool(correlation < threshold),
            }
        )
    return pd.DataFrame(rows).set_index("code")


def parent_audit(framework: Framework, aggregated: pd.DataFrame) -> pd.DataFrame:
    """``parent_correlation_flags`` of every node with the Cronbach's alpha of its parent's
    children (``cronbach_by_group`` of every level): code -> parent, level, correlation, flag,
    parent_cronbach_alpha. ``aggregated`` holds every node (the Aggregated data set)."""
    flags = parent_correlation_flags(framework, aggregated)
    alphas = pd.concat(
        [
            cronbach_by_group(framework, aggregated, level=level)
            for level in range(1, framework.top_level)
        ]
    )
    flags["parent_cronbach_alpha"] = flags["parent"].map(alphas)
    return flags
