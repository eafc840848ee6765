r"""Tighter tail bounds on the vote failure: Chernoff--KL and Hoeffding.

The vote fails (ties scored as failures, the conservative case) when
:math:`Z \le k = \lfloor Q/2 \rfloor`, where ``Z`` counts correct votes.  For
a sum of independent Bernoulli variables with mean :math:`\mu > k`
(Hoeffding 1963, Theorem 1 and its eq. (2.3)):

.. math::

    \mathbb{P}[Z \le k] \le \exp\!\big(-V\,\mathrm{KL}(k/V \,\|\, \mu/V)\big)
    \le \exp\!\big(-2(\mu - k)^2/V\big),

where ``V`` is the number of random votes: the ``M = Q - B`` honest votes
under the omniscient attack (the Byzantine votes are then constant), all ``Q``
votes under the blind attack (:math:`\mu = Mp + B(1-p)`) and random signs
(:math:`\mu = Mp + B/2`), the ``M`` honest votes alone (threshold
:math:`\lfloor M/2 \rfloor`) when the Byzantine workers abstain.  The
colluding attack is bounded through the omniscient one, which dominates every
strategy (Theorem 3.5).  Where :math:`\mu \le k` the bounds are the trivial 1.

Kind: **upper bounds** on :func:`bounds.vote_failure.vote_failure` for every
tie rule.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import xlogy

from ._domain import ATTACKS, BYZANTINE, PROBABILITY, WORKERS, check, check_choice
from ._registry import register
from .vote_failure import check_workers, failure_thresholds

__all__ = ["chernoff_kl", "hoeffding", "log_chernoff_kl", "bernoulli_kl"]


def bernoulli_kl(a: ArrayLike, b: ArrayLike) -> NDArray[np.float64]:
    r""":math:`\mathrm{KL}(a\|b) = a\log\frac ab + (1-a)\log\frac{1-a}{1-b}` (``xlogy`` at the end points)."""
    a = np.asarray(a, float)
    b = np.asarray(b, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return xlogy(a, a) - xlogy(a, b) + xlogy(1 - a, 1 - a) - xlogy(1 - a, 1 - b)


def _setup(func: str, workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, attack: str
           ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Return ``(V, mu, k)``: number of random votes, their mean, failure threshold (fail iff count <= k)."""
    check_choice(func, "attack", attack, ATTACKS)
    q, b = check_workers(func, workers, byzantine)
    pp = check(func, "p", p, PROBABILITY)
    q, b, pp = np.broadcast_arrays(q, b, pp)
    _, k = failure_thresholds(q)
    m = q - b
    if attack in ("omniscient", "colluding"):  # colluding: bounded by the omniscient attack (Theorem 3.5)
        return m, m * pp, k
    if attack == "abstain":  # the vote of the M honest workers alone
        return m, m * pp, np.floor(m / 2.0)
    byz_right = 1 - pp if attack == "blind" else 0.5
    return q, m * pp + b * byz_right, k


_PARAMS = {"workers": WORKERS, "byzantine": BYZANTINE, "p": PROBABILITY}


def _constraint(workers: float, byzantine: float, **_: float) -> bool:
    return byzantine <= workers


@register(kind="upper", source="Chernoff-Hoeffding KL bound (Hoeffding 1963, Thm 1); a tighter alternative to Section 3.3",
          params=_PARAMS, family="vote-failure", constraint=_constraint, probability=False,
          options={"attack": ATTACKS})
def log_chernoff_kl(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, attack: str = "omniscient") -> NDArray[np.float64]:
    r"""Log of :func:`chernoff_kl`: :math:`-V\,\mathrm{KL}(k/V\|\mu/V)` where :math:`\mu > k`, else 0.

    Kind: **upper bound** (log space).
    """
    return _log_chernoff_kl("log_chernoff_kl", workers, byzantine, p, attack)


def _log_chernoff_kl(func: str, workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, attack: str
                     ) -> NDArray[np.float64]:
    v, mu, k = _setup(func, workers, byzantine, p, attack)
    below = mu > k
    vs = np.where(v > 0, v, 1.0)
    with np.errstate(invalid="ignore"):
        expo = -v * bernoulli_kl(k / vs, mu / vs)
    return np.where(below & (v > 0), expo, 0.0)


@register(kind="upper", source="Chernoff-Hoeffding KL bound (Hoeffding 1963, Thm 1); a tighter alternative to Section 3.3",
          params=_PARAMS, family="vote-failure", constraint=_constraint, probability=True,
          options={"attack": ATTACKS})
def chernoff_kl(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, attack: str = "omniscient") -> NDArray[np.float64]:
    r"""Chernoff--KL bound :math:`\exp(-V\,\mathrm{KL}(k/V\|\mu/V))` on the vote failure.

    Kind: **upper bound**, valid for any tie rule.
    """
    return np.exp(_log_chernoff_kl("chernoff_kl", workers, byzantine, p, attack))


@register(kind="upper", source="Hoeffding's inequality (Hoeffding 1963, eq. (2.3))",
          params=_PARAMS, family="vote-failure", constraint=_constraint, probability=True,
          options={"attack": ATTACKS})
def hoeffding(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, attack: str = "omniscient") -> NDArray[np.float64]:
    r"""Hoeffding bound :math:`\exp(-2(\mu - k)^2/V)` on the vote failure (1 where :math:`\mu \le k`).

    Kind: **upper bound**, valid for any tie rule; looser than :func:`chernoff_kl`.
    """
    v, mu, k = _setup("hoeffding", workers, byzantine, p, attack)
    vs = np.where(v > 0, v, 1.0)
    return np.where((mu > k) & (v > 0), np.exp(-2.0 * (mu - k) ** 2 / vs), 1.0)
