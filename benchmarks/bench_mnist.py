"""Benchmark: one whole MNIST training iteration (sampling, augmentation, 27 per-worker gradients, momenta,
the colluding attack, the vote, the step) with the per-worker gradients batched (torch.func) against the plain
per-worker loop, in the same run; and the implied time of the paper's Figures 2-4 sweep.  Writes JSON to --out.

    python benchmarks/bench_mnist.py [--batch 64] [--iterations 6] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import json
import time

import torch

from bounds._io import atomic_write_text
from simulate.device import resolve_device
from simulate.mnist import MnistConfig, train_mnist
from simulate.mnist_data import MnistData, default_mnist_root, load_mnist
from simulate.mnist_sweep import PAPER_ITERATIONS


def _data() -> MnistData:
    root = default_mnist_root()
    if root is not None:
        d = load_mnist(root)
    else:  # the cost does not depend on the pixels: random images of the same shape
        g = torch.Generator().manual_seed(0)
        d = MnistData(torch.randint(0, 256, (8000, 28, 28), generator=g, dtype=torch.uint8),
                      torch.randint(0, 10, (8000,), generator=g), torch.zeros(100, 28, 28, dtype=torch.uint8),
                      torch.zeros(100, dtype=torch.long), "random", "random images")
    # a 100-image test part: the evaluations that bracket the timed iterations cost next to nothing
    return MnistData(d.train_images, d.train_labels, d.test_images[:100], d.test_labels[:100], d.source, d.note)


def time_iterations(data: MnistData, cfg: MnistConfig, byzantine: int, device: str) -> float:
    """Seconds per iteration, from the evaluation after iteration 1 to the one after the last."""
    stamps: list[float] = []

    def stamp(_: dict[str, float]) -> None:
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        stamps.append(time.perf_counter())

    train_mnist(data, byzantine, "colluding", cfg, seed=0, device=device, on_eval=stamp)
    return (stamps[-1] - stamps[0]) / (cfg.iterations - 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--iterations", type=int, default=6)
    ap.add_argument("--byzantine", type=int, default=9)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--out", default="benchmarks/results/mnist.json")
    args = ap.parse_args()
    dev = str(resolve_device(args.device))
    data = _data()
    result: dict[str, object] = {"benchmark": "MNIST training iteration", "device": dev, "workers": 27,
                                 "batch": args.batch, "byzantine": args.byzantine, "attack": "colluding",
                                 "threads": torch.get_num_threads(), "data": data.source}
    for method in ("loop", "vmap", "auto"):
        cfg = MnistConfig(batch=args.batch, iterations=args.iterations, eval_every=args.iterations, stats_every=0,
                          eval_examples=100, method=method)
        result[f"{method}_seconds_per_iteration"] = time_iterations(data, cfg, args.byzantine, dev)
    loop, vmap, auto = (float(result[f"{m}_seconds_per_iteration"]) for m in ("loop", "vmap", "auto"))  # type: ignore[arg-type]
    result["ratio_loop_over_vmap"] = loop / vmap
    result["ratio_loop_over_auto"] = loop / auto
    # the paper's sweep: B = 0..13 at batch 64 (500 iterations), 256 and 512 (200), colluding, one repeat; the
    # per-iteration cost scales with the batch (measured here at --batch), evaluation and p/S tracking excluded
    sweep = sum(14 * its * auto * b / args.batch for b, its in PAPER_ITERATIONS.items())
    result["paper_sweep_hours_estimate"] = sweep / 3600
    atomic_write_text(args.out, json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
