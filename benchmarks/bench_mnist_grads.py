"""Benchmark: per-worker gradients of the paper's CNN, batched over workers (torch.func) against a per-worker
loop, in the same run (27 workers; batch 64 by default).  Writes JSON to ``--out``.

    python benchmarks/bench_mnist_grads.py [--batch 64] [--device cpu]
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from bounds._io import atomic_write_text
from simulate.device import resolve_device
from simulate.mnist_model import PaperCNN, per_worker_gradients


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=27)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--out", default="benchmarks/results/mnist_grads.json")
    args = ap.parse_args()
    dev = resolve_device(args.device)
    torch.manual_seed(0)
    model = PaperCNN().to(dev).train()
    x = torch.randn(args.workers, args.batch, 1, 28, 28, device=dev)
    y = torch.randint(0, 10, (args.workers, args.batch), device=dev)
    best = {"vmap": float("inf"), "loop": float("inf")}
    for method in ("vmap", "loop"):
        per_worker_gradients(model, x, y, method)  # warm-up
    for _ in range(args.repeat):
        for method in ("vmap", "loop"):
            t0 = time.perf_counter()
            per_worker_gradients(model, x, y, method)
            if dev.type == "cuda":
                torch.cuda.synchronize()
            best[method] = min(best[method], time.perf_counter() - t0)
    result = {"benchmark": "per-worker CNN gradients", "device": str(dev), "workers": args.workers,
              "batch": args.batch, "vmap_seconds": best["vmap"], "loop_seconds": best["loop"],
              "ratio_loop_over_vmap": best["loop"] / best["vmap"], "threads": torch.get_num_threads()}
    atomic_write_text(args.out, json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
