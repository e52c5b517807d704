"""The framework of a composite indicator: indicators, the tree of groups above them, weights,
directions and denominators.

Level 1 holds the indicators; each node of level k > 1 aggregates the nodes of level k - 1 whose
``parent`` it is; the single node at the top level is the index. This is COINr's ``iMeta``
(``Level``, ``iCode``, ``Parent``, ``Weight``, ``Direction``, ``Denominator``) without its rows of
type ``Group`` and ``Denominator``, which describe unit attributes rather than the tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

NODE_COLUMNS = ["level", "parent", "weight", "direction", "denominator", "name"]

# COINr iMeta column -> our column
_COINR_COLUMNS = {
    "iCode": "code",
    "Level": "level",
    "Parent": "parent",
    "Weight": "weight",
    "Direction": "direction",
    "Denominator": "denominator",
    "iName": "name",
}


class FrameworkError(ValueError):
    """The framework table is not a valid tree of indicators and groups."""


@dataclass(frozen=True)
class Framework:
    """Validated framework; ``nodes`` is indexed by code with the columns in ``NODE_COLUMNS``."""

    nodes: pd.DataFrame

    def __post_init__(self) -> None:
        _validate(self.nodes)

    # --- construction ---------------------------------------------------------------------
    @classmethod
    def from_table(cls, table: pd.DataFrame) -> Framework:
        """Build from a table with a ``code`` column and the columns of ``NODE_COLUMNS``.

        ``direction`` defaults to +1, ``weight`` to 1, ``denominator`` and ``name`` to none.
        """
        nodes = table.copy()
        if "code" in nodes.columns:
            nodes = nodes.set_index("code")
        nodes.index = nodes.index.astype(str)
        nodes.index.name = "code"
        defaults = {"weight": 1.0, "direction": 1.0, "denominator": None, "name": None}
        for column, default in defaults.items():
            if column not in nodes.columns:
                nodes[column] = default
        if "parent" not in nodes.columns or "level" not in nodes.columns:
            raise FrameworkError("the framework needs 'level' and 'parent' columns")
        nodes["level"] = nodes["level"].astype(int)
        nodes["weight"] = nodes["weight"].astype(float)
        nodes["direction"] = nodes["direction"].fillna(1.0).astype(float)
        for column in ("parent", "denominator", "name"):
            nodes[column] = nodes[column].astype(object).where(nodes[column].notna(), None)
        return cls(nodes[NODE_COLUMNS])

    @classmethod
    def from_coinr_meta(cls, imeta: pd.DataFrame) -> Framework:
        """Build from COINr's ``iMeta``: keeps the rows of type Indicator and Aggregate."""
        tree = imeta[imeta["Type"].isin(["Indicator", "Aggregate"])]
        tree = tree.rename(columns=_COINR_COLUMNS)
        return cls.from_table(tree[["code", *[c for c in NODE_COLUMNS if c in tree.columns]]])

    def with_weights(self, weights: Mapping[str, float] | pd.Series) -> Framework:
        """A copy whose weights are replaced for the codes given (the others are kept)."""
        new_weights = pd.Series(weights, dtype=float)
        unknown = new_weights.index.difference(self.nodes.index)
        if len(unknown):
            raise FrameworkError(f"weights for codes not in the framework: {list(unknown)}")
        nodes = self.nodes.copy()
        nodes.loc[new_weights.index, "weight"] = new_weights
        return Framework(nodes)

    # --- queries --------------------------------------------------------------------------
    @property
    def indicators(self) -> list[str]:
        return self.codes_at(1)

    @property
    def top_level(self) -> int:
        return int(self.nodes["level"].max())

    @property
    def weights(self) -> pd.Series:
        return self.nodes["weight"]

    @property
    def directions(self) -> pd.Series:
        return self.nodes.loc[self.indicators, "direction"]

    @property
    def denominators(self) -> pd.Series:
        """Indicator -> denominator column, for the indicators that have one."""
        denominators = self.nodes.loc[self.indicators, "denominator"]
        return denominators[denominators.notna()]

    def codes_at(self, level: int) -> list[str]:
        return self.nodes.index[self.nodes["level"] == level].tolist()

    def children(self, code: str) -> list[str]:
        return self.nodes.index[self.nodes["parent"] == code].tolist()

    def groups_at(self, level: int) -> dict[str, list[str]]:
        """Parent code -> its children, for the children of ``level`` (COINr: sorted parents)."""
        members = self.nodes[self.nodes["level"] == level]
        return {parent: group.index.tolist() for parent, group in members.groupby("parent")}

    def lineage(self) -> pd.DataFrame:
        """One row per indicator, one column per level: the indicator's ancestor at that level."""
        columns = {1: pd.Series(self.indicators, index=self.indicators)}
        for level in range(2, self.top_level + 1):
            columns[level] = columns[level - 1].map(self.nodes["parent"])
        return pd.DataFrame(columns).reset_index(drop=True)

    def effective_weights(self) -> pd.Series:
        """Each node's share of the index: its weight within its siblings times its parent's.

        COINr ``get_eff_weights``: the top node has 1; the shares of every level sum to 1.
        """
        weights = self.nodes["weight"]
        sibling_totals = weights.groupby(self.nodes["parent"]).transform("sum")
        share = (weights / sibling_totals).where(self.nodes["parent"].notna(), 1.0)
        effective = pd.Series(np.nan, index=self.nodes.index)
        for level in range(self.top_level, 0, -1):
            codes = self.codes_at(level)
            parents = self.nodes.loc[codes, "parent"]
            parent_share = parents.map(effective).fillna(1.0)
            effective[codes] = share[codes] * parent_share
        return effective


def _validate(nodes: pd.DataFrame) -> None:
    missing = [c for c in NODE_COLUMNS if c not in nodes.columns]
    if missing:
        raise FrameworkError(f"framework is missing columns {missing}")
    if nodes.index.has_duplicates:
        duplicated = nodes.index[nodes.index.duplicated()].unique().tolist()
        raise FrameworkError(f"duplicate codes in the framework: {duplicated}")
    top = int(nodes["level"].max())
    if (nodes["level"] < 1).any():
        raise FrameworkError("levels start at 1 (the indicators)")
    tops = nodes.index[nodes["level"] == top].tolist()
    if len(tops) != 1:
        raise FrameworkError(f"the top level {top} must hold exactly one node, found {tops}")
    below_top = nodes[nodes["level"] < top]
    orphans = below_top.index[below_top["parent"].isna()].tolist()
    if orphans:
        raise FrameworkError(f"nodes without a parent below the top level: {orphans}")
    parent_level = below_top["parent"].map(nodes["level"])
    bad = below_top.index[parent_level != below_top["level"] + 1].tolist()
    if bad:
        raise FrameworkError(f"parent missing or not exactly one level up for: {bad}")
    childless = [
        code for code in nodes.index[nodes["level"] > 1] if not (nodes["parent"] == code).any()
    ]
    if childless:
        raise FrameworkError(f"groups without children: {childless}")
    indicator_directions = nodes.loc[nodes["level"] == 1, "direction"]
    if not indicator_directions.isin([1.0, -1.0]).all():
        raise FrameworkError("indicator directions must be +1 or -1")
    if (nodes["weight"] < 0).any() or nodes["weight"].isna().any():
        raise FrameworkError("weights must be non-negative numbers")
