"""Uncertainty and sensitivity analysis over the methodological choices (COINr ``get_sensitivity``).

Each uncertain ``Choice`` (winsorisation limit, normalisation, weights, aggregation) is a set of
equally likely alternatives. A design draws one alternative per choice per run: uniform random
numbers for an uncertainty analysis ("UA", N runs), or SALib's Sobol' design without
second-order terms for a sensitivity analysis ("SA", N(d + 2) runs, the A, B and A_B^(j)
matrices of Saltelli et al. 2010). A number u in [0, 1) picks alternative floor(u k) of k.

Instead of rebuilding the coin per run, ``MonteCarlo`` computes every (treatment, normalisation)
pair once with the engine's own steps, stacks every weight set of every level into matrices,
and evaluates all runs that share a (treatment, normalisation, aggregation) combination with a
few matmuls (``batch.aggregate_level``); ranks are taken within each year by one sort
(``batch.rank_descending``). ``MonteCarlo.scores_loop`` is the plain version - the whole
``build`` per run - kept as the reference the vectorised path is tested against.

Outputs per aggregate (every group above the indicators and the index), unit and year: the
nominal rank, and the mean, median, 5% and 95% rank over the runs (COINr ``RankStats``; for SA,
over the A and B runs only, as COINr). For SA, per aggregate and choice, first-order and total
Sobol indices (SALib ``sobol.analyze``: Saltelli 2010 first order, Jansen total, the estimators
of COINr ``SA_estimate``) of a scalar output, by default COINr's: the mean absolute shift of
the ranks from the nominal ranks, over all units (and years).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from pipelines.composite.batch import aggregate_level, level_weight_matrix, rank_descending
from pipelines.composite.coin import Coin, build
from pipelines.composite.framework import Framework
from pipelines.composite.normalise import normalise
from pipelines.composite.settings import (
    AggregateSettings,
    NormaliseSettings,
    Settings,
    TreatSettings,
)
from pipelines.composite.weighting import equal_weights, weights_by_group

STEPS = ("treat", "normalise", "weights", "aggregate")
NAMED_WEIGHTS = ("nominal", "equal", "entropy", "pca")
KINDS = ("UA", "SA")
_SETTINGS = Settings()  # frozen: a safe shared default
_CHUNK = 256  # runs evaluated together: bounds the memory of one block of scores

Statistic = Callable[[np.ndarray, np.ndarray, pd.Index, pd.Index | None], np.ndarray]


# --- choices ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    """An uncertain choice: one step of the build and its equally likely alternatives.

    Build with the class methods; ``alternatives`` are resolved against the nominal settings
    when the analysis starts (e.g. a winsorisation limit replaces ``settings.treat.winmax``).
    """

    name: str
    step: str
    alternatives: tuple
    labels: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.step not in STEPS:
            raise ValueError(f"step must be one of {STEPS}, got {self.step!r}")
        if not self.alternatives:
            raise ValueError(f"choice {self.name!r} has no alternatives")
        if len(self.labels) != len(self.alternatives):
            raise ValueError(f"choice {self.name!r}: one label per alternative")

    @classmethod
    def winsorisation(
        cls, limits: Sequence[int | None | TreatSettings] = (1, 2, 3, 4, 5), name: str = "Winmax"
    ) -> Choice:
        """Winsorisation limits (``winmax``; None = no limit) or whole ``TreatSettings``."""
        labels = [
            f"winmax={alt.winmax}" if isinstance(alt, TreatSettings) else f"winmax={alt}"
            for alt in limits
        ]
        return cls(name, "treat", tuple(limits), tuple(labels))

    @classmethod
    def normalisation(
        cls, alternatives: Sequence[NormaliseSettings | str], name: str = "Normalisation"
    ) -> Choice:
        """``NormaliseSettings``, or a method name (its function defaults: min-max is 0-100)."""
        return cls(name, "normalise", tuple(alternatives), tuple(map(_label, alternatives)))

    @classmethod
    def weights(
        cls, alternatives: Sequence[str | Mapping[str, float] | pd.Series], name: str = "Weights"
    ) -> Choice:
        """Weight sets: ``"nominal"``, ``"equal"``, ``"entropy"``, ``"pca"`` or explicit weights.

        Explicit weights replace the framework's for the codes they give (see
        ``noisy_weights``). Entropy and PCA weights are computed once, inside every group of
        indicators, from the nominal build's treated data min-max scaled to [0, 1] (directions
        applied); the weights of the higher levels stay nominal.
        """
        labels = [alt if isinstance(alt, str) else f"set {i}" for i, alt in enumerate(alternatives)]
        return cls(name, "weights", tuple(alternatives), tuple(labels))

    @classmethod
    def aggregation(
        cls,
        alternatives: Sequence[str | tuple[str, ...] | AggregateSettings] = (
            "arithmetic",
            "geometric",
        ),
        name: str = "Aggregation",
    ) -> Choice:
        """Aggregation methods (one for every level, or one per level) or ``AggregateSettings``."""
        return cls(name, "aggregate", tuple(alternatives), tuple(map(_label, alternatives)))


def _label(alternative: Any) -> str:
    if isinstance(alternative, NormaliseSettings):
        params = ", ".join(
            f"{v:g}" if isinstance(v, float | int) else str(v)
            for v in dict(alternative.params).values()
        )
        return f"{alternative.method}({params})"
    if isinstance(alternative, AggregateSettings):
        return _label(alternative.method)
    if isinstance(alternative, tuple):
        return "/".join(alternative)
    return str(alternative)


def noisy_weights(
    framework: Framework, noise: Mapping[int, float], n: int, seed: int = 0
) -> list[pd.Series]:
    """COINr ``get_noisy_weights``: ``n`` copies of the framework's weights, each weight of a
    level in ``noise`` (level -> factor f) multiplied by an independent uniform 1 + U(-f, f)."""
    rng = np.random.default_rng(seed)
    nominal = framework.weights
    sets = []
    for _ in range(n):
        weights = nominal.copy()
        for level, factor in noise.items():
            codes = framework.codes_at(level)
            if not codes:
                raise ValueError(f"the framework has no level {level}")
            shift = (rng.random(len(codes)) * 2 - 1) * factor
            weights[codes] = nominal[codes] * (1 + shift)
        sets.append(weights)
    return sets


# --- statistics of the ranks (the scalar output of the sensitivity analysis) ------------------
def mean_abs_rank_shift(
    ranks: np.ndarray, nominal: np.ndarray, units: pd.Index, times: pd.Index | None
) -> np.ndarray:
    """COINr's SA output: mean over units (and years) of |rank - nominal rank|, per run."""
    return np.nanmean(np.abs(ranks - nominal), axis=(1, 2))


def unit_rank(unit: Any, time: Any = None) -> Statistic:
    """The rank of one unit per run (in a panel: in ``time``, or its mean over the years)."""

    def statistic(ranks, nominal, units, times):
        u = units.get_loc(unit)
        if time is None:
            return np.nanmean(ranks[:, :, u], axis=1)
        if times is None:
            raise ValueError("a time was given but the data are a cross-section")
        return ranks[:, times.get_loc(time), u]

    return statistic


# --- designs ----------------------------------------------------------------------------------
def sample_design(choices: Sequence[Choice], n: int, kind: str = "SA", seed: int = 0) -> np.ndarray:
    """Alternative indices, one column per choice: ``n`` uniform runs (UA) or SALib's Sobol'
    design of ``n (d + 2)`` runs in SALib's order (SA; make ``n`` a power of 2)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    d = len(choices)
    if kind == "UA":
        u = np.random.default_rng(seed).random((n, d))
    else:
        from SALib.sample import sobol as sobol_sample

        u = sobol_sample.sample(_problem(choices), n, calc_second_order=False, seed=seed)
    sizes = np.array([len(choice.alternatives) for choice in choices])
    return np.minimum((u * sizes).astype(int), sizes - 1)


def _problem(choices: Sequence[Choice]) -> dict:
    return {
        "num_vars": len(choices),
        "names": [choice.name for choice in choices],
        "bounds": [[0.0, 1.0]] * len(choices),
    }


def uncertainty_rows(n_runs: int, d: int, kind: str) -> np.ndarray:
    """Runs that sample the input distribution: all (UA), the A and B rows of the SA design."""
    if kind == "UA":
        return np.arange(n_runs)
    step = d + 2
    return np.sort(np.r_[np.arange(0, n_runs, step), np.arange(step - 1, n_runs, step)])


# --- result -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SensitivityResult:
    kind: str
    choices: tuple[Choice, ...]
    design: pd.DataFrame  # runs x choices: label of the alternative drawn
    aggregates: tuple[str, ...]
    units: pd.Index
    times: pd.Index | None  # None for a cross-section (one pseudo-year)
    ranks: np.ndarray  # (runs, aggregates, times, units), float32, NaN where no unit-year
    nominal_scores: np.ndarray  # (aggregates, times, units)
    nominal_ranks: np.ndarray
    rank_stats: pd.DataFrame  # (aggregate, unit[, time]) -> nominal, mean, median, q5, q95
    output: pd.DataFrame  # runs x aggregates: the statistic the Sobol indices decompose
    sensitivity: pd.DataFrame | None  # (aggregate, choice) -> S1, S1_conf, ST, ST_conf (SA)
    scores: np.ndarray | None = None  # like ranks, float64, when asked for

    def ranks_table(self, aggregate: str) -> pd.DataFrame:
        """One row per unit (unit-year), one column per run (COINr ``$Ranks`` layout)."""
        a = self.aggregates.index(aggregate)
        table = self.ranks[:, a].reshape(len(self.ranks), -1).T
        if self.times is None:
            index = self.units
        else:
            index = pd.MultiIndex.from_product([self.times, self.units]).swaplevel()
        frame = pd.DataFrame(
            table, index=index, columns=[f"r_{i + 1}" for i in range(table.shape[1])]
        )
        return frame.dropna(how="all")


# --- the Monte Carlo --------------------------------------------------------------------------
class MonteCarlo:
    """Everything the runs share, computed once: each (treatment, normalisation) pair of
    indicator data, the weight matrices of every weight set and level, the layout of units
    and years, and the nominal build."""

    def __init__(self, coin: Coin, choices: Sequence[Choice], settings: Settings = _SETTINGS):
        self.coin, self.settings, self.choices = coin, settings, tuple(choices)
        _validate_choices(self.choices)
        if settings.aggregate is None:
            raise ValueError("the nominal settings must aggregate")
        framework = coin.framework
        self.framework = framework
        self.nominal = build(coin, settings)
        chosen = {choice.step: choice for choice in self.choices}

        self.treatments = _resolve(chosen.get("treat"), settings.treat, self._treat_alt)
        self.normalisations = _resolve(chosen.get("normalise"), settings.normalise, self._norm_alt)
        self.weight_sets = _resolve(chosen.get("weights"), "nominal", self._weight_alt)
        self.aggregations = _resolve(chosen.get("aggregate"), settings.aggregate, self._agg_alt)
        self.methods = [self._level_methods(a) for a in self.aggregations]

        # every (treatment, normalisation) once, with the engine's own steps
        base = build(coin, replace(settings, treat=None, normalise=None, aggregate=None))
        self.normalised: dict[tuple[int, int], np.ndarray] = {}
        for ti, treatment in enumerate(self.treatments):
            treated = base.copy()
            if treatment is not None:
                treated.treat(treatment)
            for ni, normalisation in enumerate(self.normalisations):
                scaled = treated.copy()
                if normalisation is not None:
                    scaled.normalise(normalisation)
                data = scaled.datasets[scaled.latest][framework.indicators]
                self.normalised[ti, ni] = data.to_numpy(dtype=float)

        # weights: level -> (weight sets, children, parents)
        self.weight_matrices = [
            np.stack([level_weight_matrix(framework, w, level) for w in self.weight_sets])
            for level in range(1, framework.top_level)
        ]

        # layout: rows -> (time, unit) cells
        self.rows = data.index
        self.aggregates = tuple(
            code
            for level in range(2, framework.top_level + 1)
            for code in framework.codes_at(level)
        )
        if isinstance(self.rows, pd.MultiIndex):
            if self.rows.nlevels != 2:
                raise ValueError("panel rows must be a (unit, time) MultiIndex")
            self.units = pd.Index(self.rows.get_level_values(0).unique())
            self.times: pd.Index | None = pd.Index(sorted(self.rows.get_level_values(1).unique()))
            self._unit_pos = self.units.get_indexer(self.rows.get_level_values(0))
            self._time_pos = self.times.get_indexer(self.rows.get_level_values(1))
        else:
            self.units, self.times = pd.Index(self.rows), None
            self._unit_pos = np.arange(len(self.rows))
            self._time_pos = np.zeros(len(self.rows), dtype=int)
        nominal = self.nominal.datasets["Aggregated"].loc[self.rows, list(self.aggregates)]
        self.nominal_scores = self._to_grid(nominal.to_numpy(float)[None])[0]
        self.nominal_ranks = rank_descending(self.nominal_scores)

    # --- resolving alternatives against the nominal settings ----------------------------------
    def _treat_alt(self, alt):
        if isinstance(alt, TreatSettings):
            return alt
        return replace(self.settings.treat or TreatSettings(), winmax=alt)

    def _norm_alt(self, alt):
        if isinstance(alt, NormaliseSettings):
            return alt
        return NormaliseSettings(method=alt, params={})

    def _agg_alt(self, alt):
        if isinstance(alt, AggregateSettings):
            return alt
        method = alt if isinstance(alt, str) else tuple(alt)
        return replace(self.settings.aggregate, method=method)

    def _weight_alt(self, alt) -> pd.Series:
        framework = self.framework
        if not isinstance(alt, str):
            return framework.with_weights(pd.Series(alt, dtype=float)).weights
        if alt == "nominal":
            return framework.weights
        if alt == "equal":
            return equal_weights(framework).weights
        if alt in ("entropy", "pca"):
            scaled = normalise(
                self.nominal.datasets[self.nominal.latest_up_to("Treated")],
                framework.directions,
                "minmax",
                {"lower": 0.0, "upper": 1.0},
            )
            return weights_by_group(framework, scaled, alt, level=1).weights
        raise ValueError(f"unknown weights {alt!r}; use one of {NAMED_WEIGHTS} or a mapping")

    def _level_methods(self, settings: AggregateSettings) -> tuple[str, ...]:
        n_steps = self.framework.top_level - 1
        method = settings.method
        methods = (method,) * n_steps if isinstance(method, str) else tuple(method)
        if len(methods) != n_steps:
            raise ValueError(f"give one aggregation method, or {n_steps} (one per level above 1)")
        return methods

    # --- evaluation ---------------------------------------------------------------------------
    def full_indices(self, indices: np.ndarray) -> np.ndarray:
        """Design (runs x choices) -> (runs x STEPS); a step without a choice takes 0."""
        indices = np.asarray(indices, dtype=int).reshape(-1, len(self.choices))
        full = np.zeros((len(indices), len(STEPS)), dtype=int)
        for j, choice in enumerate(self.choices):
            column = indices[:, j]
            if column.min() < 0 or column.max() >= len(choice.alternatives):
                raise ValueError(f"alternative index out of range for {choice.name!r}")
            full[:, STEPS.index(choice.step)] = column
        return full

    def _blocks(self, indices: np.ndarray):
        """Yield (run numbers, scores (runs, aggregates, times, units)) block by block."""
        full = self.full_indices(indices)
        combos, inverse = np.unique(full[:, [0, 1, 3]], axis=0, return_inverse=True)
        for g, (ti, ni, ai) in enumerate(combos):
            members = np.flatnonzero(inverse.ravel() == g)
            for start in range(0, len(members), _CHUNK):
                runs = members[start : start + _CHUNK]
                values = self.normalised[ti, ni]
                aggregation = self.aggregations[ai]
                columns = []
                for level, method in enumerate(self.methods[ai]):
                    weights = self.weight_matrices[level][full[runs, 2]]
                    values = aggregate_level(
                        values, weights, method, aggregation.nonpositive, aggregation.dat_thresh
                    )
                    columns.append(values)
                yield runs, self._to_grid(np.concatenate(columns, axis=-1))

    def _to_grid(self, scores: np.ndarray) -> np.ndarray:
        """(runs, rows, aggregates) -> (runs, aggregates, times, units), NaN where no row."""
        n_times = 1 if self.times is None else len(self.times)
        grid = np.full((len(scores), len(self.aggregates), n_times, len(self.units)), np.nan)
        grid[:, :, self._time_pos, self._unit_pos] = scores.transpose(0, 2, 1)
        return grid

    def scores(self, indices: np.ndarray) -> np.ndarray:
        """Vectorised scores of every run: (runs, aggregates, times, units)."""
        out = np.empty((len(indices), len(self.aggregates), *self.nominal_scores.shape[1:]))
        for runs, block in self._blocks(indices):
            out[runs] = block
        return out

    def ranks(self, indices: np.ndarray, keep_scores: bool = False):
        """Ranks within each year (float32) of every run, and the scores if asked for."""
        shape = (len(indices), len(self.aggregates), *self.nominal_scores.shape[1:])
        ranks = np.empty(shape, dtype=np.float32)
        scores = np.empty(shape) if keep_scores else None
        for runs, block in self._blocks(indices):
            ranks[runs] = rank_descending(block)
            if keep_scores:
                scores[runs] = block
        return ranks, scores

    def scores_loop(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Reference: ``build`` the whole coin per run and rank with pandas (slow, plain)."""
        full = self.full_indices(indices)
        raw = self.coin.datasets["Raw"]
        scores = np.empty((len(full), len(self.aggregates), *self.nominal_scores.shape[1:]))
        ranks = np.empty_like(scores)
        for r, (ti, ni, wi, ai) in enumerate(full):
            framework = self.framework.with_weights(self.weight_sets[wi])
            settings = replace(
                self.settings,
                treat=self.treatments[ti],
                normalise=self.normalisations[ni],
                aggregate=self.aggregations[ai],
            )
            built = build(Coin(framework, self.coin.units, {"Raw": raw}), settings)
            table = built.datasets["Aggregated"].loc[self.rows, list(self.aggregates)]
            if self.times is None:
                ranked = table.rank(method="min", ascending=False)
            else:
                ranked = table.groupby(level=1).rank(method="min", ascending=False)
            scores[r] = self._to_grid(table.to_numpy(float)[None])[0]
            ranks[r] = self._to_grid(ranked.to_numpy(float)[None])[0]
        return scores, ranks

    # --- the analysis -------------------------------------------------------------------------
    def run(
        self,
        n: int,
        kind: str = "SA",
        seed: int = 0,
        statistic: Statistic = mean_abs_rank_shift,
        num_resamples: int = 100,
        conf_level: float = 0.95,
        keep_scores: bool = False,
    ) -> SensitivityResult:
        indices = sample_design(self.choices, n, kind, seed)
        return self.analyse(indices, kind, seed, statistic, num_resamples, conf_level, keep_scores)

    def analyse(
        self,
        indices: np.ndarray,
        kind: str = "SA",
        seed: int = 0,
        statistic: Statistic = mean_abs_rank_shift,
        num_resamples: int = 100,
        conf_level: float = 0.95,
        keep_scores: bool = False,
    ) -> SensitivityResult:
        """Rank statistics (and, for SA, Sobol indices) of the runs of a given design."""
        ranks, scores = self.ranks(indices, keep_scores)
        d = len(self.choices)
        sampled = ranks[uncertainty_rows(len(ranks), d, kind)]
        output = pd.DataFrame(
            {
                code: statistic(
                    ranks[:, a].astype(float), self.nominal_ranks[a], self.units, self.times
                )
                for a, code in enumerate(self.aggregates)
            }
        )
        sensitivity = None
        if kind == "SA":
            sensitivity = _sobol_table(self.choices, output, num_resamples, conf_level, seed)
        design = pd.DataFrame(
            {
                c.name: np.asarray(c.labels, dtype=object)[indices[:, j]]
                for j, c in enumerate(self.choices)
            }
        )
        return SensitivityResult(
            kind=kind,
            choices=self.choices,
            design=design,
            aggregates=self.aggregates,
            units=self.units,
            times=self.times,
            ranks=ranks,
            nominal_scores=self.nominal_scores,
            nominal_ranks=self.nominal_ranks,
            rank_stats=self._rank_stats(sampled),
            output=output,
            sensitivity=sensitivity,
            scores=scores,
        )

    def _rank_stats(self, ranks: np.ndarray) -> pd.DataFrame:
        """Per (aggregate, unit-year that exists): nominal, mean, median, 5% and 95% rank."""
        cells = ranks[:, :, self._time_pos, self._unit_pos].astype(float)  # (runs, A, rows)
        quantile = np.nanquantile if np.isnan(cells).any() else np.quantile
        with np.errstate(all="ignore"):
            q5, median, q95 = quantile(cells, [0.05, 0.5, 0.95], axis=0)  # R's type 7
            mean = np.nanmean(cells, axis=0)
        nominal = self.nominal_ranks[:, self._time_pos, self._unit_pos]
        stats = {"nominal": nominal, "mean": mean, "median": median, "q5": q5, "q95": q95}
        if self.times is None:
            rows = pd.MultiIndex.from_arrays([self.units], names=["unit"])
        else:
            rows = pd.MultiIndex.from_arrays(
                [self.units[self._unit_pos], self.times[self._time_pos]], names=["unit", "time"]
            )
        index = pd.MultiIndex.from_tuples(
            [(code, *row) for code in self.aggregates for row in rows],
            names=["aggregate", *rows.names],
        )
        return pd.DataFrame({k: v.ravel() for k, v in stats.items()}, index=index)


def _validate_choices(choices: tuple[Choice, ...]) -> None:
    if not choices:
        raise ValueError("give at least one uncertain choice")
    names = [choice.name for choice in choices]
    steps = [choice.step for choice in choices]
    if len(set(names)) < len(names):
        raise ValueError(f"choice names must be unique: {names}")
    if len(set(steps)) < len(steps):
        raise ValueError(f"at most one choice per step: {steps}")


def _resolve(choice: Choice | None, nominal, resolve_one) -> list:
    if choice is None:
        return [resolve_one(nominal) if nominal is not None else None]
    return [resolve_one(alt) for alt in choice.alternatives]


def _sobol_table(choices, output: pd.DataFrame, num_resamples, conf_level, seed) -> pd.DataFrame:
    """SALib first-order and total indices of each aggregate's statistic.

    A constant statistic (no choice moves the ranks) has no variance to share out: all its
    indices are reported as 0.
    """
    from SALib.analyze import sobol

    problem = _problem(choices)
    records = []
    for code in output.columns:
        y = output[code].to_numpy(float)
        if np.isnan(y).any():
            raise ValueError(f"the statistic of {code!r} is missing for some runs")
        if np.ptp(y) <= np.finfo(float).eps * max(1.0, np.abs(y).max()):
            result = {key: np.zeros(len(choices)) for key in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            result = sobol.analyze(
                problem,
                y,
                calc_second_order=False,
                num_resamples=num_resamples,
                conf_level=conf_level,
                seed=seed + 1,  # SALib ignores a seed of 0
            )
        for j, choice in enumerate(choices):
            records.append(
                {
                    "aggregate": code,
                    "choice": choice.name,
                    **{key: float(result[key][j]) for key in ("S1", "S1_conf", "ST", "ST_conf")},
                }
            )
    return pd.DataFrame.from_records(records).set_index(["aggregate", "choice"])


def sensitivity_analysis(
    coin: Coin,
    choices: Sequence[Choice],
    n: int,
    *,
    settings: Settings = _SETTINGS,
    kind: str = "SA",
    seed: int = 0,
    statistic: Statistic = mean_abs_rank_shift,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    keep_scores: bool = False,
) -> SensitivityResult:
    """COINr ``get_sensitivity`` on a raw coin: ``settings`` is the nominal build.

    ``kind="UA"``: ``n`` random runs, rank statistics only. ``kind="SA"``: the Sobol' design,
    ``n (d + 2)`` runs (``n`` a power of 2), rank statistics and Sobol indices.
    """
    monte_carlo = MonteCarlo(coin, choices, settings)
    return monte_carlo.run(n, kind, seed, statistic, num_resamples, conf_level, keep_scores)
