"""The toy quadratic over real processes: one rank per worker, the vote through :mod:`simulate.distributed`.

Run it locally with ``signsgd-bft distributed --nproc 5 --byzantine-ranks 3 4``, or on several machines with
torchrun (every machine runs the same command, ``--node-rank`` differing)::

    torchrun --nnodes 2 --nproc-per-node 14 --node-rank 0 --master-addr HOST --master-port 29500 \\
        -m simulate.distributed_toy --byzantine-ranks 20 21 22 --strategy omniscient --out results/dist

Each rank draws its own stochastic gradient :math:`x + N(0, \\sigma^2/n)` (seed derived from the base seed and
its rank), votes (or attacks), and steps with the distributed majority; rank 0 writes ``toy.json`` in the
format of the single-process runner, so ``signsgd-bft plot toy`` draws it.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import torch
import torch.distributed as dist

from bounds._io import atomic_write_text

from .distributed import ByzantineRanks, FaultTolerantVote
from .launch import join, launch, under_torchrun
from .seeding import derive_seed
from .sweep import package_version
from .toy import ToyConfig, batch_at
from .distributed_args import build_parser
from .vote import sign_int8

__all__ = ["run_rank", "main", "run_local"]


def run_rank(rank: int, world: int, byzantine_ranks: Sequence[int], strategy: str, batch: int | str,
             config: dict[str, Any], seed: int, tie: str, out: str, on_failure: str = "error",
             timeout_s: float = 120.0) -> None:
    """One rank's part of the distributed toy run (``on_failure``: see :class:`FaultTolerantVote`)."""
    vote_fn = FaultTolerantVote(on_failure, timeout_s=timeout_s)
    cfg = ToyConfig(**config)
    gen = torch.Generator().manual_seed(derive_seed(seed, rank=rank))
    x = torch.full((cfg.dim,), float(cfg.x0), dtype=torch.float64)
    byz = ByzantineRanks(byzantine_ranks, strategy, oracle=lambda: x)
    curve = [0.5 * float(x @ x)]
    sent = received = 0
    t0 = time.perf_counter()
    for t in range(cfg.iterations):
        n = batch_at(batch, t)
        own = x + cfg.sigma / math.sqrt(n) * torch.randn(cfg.dim, generator=gen, dtype=torch.float64)
        vote = byz.votes(own, gen) if byz.is_byzantine(rank) else sign_int8(own)
        res = vote_fn(vote, cfg.dim, tie)
        sent += res.bytes_sent
        received += res.bytes_received
        x = x - cfg.lr / math.sqrt(t + 1) * res.sign.to(torch.float64)
        curve.append(0.5 * float(x @ x))
    seconds = time.perf_counter() - t0
    if rank == 0:
        params = {"attack": strategy, "batch": str(batch), "byzantine": [len(byz.ranks)], "engine": "distributed",
                  **cfg.to_dict(), "repeats": 1, "world": world, "byzantine_ranks": list(byz.ranks)}
        record = {"params": params, "seed": seed, "device": "cpu", "version": package_version(), "status": "done",
                  "curves": [[np.round(curve, 8).tolist()]], "bytes_sent_per_step": sent / cfg.iterations,
                  "bytes_received_per_step": received / cfg.iterations, "seconds_per_step": seconds / cfg.iterations,
                  "abstained_ranks": vote_fn.abstained_ranks}
        summary = [{"attack": strategy, "batch": str(batch), "byzantine": len(byz.ranks), "workers": world,
                    "observed_final": float(np.mean(curve[-50:])), "status": "done", "seed": seed,
                    "device": "cpu", "version": package_version()}]
        Path(out).mkdir(parents=True, exist_ok=True)
        atomic_write_text(Path(out) / "toy.json", json.dumps({"units": [record], "summary": summary}))


def _rank_entry(rank: int, world: int, *args: Any) -> None:
    run_rank(rank, world, *args)


def run_local(nproc: int, byzantine_ranks: Sequence[int], strategy: str, batch: int | str, config: ToyConfig,
              seed: int, tie: str, out: str, timeout_s: float = 120.0, on_failure: str = "error") -> str:
    """Spawn ``nproc`` local ranks (gloo on loopback) and run the toy; returns the results path."""
    for r in byzantine_ranks:
        if not 0 <= r < nproc:
            raise ValueError(f"run_local: argument 'byzantine_ranks' must hold ranks in [0, {nproc - 1}]; got {r}")
    launch(_rank_entry, nproc, (list(byzantine_ranks), strategy, batch, config.to_dict(), seed, tie, out, on_failure,
                                timeout_s), timeout_s)
    return str(Path(out) / "toy.json")


def config_from(args: argparse.Namespace, workers: int) -> ToyConfig:
    return ToyConfig(dim=args.dim, sigma=args.sigma, workers=workers, iterations=args.iterations, lr=args.lr,
                     repeats=1, x0=args.x0, tie=args.tie)


def main(argv: Sequence[str] | None = None) -> int:
    """torchrun entry point: every rank runs this with the same arguments."""
    args = build_parser().parse_args(argv)
    if not under_torchrun():
        raise SystemExit("simulate.distributed_toy: start it with torchrun, or use 'signsgd-bft distributed --nproc N'")
    rank, world = join(timeout_s=args.timeout)
    batch = "t" if args.batch == "t" else int(args.batch)
    try:
        run_rank(rank, world, args.byzantine_ranks, args.strategy, batch, config_from(args, world).to_dict(),
                 args.seed, args.tie, args.out, args.on_failure, args.timeout)
    finally:
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
