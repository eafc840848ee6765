"""Sign-error bounds: BZAA18 Lemma 1 and the paper's Lemma 3.6 against every family's exact value."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bounds import NOISE_FAMILIES, bzaa18_lemma_1, lemma_3_6_ratio, lemma_3_6_sign_error, sign_error_ratio
from strategies import batches, snrs
from tolerances import BOUND_SLACK


@given(snrs)
@example(2 / math.sqrt(3))
def test_lemma_3_6_first_inequality_is_never_below_gauss_bound(s: float) -> None:
    assert float(lemma_3_6_sign_error(s)) >= float(bzaa18_lemma_1(s)) * (1 - BOUND_SLACK)


@given(snrs, batches, st.sampled_from(sorted(NOISE_FAMILIES)))
def test_lemma_3_6_bounds_every_unimodal_family(s: float, n: int, name: str) -> None:
    n = min(n, 16)
    exact = float(NOISE_FAMILIES[name].sign_error(s, n))
    assert exact <= float(lemma_3_6_sign_error(math.sqrt(n) * s)) * (1 + BOUND_SLACK)


@given(snrs, batches, st.sampled_from(sorted(NOISE_FAMILIES)))
def test_lemma_3_6_second_inequality_holds_for_every_unimodal_family(s: float, n: int, name: str) -> None:
    n = min(n, 16)
    p = float(NOISE_FAMILIES[name].p_correct(s, n))
    if p == 1.0:
        return  # ratio is 0 <= 4/S^2 trivially
    assert float(sign_error_ratio(p)) <= float(lemma_3_6_ratio(math.sqrt(n) * s)) * (1 + 1e-9)


@given(st.floats(1e-3, 1e3), st.floats(1.001, 10.0))
def test_lemma_3_6_bound_decreases_from_one_half_to_zero(s: float, factor: float) -> None:
    a, b = float(lemma_3_6_sign_error(s)), float(lemma_3_6_sign_error(s * factor))
    assert 0.0 < b < a < 0.5


def test_lemma_3_6_bound_tends_to_one_half_at_zero_snr_and_matches_its_printed_form() -> None:
    s = np.geomspace(1e-6, 1e3, 50)
    printed = 0.5 - s / (2 * np.sqrt(4 + s * s))
    np.testing.assert_allclose(lemma_3_6_sign_error(s), printed, rtol=1e-9)
    assert float(lemma_3_6_sign_error(1e-9)) == pytest.approx(0.5, abs=1e-9)


def test_lemma_3_6_bound_keeps_relative_accuracy_at_large_snr() -> None:
    # 1/2 - S/(2 sqrt(4+S^2)) = 1/S^2 - 3/S^4 + ... ; the printed form cancels catastrophically
    s = 1e6
    assert float(lemma_3_6_sign_error(s)) == pytest.approx(1 / s**2 - 3 / s**4, rel=1e-12)


def test_gauss_bound_is_continuous_at_its_break_point() -> None:
    b = 2 / math.sqrt(3)
    assert 2 / (9 * b * b) == pytest.approx(0.5 - b / (2 * math.sqrt(3)), rel=1e-15)
    assert float(bzaa18_lemma_1(b * (1 + 1e-12))) == pytest.approx(float(bzaa18_lemma_1(b)), rel=1e-9)


def test_sign_error_ratio_is_infinite_at_one_half_and_zero_at_the_ends() -> None:
    assert float(sign_error_ratio(0.5)) == math.inf
    assert float(sign_error_ratio(1.0)) == 0.0
    assert float(sign_error_ratio(0.0)) == 0.0
