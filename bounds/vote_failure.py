r"""Exact probability that the majority vote on one coordinate fails.

``Q`` workers vote on the sign of one gradient coordinate; ``B`` of them are
Byzantine, the ``M = Q - B`` honest ones are each right with probability ``p``
(independently).  Let ``Z`` be the number of correct votes.  The vote fails
when the server's sign differs from the true sign:

.. math::

    \mathbb{P}[\text{fail}] = \mathbb{P}[Z < Q/2] + w\,\mathbb{P}[Z = Q/2],

with the tie weight ``w`` of the tie rule (``fail``: 1, ``random``: 1/2,
``pass``: 0; see :data:`bounds._domain.TIE_RULES`).  The paper's Section 3.3
scores the event :math:`Z < Q/2`, i.e. ``tie="pass"``.

Attacks with an exact law:

* ``omniscient`` (Theorem 3.5): every Byzantine vote is wrong, so
  :math:`Z = G \sim \mathrm{Binomial}(M, p)`;
* ``blind`` (BZAA18): each Byzantine flips its own estimate and is right with
  probability :math:`1-p`, so :math:`Z = G + H`,
  :math:`H \sim \mathrm{Binomial}(B, 1-p)`;
* ``colluding`` (the paper's MNIST attack): the Byzantine workers majority-vote
  their own estimates and all send the negation (0 when their own vote ties);
* ``random``: each Byzantine sends an independent fair random sign;
* ``abstain``: every Byzantine sends 0.

Heterogeneous workers (JLH+24) make ``Z`` Poisson-binomial
(:func:`vote_failure_heterogeneous`).

Kind: **exact**.  Lower tails are computed directly with the regularised
incomplete beta function and, in :func:`log_vote_failure`, in log space.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import logsumexp

from ._binomial import binom_cdf, binom_sf, log_binom_cdf, log_binom_pmf
from ._domain import (
    show,
    ATTACKS,
    BYZANTINE,
    PROBABILITY,
    TIE_RULES,
    TIE_WEIGHT,
    WORKERS,
    check,
    check_choice,
)
from ._registry import register

__all__ = [
    "vote_failure",
    "log_vote_failure",
    "vote_failure_heterogeneous",
    "poisson_binomial_pmf",
    "failure_thresholds",
    "check_workers",
]


def check_workers(func: str, workers: ArrayLike, byzantine: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Validate ``workers`` (Q >= 1) and ``byzantine`` (0 <= B <= Q)."""
    q = check(func, "workers", workers, WORKERS)
    b = check(func, "byzantine", byzantine, BYZANTINE)
    q, b = np.broadcast_arrays(q, b)
    if np.any(b > q):
        idx = np.flatnonzero((b > q).ravel())[0]
        raise ValueError(
            f"{func}: argument 'byzantine' must be an integer in [0, workers]; "
            f"got {show(b.ravel()[idx])} with workers={show(q.ravel()[idx])}"
        )
    return q, b


def failure_thresholds(workers: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(k_strict, k_tie)``: the vote fails surely when ``Z <= k_strict =
    ceil(Q/2) - 1`` and ties when ``Z = Q/2``; ``k_tie = floor(Q/2)``."""
    return np.floor((workers - 1.0) / 2.0), np.floor(workers / 2.0)


@register(
    kind="exact",
    source="Paper, Section 3.3 (Z ~ Binomial((1-alpha)Q, p)); BZAA18 Section 3 (blind adversaries)",
    params={"workers": WORKERS, "byzantine": BYZANTINE, "p": PROBABILITY},
    family="vote-failure",
    constraint=lambda workers, byzantine, **_: byzantine <= workers,
    probability=True,
    options={"attack": ATTACKS, "tie": TIE_RULES},
)
def vote_failure(
    workers: ArrayLike,
    byzantine: ArrayLike,
    p: ArrayLike,
    attack: str = "omniscient",
    tie: str = "fail",
) -> NDArray[np.float64]:
    r"""Exact probability that the majority vote on one coordinate fails.

    Parameters
    ----------
    workers
        Q, the total number of workers (integer >= 1).
    byzantine
        B, the number of Byzantine workers (integer in [0, Q]).
    p
        Probability that an honest worker's sign is right (in [0, 1]).
    attack
        ``"omniscient"`` (always wrong), ``"blind"`` (flip own estimate),
        ``"colluding"``, ``"random"`` or ``"abstain"`` (see the module text).
    tie
        Tie rule: ``"fail"``, ``"random"`` or ``"pass"`` (the paper's event).

    Returns
    -------
    numpy.ndarray
        :math:`\mathbb{P}[Z < Q/2] + w\,\mathbb{P}[Z = Q/2]`, broadcast over the inputs.

    Kind: **exact**.  Agrees with an independent mpmath evaluation to relative
    ``1e-10`` for Q up to ``1e7`` (use :func:`log_vote_failure` below ``1e-280``).
    """
    check_choice("vote_failure", "attack", attack, ATTACKS)
    if attack == "omniscient":
        return _omniscient("vote_failure", workers, byzantine, p, tie)
    return np.exp(_log_vote_failure("vote_failure", workers, byzantine, p, attack, tie))


def _omniscient(func: str, workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, tie: str) -> NDArray[np.float64]:
    check_choice(func, "tie", tie, TIE_RULES)
    q, b = check_workers(func, workers, byzantine)
    pp = check(func, "p", p, PROBABILITY)
    w = TIE_WEIGHT[tie]
    k_strict, k_tie = failure_thresholds(q)
    m = q - b
    if w == 1.0:
        return binom_cdf(k_tie, m, pp)
    out = binom_cdf(k_strict, m, pp)
    if w > 0.0:
        # (1 - w) P[Z <= k_strict] + w P[Z <= k_tie]: a sum of positive terms, no cancellation
        even = np.broadcast_to(k_tie != k_strict, out.shape)
        if np.any(even):
            kt, mm, pe = (np.broadcast_to(a, out.shape)[even] for a in (k_tie, m, pp))
            out = np.array(out, dtype=float)
            out[even] = (1.0 - w) * out[even] + w * binom_cdf(kt, mm, pe)
    return out


@register(
    kind="exact",
    source="Paper, Section 3.3; BZAA18 Section 3 (log space)",
    params={"workers": WORKERS, "byzantine": BYZANTINE, "p": PROBABILITY},
    family="vote-failure",
    constraint=lambda workers, byzantine, **_: byzantine <= workers,
    options={"attack": ATTACKS, "tie": TIE_RULES},
)
def log_vote_failure(
    workers: ArrayLike,
    byzantine: ArrayLike,
    p: ArrayLike,
    attack: str = "omniscient",
    tie: str = "fail",
) -> NDArray[np.float64]:
    r"""Natural logarithm of :func:`vote_failure`, accurate where it underflows.

    Kind: **exact** (log space; ``-inf`` only where the probability is 0).
    """
    return _log_vote_failure("log_vote_failure", workers, byzantine, p, attack, tie)


def _log_vote_failure(
    func: str, workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, attack: str, tie: str
) -> NDArray[np.float64]:
    check_choice(func, "attack", attack, ATTACKS)
    check_choice(func, "tie", tie, TIE_RULES)
    q, b = check_workers(func, workers, byzantine)
    pp = check(func, "p", p, PROBABILITY)
    q, b, pp = np.broadcast_arrays(q, b, pp)
    w = TIE_WEIGHT[tie]
    m = q - b
    if attack == "omniscient":
        return _log_fail_offset(m, -b, pp, w)
    if attack == "abstain":
        return _log_fail_offset(m, np.zeros_like(b), pp, w)
    if attack == "colluding":
        return _log_colluding(m, b, pp, w)
    k_strict, k_tie = failure_thresholds(q)
    out = np.empty(q.shape)
    for idx in np.ndindex(q.shape):
        byz_right = 1.0 - pp[idx] if attack == "blind" else 0.5
        out[idx] = _log_blind(q[idx], b[idx], pp[idx], byz_right, k_strict[idx], k_tie[idx], w)
    return out


def _log_fail_offset(m: NDArray[np.float64], c: NDArray[np.float64], p: NDArray[np.float64], w: float
                     ) -> NDArray[np.float64]:
    r"""log of :math:`P[2G - m + c < 0] + w\,P[2G - m + c = 0]`, :math:`G \sim \mathrm{Binomial}(m, p)`.

    ``c`` is the Byzantine workers' net contribution in units of the true sign.  The vote fails surely for
    :math:`G \le \lfloor (m - c - 1)/2 \rfloor` and ties at :math:`G = (m - c)/2`; the result is
    :math:`(1-w)P[G \le k_s] + w P[G \le k_t]`, a sum of positive terms.
    """
    k_s = np.floor((m - c - 1.0) / 2.0)
    k_t = np.floor((m - c) / 2.0)
    if w == 1.0:
        return log_binom_cdf(k_t, m, p)
    strict = log_binom_cdf(k_s, m, p)
    if w == 0.0:
        return strict
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.minimum(np.logaddexp(np.log1p(-w) + strict, np.log(w) + log_binom_cdf(k_t, m, p)), 0.0)


def _log_colluding(m: NDArray[np.float64], b: NDArray[np.float64], p: NDArray[np.float64], w: float
                   ) -> NDArray[np.float64]:
    """The colluding estimate: the B Byzantine workers take the majority of their own signs and all send its
    negation (0 when their own vote ties).  With C ~ Binomial(B, p) correct own signs, their net
    contribution is -B if C > B/2, +B if C < B/2 and 0 if C = B/2."""
    half = b / 2.0
    log_less = log_binom_cdf(np.ceil(half) - 1.0, b, p)  # C < B/2
    with np.errstate(divide="ignore", invalid="ignore"):
        log_more = np.log(np.maximum(binom_sf(np.floor(half), b, p), 0.0))  # C > B/2
        even = np.floor(half) == half
        log_eq = np.where(even, log_binom_pmf(half, b, p), -np.inf)
        terms = np.stack([
            log_more + _log_fail_offset(m, -b, p, w),
            log_less + _log_fail_offset(m, b, p, w),
            log_eq + _log_fail_offset(m, np.zeros_like(b), p, w),
        ])
        return np.minimum(logsumexp(terms, axis=0), 0.0)


def _log_blind(q: float, b: float, p: float, byz_right: float, k_strict: float, k_tie: float, w: float) -> float:
    """log P[G + H <= k] mixed over the tie rule, H ~ Binomial(B, byz_right), G ~ Binomial(Q - B, p).

    ``byz_right`` is 1 - p for the blind attack and 1/2 for random signs.  Sums over the values of H within
    40 standard deviations of its mean: the mass left out is below exp(-800), so the window is used when
    the result exceeds exp(-700) (relative error < exp(-100)); otherwise every value of H is summed.
    """
    m = q - b
    mean, sd = b * byz_right, float(np.sqrt(b * byz_right * (1.0 - byz_right)))
    window = np.arange(max(0.0, np.floor(mean - 40 * sd - 10)), min(b, np.ceil(mean + 40 * sd + 10)) + 1)
    full = np.arange(int(b) + 1, dtype=float)

    def log_le(k: float) -> float:
        for h in (window, full):
            val = min(float(logsumexp(log_binom_pmf(h, b, byz_right) + log_binom_cdf(k - h, m, p))), 0.0)
            if val > -700.0 or h.size == full.size:
                return val
        raise AssertionError("unreachable")  # pragma: no cover

    if w == 1.0:
        return log_le(k_tie)
    strict = log_le(k_strict)
    if w == 0.0 or k_tie == k_strict:
        return strict
    with np.errstate(invalid="ignore"):
        return float(np.logaddexp(np.log1p(-w) + strict, np.log(w) + log_le(k_tie)))


def poisson_binomial_pmf(probs: ArrayLike) -> NDArray[np.float64]:
    r"""Law of the number of successes of independent Bernoulli(:math:`p_j`) trials.

    ``probs`` has shape ``(..., V)``; the result has shape ``(..., V + 1)``.
    Computed by the exact convolution recursion (no cancellation).  Kind: **exact**.
    """
    pr = check("poisson_binomial_pmf", "probs", probs, PROBABILITY)
    if pr.ndim == 0:
        pr = pr[None]
    v = pr.shape[-1]
    dist = np.zeros(pr.shape[:-1] + (v + 1,))
    dist[..., 0] = 1.0
    for j in range(v):
        pj = pr[..., j, None]
        shifted = np.zeros_like(dist)
        shifted[..., 1:] = dist[..., :-1]
        dist = dist * (1.0 - pj) + shifted * pj
    return dist


@register(
    kind="exact",
    source="JLH+24, heterogeneous workers (probabilities p_j); Paper, Section 4",
    params={},
    family="vote-failure",
    probability=True,
    options={"attack": ATTACKS, "tie": TIE_RULES},
)
def vote_failure_heterogeneous(
    p_honest: ArrayLike,
    byzantine: int = 0,
    attack: str = "omniscient",
    tie: str = "fail",
    p_byzantine: ArrayLike | None = None,
) -> NDArray[np.float64]:
    r"""Exact vote failure when honest worker ``j`` is right with its own :math:`p_j`.

    ``p_honest`` has shape ``(..., M)``.  ``byzantine`` more workers vote:
    always wrong (``omniscient``) or, for ``blind``, right with probability
    :math:`1 - p_b` where ``p_byzantine`` (shape ``(..., B)``, default: the
    mean of ``p_honest``) is their own sign accuracy.  ``Z`` is then
    Poisson-binomial and the failure probability is
    :math:`\mathbb{P}[Z < Q/2] + w\,\mathbb{P}[Z = Q/2]`, ``Q = M + B``.

    Kind: **exact**.  Cost :math:`O(Q^2)`.
    """
    func = "vote_failure_heterogeneous"
    check_choice(func, "attack", attack, ATTACKS)
    check_choice(func, "tie", tie, TIE_RULES)
    ph = check(func, "p_honest", p_honest, PROBABILITY)
    if ph.ndim == 0:
        ph = ph[None]
    b = int(check(func, "byzantine", byzantine, BYZANTINE))
    if attack == "omniscient":
        voters = np.concatenate([ph, np.zeros(ph.shape[:-1] + (b,))], axis=-1)
    else:
        if p_byzantine is None:
            pb = np.repeat(ph.mean(axis=-1, keepdims=True), b, axis=-1)
        else:
            pb = check(func, "p_byzantine", p_byzantine, PROBABILITY)
            pb = np.broadcast_to(pb, ph.shape[:-1] + (b,))
        voters = np.concatenate([ph, 1.0 - pb], axis=-1)
    q = voters.shape[-1]
    dist = poisson_binomial_pmf(voters)
    k_strict, k_tie = (q - 1) // 2, q // 2
    out = dist[..., : k_strict + 1].sum(axis=-1)
    if k_tie != k_strict:
        out = out + TIE_WEIGHT[tie] * dist[..., k_tie]
    return np.minimum(out, 1.0)
