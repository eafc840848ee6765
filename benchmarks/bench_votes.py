"""Benchmark: the Monte Carlo vote engine against (a) merely drawing its random numbers with torch and
(b) a faithful naive reference, a per-trial, per-worker Python loop as a notebook would write it.

All three run in one process on the same device and configuration (Gaussian noise, Q workers, B Byzantine,
omniscient and blind attacks).  The naive loop runs fewer trials (``--naive-trials``) and is compared per
trial.  Writes JSON to ``--out`` (default ``benchmarks/results/votes.json``).

    python benchmarks/bench_votes.py [--trials 4000000] [--device cpu]
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import time

import torch

from bounds._io import atomic_write_text
from simulate.device import resolve_device
from simulate.engine import DEFAULT_CHUNK, vote_failure_trials
from simulate.noise import draws_per_estimate


def naive_failures(q: int, b: int, snr: float, trials: int, attack: str, rng: random.Random) -> int:
    """One trial at a time, one worker at a time, plain Python (the reference)."""
    failures = 0
    for _ in range(trials):
        total = 0
        for j in range(q):
            est = snr + rng.gauss(0.0, 1.0)
            if j < q - b:
                total += 1 if est > 0 else (-1 if est < 0 else 0)
            elif attack == "omniscient":
                total -= 1
            else:
                total -= 1 if est > 0 else (-1 if est < 0 else 0)
        failures += total <= 0
    return failures


def sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=27)
    ap.add_argument("--byzantine", type=int, default=5)
    ap.add_argument("--snr", type=float, default=0.5)
    ap.add_argument("--trials", type=int, default=4_000_000)
    ap.add_argument("--naive-trials", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--out", default="benchmarks/results/votes.json")
    args = ap.parse_args()
    dev = resolve_device(args.device)
    q, b, s, t = args.workers, args.byzantine, args.snr, args.trials
    chunk = DEFAULT_CHUNK // (q * draws_per_estimate("gaussian", 1))  # the engine's own batching

    def draws_only() -> None:
        gen = torch.Generator(device=dev).manual_seed(0)
        done = 0
        while done < t:
            n = min(chunk, t - done)
            torch.randn((q, n), generator=gen, device=dev)
            done += n
        sync(dev)

    def engine(attack: str) -> None:
        gen = torch.Generator(device=dev).manual_seed(0)
        vote_failure_trials(q, b, s, 1, "gaussian", attack, t, generator=gen, device=dev)
        sync(dev)

    engine("omniscient")  # warm-up
    best = {"draws": float("inf"), "omniscient": float("inf"), "blind": float("inf")}
    for _ in range(args.repeat):
        for name, fn in (("draws", draws_only), ("omniscient", lambda: engine("omniscient")),
                         ("blind", lambda: engine("blind"))):
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    naive = {}
    for attack in ("omniscient", "blind"):
        t0 = time.perf_counter()
        naive_failures(q, b, s, args.naive_trials, attack, random.Random(0))
        naive[attack] = (time.perf_counter() - t0) / args.naive_trials
    result = {
        "benchmark": "Monte Carlo vote engine",
        "device": str(dev),
        "workers": q, "byzantine": b, "snr": s, "trials": t,
        "draws_only_seconds": best["draws"],
        **{f"engine_{a}_seconds": best[a] for a in ("omniscient", "blind")},
        **{f"ratio_engine_{a}_over_draws": best[a] / best["draws"] for a in ("omniscient", "blind")},
        **{f"naive_{a}_seconds_per_trial": naive[a] for a in naive},
        **{f"speedup_engine_{a}_over_naive": naive[a] * t / best[a] for a in naive},
        "torch": torch.__version__, "python": platform.python_version(), "threads": torch.get_num_threads(),
    }
    atomic_write_text(args.out, json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
