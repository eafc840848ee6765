"""Benchmark: exact vote failure on a grid of 10**6 points against a bare scipy.special call.

Both are timed in the same run on the same grid:

* ``package``: :func:`bounds.vote_failure` (validation, broadcasting, tie rule, the incomplete beta call);
* ``bare``: the one :func:`scipy.special.betainc` call that computes the same lower binomial tail, on
  arguments prepared beforehand (the floor of what any exact implementation must pay).

The ratio package/bare is the figure of merit (target: within 1.5x).  Each timing is the best of
``--repeat`` runs.  Writes JSON to ``--out`` (default ``benchmarks/results/vote_failure.json``).

    python benchmarks/bench_vote_failure.py [--points 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from typing import Callable

import numpy as np
import scipy
from scipy import special as sc

import bounds
from bounds._io import atomic_write_text


def best_of(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Best time of each function; the functions are interleaved in every round so that a
    passing load on the machine hits all of them alike."""
    best = {name: float("inf") for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--out", default="benchmarks/results/vote_failure.json")
    args = ap.parse_args()

    rng = np.random.default_rng(0)
    n = args.points
    q = rng.integers(1, 10_001, size=n).astype(float)
    b = np.floor(rng.uniform(0, 1, size=n) * (q + 1)).clip(max=q)
    p = rng.uniform(0.0, 1.0, size=n)

    # the same lower tail P[Bin(Q - B, p) <= floor(Q/2)] as one bare betainc call
    m, k = q - b, np.floor(q / 2)
    inner = k < m
    a_arg, b_arg, x_arg = np.where(inner, m - k, 1.0), np.where(inner, k + 1.0, 1.0), 1.0 - p

    ours = bounds.vote_failure(q, b, p)
    bare = np.where(inner, sc.betainc(a_arg, b_arg, x_arg), 1.0)
    assert np.array_equal(ours, bare), "the benchmark compares different computations"

    times = best_of({
        "package": lambda: bounds.vote_failure(q, b, p),
        "bare": lambda: sc.betainc(a_arg, b_arg, x_arg),
        "random": lambda: bounds.vote_failure(q, b, p, tie="random"),
        "bdtr": lambda: sc.bdtr(k.astype(int), m.astype(int), p),
    }, args.repeat)
    t_pkg, t_bare, t_random, t_bdtr = times["package"], times["bare"], times["random"], times["bdtr"]
    result = {
        "benchmark": "exact vote failure, omniscient attack",
        "points": n,
        "grid": "Q ~ U{1..10000}, B ~ U{0..Q}, p ~ U(0, 1); seed 0",
        "repeat": args.repeat,
        "package_seconds": t_pkg,
        "bare_betainc_seconds": t_bare,
        "ratio_package_over_bare": t_pkg / t_bare,
        "package_tie_random_seconds": t_random,
        "ratio_tie_random_over_bare": t_random / t_bare,
        "cephes_bdtr_seconds_for_reference": t_bdtr,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    atomic_write_text(args.out, json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
