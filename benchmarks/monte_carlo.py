"""Benchmark the vectorised Monte Carlo of ``pipelines.composite.uncertainty`` (run by hand).

A fixed-seed synthetic panel: 31 provinces x 13 years, 30 indicators in 8 pillars, 2
sub-indices, one index. Four uncertain choices: winsorisation limit 1-5, normalisation
(min-max 1-100, z-score 10/2, rank), weights (equal, entropy, PCA and 7 sets of nominal weights
perturbed by +-25% at the indicator and pillar levels), aggregation (arithmetic, geometric).
Times 1,000 uniformly drawn runs vectorised (precomputation included) and the same runs by a
plain loop that rebuilds the coin with the engine per run, asserts the ranks are equal, and
prints both times, their ratio and the peak RSS; then times a Sobol' design of N = 256.

    .venv/bin/python benchmarks/monte_carlo.py [--samples 1000] [--loop-samples 1000]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipelines.composite import (  # noqa: E402
    Coin,
    Framework,
    NormaliseSettings,
    Settings,
    TreatSettings,
)
from pipelines.composite.uncertainty import (  # noqa: E402
    Choice,
    MonteCarlo,
    noisy_weights,
    sample_design,
)

N_UNITS, N_YEARS, N_INDICATORS, N_PILLARS = 31, 13, 30, 8


def synthetic_coin(seed: int = 20240605) -> Coin:
    """A latent 'innovation level' per province-year drives every indicator (positively
    correlated, as real ones are), with skewed noise so some indicators need treatment."""
    rng = np.random.default_rng(seed)
    units = [f"P{i:02d}" for i in range(N_UNITS)]
    years = list(range(2010, 2010 + N_YEARS))
    index = pd.MultiIndex.from_product([units, years], names=["unit", "time"])
    trend = np.repeat(rng.normal(0, 1, N_UNITS), N_YEARS) + np.tile(
        np.linspace(0, 1, N_YEARS), N_UNITS
    )
    codes = [f"x{j:02d}" for j in range(N_INDICATORS)]
    data = {}
    for j, code in enumerate(codes):
        # lower is better for every 7th indicator: it falls as the latent level rises
        loading = rng.uniform(0.3, 1.0) * (-1.0 if j % 7 == 6 else 1.0)
        noise = rng.normal(0, 1, len(index))
        value = np.exp(loading * trend + 0.6 * noise) if j % 3 == 0 else loading * trend + noise
        data[code] = value * rng.uniform(1, 100)
    pillars = [f"Pil{k}" for k in range(N_PILLARS)]
    parents = [pillars[j % N_PILLARS] for j in range(N_INDICATORS)]
    table = pd.DataFrame(
        {
            "code": [*codes, *pillars, "SubA", "SubB", "Index"],
            "level": [1] * N_INDICATORS + [2] * N_PILLARS + [3, 3, 4],
            "parent": [*parents, *["SubA"] * 4, *["SubB"] * 4, "Index", "Index", None],
            "direction": [-1.0 if j % 7 == 6 else 1.0 for j in range(N_INDICATORS)]
            + [1.0] * (N_PILLARS + 3),
        }
    )
    return Coin.from_data(Framework.from_table(table), pd.DataFrame(data, index=index))


def choices_for(coin: Coin) -> list[Choice]:
    noisy = noisy_weights(coin.framework, {1: 0.25, 2: 0.25}, n=7, seed=1)
    return [
        Choice.winsorisation((1, 2, 3, 4, 5)),
        Choice.normalisation(
            [
                NormaliseSettings("minmax", {"lower": 1, "upper": 100}),
                NormaliseSettings("zscore", {"mean": 10, "sd": 2}),
                NormaliseSettings("rank", {}),
            ]
        ),
        Choice.weights(["equal", "entropy", "pca", *noisy]),
        Choice.aggregation(("arithmetic", "geometric")),
    ]


SETTINGS = Settings(treat=TreatSettings(winmax=5))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=1000)
    parser.add_argument("--loop-samples", type=int, default=None, help="default: --samples")
    args = parser.parse_args()
    n_loop = args.samples if args.loop_samples is None else args.loop_samples

    coin = synthetic_coin()
    choices = choices_for(coin)
    indices = sample_design(choices, args.samples, kind="UA", seed=7)
    print(
        f"panel {N_UNITS} units x {N_YEARS} years, {N_INDICATORS} indicators, "
        f"{N_PILLARS} pillars; choices: "
        + ", ".join(f"{c.name} ({len(c.alternatives)})" for c in choices)
    )

    print(f"peak RSS after imports and data: {_peak_rss_mib():.0f} MiB")
    t0 = time.perf_counter()
    monte_carlo = MonteCarlo(coin, choices, SETTINGS)
    t1 = time.perf_counter()
    result = monte_carlo.analyse(indices, kind="UA")
    t2 = time.perf_counter()
    vectorised = t2 - t0
    peak_vectorised = _peak_rss_mib()
    print(
        f"vectorised: {args.samples} runs in {vectorised:.3f} s "
        f"(precompute {t1 - t0:.3f} s, runs + rank stats {t2 - t1:.3f} s); "
        f"peak RSS so far {peak_vectorised:.0f} MiB"
    )

    t3 = time.perf_counter()
    loop_scores, loop_ranks = monte_carlo.scores_loop(indices[:n_loop])
    loop = time.perf_counter() - t3
    assert np.array_equal(result.ranks[:n_loop], loop_ranks, equal_nan=True), "ranks differ"
    vec_scores = monte_carlo.scores(indices[:n_loop])
    worst = float(np.nanmax(np.abs(vec_scores - loop_scores)))
    per_run_loop = loop / n_loop
    print(
        f"loop: {n_loop} runs in {loop:.3f} s ({per_run_loop * 1e3:.1f} ms/run); ranks equal, "
        f"max |score difference| {worst:.2e}"
    )
    print(f"ratio loop / vectorised (per run): {per_run_loop / (vectorised / args.samples):.0f}x")

    t4 = time.perf_counter()
    sa = MonteCarlo(coin, choices, SETTINGS).run(256, kind="SA", seed=3)
    t5 = time.perf_counter()
    print(f"SA: Sobol' design N = 256, {len(sa.ranks)} runs, in {t5 - t4:.3f} s (all included)")
    print(sa.sensitivity.loc["Index"].round(3).to_string())
    print(f"peak RSS of the whole script (loop and SA included): {_peak_rss_mib():.0f} MiB")


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


if __name__ == "__main__":
    main()
