"""The Cantelli chain of Section 3.3, line by line, against the exact vote failure."""

from __future__ import annotations

import math

import mpmath as mp
import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import reference
from bounds import NOISE_FAMILIES, UNIFORM, cantelli_chain, paper_final, rederived_final
from bounds.cantelli import line_0, line_1, line_2_cantelli, line_3_am_gm, line_4, line_5, line_6
from bounds.noise import snr_from_p
from strategies import chain_params
from tolerances import BOUND_SLACK, IDENTITY_RTOL


@given(chain_params())
def test_cantelli_line_bounds_the_exact_failure(params: tuple[int, int, float]) -> None:
    q, b, p = params
    assert float(line_1(q, b, p)) <= float(line_2_cantelli(q, b, p)) * (1 + BOUND_SLACK)
    assert float(line_0(q, b, p)) <= float(line_1(q, b, p)) * (1 + BOUND_SLACK)


@given(chain_params())
def test_one_plus_x_squared_step_never_decreases_the_bound(params: tuple[int, int, float]) -> None:
    q, b, p = params
    assert float(line_2_cantelli(q, b, p)) <= float(line_3_am_gm(q, b, p)) * (1 + BOUND_SLACK)


@given(chain_params())
@example((3, 0, 0.5000000000000001))  # once 33% apart: (1 - alpha) p - 1/2 computed with cancellation
def test_lines_three_to_six_are_equal(params: tuple[int, int, float]) -> None:
    q, b, p = params
    vals = [float(f(q, b, p)) for f in (line_3_am_gm, line_4, line_5, line_6)]
    for v in vals[1:]:
        assert v == pytest.approx(vals[0], rel=IDENTITY_RTOL * 100)


@given(chain_params(), st.sampled_from(sorted(NOISE_FAMILIES)))
def test_rederived_last_line_bounds_line_six_when_p_and_s_share_a_noise_law(params: tuple[int, int, float],
                                                                            name: str) -> None:
    q, b, p = params
    if p >= 0.999999:
        return
    fam = NOISE_FAMILIES[name]
    try:
        s = float(snr_from_p(p, fam))
    except ValueError:
        return  # p not reached by this family
    assert float(line_6(q, b, p)) <= float(rederived_final(q, b, p, s)) * (1 + 1e-9)


def test_paper_last_line_is_four_times_smaller_than_the_rederived_one() -> None:
    q, b, p, s = 27, 5, 0.8, 1.3
    assert float(rederived_final(q, b, p, s)) == pytest.approx(4 * float(paper_final(q, b, p, s)), rel=1e-15)


# A counterexample the report's scan finds (uniform noise, an admissible unimodal symmetric law):
UNIFORM_COUNTEREXAMPLE = (145, 0, 0.108103)


def test_paper_last_line_is_below_the_exact_failure_for_uniform_noise() -> None:
    q, b, s = UNIFORM_COUNTEREXAMPLE
    p = 0.5 + s / (2 * math.sqrt(3))  # uniform noise, exact p(S) for S <= sqrt 3
    assert float(UNIFORM.p_correct(s)) == pytest.approx(p, rel=1e-15)
    exact = reference.vote_failure(q, b, p, "omniscient", 0.0)  # the paper's event Z < Q/2, mpmath
    printed = mp.sqrt(1 - mp.mpf(b) / q) * (mp.mpf(p) - mp.mpf(1) / 2) / (
        4 * mp.mpf(s) * mp.sqrt(q) * ((1 - mp.mpf(b) / q) * p - mp.mpf(1) / 2))
    assert exact > 1.1 * printed  # refuted by exact arithmetic, independently of the package
    assert float(paper_final(q, b, p, s)) == pytest.approx(float(printed), rel=1e-12)
    assert float(rederived_final(q, b, p, s)) >= float(exact)


def test_line_one_differs_from_line_zero_for_an_even_number_of_workers() -> None:
    assert float(line_1(2, 0, 0.75)) > float(line_0(2, 0, 0.75))
    assert float(line_1(27, 3, 0.75)) == float(line_0(27, 3, 0.75))


def test_chain_rejects_points_outside_its_domain_or_returns_nan_on_request() -> None:
    with pytest.raises(ValueError, match=r"paper_final: the chain needs p in \(1/2, 1\].*integer in \[0, 7\].*got byzantine=13"):
        paper_final(27, 13, 0.7, 1.0)
    assert math.isnan(float(paper_final(27, 13, 0.7, 1.0, invalid="nan")))
    with pytest.raises(ValueError, match="argument 'invalid' must be one of"):
        line_4(27, 1, 0.9, invalid="ignore")


def test_cantelli_chain_returns_every_line_and_broadcasts() -> None:
    out = cantelli_chain(27, np.arange(0, 5), 0.9, 2.0)
    assert set(out) == {"line_0", "line_1", "line_2_cantelli", "line_3_am_gm", "line_4", "line_5", "line_6",
                        "paper_final", "rederived_final"}
    assert all(v.shape == (5,) for v in out.values())
