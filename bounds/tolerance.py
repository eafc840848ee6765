r"""Tolerance: how many Byzantine workers the majority vote survives.

* The paper's threshold (Section 3.3): :math:`\alpha < \alpha^*(p) = 1 - \frac{1}{2p}`,
  equivalently :math:`\mathbb{E}Z = (1-\alpha)Qp > Q/2`.
* JLH+24 (Theorem 4, strongest attack, as restated in the paper's
  Section 4.1): :math:`K < (2p - 1)M` Byzantine workers next to ``M`` honest ones.
  With :math:`K = \alpha Q`, :math:`M = (1-\alpha)Q` the two are equivalent.
* Inverse questions: the smallest batch size ``n`` for which a given
  :math:`\alpha` is tolerated, and the exact tolerance (largest ``B`` whose
  exact vote failure stays below a target).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special as sc

from ._domain import (
    FRACTION,
    OPEN_PROBABILITY,
    PROBABILITY,
    SNR,
    TIE_RULES,
    WORKERS,
    Domain,
    check,
    check_choice,
)
from ._registry import register
from .noise import GAUSSIAN, NoiseFamily
from .vote_failure import vote_failure

__all__ = [
    "alpha_star",
    "max_byzantine",
    "jlh24_max_byzantine",
    "max_byzantine_exact",
    "min_batch_for_alpha",
]

_POSITIVE_P = Domain(0.0, 1.0, lo_closed=False)
_MONOTONE_ATTACKS = ("omniscient", "blind")
"""Attacks whose vote failure grows with B (see :func:`max_byzantine_exact`)."""
_HONEST = Domain(0, math.inf, hi_closed=False, integer=True)


@register(kind="threshold", source="Paper, Section 3.3 (alpha < 1 - 1/(2p)) and Theorem 3.7",
          params={"p": _POSITIVE_P}, family="tolerance")
def alpha_star(p: ArrayLike) -> NDArray[np.float64]:
    r"""The paper's tolerance threshold :math:`\alpha^*(p) = 1 - \frac{1}{2p}`.

    The chain of Section 3.3 (and Theorem 3.7) holds for Byzantine fractions
    :math:`\alpha < \alpha^*(p)`; it is negative for :math:`p < 1/2` and
    reaches 1/2 at :math:`p = 1`.  It is *not* linear in p (it is concave).

    Kind: **threshold** (the condition :math:`\mathbb{E}Z > Q/2`).
    """
    pp = check("alpha_star", "p", p, _POSITIVE_P)
    with np.errstate(over="ignore"):
        return 1.0 - 1.0 / (2.0 * pp)


@register(kind="threshold", source="Paper, Section 3.3: largest integer B with B/Q < 1 - 1/(2p)",
          params={"workers": WORKERS, "p": PROBABILITY}, family="tolerance")
def max_byzantine(workers: ArrayLike, p: ArrayLike) -> NDArray[np.float64]:
    r"""Largest Byzantine count ``B`` with :math:`B/Q < 1 - \frac1{2p}`, i.e. :math:`2p(Q - B) > Q`.

    Returns ``-1`` where not even ``B = 0`` qualifies (:math:`p \le 1/2`).
    The integer condition is evaluated directly, so no rounding of
    :math:`Q\alpha^*` can put ``B`` on the wrong side of the threshold.

    Kind: **threshold** (paper's condition; see :func:`max_byzantine_exact`
    for the exact tolerance).
    """
    q = check("max_byzantine", "workers", workers, WORKERS)
    pp = check("max_byzantine", "p", p, PROBABILITY)
    q, pp = np.broadcast_arrays(q, pp)
    with np.errstate(divide="ignore", over="ignore"):
        guess = np.where(pp > 0, np.ceil(q * (1.0 - 1.0 / (2.0 * np.where(pp > 0, pp, 1.0)))), -1.0)
    b = np.clip(guess, -1.0, q)
    for _ in range(3):  # repair floating rounding of the guess
        ok = (b >= 0) & (2.0 * pp * (q - b) > q)
        b = np.where((b >= 0) & ~ok, b - 1.0, b)
    up = (b + 1 <= q) & (2.0 * pp * (q - b - 1) > q)
    return np.where(up, b + 1, b)


@register(kind="threshold", source="JLH+24, Theorem 4 (strongest attack), as restated in the paper's Section 4.1: K < (2p-1)M",
          params={"honest": _HONEST, "p": PROBABILITY}, family="tolerance")
def jlh24_max_byzantine(honest: ArrayLike, p: ArrayLike) -> NDArray[np.float64]:
    r"""Largest Byzantine count ``K`` with :math:`K < (2p - 1)M` next to ``M`` honest workers.

    Returns ``-1`` where no ``K >= 0`` qualifies.  Kind: **threshold**.
    """
    m = check("jlh24_max_byzantine", "honest", honest, _HONEST)
    pp = check("jlh24_max_byzantine", "p", p, PROBABILITY)
    m, pp = np.broadcast_arrays(m, pp)
    limit = (2.0 * pp - 1.0) * m
    k = np.ceil(limit) - 1.0
    k = np.where(k + 1 < limit, k + 1, k)
    return np.maximum(k, -1.0)


@register(kind="threshold", source="Exact tolerance: largest B whose exact vote failure is at most `target` (tighter alternative)",
          params={"workers": WORKERS, "p": PROBABILITY, "target": OPEN_PROBABILITY}, family="tolerance",
          options={"attack": _MONOTONE_ATTACKS, "tie": TIE_RULES})
def max_byzantine_exact(
    workers: ArrayLike, p: ArrayLike, target: ArrayLike = 0.5, attack: str = "omniscient", tie: str = "fail"
) -> NDArray[np.float64]:
    r"""Largest ``B`` in ``[0, Q]`` whose exact vote failure is ``<= target``; ``-1`` if none.

    One more Byzantine worker replaces a vote that is right with probability
    ``p`` by one that is right with probability 0 (omniscient) or
    :math:`1 - p` (blind), so the number of correct votes decreases
    stochastically and the failure probability increases with ``B`` whenever
    :math:`1 - p \le p`; a bisection over ``B`` is then exact.  For the blind
    attack with :math:`p < 1/2` every ``B`` is scanned.

    Kind: **threshold** computed from the **exact** probability.
    """
    func = "max_byzantine_exact"
    check_choice(func, "attack", attack, _MONOTONE_ATTACKS)
    check_choice(func, "tie", tie, TIE_RULES)
    q = check(func, "workers", workers, WORKERS)
    pp = check(func, "p", p, PROBABILITY)
    t = check(func, "target", target, OPEN_PROBABILITY)
    q, pp, t = np.broadcast_arrays(q, pp, t)
    out = np.empty(q.shape)
    for idx in np.ndindex(q.shape):
        qi, pi, ti = q[idx], pp[idx], t[idx]
        if attack == "blind" and pi < 0.5:
            allb = np.arange(int(qi) + 1, dtype=float)
            ok = np.flatnonzero(vote_failure(qi, allb, pi, attack, tie) <= ti)
            out[idx] = float(ok.max()) if ok.size else -1.0
            continue
        lo, hi = -1, int(qi)  # invariant: failure(lo) <= t (lo = -1 virtual), answer in [lo, hi]
        if vote_failure(qi, hi, pi, attack, tie) <= ti:
            out[idx] = hi
            continue
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if vote_failure(qi, mid, pi, attack, tie) <= ti:
                lo = mid
            else:
                hi = mid
        out[idx] = lo
    return out


def _smallest_batch(ok: Callable[[int], bool], guess: int) -> float:
    """Smallest integer n >= 1 with ``ok(n)``, for ``ok`` monotone in n: gallop from ``guess``, then bisect."""
    if ok(1):
        return 1.0
    hi = max(guess, 2)
    while not ok(hi):
        hi *= 2
        if hi > 2**62:
            return math.inf
    step, lo = 1, hi - 1
    while lo > 1 and ok(lo):
        hi = lo
        step *= 2
        lo = max(1, hi - step)
    while hi - lo > 1:  # invariant: not ok(lo), ok(hi)
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if ok(mid) else (mid, hi)
    return float(hi)


@register(kind="threshold", source="Inverse of the paper's threshold: smallest n with alpha < 1 - 1/(2 p(sqrt(n) S))",
          params={"alpha": FRACTION, "snr": SNR}, family="tolerance")
def min_batch_for_alpha(alpha: ArrayLike, snr: ArrayLike, family: NoiseFamily = GAUSSIAN) -> NDArray[np.float64]:
    r"""Smallest batch size ``n`` at which a Byzantine fraction :math:`\alpha` is tolerated.

    Solves :math:`\alpha < 1 - \frac{1}{2p(\sqrt n S)}`, i.e.
    :math:`p > \frac{1}{2(1-\alpha)}`.  For Gaussian noise
    :math:`p = \Phi(\sqrt n S)` and :math:`n > (\Phi^{-1}(\frac{1}{2(1-\alpha)})/S)^2`;
    other families are solved by doubling and bisection on ``n`` (which
    assumes, as holds for the registered families, that p grows with ``n``).  ``inf``
    where :math:`\alpha \ge 1/2` (no batch suffices).

    Kind: **threshold** (inverse question).
    """
    a = check("min_batch_for_alpha", "alpha", alpha, FRACTION)
    s = check("min_batch_for_alpha", "snr", snr, SNR)
    a, s = np.broadcast_arrays(a, s)
    need = 1.0 / (2.0 * (1.0 - a))  # p must exceed this
    out = np.full(a.shape, np.inf)
    for idx in np.ndindex(a.shape):
        if need[idx] >= 1.0:
            continue
        guess = 1
        if family is GAUSSIAN:
            with np.errstate(over="ignore"):
                x = float((sc.ndtri(need[idx]) / s[idx]) ** 2)
            if not math.isfinite(x) or x > 2.0**62:
                out[idx] = x if math.isfinite(x) else np.inf
                continue
            guess = max(1, int(math.floor(x)) + 1)
        out[idx] = _smallest_batch(lambda n, i=idx: float(family.p_correct(s[i], n)) > need[i], guess)
    return out
