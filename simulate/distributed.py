r"""The majority vote across processes and machines on torch.distributed, one bit per coordinate per worker.

Protocol of :func:`distributed_majority_vote` (every rank calls it with its own vote vector of ``d`` signs):

1. Each rank validates its message as the single-process server does (:mod:`simulate.vote`): a message of
   the wrong type, dtype or shape abstains on every coordinate; an entry that is NaN, infinite or outside
   :math:`\{-1, 0, +1\}` abstains on its coordinate.
2. One byte, all-reduced with MAX, says whether any rank has a zero or an abstention.  If none does, each
   vote travels as **one bit**; otherwise as two bit planes (sign, present) for this step.
3. The coordinates are cut into ``W`` shards (``W`` ranks).  ``all_to_all`` sends shard ``j`` of every
   rank's packed bits to rank ``j``, which tallies its shard and applies the tie rule.
4. ``all_gather`` returns every shard's outcome (one bit per coordinate, two with the ``zero`` tie rule).

Each rank sends and receives about :math:`(P + P')\,d/8` bytes per step (``P``, ``P'``: 1 or 2 bit planes),
whatever ``W``: not :math:`W d/8`.  The tally equals :func:`simulate.vote.majority_vote` on the stacked
messages bit for bit (with ``tie="random"`` the owner of each shard draws the coin).

Collectives run with the process group's timeout: a rank that dies or hangs makes the others raise
:class:`DistributedVoteError` instead of waiting forever; :class:`FaultTolerantVote` lets the user choose
between stopping there and going on with the dead ranks' votes as abstentions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import torch
import torch.distributed as dist

from .distributed_args import STRATEGIES
from .vote import SERVER_TIE_RULES, _server_sign, _valid_entries, _INT_DTYPES, _FLOAT_DTYPES, sign_int8

__all__ = [
    "DistributedVoteError",
    "FaultTolerantVote",
    "VoteGroup",
    "DistributedVoteResult",
    "distributed_majority_vote",
    "ByzantineRanks",
    "SignumVoteState",
    "signum_vote_hook",
    "pack_bits",
    "unpack_bits",
]


class DistributedVoteError(RuntimeError):
    """A collective of the distributed vote failed (a rank died, hung past the timeout, or left)."""


@dataclass
class DistributedVoteResult:
    """Outcome on one rank: the server's ``sign`` (int8, ``d``), this rank's local abstentions, the bit
    planes used, and the bytes this rank sent and received in the step."""

    sign: torch.Tensor
    abstentions: int
    planes: int
    bytes_sent: int
    bytes_received: int


_WEIGHTS = torch.tensor([1, 2, 4, 8, 16, 32, 64, 128], dtype=torch.uint8)


def pack_bits(bits: torch.Tensor) -> torch.Tensor:
    """Pack a boolean tensor ``(..., 8k)`` into ``(..., k)`` uint8 (little-endian within a byte)."""
    b = bits.to(torch.uint8).reshape(*bits.shape[:-1], -1, 8)
    return (b * _WEIGHTS.to(bits.device)).sum(-1, dtype=torch.uint8)


def unpack_bits(packed: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`pack_bits`: boolean ``(..., 8k)``."""
    shifts = torch.arange(8, dtype=torch.uint8, device=packed.device)
    return ((packed.unsqueeze(-1) >> shifts) & 1).reshape(*packed.shape[:-1], -1).bool()


def _local_message(votes: object, d: int, device: torch.device) -> tuple[torch.Tensor, int]:
    """Validated int8 votes on ``device`` (invalid entries set to 0) and the number of abstained coordinates."""
    if not isinstance(votes, torch.Tensor) or votes.dtype not in _INT_DTYPES + _FLOAT_DTYPES \
            or tuple(votes.shape) != (d,):
        return torch.zeros(d, dtype=torch.int8, device=device), d
    valid = _valid_entries(votes)
    clean = torch.where(valid, votes, torch.zeros_like(votes)).to(torch.int8)
    return clean.to(device), int((~valid).sum())


def _device_of(vg: "VoteGroup") -> torch.device:
    """CUDA for an NCCL group (its collectives need device tensors), the CPU otherwise."""
    if vg.raw is None and dist.get_backend(vg.group) == "nccl":
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


class VoteGroup:
    """The ranks that vote: a registered process group (``None``: the world) or a raw ``ProcessGroupGloo``
    built among survivors by :class:`FaultTolerantVote`."""

    def __init__(self, group: Any = None, raw: Any = None, ranks: Sequence[int] | None = None) -> None:
        self.group, self.raw = group, raw
        self.ranks = list(ranks) if ranks is not None else list(range(dist.get_world_size(group)))

    @property
    def size(self) -> int:
        return self.raw.size() if self.raw is not None else dist.get_world_size(self.group)

    @property
    def rank(self) -> int:
        return self.raw.rank() if self.raw is not None else dist.get_rank(self.group)

    def all_reduce_max(self, t: torch.Tensor) -> None:
        if self.raw is None:
            dist.all_reduce(t, op=dist.ReduceOp.MAX, group=self.group)
        else:
            opts = dist.AllreduceOptions()
            opts.reduceOp = dist.ReduceOp.MAX
            self.raw.allreduce([t], opts).wait()

    def all_to_all_single(self, out: torch.Tensor, inp: torch.Tensor) -> None:
        if self.raw is None:
            dist.all_to_all_single(out, inp, group=self.group)
        else:
            self.raw.alltoall_base(out, inp, [], [], dist.AllToAllOptions()).wait()

    def all_gather(self, outs: list[torch.Tensor], t: torch.Tensor) -> None:
        if self.raw is None:
            dist.all_gather(outs, t, group=self.group)
        else:
            self.raw.allgather([outs], [t]).wait()


def distributed_majority_vote(votes: object, d: int, tie: str = "zero", group: Any = None,
                              generator: torch.Generator | None = None) -> DistributedVoteResult:
    """Majority vote of one ``d``-vector per rank over ``group`` (a process group, a :class:`VoteGroup`, or
    ``None`` for the world); see the module text."""
    if tie not in SERVER_TIE_RULES:
        raise ValueError(f"distributed_majority_vote: argument 'tie' must be one of {SERVER_TIE_RULES}; got {tie!r}")
    if d < 1:
        raise ValueError(f"distributed_majority_vote: argument 'd' must be an integer in [1, inf); got {d!r}")
    vg = group if isinstance(group, VoteGroup) else VoteGroup(group)
    world, rank = vg.size, vg.rank
    device = _device_of(vg)
    msg, abstained = _local_message(votes, d, device)
    try:
        flag = torch.tensor([int(bool((msg == 0).any()))], dtype=torch.uint8, device=device)
        vg.all_reduce_max(flag)
        planes = 2 if int(flag) else 1
        shard_bits = -(-d // (8 * world)) * 8
        total = shard_bits * world
        padded = torch.zeros(total, dtype=torch.int8, device=device)
        padded[:d] = msg
        plane_list = [padded > 0] + ([padded != 0] if planes == 2 else [])
        send = torch.stack([pack_bits(pl.reshape(world, shard_bits)) for pl in plane_list], dim=1)  # (W, P, sb)
        recv = torch.empty_like(send)
        vg.all_to_all_single(recv, send)
        value = unpack_bits(recv[:, 0])  # (W, shard_bits), bit 1 = +1
        votes_shard = value.to(torch.int32) * 2 - 1
        if planes == 2:
            votes_shard = votes_shard * unpack_bits(recv[:, 1]).to(torch.int32)
        tally = votes_shard.sum(0)
        sign = _server_sign(tally, tie, generator)
        out_planes = [sign > 0] + ([sign != 0] if tie == "zero" else [])
        mine = torch.stack([pack_bits(pl) for pl in out_planes])  # (P', sb)
        gathered = [torch.empty_like(mine) for _ in range(world)]
        vg.all_gather(gathered, mine)
    except RuntimeError as err:
        raise DistributedVoteError(f"rank {vg.ranks[rank]}: the distributed vote failed ({type(err).__name__}: "
                                   f"{str(err).splitlines()[0] if str(err) else ''}); a rank died, hung past the "
                                   "process group's timeout, or left") from err
    allg = torch.stack(gathered)  # (W, P', sb)
    result = unpack_bits(allg[:, 0]).reshape(-1).to(torch.int8) * 2 - 1
    if allg.shape[1] == 2:
        result = result * unpack_bits(allg[:, 1]).reshape(-1).to(torch.int8)
    sb = shard_bits // 8
    p_out = len(out_planes)
    sent = planes * sb * (world - 1) + p_out * sb * (world - 1) + 1
    return DistributedVoteResult(result[:d].cpu(), abstained, planes, sent, sent)


class FaultTolerantVote:
    """The distributed vote with a choice for failures: ``on_failure="error"`` stops with
    :class:`DistributedVoteError`; ``"abstain"`` counts the votes of ranks that died (or hung past the
    timeout) as abstentions and goes on among the survivors.

    On a failure every survivor writes its rank to the rendezvous store; the first to do so waits for the
    timeout plus ``grace`` seconds (every survivor fails its collective within the timeout) and publishes the
    survivors; they build a new gloo group among themselves and redo the step's vote there (so the dead ranks
    abstain from it) and from then on.  The store lives in rank 0's
    process (:func:`simulate.launch.join`), so rank 0 must survive; ranks that are too late to be listed
    stop with the error.  ``abstained_ranks`` lists the ranks dropped so far.
    """

    def __init__(self, on_failure: str = "error", store: Any = None, grace: float = 2.0,
                 timeout_s: float = 60.0) -> None:
        if on_failure not in ("error", "abstain"):
            raise ValueError(f"FaultTolerantVote: argument 'on_failure' must be one of ('error', 'abstain'); "
                             f"got {on_failure!r}")
        self.on_failure, self.grace, self.timeout_s = on_failure, grace, timeout_s
        self.store = store
        self.group = VoteGroup()
        self.epoch = 0
        self.abstained_ranks: list[int] = []

    def __call__(self, votes: object, d: int, tie: str = "zero",
                 generator: torch.Generator | None = None) -> DistributedVoteResult:
        while True:
            try:
                return distributed_majority_vote(votes, d, tie, self.group, generator)
            except DistributedVoteError:
                if self.on_failure == "error":
                    raise
                self._regroup()

    def _regroup(self) -> None:
        import json
        import time

        if self.store is None:
            from .launch import rendezvous_store

            self.store = rendezvous_store()
        me = self.group.ranks[self.group.rank]
        self.epoch += 1
        key = f"sbft/{self.epoch}"
        self.store.set(f"{key}/alive/{me}", "1")
        # the first survivor to get here waits until every survivor has failed its collective (at the latest
        # after the timeout) and registered, then publishes the list once
        if self.store.compare_set(f"{key}/leader", "", str(me)).decode() == str(me):
            time.sleep(self.timeout_s + self.grace)
            alive = [r for r in self.group.ranks if self.store.check([f"{key}/alive/{r}"])]
            self.store.set(f"{key}/decided", json.dumps(alive))
        deadline = time.monotonic() + 2 * self.timeout_s + self.grace + 5
        while not self.store.check([f"{key}/decided"]):
            if time.monotonic() > deadline:
                raise DistributedVoteError(f"rank {me}: no list of survivors was published")
            time.sleep(0.05)
        decided = json.loads(self.store.get(f"{key}/decided").decode())
        if me not in decided:
            raise DistributedVoteError(f"rank {me}: left out of the survivors {decided} (too late to regroup)")
        self.abstained_ranks += [r for r in self.group.ranks if r not in decided]
        raw = dist.ProcessGroupGloo(dist.PrefixStore(f"{key}/pg", self.store), decided.index(me), len(decided),
                                    datetime.timedelta(seconds=self.timeout_s))
        self.group = VoteGroup(raw=raw, ranks=decided)


@dataclass
class ByzantineRanks:
    """Which ranks are Byzantine and how they vote; build it on **every** rank (it creates the Byzantine
    ranks' subgroup for the colluding strategy, a collective call).

    ``strategy``: ``blind`` (flip their own sign), ``random``, ``abstain`` (send 0), ``colluding``
    (majority of the Byzantine ranks' own signs over their subgroup, negated) or ``omniscient`` (negate the
    sign of ``oracle()``, the true gradient, which the user provides for experiments).
    """

    ranks: Sequence[int]
    strategy: str = "blind"
    oracle: Callable[[], torch.Tensor] | None = None
    subgroup: Any = field(default=None, init=False)

    STRATEGIES = STRATEGIES

    def __post_init__(self) -> None:
        if self.strategy not in self.STRATEGIES:
            raise ValueError(f"ByzantineRanks: argument 'strategy' must be one of {self.STRATEGIES}; "
                             f"got {self.strategy!r}")
        if self.strategy == "omniscient" and self.oracle is None:
            raise ValueError("ByzantineRanks: the omniscient strategy needs argument 'oracle' (the true gradient)")
        self.ranks = sorted(set(int(r) for r in self.ranks))
        if self.strategy == "colluding" and dist.is_initialized() and self.ranks:
            self.subgroup = dist.new_group(self.ranks)

    def is_byzantine(self, rank: int | None = None) -> bool:
        return (dist.get_rank() if rank is None else rank) in self.ranks

    def votes(self, own: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """This Byzantine rank's message, given its own stochastic gradient ``own``."""
        if self.strategy == "blind":
            return -sign_int8(own)
        if self.strategy == "random":
            return (torch.randint(0, 2, own.shape, generator=generator, dtype=torch.int8) * 2 - 1)
        if self.strategy == "abstain":
            return torch.zeros(own.shape, dtype=torch.int8)
        if self.strategy == "colluding":
            tally = sign_int8(own).to(torch.int32)
            dist.all_reduce(tally, group=self.subgroup)
            return -sign_int8(tally)
        assert self.oracle is not None
        return -sign_int8(self.oracle().reshape(own.shape))


@dataclass
class SignumVoteState:
    """State of :func:`signum_vote_hook`: momentum ``beta`` (0: signSGD), tie rule, Byzantine ranks."""

    beta: float = 0.0
    tie: str = "zero"
    byzantine: ByzantineRanks | None = None
    group: Any = None
    vote: FaultTolerantVote | None = None
    """Set ``FaultTolerantVote("abstain")`` to go on when a rank dies; default: stop with an error."""
    momenta: dict[int, torch.Tensor] = field(default_factory=dict)
    """Each parameter's momentum on this worker, keyed by ``id(parameter)``."""
    last: DistributedVoteResult | None = None


def signum_vote_hook(state: SignumVoteState, bucket: "dist.GradBucket") -> torch.futures.Future[torch.Tensor]:
    """DDP communication hook: every rank votes the sign of its (momentum) gradient; DDP receives the majority.

    ``model.register_comm_hook(SignumVoteState(beta=0.9), signum_vote_hook)`` turns a DDP model's training into
    Signum (signSGD when ``beta = 0``) with majority vote; the optimizer then steps with ``x <- x - lr (vote +
    wd x)``.  Each worker's momentum is its own (Signum): :math:`m \\leftarrow \\beta m + (1-\\beta) g`.
    """
    grad = bucket.buffer()
    local = grad.detach().to(torch.float32).cpu()
    if state.beta:
        # momentum per parameter: DDP may rebuild its buckets (and their layout) after the first step
        params, grads = bucket.parameters(), bucket.gradients()
        if sum(g.numel() for g in grads) != local.numel():  # pragma: no cover - padded buckets
            raise ValueError("signum_vote_hook: a bucket with padding is not supported with momentum")
        parts = []
        for prm, g in zip(params, grads):
            g = g.detach().to(torch.float32).cpu().reshape(-1)
            m = state.momenta.get(id(prm))
            m = (1 - state.beta) * g if m is None else state.beta * m + (1 - state.beta) * g
            state.momenta[id(prm)] = m
            parts.append(m)
        local = torch.cat(parts)
    if state.byzantine is not None and state.byzantine.is_byzantine():
        vote = state.byzantine.votes(local)
    else:
        vote = sign_int8(local)
    if state.vote is not None:
        res = state.vote(vote, local.numel(), state.tie)
    else:
        res = distributed_majority_vote(vote, local.numel(), state.tie, state.group)
    state.last = res
    fut: torch.futures.Future[torch.Tensor] = torch.futures.Future()
    fut.set_result(res.sign.to(grad.dtype).to(grad.device))
    return fut


# DDP compares the hook's annotations with the real objects; keep them objects, not postponed strings
signum_vote_hook.__annotations__ = {"state": SignumVoteState, "bucket": dist.GradBucket,
                                    "return": torch.futures.Future[torch.Tensor]}
