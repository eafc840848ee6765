r"""Convergence rates: the paper's Theorem 3.7 and BZAA18's Theorem 2.

All rates bound :math:`\big[\frac1K\sum_{k<K}\mathbb{E}\|g_k\|_1\big]^2` after
``K`` iterations with learning rate :math:`\eta = \sqrt{(f_0-f_*)/(\|L\|_1 K)}`,
batch ``n = K`` and :math:`N = K^2` gradient calls per worker.  Write
:math:`\Delta = f_0 - f_*` and
:math:`h(\alpha, p) = \frac{\sqrt{1-\alpha}\,(p-\frac12)}{(1-\alpha)p - \frac12}`.

* Theorem 3.7 **as stated**:
  :math:`\frac{4}{\sqrt N}\Big[\frac{\|\sigma\|_1}{4\sqrt Q}\frac{\sqrt{(1-\alpha)p}}{(1-\alpha)p-\frac12}
  + \sqrt{\|L\|_1\Delta}\Big]^2`.
* Theorem 3.7 **as its proof ends**:
  :math:`\frac{4}{\sqrt N}\Big[\frac{\|\sigma\|_1}{4\sqrt Q}h(\alpha,p) + \sqrt{\|L\|_1\Delta}\Big]^2`
  (a different expression from the statement).
* **Re-derived** from BZAA18's descent argument,
  :math:`\mathbb{E}[f_{k+1}-f_k] \le -\eta\|g_k\|_1 + \frac{\eta^2}{2}\|L\|_1
  + 2\eta\sum_i |g_{k,i}|\,\mathbb{P}[\text{vote fails on } i]`,
  with the failure bound :math:`\frac{h(\alpha,p)}{S_i\sqrt Q}` of
  :func:`bounds.cantelli.rederived_final` (:math:`S_i = \sqrt n|g_i|/\sigma_i`):

  .. math::

      \Big[\frac1K\sum_k \mathbb{E}\|g_k\|_1\Big]^2
      \le \frac{1}{\sqrt N}\Big[\tfrac32\sqrt{\|L\|_1\Delta} + \frac{2\|\sigma\|_1}{\sqrt Q}h(\alpha,p)\Big]^2
      \le \frac{4}{\sqrt N}\Big[\frac{\|\sigma\|_1}{\sqrt Q}h(\alpha,p) + \sqrt{\|L\|_1\Delta}\Big]^2.

  :func:`theorem_3_7_descent` is the first, tighter form; :func:`theorem_3_7_rederived`
  the second, in the shape of the theorem.  At :math:`\alpha = 0` the latter is
  BZAA18's bound.
* BZAA18 Theorem 2 (blind adversaries, :math:`\alpha < 1/2`):
  :math:`\frac{4}{\sqrt N}\Big[\frac{\|\sigma\|_1}{(1-2\alpha)\sqrt M} + \sqrt{\|L\|_1\Delta}\Big]^2`.

The paper's rates take one ``p`` for every coordinate and iterate; the
descent argument needs :math:`(1-\alpha)p_{k,i} > 1/2` at every coordinate
and iterate, which fails as :math:`g_{k,i} \to 0` (then :math:`p_{k,i} \to 1/2`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._domain import show, FRACTION, ITERATIONS, NONNEGATIVE, PROBABILITY, WORKERS, Domain, check, check_choice
from ._registry import register

__all__ = [
    "theorem_3_7_stated",
    "theorem_3_7_proof_end",
    "theorem_3_7_rederived",
    "theorem_3_7_descent",
    "bzaa18_theorem_2",
]

_HALF_FRACTION = Domain(0.0, 0.5, hi_closed=False)
_PARAMS = {
    "iterations": ITERATIONS,
    "workers": WORKERS,
    "alpha": FRACTION,
    "p": PROBABILITY,
    "sigma_l1": NONNEGATIVE,
    "smoothness_l1": NONNEGATIVE,
    "f_gap": NONNEGATIVE,
}


def _constraint(alpha: float, p: float, **_: float) -> bool:
    return bool(p > 0.5 and (1 - alpha) * (p - 0.5) - 0.5 * alpha > 0)


def _validate(func: str, iterations: ArrayLike, workers: ArrayLike, alpha: ArrayLike, p: ArrayLike,
              sigma_l1: ArrayLike, smoothness_l1: ArrayLike, f_gap: ArrayLike, invalid: str
              ) -> tuple[NDArray[np.float64], ...]:
    check_choice(func, "invalid", invalid, ("raise", "nan"))
    vals = [check(func, name, v, _PARAMS[name]) for name, v in (
        ("iterations", iterations), ("workers", workers), ("alpha", alpha), ("p", p),
        ("sigma_l1", sigma_l1), ("smoothness_l1", smoothness_l1), ("f_gap", f_gap))]
    k, q, a, pp, sig, lip, gap = np.broadcast_arrays(*vals)
    ok = (pp > 0.5) & ((1 - a) * (pp - 0.5) - 0.5 * a > 0)
    if invalid == "raise" and not np.all(ok):
        i = np.flatnonzero(~ok.ravel())[0]
        raise ValueError(
            f"{func}: argument 'alpha' must be a real number in [0, 1 - 1/(2p)) with p in (1/2, 1]; "
            f"got alpha={show(a.ravel()[i])} with p={show(pp.ravel()[i])}"
        )
    return k, q, a, pp, sig, lip, gap, ok


def _h(a: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """:math:`h(\alpha, p)`, with the margin written :math:`(1-\alpha)(p - 1/2) - \alpha/2` (no cancellation)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(1 - a) * (p - 0.5) / ((1 - a) * (p - 0.5) - 0.5 * a)


def _shape(k: NDArray[np.float64], noise: NDArray[np.float64], lip: NDArray[np.float64],
           gap: NDArray[np.float64], ok: NDArray[np.bool_]) -> NDArray[np.float64]:
    n_calls = k * k
    return np.where(ok, 4.0 / np.sqrt(n_calls) * (noise + np.sqrt(lip * gap)) ** 2, np.nan)


_SRC = "Paper, Theorem 3.7"


@register(kind="rate", source=f"{_SRC}, statement", params=_PARAMS, family="convergence", constraint=_constraint)
def theorem_3_7_stated(iterations: ArrayLike, workers: ArrayLike, alpha: ArrayLike, p: ArrayLike,
                       sigma_l1: ArrayLike, smoothness_l1: ArrayLike, f_gap: ArrayLike,
                       invalid: str = "raise") -> NDArray[np.float64]:
    r"""Theorem 3.7 as stated:
    :math:`\frac{4}{\sqrt N}\big[\frac{\|\sigma\|_1}{4\sqrt Q}\frac{\sqrt{(1-\alpha)p}}{(1-\alpha)p-1/2} + \sqrt{\|L\|_1\Delta}\big]^2`.

    Kind: claimed **upper bound** on the squared mean gradient norm (a rate).
    """
    k, q, a, pp, sig, lip, gap, ok = _validate("theorem_3_7_stated", iterations, workers, alpha, p,
                                                sigma_l1, smoothness_l1, f_gap, invalid)
    with np.errstate(invalid="ignore", divide="ignore"):
        noise = sig / (4 * np.sqrt(q)) * np.sqrt((1 - a) * pp) / ((1 - a) * (pp - 0.5) - 0.5 * a)
    return _shape(k, noise, lip, gap, ok)


@register(kind="rate", source=f"{_SRC}, last display of its proof", params=_PARAMS, family="convergence",
          constraint=_constraint)
def theorem_3_7_proof_end(iterations: ArrayLike, workers: ArrayLike, alpha: ArrayLike, p: ArrayLike,
                          sigma_l1: ArrayLike, smoothness_l1: ArrayLike, f_gap: ArrayLike,
                          invalid: str = "raise") -> NDArray[np.float64]:
    r"""Theorem 3.7 as its proof ends:
    :math:`\frac{4}{\sqrt N}\big[\frac{\|\sigma\|_1}{4\sqrt Q}h(\alpha,p) + \sqrt{\|L\|_1\Delta}\big]^2`.

    Kind: claimed **upper bound** (a rate).
    """
    k, q, a, pp, sig, lip, gap, ok = _validate("theorem_3_7_proof_end", iterations, workers, alpha, p,
                                                sigma_l1, smoothness_l1, f_gap, invalid)
    return _shape(k, sig / (4 * np.sqrt(q)) * _h(a, pp), lip, gap, ok)


@register(kind="rate", source=f"{_SRC}, re-derived with BZAA18's descent argument and the re-derived failure constant",
          params=_PARAMS, family="convergence", constraint=_constraint)
def theorem_3_7_rederived(iterations: ArrayLike, workers: ArrayLike, alpha: ArrayLike, p: ArrayLike,
                          sigma_l1: ArrayLike, smoothness_l1: ArrayLike, f_gap: ArrayLike,
                          invalid: str = "raise") -> NDArray[np.float64]:
    r"""Theorem 3.7 re-derived:
    :math:`\frac{4}{\sqrt N}\big[\frac{\|\sigma\|_1}{\sqrt Q}h(\alpha,p) + \sqrt{\|L\|_1\Delta}\big]^2`.

    Kind: **upper bound** (a rate), under the theorem's assumptions with
    :math:`(1-\alpha)p > 1/2` at every coordinate and iterate.
    """
    k, q, a, pp, sig, lip, gap, ok = _validate("theorem_3_7_rederived", iterations, workers, alpha, p,
                                                sigma_l1, smoothness_l1, f_gap, invalid)
    return _shape(k, sig / np.sqrt(q) * _h(a, pp), lip, gap, ok)


@register(kind="rate", source=f"{_SRC}, re-derived, before loosening 3/2 to 2", params=_PARAMS,
          family="convergence", constraint=_constraint)
def theorem_3_7_descent(iterations: ArrayLike, workers: ArrayLike, alpha: ArrayLike, p: ArrayLike,
                        sigma_l1: ArrayLike, smoothness_l1: ArrayLike, f_gap: ArrayLike,
                        invalid: str = "raise") -> NDArray[np.float64]:
    r"""The descent argument's own bound,
    :math:`\frac{1}{\sqrt N}\big[\frac32\sqrt{\|L\|_1\Delta} + \frac{2\|\sigma\|_1}{\sqrt Q}h(\alpha,p)\big]^2`.

    Kind: **upper bound** (a rate); at most :func:`theorem_3_7_rederived`.
    """
    k, q, a, pp, sig, lip, gap, ok = _validate("theorem_3_7_descent", iterations, workers, alpha, p,
                                                sigma_l1, smoothness_l1, f_gap, invalid)
    val = (1.5 * np.sqrt(lip * gap) + 2 * sig / np.sqrt(q) * _h(a, pp)) ** 2 / k
    return np.where(ok, val, np.nan)


_BZ_PARAMS = {
    "iterations": ITERATIONS,
    "workers": WORKERS,
    "alpha": _HALF_FRACTION,
    "sigma_l1": NONNEGATIVE,
    "smoothness_l1": NONNEGATIVE,
    "f_gap": NONNEGATIVE,
}


@register(kind="rate", source="BZAA18, Theorem 2 (blind multiplicative adversaries)", params=_BZ_PARAMS,
          family="convergence")
def bzaa18_theorem_2(iterations: ArrayLike, workers: ArrayLike, alpha: ArrayLike, sigma_l1: ArrayLike,
                     smoothness_l1: ArrayLike, f_gap: ArrayLike) -> NDArray[np.float64]:
    r"""BZAA18 Theorem 2:
    :math:`\frac{4}{\sqrt N}\big[\frac{\|\sigma\|_1}{(1-2\alpha)\sqrt M} + \sqrt{\|L\|_1\Delta}\big]^2`,
    ``M`` workers of which a fraction :math:`\alpha < 1/2` are blind adversaries.

    Kind: **upper bound** (a rate).
    """
    func = "bzaa18_theorem_2"
    vals = [check(func, name, v, _BZ_PARAMS[name]) for name, v in (
        ("iterations", iterations), ("workers", workers), ("alpha", alpha), ("sigma_l1", sigma_l1),
        ("smoothness_l1", smoothness_l1), ("f_gap", f_gap))]
    k, m, a, sig, lip, gap = np.broadcast_arrays(*vals)
    return _shape(k, sig / ((1 - 2 * a) * np.sqrt(m)), lip, gap, np.ones(k.shape, bool))
