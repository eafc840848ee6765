"""Chernoff-KL and Hoeffding tails; the tolerance thresholds and the inverse questions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bounds import (
    GAUSSIAN,
    LAPLACE,
    alpha_star,
    chernoff_kl,
    hoeffding,
    jlh24_max_byzantine,
    log_chernoff_kl,
    max_byzantine,
    max_byzantine_exact,
    min_batch_for_alpha,
    vote_failure,
)
from bounds._domain import ATTACKS
from strategies import probabilities, vote_params
from tolerances import BOUND_SLACK


@given(vote_params(), st.sampled_from(ATTACKS), st.sampled_from(["fail", "random", "pass"]))
@example((2, 2, 0.0), "omniscient", "fail")  # once 0 * inf in the KL exponent with no honest vote
def test_chernoff_kl_never_falls_below_the_exact_vote_failure(params: tuple[int, int, float], attack: str,
                                                              tie: str) -> None:
    q, b, p = params
    assert float(vote_failure(q, b, p, attack, tie)) <= float(chernoff_kl(q, b, p, attack)) * (1 + BOUND_SLACK) + 1e-300


@given(vote_params(), st.sampled_from(ATTACKS))
def test_hoeffding_is_never_tighter_than_chernoff_kl(params: tuple[int, int, float], attack: str) -> None:
    q, b, p = params
    assert float(chernoff_kl(q, b, p, attack)) <= float(hoeffding(q, b, p, attack)) * (1 + BOUND_SLACK)


def test_chernoff_kl_is_exact_when_no_honest_vote_may_be_right() -> None:
    # Q = 5, B = 2: the vote fails iff Z <= 2 among 3 honest; at threshold 0 (Q = 1) the KL bound is (1-p)^m
    assert float(chernoff_kl(1, 0, 0.7)) == pytest.approx(0.3, rel=1e-14)


def test_log_chernoff_kl_stays_finite_where_the_bound_underflows() -> None:
    assert float(chernoff_kl(10**7, 0, 0.6)) == 0.0
    assert -1e6 < float(log_chernoff_kl(10**7, 0, 0.6)) < -1e4


@given(st.integers(1, 10**6), probabilities)
def test_max_byzantine_is_the_largest_count_below_the_papers_threshold(q: int, p: float) -> None:
    b = int(max_byzantine(q, p))
    assert -1 <= b <= q
    if b >= 0:
        assert 2 * p * (q - b) > q  # B/Q < 1 - 1/(2p)
    if b + 1 <= q:
        assert not 2 * p * (q - b - 1) > q


def test_max_byzantine_for_27_workers_matches_hand_counts() -> None:
    # p = 3/4: alpha* = 1/3, B < 9 -> 8 (9 is excluded: strict inequality); p = 1: B < 13.5 -> 13
    assert max_byzantine(27, [0.5, 0.75, 1.0]).tolist() == [-1, 8, 13]


@given(st.integers(1, 10**5), st.floats(0.5, 1.0))
def test_papers_threshold_is_equivalent_to_jlh24_condition(q: int, p: float) -> None:
    b = int(max_byzantine(q, p))
    # Section 4.1: with K = B and M = Q - B, B/Q < 1 - 1/(2p) iff K < (2p-1) M
    if b >= 0:
        assert b < (2 * p - 1) * (q - b) or math.isclose(b, (2 * p - 1) * (q - b), rel_tol=1e-12)
    if b + 1 <= q:
        assert not (b + 1 < (2 * p - 1) * (q - b - 1) * (1 - 1e-12))


@given(st.integers(0, 10**6), probabilities)
def test_jlh24_count_is_the_largest_below_its_limit(m: int, p: float) -> None:
    k = int(jlh24_max_byzantine(m, p))
    limit = (2 * p - 1) * m
    assert k == -1 or k < limit
    assert not (k + 1 < limit)


@given(st.floats(0.5, 1.0, exclude_min=True), st.floats(0.5, 1.0, exclude_min=True))
def test_alpha_star_is_increasing_and_concave_not_linear(p1: float, p2: float) -> None:
    lo, hi = sorted((p1, p2))
    if hi - lo < 1e-6:
        return
    a_lo, a_hi, a_mid = (float(alpha_star(x)) for x in (lo, hi, (lo + hi) / 2))
    assert a_lo < a_hi
    assert a_mid > (a_lo + a_hi) / 2  # strictly concave: the paper's "linear relationship" is not linear


@given(st.integers(1, 150), st.floats(0.5, 1.0), st.sampled_from(["omniscient", "blind"]))
def test_max_byzantine_exact_is_the_largest_count_meeting_the_target(q: int, p: float, attack: str) -> None:
    b = int(max_byzantine_exact(q, p, 0.5, attack))
    if b >= 0:
        assert float(vote_failure(q, b, p, attack)) <= 0.5
    if b + 1 <= q:
        assert float(vote_failure(q, b + 1, p, attack)) > 0.5


@given(st.floats(0.0, 0.49), st.floats(0.01, 3.0))
@example(0.49, 0.01)  # a batch near 2.5e6: once stepped one by one
def test_min_batch_for_alpha_is_the_smallest_tolerating_batch(alpha: float, s: float) -> None:
    n = float(min_batch_for_alpha(alpha, s))
    need = 1 / (2 * (1 - alpha))
    assert float(GAUSSIAN.p_correct(s, int(n))) > need
    if n > 1:
        assert not float(GAUSSIAN.p_correct(s, int(n) - 1)) > need


def test_min_batch_for_alpha_is_infinite_from_one_half_and_solves_other_families() -> None:
    assert min_batch_for_alpha(0.5, 1.0) == np.inf
    n = int(min_batch_for_alpha(0.3, 0.2, LAPLACE))
    need = 1 / (2 * 0.7)
    assert float(LAPLACE.p_correct(0.2, n)) > need >= float(LAPLACE.p_correct(0.2, n - 1))
