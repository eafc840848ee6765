"""Convergence rates: Theorem 3.7 as stated, at the end of its proof, re-derived; BZAA18 Theorem 2."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bounds import (
    bzaa18_theorem_2,
    theorem_3_7_descent,
    theorem_3_7_proof_end,
    theorem_3_7_rederived,
    theorem_3_7_stated,
)

rates = st.tuples(st.integers(1, 10**6), st.integers(1, 1000), st.floats(0.0, 100.0), st.floats(0.0, 100.0),
                  st.floats(0.0, 100.0))


@st.composite
def alpha_p(draw: st.DrawFn) -> tuple[float, float]:
    p = draw(st.floats(0.5, 1.0, exclude_min=True))
    a = draw(st.floats(0.0, 0.999 * (1.0 - 1.0 / (2.0 * p)))) if p > 0.5 + 1e-9 else 0.0
    return a, p


@given(rates, st.floats(0.5, 1.0, exclude_min=True))
def test_rederived_rate_equals_bzaa18_theorem_2_without_adversaries(r: tuple, p: float) -> None:
    k, q, sig, lip, gap = r
    assert float(theorem_3_7_rederived(k, q, 0.0, p, sig, lip, gap)) == pytest.approx(
        float(bzaa18_theorem_2(k, q, 0.0, sig, lip, gap)), rel=1e-12)


@given(rates, alpha_p())
def test_descent_form_is_at_most_the_rederived_rate(r: tuple, ap: tuple[float, float]) -> None:
    k, q, sig, lip, gap = r
    a, p = ap
    assert float(theorem_3_7_descent(k, q, a, p, sig, lip, gap)) <= float(
        theorem_3_7_rederived(k, q, a, p, sig, lip, gap)) * (1 + 1e-12)


@given(rates, alpha_p())
def test_proof_end_rate_is_the_rederived_one_with_the_noise_term_quartered(r: tuple, ap: tuple[float, float]) -> None:
    k, q, sig, lip, gap = r
    a, p = ap
    end = math.sqrt(float(theorem_3_7_proof_end(k, q, a, p, sig, lip, gap)) * k / 4)
    red = math.sqrt(float(theorem_3_7_rederived(k, q, a, p, sig, lip, gap)) * k / 4)
    smooth = math.sqrt(lip * gap)
    assert end - smooth == pytest.approx((red - smooth) / 4, rel=1e-9, abs=1e-12)


def test_statement_and_proof_end_of_theorem_3_7_differ() -> None:
    args = (100, 27, 0.2, 0.9, 10.0, 1.0, 1.0)
    assert float(theorem_3_7_stated(*args)) > 2 * float(theorem_3_7_proof_end(*args))


def test_rates_reject_fractions_beyond_the_threshold_naming_alpha() -> None:
    with pytest.raises(ValueError, match=r"theorem_3_7_stated: argument 'alpha' must be .* got alpha=0.45 with p=0.9"):
        theorem_3_7_stated(100, 27, 0.45, 0.9, 1.0, 1.0, 1.0)
    assert math.isnan(float(theorem_3_7_rederived(100, 27, 0.45, 0.9, 1.0, 1.0, 1.0, invalid="nan")))
    with pytest.raises(ValueError, match=r"bzaa18_theorem_2: argument 'alpha' must be a real number in \[0, 0.5\); got 0.5"):
        bzaa18_theorem_2(100, 27, 0.5, 1.0, 1.0, 1.0)
