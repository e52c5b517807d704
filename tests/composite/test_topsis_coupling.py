"""Entropy-TOPSIS and coupling coordination, against hand-worked numbers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pipelines.composite.coupling import COORDINATION_BANDS, coupling_coordination
from pipelines.composite.topsis import topsis
from pipelines.composite.weighting import entropy_weights


def test_topsis_by_hand() -> None:
    # weighted: (.75, .25), (0, 0), (.75, 0); best (.75, .25), worst (0, 0)
    z = pd.DataFrame({"x": [1.0, 0.0, 1.0], "y": [1.0, 0.0, 0.0]}, index=["p", "q", "r"])
    result = topsis(z, pd.Series({"x": 3.0, "y": 1.0}))
    assert result.closeness.tolist() == pytest.approx([1.0, 0.0, 0.75])
    assert result.distance_to_best["r"] == pytest.approx(0.25)
    assert result.distance_to_worst["r"] == pytest.approx(0.75)
    assert result.rank.tolist() == [1.0, 3.0, 2.0]


def test_entropy_topsis_chain() -> None:
    z = pd.DataFrame({"a": [0.0, 1.0, 1.0], "b": [1.0, 1.0, 2.0]}) / [1.0, 2.0]
    result = topsis(z, entropy_weights(z))
    # unit 2 is best on both columns, so it is the ideal itself
    assert result.closeness[2] == pytest.approx(1.0)
    assert result.closeness.between(0, 1).all()


def test_coupling_two_systems_by_hand() -> None:
    u = pd.DataFrame({"drivers": [0.64, 0.5, 0.0], "upgrading": [0.36, 0.5, 0.0]})
    result = coupling_coordination(u)
    # C = 2 sqrt(.64 * .36) / 1 = .96, T = .5, D = sqrt(.48)
    assert result.loc[0, "C"] == pytest.approx(0.96)
    assert result.loc[0, "T"] == pytest.approx(0.5)
    assert result.loc[0, "D"] == pytest.approx(math.sqrt(0.48))
    assert result.loc[0, "band"] == COORDINATION_BANDS[6]  # 0.693: primary coordination
    assert result.loc[1, "C"] == pytest.approx(1.0)
    assert result.loc[1, "band"] == COORDINATION_BANDS[7]  # 0.707: intermediate
    assert np.isnan(result.loc[2, "C"]) and result.loc[2, "D"] == 0.0
    assert result.loc[2, "band"] == COORDINATION_BANDS[0]


def test_coupling_three_systems_by_hand() -> None:
    # geometric mean .4, arithmetic 1.4/3 -> C = 6/7; T = 7/15; D = sqrt(.4)
    u = pd.DataFrame({"a": [0.2], "b": [0.4], "c": [0.8]})
    result = coupling_coordination(u)
    assert result.loc[0, "C"] == pytest.approx(6 / 7)
    assert result.loc[0, "T"] == pytest.approx(7 / 15)
    assert result.loc[0, "D"] == pytest.approx(math.sqrt(0.4))
    weighted = coupling_coordination(u, pd.Series({"a": 0.5, "b": 0.25, "c": 0.25}))
    assert weighted.loc[0, "T"] == pytest.approx(0.1 + 0.1 + 0.2)


def test_coordination_bands_have_ten_equal_steps() -> None:
    u = pd.DataFrame({"a": [0.0, 0.05, 0.55, 1.0], "b": [0.0, 0.05, 0.55, 1.0]})
    bands = coupling_coordination(u)["band"]
    assert len(COORDINATION_BANDS) == 10
    # equal scores: C = 1, D = sqrt(U)
    assert bands.tolist() == [
        COORDINATION_BANDS[0],
        COORDINATION_BANDS[2],  # sqrt(.05) = .224
        COORDINATION_BANDS[7],  # sqrt(.55) = .742
        COORDINATION_BANDS[9],
    ]


def test_coupling_refuses_scores_outside_zero_one() -> None:
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        coupling_coordination(pd.DataFrame({"a": [1.2], "b": [0.5]}))
