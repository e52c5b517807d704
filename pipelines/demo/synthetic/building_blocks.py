"""Small building blocks shared by the synthetic generators: random streams, weighted draws
from pools, date and string helpers. All vectorised; none keeps state between calls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_EPOCH = dt.date(1970, 1, 1)


class Stream:
    """Names of the independent random streams. A stream is keyed by (seed, stream, cell...),
    so a cell's records never depend on how many records other cells drew or on chunking."""

    ENTERPRISES = 1
    PATENT_DATES = 2
    PATENT_DETAILS = 3
    PROCUREMENT = 4
    CALIBRATION = 5


def rng_for(seed: int, stream: int, *keys: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, stream, *keys])))


def days_since_epoch(year: int, month: int = 1, day: int = 1) -> int:
    return (dt.date(year, month, day) - _EPOCH).days


def random_days_in_year(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    """A uniformly random day (days since 1970-01-01) inside each given calendar year."""
    years = np.asarray(years, dtype=np.int64)
    starts = (years - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    lengths = 365 + ((years % 4 == 0) & ((years % 100 != 0) | (years % 400 == 0)))
    return starts + np.floor(rng.random(len(years)) * lengths).astype(np.int64)


def year_of_days(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def date_array(days: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Days since epoch -> date32 array, null where ``missing``."""
    return pa.array(np.asarray(days, dtype=np.int32), type=pa.date32(), mask=missing)


def choose(rng: np.random.Generator, probabilities: np.ndarray) -> np.ndarray:
    """One categorical draw per row of an (n, k) probability matrix (rows need not sum to 1)."""
    cumulative = np.cumsum(probabilities, axis=1)
    u = rng.random(len(probabilities)) * cumulative[:, -1]
    return np.minimum((cumulative < u[:, None]).sum(axis=1), probabilities.shape[1] - 1)


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights, exactly (Hamilton's method)."""
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=np.int64)
    quotas = total * weights / weights.sum()
    counts = np.floor(quotas).astype(np.int64)
    short = int(total - counts.sum())
    if short:
        # Stable order makes ties deterministic.
        counts[np.argsort(-(quotas - counts), kind="stable")[:short]] += 1
    return counts


def top_k_mask(scores: np.ndarray, k: int) -> np.ndarray:
    """Boolean mask of the k highest scores (ties broken by position, deterministically)."""
    mask = np.zeros(len(scores), dtype=bool)
    k = int(min(max(k, 0), len(scores)))
    if k:
        mask[np.argsort(-scores, kind="stable")[:k]] = True
    return mask


def strings(vocabulary: np.ndarray, indices: np.ndarray) -> pa.Array:
    """vocabulary[indices] as an arrow string array, without Python objects per row."""
    return pa.array(vocabulary.tolist(), type=pa.string()).take(pa.array(indices))


def join(*parts) -> pa.Array:
    """Concatenate arrow string arrays and/or Python strings element-wise."""
    return pc.binary_join_element_wise(*parts, "")


def zero_padded(values: np.ndarray, width: int) -> pa.Array:
    return pc.utf8_lpad(pa.array(np.asarray(values, dtype=np.int64)).cast(pa.string()), width, "0")


@dataclass(frozen=True)
class WeightedPools:
    """Members grouped by an integer key, drawn with probability proportional to weight.

    Lets millions of rows each pick, say, an R&D-weighted firm of their own province and year
    in one vectorised ``searchsorted`` instead of a Python loop per group.
    """

    starts: np.ndarray  # [key] first position in members
    ends: np.ndarray  # [key] one past the last position
    members: np.ndarray  # member ids grouped by key
    cumulative: np.ndarray  # running sum of weights, cumulative[i] = weight of members[:i]

    @classmethod
    def build(
        cls, keys: np.ndarray, members: np.ndarray, weights: np.ndarray, n_keys: int
    ) -> WeightedPools:
        order = np.argsort(keys, kind="stable")
        sorted_keys = np.asarray(keys)[order]
        # A tiny floor keeps zero-weight members drawable when a whole group weighs nothing.
        w = np.maximum(np.asarray(weights, dtype=float)[order], 0) + 1e-9
        bounds = np.searchsorted(sorted_keys, np.arange(n_keys + 1))
        return cls(
            bounds[:-1],
            bounds[1:],
            np.asarray(members)[order],
            np.concatenate([[0.0], np.cumsum(w)]),
        )

    def draw(self, keys: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Member id per key for uniform ``u`` in [0, 1); -1 where the key's group is empty."""
        keys = np.asarray(keys)
        starts, ends = self.starts[keys], self.ends[keys]
        empty = ends <= starts
        if len(self.members) == 0:
            return np.full(len(keys), -1, dtype=np.int64)
        low, high = self.cumulative[starts], self.cumulative[ends]
        # Member i covers (cumulative[i], cumulative[i + 1]]; position i+1 in cumulative.
        position = np.searchsorted(self.cumulative, low + u * (high - low), side="right") - 1
        position = np.clip(position, starts, np.maximum(ends - 1, starts))
        picked = self.members[np.minimum(position, len(self.members) - 1)]
        return np.where(empty, -1, picked)

    def group_sizes(self) -> np.ndarray:
        return self.ends - self.starts
