"""Benchmark: the toy simulator against the naive per-worker, per-sample reference, in one process.

* ``reference``: :func:`simulate.toy_reference.reference_toy`, one run, timed over ``--ref-iterations``
  iterations and scaled to the full 500 (its cost per iteration is constant at a fixed batch);
* ``simulator``: :func:`simulate.toy.simulate_toy`, 14 Byzantine counts x 5 repeats in one batched call,
  per run;
* ``full sweep``: the whole Figure 1 sweep (3 batch regimes x 14 counts x 5 repeats, blind and omniscient).

Writes JSON to ``--out`` (default ``benchmarks/results/toy.json``).  Target: >= 1000x at batch 500; full
sweep < 30 s on 2 CPU cores.

    python benchmarks/bench_toy.py [--device cpu]
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import torch

from bounds._io import atomic_write_text
from simulate.toy import ToyConfig, simulate_toy
from simulate.toy_reference import reference_toy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--ref-iterations", type=int, default=3)
    ap.add_argument("--out", default="benchmarks/results/toy.json")
    args = ap.parse_args()
    cfg = ToyConfig()
    result: dict[str, object] = {"benchmark": "toy quadratic, Figure 1", "device": args.device}
    for batch in (1, 500):
        t0 = time.perf_counter()
        reference_toy(5, "blind", batch, cfg, seed=0, iterations=args.ref_iterations)
        ref_run = (time.perf_counter() - t0) / args.ref_iterations * cfg.iterations
        t0 = time.perf_counter()
        simulate_toy(range(14), "blind", batch, cfg, seed=0, device=args.device)
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        sim_run = (time.perf_counter() - t0) / (14 * cfg.repeats)
        result[f"batch_{batch}"] = {"reference_seconds_per_run": ref_run, "simulator_seconds_per_run": sim_run,
                                    "speedup": ref_run / sim_run}
    t0 = time.perf_counter()
    for attack in ("blind", "omniscient"):
        for batch in (1, "t", 500):
            simulate_toy(range(14), attack, batch, cfg, seed=0, device=args.device)
    if args.device.startswith("cuda"):
        torch.cuda.synchronize()
    result["full_sweep_seconds"] = time.perf_counter() - t0
    result.update({"torch": torch.__version__, "python": platform.python_version(),
                   "threads": torch.get_num_threads(),
                   "paper_reported_seconds_per_run": {"batch_1": 3, "batch_500": 199}})
    atomic_write_text(args.out, json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
