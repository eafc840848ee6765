"""Functions run inside spawned ranks by test_distributed.py (module level, so that they can be pickled)."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import torch
import torch.distributed as dist

from simulate.distributed import ByzantineRanks, DistributedVoteError, SignumVoteState, distributed_majority_vote, \
    signum_vote_hook
from simulate.vote import majority_vote


def messages(world: int, d: int, seed: int, zeros: bool) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    low = -1 if zeros else 0
    v = torch.randint(low, 2, (world, d), generator=g, dtype=torch.int8)
    return v if zeros else v * 2 - 1


def equality(rank: int, world: int, out: str) -> None:
    results = {}
    for case, (d, zeros, tie) in enumerate([(1, False, "zero"), (37, True, "zero"), (1000, False, "plus"),
                                            (4099, True, "zero"), (64, True, "plus")]):
        allv = messages(world, d, 100 + case, zeros)
        res = distributed_majority_vote(allv[rank], d, tie)
        ref = majority_vote(allv, tie).sign
        results[case] = {"equal": bool(torch.equal(res.sign, ref)), "planes": res.planes, "sent": res.bytes_sent}
    # malformed messages: rank 1 sends NaN entries, rank 2 a wrong shape
    d = 50
    allv = messages(world, d, 7, True).to(torch.float32)
    mine: object = allv[rank]
    if rank == 1:
        mine = allv[rank].clone()
        mine[::5] = float("nan")  # type: ignore[index]
    if rank == 2:
        mine = torch.ones(d + 1)
    res = distributed_majority_vote(mine, d)
    msgs: list[object] = [allv[j] for j in range(world)]
    bad1 = allv[1].clone()
    bad1[::5] = float("nan")
    msgs[1] = bad1
    msgs[2] = torch.ones(d + 1)
    ref = majority_vote(msgs, shape=(d,))
    results["malformed"] = {"equal": bool(torch.equal(res.sign, ref.sign)), "abstentions": res.abstentions,
                            "expected": int(ref.abstentions[rank])}
    Path(out, f"{rank}.json").write_text(json.dumps(results))


def byzantine(rank: int, world: int, out: str, strategy: str) -> None:
    d = 300
    g = torch.Generator().manual_seed(rank)
    true = torch.linspace(-1, 1, d)
    own = true + 0.5 * torch.randn(d, generator=g)
    byz = ByzantineRanks([world - 1, world - 2], strategy, oracle=lambda: true)
    vote = byz.votes(own) if byz.is_byzantine() else torch.sign(own).to(torch.int8)
    gathered = [torch.empty(d, dtype=torch.int8) for _ in range(world)]
    dist.all_gather(gathered, vote.to(torch.int8))
    res = distributed_majority_vote(vote, d)
    owns = [torch.empty(d) for _ in range(world)]
    dist.all_gather(owns, own)
    Path(out, f"{rank}.json").write_text(json.dumps({
        "votes": [t.tolist() for t in gathered], "owns": [t.tolist() for t in owns], "true": true.tolist(),
        "sign": res.sign.tolist(), "ref": majority_vote(torch.stack(gathered)).sign.tolist()}))


def _vote_once_and_report(rank: int, out: str) -> None:
    t0 = time.time()
    try:
        distributed_majority_vote(torch.ones(100, dtype=torch.int8), 100)
        outcome = "returned"
    except DistributedVoteError as err:
        outcome = f"error: {err}"
    Path(out, f"{rank}.json").write_text(json.dumps({"outcome": outcome, "seconds": time.time() - t0}))


def dies(rank: int, world: int, out: str) -> None:
    if rank == world - 1:
        os._exit(0)  # a rank that dies before the vote
    _vote_once_and_report(rank, out)


def hangs(rank: int, world: int, out: str) -> None:
    if rank == world - 1:
        time.sleep(8)  # hangs past the group's timeout, then leaves without voting
        os._exit(0)
    _vote_once_and_report(rank, out)


def dies_then_abstains(rank: int, world: int, out: str) -> None:
    from simulate.distributed import FaultTolerantVote

    vote = FaultTolerantVote("abstain", grace=1.0, timeout_s=3)
    d = 40
    allv = messages(world, d, 3, False)
    first = vote(allv[rank], d)
    if rank == world - 1:
        os._exit(0)  # dies after the first step
    second = vote(allv[rank], d)  # the dead rank's vote is an abstention
    ref_all = majority_vote(allv).sign
    ref_survivors = majority_vote(allv[: world - 1]).sign
    Path(out, f"{rank}.json").write_text(json.dumps({
        "first_equal": bool(torch.equal(first.sign, ref_all)),
        "second_equal": bool(torch.equal(second.sign, ref_survivors)),
        "abstained_ranks": vote.abstained_ranks}))


def ddp(rank: int, world: int, out: str, beta: float, steps: int) -> None:
    """Train a DDP model with the Signum vote hook; at every step compare its update with the majority of every
    rank's sign of its own momentum, recomputed without DDP (beta = 0: signSGD, the sign of the gradient)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    ddp_model = torch.nn.parallel.DistributedDataParallel(model)
    state = SignumVoteState(beta=beta)
    ddp_model.register_comm_hook(state, signum_vote_hook)
    local = torch.nn.Linear(4, 2)
    local.load_state_dict(model.state_dict())
    momentum = None
    checks = []
    for step in range(steps):
        g = torch.Generator().manual_seed(100 * step + rank)
        x = torch.randn(5, 4, generator=g)
        ddp_model.zero_grad()
        ddp_model(x).pow(2).mean().backward()
        local.zero_grad()
        local(x).pow(2).mean().backward()
        flat = torch.cat([p.grad.reshape(-1) for p in local.parameters()])
        momentum = (1 - beta) * flat if momentum is None else beta * momentum + (1 - beta) * flat
        signs = [torch.empty_like(momentum) for _ in range(world)]
        dist.all_gather(signs, torch.sign(momentum))
        expected = torch.sign(torch.stack(signs).sum(0))
        got = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
        checks.append(got.tolist() == expected.tolist())
    Path(out, f"{rank}.json").write_text(json.dumps({"checks": checks}))
