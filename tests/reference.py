"""Independent high-precision references (mpmath), written without the package's formulas."""

from __future__ import annotations

import mpmath as mp

mp.mp.dps = 50


def binom_cdf(k: int, m: int, p: float) -> mp.mpf:
    """P[X <= k], X ~ Binomial(m, p), by summing the mass downwards from k with exact ratios."""
    if k < 0:
        return mp.mpf(0)
    if k >= m:
        return mp.mpf(1)
    p = mp.mpf(p)
    q = 1 - p
    if p == 0:
        return mp.mpf(1)
    if q == 0:
        return mp.mpf(0)
    log_pmf = mp.loggamma(m + 1) - mp.loggamma(k + 1) - mp.loggamma(m - k + 1) + k * mp.log(p) + (m - k) * mp.log(q)
    term, total, j = mp.mpf(1), mp.mpf(0), k
    while j >= 0:
        total += term
        if term < total * mp.mpf(10) ** -45:
            break
        term = term * j * q / ((m - j + 1) * p)
        j -= 1
    return mp.exp(log_pmf) * total


def vote_failure(q: int, b: int, p: float, attack: str, tie_weight: float) -> mp.mpf:
    """Vote failure by explicit convolution of the honest and Byzantine laws (small Q)."""
    p = mp.mpf(p)
    m = q - b
    honest = [mp.binomial(m, z) * p**z * (1 - p) ** (m - z) for z in range(m + 1)]
    if attack == "omniscient":
        byz = [mp.mpf(1)]
    else:
        byz = [mp.binomial(b, h) * (1 - p) ** h * p ** (b - h) for h in range(b + 1)]
    total = mp.mpf(0)
    for z, pz in enumerate(honest):
        for h, ph in enumerate(byz):
            if 2 * (z + h) < q:
                total += pz * ph
            elif 2 * (z + h) == q:
                total += tie_weight * pz * ph
    return total


def omniscient_failure_large(q: int, b: int, p: float, tie_weight: float) -> mp.mpf:
    """Omniscient vote failure for large Q through :func:`binom_cdf`."""
    m = q - b
    strict = binom_cdf((q - 1) // 2, m, p)
    if q % 2 or tie_weight == 0:
        return strict
    return strict + tie_weight * (binom_cdf(q // 2, m, p) - strict)
