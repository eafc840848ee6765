r"""Byzantine strategies: what the adversaries send, given what Definition 2.1 lets them know.

Every strategy takes one :class:`AttackContext` and returns the Byzantine
workers' votes, an int8 tensor of shape ``(B, *shape)`` with entries in
:math:`\{-1, 0, +1\}`:

* ``omniscient``: :math:`-\operatorname{sign}(g)` from every Byzantine worker (Theorem 3.5);
* ``blind``: each flips the sign of its own stochastic gradient (BZAA18);
* ``colluding``: they majority-vote their own stochastic gradients and all send the
  negation (0 where their own vote ties): the paper's MNIST attack;
* ``random``: independent fair random signs;
* ``abstain``: zeros;
* ``vote_aware``: sees this round's honest votes and sends :math:`-\operatorname{sign}(g)`
  only on coordinates where the full push makes the vote fail (or tie), 0 elsewhere.
  Theorem 3.5 says no strategy fails a round's vote more often than ``omniscient``;
  this one fails it on exactly the same coordinates, which the Monte Carlo engine
  lets a user check.

:data:`EXACT_LAW` maps each strategy to the :mod:`bounds` attack whose exact
vote-failure law it follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch

from .vote import _random_signs, sign_int8

__all__ = ["AttackContext", "ADVERSARIES", "EXACT_LAW", "get_adversary"]


@dataclass
class AttackContext:
    """What the Byzantine workers may use this round (Definition 2.1).

    ``true_sign``: :math:`\\operatorname{sign}(g)` per coordinate (int8, ``shape``);
    ``own_estimates``: the Byzantine workers' own stochastic gradients ``(B, *shape)``;
    ``honest_votes``: the honest workers' votes ``(M, *shape)`` (int8);
    ``tie``: the server's tie rule; ``generator``: for randomised strategies.
    """

    true_sign: torch.Tensor
    own_estimates: torch.Tensor
    honest_votes: torch.Tensor | None
    tie: str = "zero"
    generator: torch.Generator | None = None

    @property
    def byzantine(self) -> int:
        return int(self.own_estimates.shape[0])


Strategy = Callable[[AttackContext], torch.Tensor]


def omniscient(ctx: AttackContext) -> torch.Tensor:
    """Every Byzantine worker sends :math:`-\\operatorname{sign}(g)` (Theorem 3.5)."""
    return (-ctx.true_sign).expand(ctx.own_estimates.shape).to(torch.int8)


def blind(ctx: AttackContext) -> torch.Tensor:
    """Each Byzantine worker flips the sign of its own stochastic gradient (BZAA18)."""
    return sign_int8(ctx.own_estimates).neg_()


def colluding(ctx: AttackContext) -> torch.Tensor:
    """The Byzantine workers majority-vote their own estimates and all send the negation."""
    own = sign_int8(ctx.own_estimates).sum(0, dtype=torch.int32)
    return (-torch.sign(own)).to(torch.int8).expand(ctx.own_estimates.shape)


def random_signs(ctx: AttackContext) -> torch.Tensor:
    """Independent fair random signs."""
    return _random_signs(ctx.own_estimates.shape, ctx.own_estimates.device, ctx.generator)


def abstain(ctx: AttackContext) -> torch.Tensor:
    """Send 0 everywhere."""
    return torch.zeros(ctx.own_estimates.shape, dtype=torch.int8, device=ctx.own_estimates.device)


def vote_aware(ctx: AttackContext) -> torch.Tensor:
    """Spend the Byzantine votes only where they change the outcome.

    With honest tally :math:`H` and :math:`s = \\operatorname{sign}(g)`, sending
    :math:`-s` from all ``B`` workers gives :math:`H - Bs`; the strategy does so
    where :math:`sH - B \\le 0` (the vote then fails or ties) and sends 0 elsewhere.
    """
    if ctx.honest_votes is None:
        raise ValueError("vote_aware: the context must carry 'honest_votes'")
    h = ctx.honest_votes.sum(0, dtype=torch.int32)
    s = ctx.true_sign.to(torch.int32)
    push = (s * h - ctx.byzantine) <= 0
    one = (-ctx.true_sign).to(torch.int8)
    out = torch.where(push, one, torch.zeros_like(one))
    return out.expand(ctx.own_estimates.shape)


ADVERSARIES: dict[str, Strategy] = {
    "omniscient": omniscient,
    "blind": blind,
    "colluding": colluding,
    "random": random_signs,
    "abstain": abstain,
    "vote_aware": vote_aware,
}
"""Registered strategies by name."""

EXACT_LAW: dict[str, str] = {
    "omniscient": "omniscient",
    "blind": "blind",
    "colluding": "colluding",
    "random": "random",
    "abstain": "abstain",
    "vote_aware": "omniscient",
}
"""The :func:`bounds.vote_failure` attack that gives each strategy's exact failure probability
(``vote_aware`` fails the vote on exactly the coordinates the omniscient attack does)."""

NEEDS_HONEST_VOTES = {"vote_aware"}


def get_adversary(name: str) -> Strategy:
    """Look a strategy up by name."""
    if name not in ADVERSARIES:
        raise ValueError(f"get_adversary: argument 'name' must be one of {tuple(ADVERSARIES)}; got {name!r}")
    return ADVERSARIES[name]
