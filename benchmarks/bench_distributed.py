"""Benchmark: the distributed majority vote against an fp32 all_reduce of the same gradient, on loopback gloo.

For each rank count and dimension: bytes sent and received per rank per step (counted from the buffers the
protocol moves; for the all_reduce, the ring algorithm's 2 (W-1)/W * 4d) and the wall-clock time per step,
both measured in the same processes.  Writes JSON to ``--out`` (default ``benchmarks/results/distributed.json``).

    python benchmarks/bench_distributed.py [--ranks 3 5] [--dims 10000 1000000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import torch
import torch.distributed as dist

from bounds._io import atomic_write_text
from simulate.distributed import distributed_majority_vote
from simulate.launch import launch


def worker(rank: int, world: int, dims: list[int], steps: int, out: str) -> None:
    rows = []
    for d in dims:
        g = torch.Generator().manual_seed(rank)
        grad = torch.randn(d, generator=g)
        votes = torch.sign(grad).to(torch.int8)
        votes[votes == 0] = 1
        res = distributed_majority_vote(votes, d)  # warm-up
        dist.barrier()
        t0 = time.perf_counter()
        for _ in range(steps):
            res = distributed_majority_vote(votes, d)
        vote_s = (time.perf_counter() - t0) / steps
        buf = grad.clone()
        dist.all_reduce(buf)
        dist.barrier()
        t0 = time.perf_counter()
        for _ in range(steps):
            buf = grad.clone()
            dist.all_reduce(buf)
        reduce_s = (time.perf_counter() - t0) / steps
        rows.append({"world": world, "d": d, "vote_seconds_per_step": vote_s, "allreduce_seconds_per_step": reduce_s,
                     "vote_bytes_sent_per_rank": res.bytes_sent, "vote_bytes_received_per_rank": res.bytes_received,
                     "allreduce_ring_bytes_per_rank": 2 * (world - 1) / world * 4 * d,
                     "bits_per_coordinate_per_worker_out": 8 * res.bytes_sent / d})
    if rank == 0:
        Path(out).write_text(json.dumps(rows))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ranks", type=int, nargs="+", default=[3, 5])
    ap.add_argument("--dims", type=int, nargs="+", default=[10_000, 1_000_000])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--out", default="benchmarks/results/distributed.json")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for world in args.ranks:
            path = str(Path(tmp) / f"{world}.json")
            launch(worker, world, (args.dims, args.steps, path), timeout_s=300)
            rows.extend(json.loads(Path(path).read_text()))
    for r in rows:
        r["bytes_ratio_allreduce_over_vote"] = r["allreduce_ring_bytes_per_rank"] / r["vote_bytes_sent_per_rank"]
        r["time_ratio_vote_over_allreduce"] = r["vote_seconds_per_step"] / r["allreduce_seconds_per_step"]
    result = {"benchmark": "distributed majority vote vs fp32 all_reduce (gloo, loopback)", "rows": rows,
              "torch": torch.__version__}
    atomic_write_text(args.out, json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
