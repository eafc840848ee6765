"""Exact vote failure against independent mpmath evaluations, and its structural properties."""

from __future__ import annotations

import itertools

import mpmath as mp
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import reference
from bounds import log_vote_failure, poisson_binomial_pmf, vote_failure, vote_failure_heterogeneous
from bounds._domain import TIE_WEIGHT
from strategies import probabilities, vote_params
from tolerances import EXACT_RTOL


def _rel(a: float, b: mp.mpf) -> float:
    return float(abs(mp.mpf(a) - b) / b) if b != 0 else abs(a)


@pytest.mark.parametrize("attack", ["omniscient", "blind"])
@pytest.mark.parametrize("tie", ["fail", "random", "pass"])
def test_vote_failure_matches_mpmath_convolution_for_small_q(attack: str, tie: str) -> None:
    for q, b, p in itertools.product([1, 2, 3, 8, 27, 40], [0, 1, 3, 13], [0.2, 0.5, 0.55, 0.9, 0.999]):
        if b > q:
            continue
        exact = reference.vote_failure(q, b, p, attack, TIE_WEIGHT[tie])
        got = float(vote_failure(q, b, p, attack, tie))
        assert _rel(got, exact) <= EXACT_RTOL, (q, b, p, got, exact)


LARGE = [
    (10**7, 0, 0.5003, "fail"),
    (10**7, 2_000_000, 0.6251, "random"),
    (10**7 + 1, 3_000_000, 0.7145, "pass"),
    (10**6, 100_000, 0.56, "fail"),
    (1000, 300, 0.9, "random"),
    (10**5, 40_000, 0.834, "fail"),
]


@pytest.mark.parametrize("q,b,p,tie", LARGE)
def test_omniscient_vote_failure_matches_mpmath_up_to_ten_million_workers(q: int, b: int, p: float, tie: str) -> None:
    exact = reference.omniscient_failure_large(q, b, p, TIE_WEIGHT[tie])
    got = float(vote_failure(q, b, p, "omniscient", tie))
    assert _rel(got, exact) <= EXACT_RTOL
    log_got = float(log_vote_failure(q, b, p, "omniscient", tie))
    assert abs(log_got - float(mp.log(exact))) <= EXACT_RTOL * max(1.0, abs(float(mp.log(exact))))


@pytest.mark.parametrize("q,b,p", [(10**7, 3_000_000, 0.75), (10**6, 0, 0.55), (10**7, 0, 0.51), (5000, 1000, 0.95)])
def test_log_vote_failure_is_exact_where_the_probability_underflows(q: int, b: int, p: float) -> None:
    exact = reference.omniscient_failure_large(q, b, p, 1.0)
    assert exact < mp.mpf(10) ** -300  # really below double precision
    assert float(vote_failure(q, b, p)) == 0.0
    got = float(log_vote_failure(q, b, p))
    # relative error of the probability = absolute error of its logarithm
    assert abs(got - float(mp.log(exact))) <= EXACT_RTOL


def test_blind_vote_failure_matches_mpmath_for_a_large_q() -> None:
    q, b, p = 2001, 600, 0.62
    exact = mp.mpf(0)
    for h in range(b + 1):
        ph = mp.binomial(b, h) * (1 - mp.mpf(p)) ** h * mp.mpf(p) ** (b - h)
        exact += ph * reference.binom_cdf(1000 - h, q - b, p)
    got = float(vote_failure(q, b, p, "blind", "fail"))
    assert _rel(got, exact) <= EXACT_RTOL


@given(vote_params(), st.sampled_from(["omniscient", "blind"]), st.sampled_from(["fail", "random", "pass"]))
@example((1, 0, 0.0), "blind", "fail")  # once NaN: 0 * log(0) in the Byzantine law
@example((98, 8, 0.125), "blind", "fail")  # once 1 + 1e-15: logsumexp rounding above 0
def test_vote_failure_is_a_probability(params: tuple[int, int, float], attack: str, tie: str) -> None:
    q, b, p = params
    v = float(vote_failure(q, b, p, attack, tie))
    assert 0.0 <= v <= 1.0


@given(vote_params(), st.sampled_from(["omniscient", "blind"]))
def test_tie_rules_are_ordered_pass_random_fail(params: tuple[int, int, float], attack: str) -> None:
    q, b, p = params
    lo, mid, hi = (float(vote_failure(q, b, p, attack, t)) for t in ("pass", "random", "fail"))
    assert lo <= mid * (1 + 1e-12) and mid <= hi * (1 + 1e-12)
    if q % 2:
        assert lo == pytest.approx(hi, rel=1e-12)


@given(vote_params(max_workers=200), st.sampled_from(["fail", "random", "pass"]))
@example((1, 0, 0.0), "fail")
def test_omniscient_attack_fails_the_vote_at_least_as_often_as_blind(params: tuple[int, int, float], tie: str) -> None:
    q, b, p = params
    assert float(vote_failure(q, b, p, "omniscient", tie)) >= float(vote_failure(q, b, p, "blind", tie)) * (1 - 1e-12)


@given(st.integers(1, 200), st.floats(0.5, 1.0), st.sampled_from(["omniscient", "blind"]))
def test_vote_failure_grows_with_the_number_of_byzantine_workers(q: int, p: float, attack: str) -> None:
    vals = vote_failure(q, np.arange(q + 1), p, attack)
    assert np.all(np.diff(vals) >= -1e-12 * vals[1:])


@given(st.integers(1, 60), st.integers(0, 20), probabilities, st.sampled_from(["omniscient", "blind"]),
       st.sampled_from(["fail", "random", "pass"]))
@example(1, 0, 0.0, "blind", "fail")
def test_heterogeneous_failure_reduces_to_binomial_when_all_workers_are_alike(
        m: int, b: int, p: float, attack: str, tie: str) -> None:
    het = float(vote_failure_heterogeneous(np.full(m, p), b, attack, tie))
    hom = float(vote_failure(m + b, b, p, attack, tie))
    assert het == pytest.approx(hom, rel=1e-9, abs=1e-300)


def test_heterogeneous_failure_matches_brute_force_enumeration() -> None:
    rng = np.random.default_rng(1)
    ps = rng.uniform(0.3, 0.95, size=7)
    for attack, b in (("omniscient", 2), ("blind", 2)):
        pb = np.array([0.8, 0.6])
        voters = list(ps) + ([0.0, 0.0] if attack == "omniscient" else list(1 - pb))
        q = len(voters)
        total = mp.mpf(0)
        for bits in itertools.product([0, 1], repeat=q):
            pr = mp.mpf(1)
            for bit, pv in zip(bits, voters):
                pr *= mp.mpf(pv) if bit else 1 - mp.mpf(pv)
            z = sum(bits)
            total += pr if 2 * z < q else (pr if 2 * z == q else 0)
        got = float(vote_failure_heterogeneous(ps, b, attack, "fail", p_byzantine=pb))
        assert _rel(got, total) <= EXACT_RTOL


def test_poisson_binomial_pmf_sums_to_one_and_broadcasts() -> None:
    probs = np.random.default_rng(0).uniform(size=(3, 4, 9))
    pmf = poisson_binomial_pmf(probs)
    assert pmf.shape == (3, 4, 10)
    np.testing.assert_allclose(pmf.sum(axis=-1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("kwargs,needle", [
    (dict(workers=27, byzantine=28, p=0.7), "'byzantine' must be an integer in [0, workers]; got 28 with workers=27"),
    (dict(workers=0, byzantine=0, p=0.7), "'workers' must be an integer in [1, "),
    (dict(workers=27.5, byzantine=0, p=0.7), "'workers' must be an integer"),
    (dict(workers=27, byzantine=-1, p=0.7), "'byzantine' must be an integer in [0,"),
    (dict(workers=27, byzantine=2, p=1.2), "'p' must be a real number in [0, 1]; got 1.2"),
    (dict(workers=27, byzantine=2, p=0.7, attack="smart"), "'attack' must be one of"),
    (dict(workers=27, byzantine=2, p=0.7, tie="coin"), "'tie' must be one of"),
])
def test_vote_failure_rejects_out_of_domain_input_naming_the_argument(kwargs: dict, needle: str) -> None:
    with pytest.raises(ValueError, match="vote_failure") as err:
        vote_failure(**kwargs)
    assert needle in str(err.value)


def test_blind_log_vote_failure_matches_mpmath_where_it_underflows() -> None:
    q, b, p = 3001, 300, 0.9
    exact = mp.mpf(0)
    for h in range(b + 1):
        ph = mp.binomial(b, h) * (1 - mp.mpf(p)) ** h * mp.mpf(p) ** (b - h)
        exact += ph * reference.binom_cdf(1500 - h, q - b, p)
    assert exact < mp.mpf(10) ** -300
    got = float(log_vote_failure(q, b, p, "blind", "fail"))
    assert abs(got - float(mp.log(exact))) <= EXACT_RTOL


@pytest.mark.parametrize("tie", ["fail", "random", "pass"])
def test_colluding_random_and_abstaining_failures_match_mpmath_enumeration(tie: str) -> None:
    w = TIE_WEIGHT[tie]
    for q, b, p in itertools.product([1, 4, 9, 12], [0, 1, 2, 3, 4], [0.3, 0.5, 0.8]):
        if b > q:
            continue
        m = q - b
        pm = mp.mpf(p)
        honest = [mp.binomial(m, z) * pm**z * (1 - pm) ** (m - z) for z in range(m + 1)]

        def fail(offset_law: list[tuple[mp.mpf, int]]) -> mp.mpf:
            total = mp.mpf(0)
            for prob, c in offset_law:
                for z, pz in enumerate(honest):
                    s = 2 * z - m + c
                    total += prob * pz * (1 if s < 0 else (w if s == 0 else 0))
            return total

        own = [(mp.binomial(b, c) * pm**c * (1 - pm) ** (b - c), c) for c in range(b + 1)]
        colluding = [(pr, -b if 2 * c > b else (b if 2 * c < b else 0)) for pr, c in own]
        rand = [(mp.binomial(b, h) / mp.mpf(2) ** b, 2 * h - b) for h in range(b + 1)]
        for attack, law in (("colluding", colluding), ("random", rand), ("abstain", [(mp.mpf(1), 0)])):
            exact = fail(law)
            got = float(vote_failure(q, b, p, attack, tie))
            assert _rel(got, exact) <= EXACT_RTOL or (exact == 0 and got == 0), (attack, q, b, p, got, exact)


@given(vote_params(max_workers=150), st.sampled_from(["blind", "colluding", "random", "abstain"]),
       st.sampled_from(["fail", "random", "pass"]))
def test_no_attack_fails_the_vote_more_often_than_the_omniscient_one(params: tuple[int, int, float], attack: str,
                                                                    tie: str) -> None:
    q, b, p = params
    assert float(vote_failure(q, b, p, attack, tie)) <= float(vote_failure(q, b, p, "omniscient", tie)) * (1 + 1e-12)
