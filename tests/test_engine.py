"""The Monte Carlo vote engine against the exact law, through exact confidence intervals."""

from __future__ import annotations

import pytest
import torch
from scipy import stats

from simulate.adversaries import ADVERSARIES, AttackContext, vote_aware
from simulate.engine import simulate_vote_failure, vote_failure_trials
from simulate.stats import clopper_pearson
from simulate.vote import majority_vote

CONFIDENCE = 0.999
"""Each case below is one fixed-seed draw; at this level a correct engine fails a case with
probability 1e-3, and the seeds are fixed, so the outcome is reproducible."""

CASES = [
    # (workers, byzantine, snr, batch, noise, attack, tie)
    (27, 0, 0.3, 1, "gaussian", "omniscient", "zero"),
    (27, 5, 0.5, 1, "gaussian", "omniscient", "zero"),
    (27, 9, 1.0, 4, "gaussian", "blind", "random"),
    (27, 6, 0.4, 1, "gaussian", "colluding", "zero"),
    (28, 4, 0.3, 1, "gaussian", "random", "random"),
    (20, 7, 0.3, 1, "gaussian", "abstain", "plus"),
    (27, 5, 0.5, 1, "gaussian", "vote_aware", "zero"),
    (15, 3, 0.3, 3, "uniform", "omniscient", "zero"),
    (15, 3, 0.2, 20, "uniform", "blind", "zero"),
    (15, 4, 0.4, 2, "laplace", "colluding", "zero"),
    (15, 2, 0.3, 2, "student_t(3)", "omniscient", "random"),
    (15, 3, 0.6, 1, "gauss_extremal", "omniscient", "zero"),
    (15, 3, 1.5, 1, "gauss_extremal", "blind", "zero"),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{c[4]}-{c[5]}-Q{c[0]}B{c[1]}" for c in CASES])
def test_monte_carlo_failure_rate_covers_the_exact_probability(case: tuple) -> None:
    q, b, s, n, noise, attack, tie = case
    res = simulate_vote_failure(q, b, s, n, noise, attack, trials=60_000, tie=tie, seed=11, confidence=CONFIDENCE)
    assert res.ci_low <= res.exact <= res.ci_high, res.to_row()


def test_same_seed_gives_the_same_numbers() -> None:
    a = simulate_vote_failure(27, 5, 0.5, attack="blind", trials=20_000, seed=3)
    b = simulate_vote_failure(27, 5, 0.5, attack="blind", trials=20_000, seed=3)
    c = simulate_vote_failure(27, 5, 0.5, attack="blind", trials=20_000, seed=4)
    assert a.failures == b.failures and a.failures != c.failures


def test_negative_gradients_fail_like_positive_ones_under_a_symmetric_tie_rule() -> None:
    pos = simulate_vote_failure(10, 2, 0.5, trials=40_000, seed=1, gradient_sign=1)
    neg = simulate_vote_failure(10, 2, 0.5, trials=40_000, seed=1, gradient_sign=-1)
    assert pos.failures == neg.failures  # mirrored draws, tie rule 'zero' is symmetric


def test_vote_aware_adversary_fails_exactly_the_rounds_the_omniscient_one_fails() -> None:
    gen = torch.Generator().manual_seed(0)
    for q, b in ((9, 2), (10, 3), (27, 13)):
        for tie in ("zero", "plus"):
            est = torch.randn((q, 5000), generator=gen) + 0.3
            honest = torch.sign(est[: q - b]).to(torch.int8)
            true = torch.ones(5000, dtype=torch.int8)
            ctx = AttackContext(true, est[q - b :], honest, tie, gen)
            aware = majority_vote(torch.cat([honest, vote_aware(ctx)]), tie).sign != true
            omni = majority_vote(torch.cat([honest, ADVERSARIES["omniscient"](ctx)]), tie).sign != true
            assert torch.equal(aware, omni)


def test_the_engine_counts_no_abstention_for_well_formed_strategies() -> None:
    for attack in ADVERSARIES:
        gen = torch.Generator().manual_seed(0)
        _, abst = vote_failure_trials(9, 3, 0.5, 1, "gaussian", attack, 2000, generator=gen)
        assert abst == 0


def test_clopper_pearson_matches_scipy_exact_interval() -> None:
    for k, n in ((0, 50), (3, 50), (25, 50), (50, 50), (1234, 100000)):
        lo, hi = clopper_pearson(k, n, 0.99)
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.99, method="exact")
        assert lo == pytest.approx(ref.low, abs=1e-12) and hi == pytest.approx(ref.high, abs=1e-12)


@pytest.mark.parametrize("kwargs,needle", [
    (dict(workers=27, byzantine=30, snr=1.0), "'byzantine' must be an integer in [0, workers]"),
    (dict(workers=27, byzantine=3, snr=0.0), "'snr' must be a real number in (0, inf)"),
    (dict(workers=27, byzantine=3, snr=1.0, attack="sneaky"), "'attack' must be one of"),
    (dict(workers=27, byzantine=3, snr=1.0, noise="cauchy"), "'name' must be one of"),
    (dict(workers=27, byzantine=3, snr=1.0, trials=0), "'trials' must be an integer in [1, inf)"),
    (dict(workers=27, byzantine=3, snr=1.0, device="tpu"), "'device'"),
])
def test_engine_rejects_bad_input_naming_the_argument(kwargs: dict, needle: str) -> None:
    with pytest.raises(ValueError) as err:
        simulate_vote_failure(**kwargs)
    assert needle in str(err.value)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_engine_covers_the_exact_probability() -> None:
    res = simulate_vote_failure(27, 5, 0.5, attack="colluding", trials=400_000, seed=2, device="cuda")
    assert res.device.startswith("cuda") and res.exact_in_interval
