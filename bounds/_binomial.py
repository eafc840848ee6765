"""Binomial tails computed directly and in log space (internal).

The lower tail ``P[X <= k]`` of ``X ~ Binomial(m, p)`` is computed with the
regularised incomplete beta function, ``I_{1-p}(m - k, k + 1)``
(:func:`scipy.special.betainc`, Boost), never as ``1 - cdf``.  Cephes'
``scipy.special.bdtr`` is avoided on purpose: it loses up to four digits at
``m = 10**7`` (measured against mpmath, see ``tests/test_binomial.py``).

Where the tail underflows double precision, :func:`log_binom_cdf` switches to
Loader's saddle-point expansion of the probability mass function
(C. Loader, "Fast and accurate computation of binomial probabilities", 2000)
multiplied by the ratio series of the tail, all in log space.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import special as sc

_LOG_2PI = math.log(2.0 * math.pi)
_UNDERFLOW = 1e-280

# Exact stirlerr(n) = log(n!) - log(sqrt(2 pi n) (n/e)^n) for n = 0..15 is
# obtained from gammaln; the asymptotic series is used beyond.
_S0, _S1, _S2, _S3, _S4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188


def _stirlerr(n: NDArray[np.float64]) -> NDArray[np.float64]:
    n = np.asarray(n, dtype=float)
    out = np.empty_like(n)
    small = n <= 15
    ns = np.where(small, np.maximum(n, 1.0), 1.0)
    out[small] = (sc.gammaln(ns + 1) - (ns + 0.5) * np.log(ns) + ns - 0.5 * _LOG_2PI)[small]
    nl = np.where(small, 16.0, n)
    n2 = nl * nl
    series = (_S0 - (_S1 - (_S2 - (_S3 - _S4 / n2) / n2) / n2) / n2) / nl
    out[~small] = series[~small]
    return out


def _bd0(x: NDArray[np.float64], mu: NDArray[np.float64]) -> NDArray[np.float64]:
    """Deviance term ``x log(x/mu) + mu - x``, free of cancellation."""
    x, mu = np.broadcast_arrays(np.asarray(x, float), np.asarray(mu, float))
    out = np.empty(x.shape)
    near = np.abs(x - mu) < 0.1 * (x + mu)
    far = ~near
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out[far] = (x * np.log(x / mu) + mu - x)[far]
    if np.any(near):
        xn, mn = x[near], mu[near]
        v = (xn - mn) / (xn + mn)
        s = (xn - mn) * v
        ej = 2.0 * xn * v
        v2 = v * v
        for j in range(1, 200):
            ej = ej * v2
            s1 = s + ej / (2 * j + 1)
            if np.all(s1 == s):
                break
            s = s1
        out[near] = s
    return out


def log_binom_pmf(k: NDArray[np.float64], m: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log P[X = k]`` for ``X ~ Binomial(m, p)`` (Loader's algorithm)."""
    k, m, p = np.broadcast_arrays(*(np.asarray(a, float) for a in (k, m, p)))
    q = 1.0 - p
    out = np.full(k.shape, -np.inf)
    inside = (k >= 0) & (k <= m)
    with np.errstate(divide="ignore", invalid="ignore"):
        at0 = inside & (k == 0)
        out[at0] = sc.xlog1py(m, -p)[at0]
        atm = inside & (k == m) & (k > 0)
        out[atm] = sc.xlogy(m, p)[atm]
        mid = inside & (k > 0) & (k < m)
        if np.any(mid):
            km, mm, pm, qm = k[mid], m[mid], p[mid], q[mid]
            lc = (
                _stirlerr(mm)
                - _stirlerr(km)
                - _stirlerr(mm - km)
                - _bd0(km, mm * pm)
                - _bd0(mm - km, mm * qm)
            )
            lf = _LOG_2PI + np.log(km) + np.log1p(-km / mm)
            val = lc - 0.5 * lf
            val = np.where(pm == 0, -np.inf, val)
            val = np.where(qm == 0, -np.inf, val)
            out[mid] = val
    return out


def _tail(k: NDArray[np.float64], m: NDArray[np.float64], p: NDArray[np.float64], lower: bool) -> NDArray[np.float64]:
    """``P[X <= k]`` (``lower``) as ``I_{1-p}(m - k, k + 1)`` or ``P[X > k]`` as ``I_p(k + 1, m - k)``."""
    k, m, p = np.broadcast_arrays(*(np.asarray(a, float) for a in (k, m, p)))
    args = (m - k, k + 1.0, 1.0 - p) if lower else (k + 1.0, m - k, p)
    val = np.array(sc.betainc(*args), dtype=float)  # NaN where k < 0 or k >= m
    below, above = k < 0, k >= m
    if below.any():
        val[below] = 0.0 if lower else 1.0
    if above.any():
        val[above] = 1.0 if lower else 0.0
    return val


def binom_cdf(k: NDArray[np.float64], m: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """``P[X <= k]`` for ``X ~ Binomial(m, p)``; ``k`` may lie outside ``[0, m]``."""
    return _tail(k, m, p, lower=True)


def binom_sf(k: NDArray[np.float64], m: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """``P[X > k]`` computed directly as ``I_p(k + 1, m - k)`` (not as ``1 - cdf``)."""
    return _tail(k, m, p, lower=False)


def log_binom_cdf(k: NDArray[np.float64], m: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log P[X <= k]``, accurate where the tail underflows double precision."""
    k, m, p = np.broadcast_arrays(*(np.asarray(a, float) for a in (k, m, p)))
    direct = binom_cdf(k, m, p)
    with np.errstate(divide="ignore"):
        out = np.array(np.log(direct), dtype=float)
    deep = (direct < _UNDERFLOW) & (k >= 0) & (k < m) & (p > 0) & (p < 1)
    if np.any(deep):
        out[deep] = _log_lower_tail_series(k[deep], m[deep], p[deep])
    return out


def _log_lower_tail_series(k: NDArray[np.float64], m: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log P[X <= k]`` as ``log pmf(k) + log sum_j prod_i r_i`` with
    ``r_i = (k - i) q / ((m - k + i + 1) p)``, for ``k`` well below the mean
    (the only place a lower tail underflows), where the ratios are < 1."""
    q = 1.0 - p
    total = np.ones_like(k)
    term = np.ones_like(k)
    active = np.ones(k.shape, dtype=bool)
    i = 0
    while np.any(active):
        ratio = np.where(k - i > 0, (k - i) * q / ((m - k + i + 1.0) * p), 0.0)
        term = np.where(active, term * ratio, 0.0)
        total = total + term
        active &= term > 1e-18 * total
        i += 1
        if i > 10_000_000:  # pragma: no cover - defensive
            break
    return log_binom_pmf(k, m, p) + np.log(total)


def binom_pmf(k: NDArray[np.float64], m: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """``P[X = k]`` (0 outside ``[0, m]``)."""
    return np.exp(log_binom_pmf(k, m, p))
