r"""Bounds on the probability that one worker's sign is wrong.

For unimodal symmetric noise (Assumption 3.4) with signal-to-noise ratio
:math:`S = |g|/\sigma` of the worker's estimate:

* BZAA18 Lemma 1 (Gauss's inequality):
  :math:`1 - p \le \frac{2}{9S^2}` if :math:`S > 2/\sqrt3`, else
  :math:`\frac12 - \frac{S}{2\sqrt3}`.  **Tight**: the laws of
  :data:`bounds.noise.GAUSS_EXTREMAL` attain it at every S.
* The paper's Lemma 3.6: :math:`1 - p \le \frac12 - \frac{S}{2\sqrt{4+S^2}}`
  and, as a consequence, :math:`\frac{p(1-p)}{(p-\frac12)^2} \le \frac{4}{S^2}`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._domain import PROBABILITY, SNR, check
from ._registry import register

__all__ = ["bzaa18_lemma_1", "lemma_3_6_sign_error", "lemma_3_6_ratio", "sign_error_ratio"]

_SQRT3 = math.sqrt(3.0)


@register(
    kind="upper",
    source="BZAA18, Lemma 1 (Gauss's inequality); restated in the paper's Appendix A",
    params={"snr": SNR},
    family="sign-error",
    probability=True,
)
def bzaa18_lemma_1(snr: ArrayLike) -> NDArray[np.float64]:
    r"""BZAA18's Lemma 1: Gauss's bound on the sign-error probability.

    .. math::

        1 - p \le \begin{cases} \dfrac{2}{9S^2} & S > 2/\sqrt3,\\[4pt]
        \dfrac12 - \dfrac{S}{2\sqrt3} & \text{otherwise.}\end{cases}

    Kind: **upper bound**, tight (attained by the extremal unimodal laws).

    Theoretical guarantee: holds for every unimodal law symmetric about its
    mean with standard deviation :math:`\sigma`, :math:`S = |g|/\sigma`.
    """
    s = check("bzaa18_lemma_1", "snr", snr, SNR)
    with np.errstate(divide="ignore", over="ignore"):
        return np.where(s > 2.0 / _SQRT3, 2.0 / (9.0 * s * s), 0.5 - s / (2.0 * _SQRT3))


@register(
    kind="upper",
    source="Paper, Lemma 3.6, first inequality",
    params={"snr": SNR},
    family="sign-error",
    probability=True,
)
def lemma_3_6_sign_error(snr: ArrayLike) -> NDArray[np.float64]:
    r"""The paper's Lemma 3.6, first inequality.

    .. math::

        1 - p \le \frac12 - \frac{S}{2\sqrt{4 + S^2}}
              = \frac{2}{\sqrt{4+S^2}\,\big(\sqrt{4+S^2} + S\big)},

    the right-hand form being free of cancellation for large S.

    Kind: **upper bound**; never tight for S > 0 (it exceeds BZAA18's Lemma 1,
    which is attained).

    Theoretical guarantee: unimodal symmetric noise, :math:`S > 0`.
    """
    s = check("lemma_3_6_sign_error", "snr", snr, SNR)
    r = np.sqrt(4.0 + s * s)
    return 2.0 / (r * (r + s))


@register(
    kind="upper",
    source="Paper, Lemma 3.6, second inequality",
    params={"snr": SNR},
    family="sign-error",
)
def lemma_3_6_ratio(snr: ArrayLike) -> NDArray[np.float64]:
    r"""The paper's Lemma 3.6, second inequality: the bound :math:`4/S^2` on
    :math:`\frac{p(1-p)}{(p - \frac12)^2}` (see :func:`sign_error_ratio`).

    Kind: **upper bound** on :func:`sign_error_ratio`.
    """
    s = check("lemma_3_6_ratio", "snr", snr, SNR)
    with np.errstate(divide="ignore", over="ignore"):
        return 4.0 / (s * s)


@register(
    kind="exact",
    source="Paper, Lemma 3.6 (the quantity of its second inequality)",
    params={"p": PROBABILITY},
    family="sign-error",
)
def sign_error_ratio(p: ArrayLike) -> NDArray[np.float64]:
    r"""The ratio :math:`\frac{p(1-p)}{(p - \frac12)^2}` (``inf`` at p = 1/2).

    It equals :math:`\frac{1}{4(p - 1/2)^2} - 1` and is what Lemma 3.6 bounds
    by :math:`4/S^2`.  Kind: **exact** (a function of p).
    """
    pp = check("sign_error_ratio", "p", p, PROBABILITY)
    d = pp - 0.5
    with np.errstate(divide="ignore"):
        return np.where(d == 0, np.inf, pp * (1.0 - pp) / np.where(d == 0, 1.0, d * d))
