"""The command-line arguments of the distributed toy run (no torch import: the CLI builds its parser fast)."""

from __future__ import annotations

import argparse

__all__ = ["build_parser", "STRATEGIES"]

STRATEGIES = ("blind", "random", "abstain", "colluding", "omniscient")
"""Byzantine strategies a real rank can run (see :class:`simulate.distributed.ByzantineRanks`)."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="simulate.distributed_toy", description="The toy quadratic over real processes, the vote on torch.distributed.")
    p.add_argument("--byzantine-ranks", type=int, nargs="*", default=[])
    p.add_argument("--strategy", default="blind", choices=STRATEGIES)
    p.add_argument("--batch", default="1")
    p.add_argument("--dim", type=int, default=1000)
    p.add_argument("--iterations", type=int, default=500)
    p.add_argument("--sigma", type=float, default=1.0)
    p.add_argument("--lr", type=float, default=1.0)
    p.add_argument("--x0", type=float, default=2.0)
    p.add_argument("--tie", choices=("zero", "plus", "random"), default="zero")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=120.0, help="seconds before a hanging rank counts as failed")
    p.add_argument("--on-failure", choices=("error", "abstain"), default="error",
                   help="a rank that dies or hangs: stop with an error (default) or count its vote as an abstention")
    p.add_argument("--out", default="results/distributed")
    return p


