"""Hypothesis strategies drawn from the same domain declarations the code validates with."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from bounds._domain import BATCH, BYZANTINE, DOF, PROBABILITY, SNR, WORKERS, Domain


def from_domain(domain: Domain, lo: float | None = None, hi: float | None = None) -> st.SearchStrategy[float]:
    """Values inside ``domain`` (optionally narrowed to ``[lo, hi]`` to keep tests fast)."""
    a = domain.lo if lo is None else max(lo, domain.lo)
    b = domain.hi if hi is None else min(hi, domain.hi)
    if domain.integer:
        return st.integers(int(math.ceil(a)), int(math.floor(min(b, 10**9))))
    return st.floats(
        min_value=a,
        max_value=b,
        exclude_min=not domain.lo_closed and a == domain.lo,
        exclude_max=not domain.hi_closed and b == domain.hi,
        allow_nan=False,
        allow_infinity=False,
    )


def outside(domain: Domain) -> st.SearchStrategy[float]:
    """Values that ``domain`` must reject: NaN, infinities, values beyond its ends, non-integers."""
    bad: list[st.SearchStrategy[float]] = [st.just(math.nan)]
    if math.isfinite(domain.lo):
        bad.append(st.just(domain.lo - 1.0))
        if not domain.lo_closed:
            bad.append(st.just(domain.lo))
    else:
        bad.append(st.just(-math.inf))
    if math.isfinite(domain.hi):
        bad.append(st.just(domain.hi + 1.0))
        if not domain.hi_closed:
            bad.append(st.just(domain.hi))
    else:
        bad.append(st.just(math.inf))
    if domain.integer:
        bad.append(st.just(domain.lo + 0.5))
    return st.one_of(bad)


snrs = from_domain(SNR, 1e-3, 50.0)
batches = from_domain(BATCH, hi=64)
probabilities = from_domain(PROBABILITY)
dofs = from_domain(DOF, 2.05, 50.0)


@st.composite
def vote_params(draw: st.DrawFn, max_workers: int = 300) -> tuple[int, int, float]:
    """(Q, B, p) with 0 <= B <= Q."""
    q = draw(from_domain(WORKERS, hi=max_workers))
    b = draw(from_domain(BYZANTINE, hi=q))
    return q, b, draw(probabilities)


@st.composite
def chain_params(draw: st.DrawFn, max_workers: int = 300) -> tuple[int, int, float]:
    """(Q, B, p) inside the chain's domain: p > 1/2 and 2p(Q - B) > Q."""
    q = draw(from_domain(WORKERS, hi=max_workers))
    p = draw(st.floats(min_value=0.5, max_value=1.0, exclude_min=True))
    b_max = q - 1
    while b_max >= 0 and not 2 * p * (q - b_max) > q:
        b_max -= 1
    if b_max < 0:
        b_max = 0
        p = 1.0
    b = draw(st.integers(0, b_max))
    return q, b, p
