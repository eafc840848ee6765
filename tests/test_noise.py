"""Noise families: exact p(S, n) against independent mpmath computations, and their shape."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bounds import GAUSS_EXTREMAL, GAUSSIAN, LAPLACE, NOISE_FAMILIES, UNIFORM, bzaa18_lemma_1, get_family, student_t
from bounds.noise import gauss_extremal_law, snr_from_p
from strategies import batches, snrs
from tolerances import EXACT_RTOL, QUADRATURE_ATOL

mp.mp.dps = 40


def mp_gauss(s: float, n: int) -> mp.mpf:
    return mp.ncdf(-mp.sqrt(n) * mp.mpf(s))


def mp_irwin_hall(s: float, n: int) -> mp.mpf:
    """P[mean of n U(-sqrt3, sqrt3) < -s] by the Irwin-Hall sum at 40 digits."""
    x = n * (mp.mpf(1) / 2 - mp.mpf(s) / (2 * mp.sqrt(3)))
    if x <= 0:
        return mp.mpf(0)
    return sum((-1) ** k * mp.binomial(n, k) * (x - k) ** n for k in range(int(mp.floor(x)) + 1)) / mp.factorial(n)


def mp_laplace(s: float, n: int) -> mp.mpf:
    """P[sum of n Laplace(1/sqrt2) < -n s] = P[X - Y > x], X, Y ~ Gamma(n), by quadrature over Y."""
    x = n * mp.mpf(s) * mp.sqrt(2)
    return mp.quad(lambda y: y ** (n - 1) * mp.exp(-y) / mp.factorial(n - 1)
                   * mp.gammainc(n, x + y, mp.inf, regularized=True), [0, mp.inf])


def mp_student(s: float, nu: float, n: int) -> mp.mpf:
    """P[mean of n unit-variance t_nu < -s] for n in {1, 2}, by the t CDF and one convolution."""
    nu = mp.mpf(nu)
    scale = mp.sqrt((nu - 2) / nu)
    dens = lambda t: mp.gamma((nu + 1) / 2) / (mp.sqrt(nu * mp.pi) * mp.gamma(nu / 2)) * (1 + t * t / nu) ** (-(nu + 1) / 2)  # noqa: E731

    def cdf(x: mp.mpf) -> mp.mpf:
        tail = mp.betainc(nu / 2, mp.mpf(1) / 2, 0, nu / (nu + x * x), regularized=True) / 2
        return tail if x < 0 else 1 - tail

    if n == 1:
        return cdf(-mp.mpf(s) / scale)
    c = -2 * mp.mpf(s) / scale
    return mp.quad(lambda t: dens(t) * cdf(c - t), [-mp.inf, c / 2, 0, mp.inf])


@pytest.mark.parametrize("s,n", [(0.01, 1), (0.7, 1), (3.0, 1), (12.0, 1), (0.3, 10), (0.005, 10**6), (0.3, 400)])
def test_gaussian_sign_error_matches_mpmath(s: float, n: int) -> None:
    exact = mp_gauss(s, n)
    assert abs(float(GAUSSIAN.sign_error(s, n)) - exact) / exact <= EXACT_RTOL
    assert abs(float(GAUSSIAN.log_sign_error(s, n)) - float(mp.log(exact))) <= EXACT_RTOL


def test_gaussian_log_sign_error_is_finite_where_the_probability_underflows() -> None:
    exact = mp.log(mp_gauss(5.0, 10_000))  # about exp(-125000)
    assert float(GAUSSIAN.sign_error(5.0, 10_000)) == 0.0
    assert abs(float(GAUSSIAN.log_sign_error(5.0, 10_000)) - float(exact)) <= EXACT_RTOL * abs(float(exact))


@pytest.mark.parametrize("s,n", [(0.1, 1), (1.5, 1), (0.3, 2), (0.2, 7), (0.2, 12), (0.1, 13), (0.05, 40), (0.3, 25)])
def test_uniform_sign_error_matches_the_irwin_hall_law(s: float, n: int) -> None:
    exact = mp_irwin_hall(s, n)
    got = float(UNIFORM.sign_error(s, n))
    if n <= 12:
        assert abs(got - exact) <= EXACT_RTOL * exact
    else:
        assert abs(got - exact) <= QUADRATURE_ATOL


@pytest.mark.parametrize("s,n", [(0.5, 1), (0.3, 2), (0.2, 7), (1.0, 3), (0.1, 30)])
def test_laplace_sign_error_matches_mpmath(s: float, n: int) -> None:
    exact = mp_laplace(s, n)
    assert abs(float(LAPLACE.sign_error(s, n)) - exact) <= EXACT_RTOL * exact


@pytest.mark.parametrize("nu,s,n", [(3.0, 0.2, 1), (3.0, 4.0, 1), (5.0, 0.7, 1), (3.0, 0.2, 2), (5.0, 0.7, 2),
                                    (2.5, 1.1, 2)])
def test_student_t_sign_error_matches_mpmath(nu: float, s: float, n: int) -> None:
    exact = mp_student(s, nu, n)
    got = float(student_t(nu).sign_error(s, n))
    if n == 1:
        assert abs(got - exact) <= EXACT_RTOL * exact
    else:
        assert abs(got - exact) <= QUADRATURE_ATOL


@given(snrs, batches, st.sampled_from(sorted(NOISE_FAMILIES)))
@example(0.00390625, 2, "student_t(3)")  # once log(0) in the t characteristic function
def test_every_family_has_sign_error_between_zero_and_one_half(s: float, n: int, name: str) -> None:
    e = float(NOISE_FAMILIES[name].sign_error(s, min(n, 16)))
    assert 0.0 <= e <= 0.5


@given(st.sampled_from(sorted(NOISE_FAMILIES)), st.floats(0.01, 5.0), st.floats(1.01, 3.0))
def test_sign_error_decreases_as_the_snr_grows(name: str, s: float, factor: float) -> None:
    fam = NOISE_FAMILIES[name]
    assert float(fam.sign_error(s * factor)) <= float(fam.sign_error(s)) + 1e-15


@given(snrs, batches, st.sampled_from(sorted(NOISE_FAMILIES)))
def test_gauss_inequality_bounds_every_unimodal_family(s: float, n: int, name: str) -> None:
    n = min(n, 16)
    fam = NOISE_FAMILIES[name]
    assert float(fam.sign_error(s, n)) <= float(bzaa18_lemma_1(math.sqrt(n) * s)) * (1 + 1e-12) + 1e-15


@given(snrs)
def test_extremal_family_attains_gauss_inequality(s: float) -> None:
    assert float(GAUSS_EXTREMAL.sign_error(s)) == pytest.approx(float(bzaa18_lemma_1(s)), rel=1e-14)


@pytest.mark.parametrize("s", [0.3, 1.0, 2 / math.sqrt(3), 1.5, 4.0])
def test_extremal_law_has_unit_variance_and_the_stated_tail(s: float) -> None:
    w, c = gauss_extremal_law(s)
    assert w * c * c / 3 == pytest.approx(1.0, rel=1e-14)  # variance of w * U(-c, c)
    tail = w * max(c - s, 0.0) / (2 * c)  # P[xi < -s]
    assert tail == pytest.approx(float(bzaa18_lemma_1(s)), rel=1e-14)


@pytest.mark.parametrize("s", [0.1, 0.5, 1.0, 2 / math.sqrt(3)])
def test_uniform_noise_attains_the_second_branch_of_gauss_inequality(s: float) -> None:
    assert float(UNIFORM.sign_error(s)) == pytest.approx(0.5 - s / (2 * math.sqrt(3)), rel=1e-14)


@given(st.floats(0.51, 0.999), st.sampled_from(["gaussian", "uniform", "laplace", "gauss_extremal"]))
def test_snr_from_p_inverts_p_correct(p: float, name: str) -> None:
    fam = get_family(name)
    s = float(snr_from_p(p, fam))
    assert float(fam.p_correct(s)) == pytest.approx(p, rel=1e-10)


def test_get_family_builds_any_student_t_and_rejects_unknown_names() -> None:
    assert get_family("student_t(7)").name == "student_t(7)"
    with pytest.raises(ValueError, match="argument 'name'"):
        get_family("cauchy")
    with pytest.raises(ValueError, match=r"argument 'nu' must be a real number in \(2, inf\); got 2"):
        student_t(2.0)


def test_sign_error_rejects_a_zero_snr_and_a_fractional_batch() -> None:
    with pytest.raises(ValueError, match=r"gaussian.sign_error: argument 'snr' must be a real number in \(0, inf\); got 0"):
        GAUSSIAN.sign_error(0.0)
    with pytest.raises(ValueError, match="argument 'batch' must be an integer"):
        LAPLACE.sign_error(1.0, 2.5)


def test_sign_error_broadcasts_over_snr_and_batch() -> None:
    s = np.array([0.1, 0.5, 2.0])[:, None]
    n = np.array([1, 4])[None, :]
    for fam in NOISE_FAMILIES.values():
        grid = fam.sign_error(s, n)
        assert grid.shape == (3, 2)
        assert grid[1, 1] == pytest.approx(float(fam.sign_error(0.5, 4)), rel=1e-14)
