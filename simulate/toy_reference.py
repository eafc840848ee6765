"""A faithful naive reference of the toy experiment, as a paper notebook would write it.

Per iteration, per worker, per sample: one numpy draw of the d-dimensional stochastic gradient; the worker
averages its samples, takes the sign (or, if Byzantine, attacks), the server sums and takes the sign.  It is
the baseline of ``benchmarks/bench_toy.py`` and a distributional check of :func:`simulate.toy.simulate_toy`;
never use it for real runs.
"""

from __future__ import annotations

import math

import numpy as np

from .toy import ToyConfig, batch_at

__all__ = ["reference_toy"]


def reference_toy(byzantine: int, attack: str, batch: int | str, config: ToyConfig = ToyConfig(), seed: int = 0,
                  iterations: int | None = None) -> np.ndarray:
    """One run; returns ``f`` after each iteration (length ``iterations + 1``). Attacks: blind, omniscient."""
    if attack not in ("blind", "omniscient"):
        raise ValueError(f"reference_toy: argument 'attack' must be 'blind' or 'omniscient'; got {attack!r}")
    rng = np.random.default_rng(seed)
    steps = config.iterations if iterations is None else iterations
    x = np.full(config.dim, float(config.x0))
    out = [0.5 * float(x @ x)]
    honest = config.workers - byzantine
    for t in range(steps):
        n = batch_at(batch, t)
        eta = config.lr / math.sqrt(t + 1)
        total = np.zeros(config.dim)
        for worker in range(config.workers):
            grad = np.zeros(config.dim)
            for _ in range(n):
                grad += x + config.sigma * rng.standard_normal(config.dim)
            grad /= n
            if worker < honest:
                total += np.sign(grad)
            elif attack == "blind":
                total -= np.sign(grad)
            else:
                total -= np.sign(x)
        x = x - eta * np.sign(total)
        out.append(0.5 * float(x @ x))
    return np.array(out)
