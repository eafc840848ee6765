r"""The server's majority vote, with validation of every message.

Each of ``Q`` workers sends one message: a vote in :math:`\{-1, 0, +1\}` per
coordinate, either as small integers (or floats holding exactly those values)
or packed into bits (1 bit per coordinate, :func:`pack_signs`).  The server
returns :math:`\operatorname{sign}(\sum_j v_j)` per coordinate (Algorithm 1).

Validation: a worker can never weigh more than one vote.

* A message of the wrong shape or dtype is an **abstention** on every coordinate.
* An entry that is NaN, :math:`\pm\infty`, or any value outside :math:`\{-1, 0, +1\}`
  is an **abstention** on that coordinate.  Nothing is rounded or rescaled.

Abstentions are counted per worker and reported in :class:`VoteResult`.  The
tie rule (a zero sum) is a parameter: ``"zero"`` (no step), ``"plus"`` (+1, the
BZAA18 code's convention) or ``"random"`` (a fair random sign per coordinate).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import torch

from bounds._domain import check_choice

__all__ = [
    "SERVER_TIE_RULES",
    "ZERO_SIGN_RULES",
    "VoteResult",
    "majority_vote",
    "majority_vote_packed",
    "pack_signs",
    "unpack_signs",
    "worker_sign",
    "sign_int8",
    "bounds_tie_rule",
]

SERVER_TIE_RULES = ("zero", "plus", "random")
ZERO_SIGN_RULES = ("zero", "plus", "random")
_INT_DTYPES = (torch.int8, torch.int16, torch.int32, torch.int64)
_FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)


@dataclass
class VoteResult:
    """Outcome of one majority vote.

    ``sign``: the server's sign per coordinate (int8); ``tally``: the sum of the
    valid votes (int32); ``abstentions``: per worker, the number of coordinates
    on which its message was not counted (int64, shape ``(Q,)``);
    ``malformed``: worker index -> reason, for messages rejected whole.
    """

    sign: torch.Tensor
    tally: torch.Tensor
    abstentions: torch.Tensor
    malformed: dict[int, str] = field(default_factory=dict)

    @property
    def total_abstentions(self) -> int:
        """Number of (worker, coordinate) votes that were not counted."""
        return int(self.abstentions.sum())


def sign_int8(x: torch.Tensor) -> torch.Tensor:
    """``sign(x)`` as int8 by two comparisons (NaN gives 0); cheaper than ``torch.sign(x).to(int8)``."""
    return (x > 0).to(torch.int8) - (x < 0).to(torch.int8)


def worker_sign(estimate: torch.Tensor, zero: str = "zero", generator: torch.Generator | None = None) -> torch.Tensor:
    """A worker's vote: ``sign(estimate)`` as int8, with ``sign(0)`` by the rule ``zero``.

    ``"zero"``: 0 (abstain on that coordinate), ``"plus"``: +1, ``"random"``: a fair random sign.
    """
    check_choice("worker_sign", "zero", zero, ZERO_SIGN_RULES)
    votes = sign_int8(estimate)  # NaN -> 0, like an abstention
    if zero != "zero":
        zeros = votes == 0
        if bool(zeros.any()):
            fill = torch.ones_like(votes) if zero == "plus" else _random_signs(votes.shape, votes.device, generator)
            votes = torch.where(zeros, fill, votes)
    return votes


def _random_signs(shape: torch.Size | tuple[int, ...], device: torch.device,
                  generator: torch.Generator | None) -> torch.Tensor:
    return (torch.randint(0, 2, tuple(shape), device=device, generator=generator, dtype=torch.int8) * 2 - 1)


def _valid_entries(msg: torch.Tensor) -> torch.Tensor:
    """Boolean mask of entries in {-1, 0, +1} (NaN and infinities are never valid)."""
    if msg.dtype in _INT_DTYPES:
        return (msg >= -1) & (msg <= 1)
    return (msg == 1) | (msg == -1) | (msg == 0)


def _server_sign(tally: torch.Tensor, tie: str, generator: torch.Generator | None) -> torch.Tensor:
    sign = torch.sign(tally).to(torch.int8)
    if tie == "plus":
        sign = torch.where(tally == 0, torch.ones_like(sign), sign)
    elif tie == "random":
        ties = tally == 0
        if bool(ties.any()):
            sign = torch.where(ties, _random_signs(sign.shape, sign.device, generator), sign)
    return sign


def majority_vote(
    votes: torch.Tensor | Sequence[object],
    tie: str = "zero",
    shape: Sequence[int] | None = None,
    generator: torch.Generator | None = None,
) -> VoteResult:
    """Majority vote over ``Q`` messages.

    Parameters
    ----------
    votes
        A tensor of shape ``(Q, *shape)`` (one row per worker), or a sequence of
        ``Q`` per-worker messages, each of which is validated on its own.
    tie
        ``"zero"``, ``"plus"`` or ``"random"``: the sign returned for a zero sum.
    shape
        The expected message shape; required for a sequence of messages.
    generator
        Random generator for ``tie="random"``.
    """
    check_choice("majority_vote", "tie", tie, SERVER_TIE_RULES)
    if isinstance(votes, torch.Tensor):
        if votes.dim() < 1:
            raise ValueError("majority_vote: argument 'votes' must have a leading worker dimension; got a scalar")
        q = votes.shape[0]
        msg_shape = tuple(votes.shape[1:])
        if shape is not None and tuple(shape) != msg_shape:
            raise ValueError(f"majority_vote: argument 'shape' is {tuple(shape)} but 'votes' carries messages of "
                             f"shape {msg_shape}")
        if votes.dtype not in _INT_DTYPES + _FLOAT_DTYPES:
            reason = f"dtype {votes.dtype} is not a sign dtype"
            zero = torch.zeros(msg_shape, dtype=torch.int32, device=votes.device)
            n = int(torch.tensor(msg_shape).prod()) if msg_shape else 1
            return VoteResult(_server_sign(zero, tie, generator), zero,
                              torch.full((q,), n, dtype=torch.int64), {j: reason for j in range(q)})
        if votes.dtype in _INT_DTYPES and votes.numel():
            lo, hi = torch.aminmax(votes)  # one pass; the mask below only when something is off
            all_valid = bool(lo >= -1) and bool(hi <= 1)
        else:
            all_valid = False
        valid = None if all_valid else _valid_entries(votes)
        if valid is None or bool(valid.all()):
            tally = votes.sum(0, dtype=torch.int32) if votes.dtype in _INT_DTYPES else votes.sum(0).to(torch.int32)
            abst = torch.zeros(q, dtype=torch.int64)
        else:
            clean = torch.where(valid, votes, torch.zeros_like(votes))
            tally = clean.sum(0, dtype=torch.int32) if votes.dtype in _INT_DTYPES else clean.sum(0).to(torch.int32)
            abst = (~valid).reshape(q, -1).sum(1).cpu()
        return VoteResult(_server_sign(tally, tie, generator), tally, abst, {})
    return _vote_messages(list(votes), tie, shape, generator)


def _vote_messages(msgs: list[object], tie: str, shape: Sequence[int] | None,
                   generator: torch.Generator | None) -> VoteResult:
    if shape is None:
        raise ValueError("majority_vote: argument 'shape' is required when 'votes' is a sequence of messages")
    shape = tuple(int(s) for s in shape)
    n = 1
    for s in shape:
        n *= s
    device = next((m.device for m in msgs if isinstance(m, torch.Tensor)), torch.device("cpu"))
    tally = torch.zeros(shape, dtype=torch.int32, device=device)
    abst = torch.zeros(len(msgs), dtype=torch.int64)
    malformed: dict[int, str] = {}
    for j, msg in enumerate(msgs):
        if not isinstance(msg, torch.Tensor):
            malformed[j], abst[j] = f"not a tensor ({type(msg).__name__})", n
            continue
        if msg.dtype not in _INT_DTYPES + _FLOAT_DTYPES:
            malformed[j], abst[j] = f"dtype {msg.dtype} is not a sign dtype", n
            continue
        if tuple(msg.shape) != shape:
            malformed[j], abst[j] = f"shape {tuple(msg.shape)} != {shape}", n
            continue
        msg = msg.to(device)
        valid = _valid_entries(msg)
        tally += torch.where(valid, msg, torch.zeros_like(msg)).to(torch.int32)
        abst[j] = int((~valid).sum())
    return VoteResult(_server_sign(tally, tie, generator), tally, abst, malformed)


def pack_signs(votes: torch.Tensor) -> torch.Tensor:
    """Pack ±1 votes of shape ``(..., d)`` into bits, shape ``(..., ceil(d/8))`` uint8 (bit 1 = +1).

    A packed message has no room for 0: a zero vote raises ``ValueError`` (use
    :func:`worker_sign` with ``zero="plus"`` or ``"random"`` first).
    """
    if bool((votes == 0).any()) or not bool(((votes == 1) | (votes == -1)).all()):
        raise ValueError("pack_signs: argument 'votes' must hold only -1 and +1 (no 0, NaN or other values)")
    d = votes.shape[-1]
    pad = (-d) % 8
    bits = (votes > 0).to(torch.uint8)
    if pad:
        bits = torch.nn.functional.pad(bits, (0, pad))
    bits = bits.reshape(*votes.shape[:-1], -1, 8)
    weights = torch.tensor([1, 2, 4, 8, 16, 32, 64, 128], dtype=torch.uint8, device=votes.device)
    return (bits * weights).sum(-1, dtype=torch.uint8)


def unpack_signs(packed: torch.Tensor, d: int) -> torch.Tensor:
    """Inverse of :func:`pack_signs`: int8 ±1 votes of shape ``(..., d)``; padding bits are ignored."""
    shifts = torch.arange(8, dtype=torch.uint8, device=packed.device)
    bits = (packed.unsqueeze(-1) >> shifts) & 1
    bits = bits.reshape(*packed.shape[:-1], -1)[..., :d]
    return bits.to(torch.int8) * 2 - 1


def majority_vote_packed(
    packed: torch.Tensor | Sequence[object],
    d: int,
    tie: str = "zero",
    generator: torch.Generator | None = None,
) -> VoteResult:
    """Majority vote over bit-packed messages (1 bit per coordinate per worker).

    A message that is not a uint8 tensor of ``ceil(d/8)`` bytes is an abstention on every coordinate.
    """
    if d < 1:
        raise ValueError(f"majority_vote_packed: argument 'd' must be an integer in [1, inf); got {d!r}")
    nbytes = (d + 7) // 8
    if isinstance(packed, torch.Tensor) and packed.dtype == torch.uint8 and packed.dim() == 2 \
            and packed.shape[1] == nbytes:
        return majority_vote(unpack_signs(packed, d), tie, generator=generator)
    msgs = list(packed) if not isinstance(packed, torch.Tensor) else list(packed.unbind(0))
    unpacked: list[object] = []
    reasons: dict[int, str] = {}
    for j, m in enumerate(msgs):
        if isinstance(m, torch.Tensor) and m.dtype == torch.uint8 and tuple(m.shape) == (nbytes,):
            unpacked.append(unpack_signs(m, d))
        else:
            desc = f"dtype {m.dtype}, shape {tuple(m.shape)}" if isinstance(m, torch.Tensor) else type(m).__name__
            reasons[j] = f"packed message must be uint8 of shape ({nbytes},); got {desc}"
            unpacked.append(None)
    result = _vote_messages(unpacked, tie, (d,), generator)
    result.malformed.update(reasons)
    return result


def bounds_tie_rule(tie: str, gradient_sign: int = 1) -> str:
    """The :mod:`bounds` tie rule that scores the server rule ``tie`` for a gradient of sign ``gradient_sign``.

    ``zero`` -> ``fail`` (a zero step is not the right sign), ``random`` -> ``random``,
    ``plus`` -> ``pass`` for a positive gradient and ``fail`` for a negative one.
    """
    check_choice("bounds_tie_rule", "tie", tie, SERVER_TIE_RULES)
    if tie == "plus":
        return "pass" if gradient_sign > 0 else "fail"
    return {"zero": "fail", "random": "random"}[tie]
