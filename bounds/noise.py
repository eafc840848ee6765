r"""Noise families and the exact probability that a worker's sign is right.

A worker averages ``n`` i.i.d. stochastic gradients :math:`g + \xi_j` whose
noise :math:`\xi_j` has mean 0 and variance :math:`\sigma^2`.  With the unit
signal-to-noise ratio :math:`S = |g|/\sigma` (the paper's :math:`S_i`,
Lemma 3.6), the probability that the worker's sign is *wrong* is

.. math::

    1 - p(S, n) = \mathbb{P}\Big[\tfrac{1}{n}\textstyle\sum_{j=1}^n \xi_j < -|g|\Big]
               = F_n(-S),

where :math:`F_n` is the law of the standardised mean noise.  Each family
below computes :math:`F_n(-S)` exactly (closed form) or by a numerically exact
quadrature (Gil-Pelaez inversion of the characteristic function,
:math:`F_n(-x) = \tfrac12 - \tfrac1\pi\int_0^\infty \sin(xt)\,\varphi(t/\sqrt n)^n\,\tfrac{dt}{t}`
with :math:`x = \sqrt n S`, absolute error below ``1e-12``).

All families are unimodal and symmetric (Assumption 3.4), and so is the mean of
``n`` draws (the convolution of symmetric unimodal laws is symmetric unimodal,
Wintner 1938), so the paper's Lemma 3.6 and BZAA18's Lemma 1 apply with the
batch SNR :math:`\sqrt n S`.

Kind: **exact** (probabilities of the stated laws).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate
from scipy import special as sc

from ._domain import BATCH, DOF, SNR, Domain, check

__all__ = [
    "NoiseFamily",
    "GAUSSIAN",
    "UNIFORM",
    "LAPLACE",
    "GAUSS_EXTREMAL",
    "student_t",
    "NOISE_FAMILIES",
    "get_family",
    "gauss_extremal_law",
    "snr_from_p",
]

_HALF_OPEN_P = Domain(0.5, 1.0, lo_closed=False, hi_closed=False)
"""p strictly between 1/2 and 1."""

GAUSS_BREAK = 2.0 / math.sqrt(3.0)
"""S = 2/sqrt(3), where Gauss's inequality changes branch (BZAA18 Lemma 1)."""

_Fn = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]


@dataclass(frozen=True)
class NoiseFamily:
    """A unimodal symmetric noise law with unit variance.

    ``sign_error(snr, batch)`` is :math:`1 - p(S, n)`; ``p_correct`` is
    :math:`p(S, n)`; ``log_sign_error`` its logarithm (log-space where the
    family provides it, otherwise ``log`` of the direct value).
    """

    name: str
    description: str
    _error: _Fn = field(repr=False)
    _log_error: _Fn | None = field(default=None, repr=False)
    per_estimate: bool = False
    """True when the law is that of the worker's *estimate* (the batch mean),
    not of one sample: then ``batch`` only rescales the SNR to sqrt(n) S."""

    def sign_error(self, snr: ArrayLike, batch: ArrayLike = 1) -> NDArray[np.float64]:
        """Exact :math:`1 - p = \\mathbb{P}[\\operatorname{sign}(\\tilde g) \\ne \\operatorname{sign}(g)]`."""
        s = check(f"{self.name}.sign_error", "snr", snr, SNR)
        n = check(f"{self.name}.sign_error", "batch", batch, BATCH)
        s, n = np.broadcast_arrays(s, n)
        return self._error(s, n)

    def p_correct(self, snr: ArrayLike, batch: ArrayLike = 1) -> NDArray[np.float64]:
        """Exact :math:`p = \\mathbb{P}[\\operatorname{sign}(\\tilde g) = \\operatorname{sign}(g)]`."""
        s = check(f"{self.name}.p_correct", "snr", snr, SNR)
        n = check(f"{self.name}.p_correct", "batch", batch, BATCH)
        s, n = np.broadcast_arrays(s, n)
        return 1.0 - self._error(s, n)

    def log_sign_error(self, snr: ArrayLike, batch: ArrayLike = 1) -> NDArray[np.float64]:
        """:math:`\\log(1 - p)`, in log space where the family allows it."""
        s = check(f"{self.name}.log_sign_error", "snr", snr, SNR)
        n = check(f"{self.name}.log_sign_error", "batch", batch, BATCH)
        s, n = np.broadcast_arrays(s, n)
        if self._log_error is not None:
            return self._log_error(s, n)
        with np.errstate(divide="ignore"):
            return np.log(self._error(s, n))


# --------------------------------------------------------------------------- Gaussian
def _gauss_error(s: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    return sc.ndtr(-np.sqrt(n) * s)


def _gauss_log_error(s: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    return sc.log_ndtr(-np.sqrt(n) * s)


GAUSSIAN = NoiseFamily(
    "gaussian",
    "N(0, 1) noise; the mean of n draws is N(0, 1/n): 1 - p = Phi(-sqrt(n) S).",
    _gauss_error,
    _gauss_log_error,
)


# --------------------------------------------------------------------------- Gil-Pelaez
def _gil_pelaez_error(cf: Callable[[float], float], s: float, n: int) -> float:
    """``P[mean of n draws < -s]`` for a symmetric unit-variance law with real CF ``cf``."""
    x = math.sqrt(n) * s
    root_n = math.sqrt(n)

    def phi_n(u: float) -> float:
        return cf(u / root_n) ** n

    cut = 40.0
    head, _ = integrate.quad(
        lambda u: math.sin(x * u) / u * phi_n(u) if u > 0 else x,
        0.0,
        cut,
        limit=2000,
        epsabs=1e-14,
        epsrel=1e-13,
    )
    tail, _ = integrate.quad(lambda u: phi_n(u) / u, cut, np.inf, weight="sin", wvar=x, limlst=200)
    return min(max(0.5 - (head + tail) / math.pi, 0.0), 0.5)


# --------------------------------------------------------------------------- uniform
_SQRT3 = math.sqrt(3.0)
_IRWIN_HALL_MAX_BATCH = 12


def _irwin_hall_cdf(x: float, n: int) -> float:
    """CDF of the sum of n U(0, 1) at x, by the alternating sum (stable for n <= 12)."""
    if x <= 0:
        return 0.0
    if x >= n:
        return 1.0
    total = 0.0
    for k in range(int(math.floor(x)) + 1):
        total += (-1) ** k * math.comb(n, k) * (x - k) ** n
    return total / math.factorial(n)


def _uniform_cf(t: float) -> float:
    a = _SQRT3 * t
    return math.sin(a) / a if a != 0 else 1.0


def _uniform_error_scalar(s: float, n: float) -> float:
    n = int(n)
    if n == 1:
        return max(0.5 - s / (2 * _SQRT3), 0.0)
    if n <= _IRWIN_HALL_MAX_BATCH:
        # U_j = sqrt(3)(2 V_j - 1), V_j ~ U(0,1): mean < -s  <=>  sum V_j < n (1/2 - s/(2 sqrt 3))
        return _irwin_hall_cdf(n * (0.5 - s / (2 * _SQRT3)), n)
    if s >= _SQRT3:
        return 0.0
    return _gil_pelaez_error(_uniform_cf, s, n)


UNIFORM = NoiseFamily(
    "uniform",
    "U(-sqrt 3, sqrt 3) noise (unit variance); attains Gauss's bound 1/2 - S/(2 sqrt 3) at n = 1, "
    "Irwin-Hall law for n <= 12, Gil-Pelaez quadrature beyond.",
    np.vectorize(_uniform_error_scalar, otypes=[float]),
)


# --------------------------------------------------------------------------- Laplace
def _laplace_error(s: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    r"""Sum of n Laplace(b = 1/sqrt 2) is b (X - Y), X, Y ~ Gamma(n, 1), and for x > 0

    .. math:: P[X - Y > x] = \sum_{k=0}^{n-1} \binom{n-1+k}{k} 2^{-(n+k)} Q(n-k, x).
    """
    out = np.empty(s.shape)
    flat_s, flat_n, flat_o = s.ravel(), n.ravel(), out.ravel()
    for idx in range(flat_s.size):
        nn = int(flat_n[idx])
        x = nn * flat_s[idx] * math.sqrt(2.0)
        k = np.arange(nn, dtype=float)
        log_w = sc.gammaln(nn + k) - sc.gammaln(k + 1) - sc.gammaln(nn) - (nn + k) * math.log(2.0)
        flat_o[idx] = float(np.sum(np.exp(log_w) * sc.gammaincc(nn - k, x)))
    return out


LAPLACE = NoiseFamily(
    "laplace",
    "Laplace noise with unit variance (scale 1/sqrt 2); exact closed form for every n.",
    _laplace_error,
)


# --------------------------------------------------------------------------- Student-t
@dataclass(frozen=True)
class _StudentT:
    nu: float

    @property
    def scale(self) -> float:
        return math.sqrt((self.nu - 2.0) / self.nu)

    def cf(self, t: float) -> float:
        r"""Characteristic function of the unit-variance law,
        :math:`\varphi(t) = \frac{K_{\nu/2}(z)\,z^{\nu/2}}{\Gamma(\nu/2)2^{\nu/2-1}}`, :math:`z = \sqrt\nu|t|s`,
        with ``kve`` so that neither factor under- nor overflows."""
        u = abs(t)
        z = math.sqrt(self.nu) * u * self.scale
        if z < 1e-5:
            return 1.0 - 0.5 * u * u
        h = self.nu / 2.0
        return math.exp(math.log(sc.kve(h, z)) - z + h * math.log(z) - sc.gammaln(h) - (h - 1) * math.log(2.0))

    def error_scalar(self, s: float, n: float) -> float:
        n = int(n)
        if n == 1:
            return float(sc.stdtr(self.nu, -s / self.scale))
        return _gil_pelaez_error(self.cf, s, n)


def student_t(nu: float) -> NoiseFamily:
    """Student-t noise with ``nu > 2`` degrees of freedom, scaled to unit variance."""
    nu_arr = check("student_t", "nu", nu, DOF)
    law = _StudentT(float(nu_arr))
    return NoiseFamily(
        f"student_t({law.nu:g})",
        f"Student-t noise, nu = {law.nu:g}, unit variance; exact at n = 1, Gil-Pelaez quadrature for n > 1.",
        np.vectorize(law.error_scalar, otypes=[float]),
    )


# --------------------------------------------------------------------------- extremal
def gauss_extremal_law(snr: float) -> tuple[float, float]:
    r"""The unimodal symmetric unit-variance law that attains Gauss's inequality at ``snr``.

    Returns ``(w, c)``: the noise is 0 with probability ``1 - w`` and
    ``U(-c, c)`` with probability ``w``.  For :math:`S \le 2/\sqrt3` it is the
    uniform law (``w = 1``, ``c = sqrt 3``); beyond, ``c = 3S/2`` and
    ``w = 4/(3 S^2)``, which gives :math:`P[\xi < -S] = 2/(9S^2)`.
    """
    s = float(check("gauss_extremal_law", "snr", snr, SNR))
    if s <= GAUSS_BREAK:
        return 1.0, _SQRT3
    return 4.0 / (3.0 * s * s), 1.5 * s


def _extremal_error(s: NDArray[np.float64], n: NDArray[np.float64]) -> NDArray[np.float64]:
    se = np.sqrt(n) * s
    with np.errstate(divide="ignore", over="ignore"):
        return np.where(se > GAUSS_BREAK, 2.0 / (9.0 * se * se), 0.5 - se / (2.0 * _SQRT3))


GAUSS_EXTREMAL = NoiseFamily(
    "gauss_extremal",
    "For each batch SNR sqrt(n) S, the unimodal symmetric law of the worker's estimate that attains "
    "Gauss's inequality (a uniform law, or a uniform law mixed with an atom at 0): the worst case of "
    "Assumption 3.4, 1 - p = BZAA18 Lemma 1's bound.",
    _extremal_error,
    per_estimate=True,
)


NOISE_FAMILIES: dict[str, NoiseFamily] = {
    f.name: f for f in (GAUSSIAN, UNIFORM, LAPLACE, student_t(3.0), student_t(5.0), GAUSS_EXTREMAL)
}
"""Registered families, keyed by name (Student-t with nu = 3 and nu = 5)."""


def get_family(name: str) -> NoiseFamily:
    """Look a family up by name; ``student_t(NU)`` builds any Student-t."""
    if name in NOISE_FAMILIES:
        return NOISE_FAMILIES[name]
    if name.startswith("student_t(") and name.endswith(")"):
        try:
            nu = float(name[len("student_t(") : -1])
        except ValueError:
            nu = math.nan
        return student_t(nu)
    raise ValueError(
        f"get_family: argument 'name' must be one of {tuple(NOISE_FAMILIES)} or 'student_t(NU)' with NU > 2; "
        f"got {name!r}"
    )


def snr_from_p(p: ArrayLike, family: NoiseFamily = GAUSSIAN, batch: ArrayLike = 1) -> NDArray[np.float64]:
    r"""The per-sample SNR ``S`` at which ``family`` gives :math:`p(S, n) = p`.

    Inverts the (increasing) map :math:`S \mapsto p(S, n)`: in closed form for
    Gaussian noise, :math:`S = \Phi^{-1}(p)/\sqrt n`, by Brent's method
    otherwise (to relative ``1e-13``).  Where several ``S`` give ``p``
    (uniform noise at p = 1) the smallest is returned.

    Kind: **exact** (inverse of an exact map).
    """
    from scipy.optimize import brentq

    pp = check("snr_from_p", "p", p, _HALF_OPEN_P)
    n = check("snr_from_p", "batch", batch, BATCH)
    pp, n = np.broadcast_arrays(pp, n)
    if family is GAUSSIAN:
        return sc.ndtri(pp) / np.sqrt(n)
    out = np.empty(pp.shape)
    for idx in np.ndindex(pp.shape):
        target_err = 1.0 - pp[idx]

        def f(s: float, _n: float = n[idx], _t: float = target_err) -> float:
            return float(family.sign_error(s, _n)) - _t

        hi = 1.0
        while f(hi) > 0:
            hi *= 2.0
            if hi > 1e12:
                raise ValueError(f"snr_from_p: p = {pp[idx]!r} is not reached by {family.name} noise")
        out[idx] = brentq(f, 1e-300, hi, xtol=1e-300, rtol=1e-13)
    return out


