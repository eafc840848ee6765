"""The toy quadratic: engines against the exact law and the naive reference, predictions, resumable sweep."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch

import bounds
from proofs_check.cli import main
from simulate import toy as toy_mod
from simulate.adversaries import EXACT_LAW
from simulate.stats import clopper_pearson
from simulate.toy import ToyConfig, expected_objective, outcome_polynomials, simulate_toy
from simulate.toy_reference import reference_toy
from simulate.toy_sweep import run_toy, summarise, write_toy
from tolerances import TOY_SIGMAS

SMALL = ToyConfig(dim=4000, iterations=1, repeats=1, x0=0.3)


@pytest.mark.parametrize("attack", ["omniscient", "blind", "colluding", "random", "abstain", "vote_aware"])
def test_outcome_polynomials_reproduce_the_exact_vote_failure(attack: str) -> None:
    for q, b in ((27, 5), (10, 3), (12, 6), (9, 0)):
        wrong, tie = outcome_polynomials(q, b, attack)
        j = np.arange(q + 1)
        for p in (0.2, 0.5, 0.7, 0.97):
            total = float(((wrong + tie) * p**j * (1 - p) ** (q - j)).sum())
            assert total == pytest.approx(float(bounds.vote_failure(q, b, p, EXACT_LAW[attack], "fail")), rel=1e-12,
                                          abs=1e-15)


@pytest.mark.parametrize("engine", ["counts", "workers"])
@pytest.mark.parametrize("attack,b", [("omniscient", 6), ("blind", 9), ("colluding", 5)])
def test_one_step_wrong_moves_match_the_exact_law_through_a_confidence_interval(engine: str, attack: str,
                                                                               b: int) -> None:
    f = simulate_toy([b], attack, 1, SMALL, seed=3, engine=engine)
    # x0 = 0.3 everywhere: after one step a coordinate is at 0.3 - 1 (right) or 1.3 (wrong)
    x1_sq = 2 * f[0, 0, 1]  # sum of squares after the step
    wrong = round((x1_sq - SMALL.dim * 0.7**2) / (1.3**2 - 0.7**2))
    p = float(bounds.GAUSSIAN.p_correct(0.3))
    exact = float(bounds.vote_failure(27, b, p, EXACT_LAW[attack], "fail"))
    lo, hi = clopper_pearson(wrong, SMALL.dim, 0.999)
    assert lo <= exact <= hi, (wrong / SMALL.dim, exact)


def test_naive_reference_one_step_matches_the_exact_law_through_a_confidence_interval() -> None:
    for attack, b, seed in (("omniscient", 6, 1), ("blind", 9, 2)):
        f = reference_toy(b, attack, 1, SMALL, seed=seed, iterations=1)
        wrong = round((2 * f[1] - SMALL.dim * 0.7**2) / (1.3**2 - 0.7**2))
        exact = float(bounds.vote_failure(27, b, float(bounds.GAUSSIAN.p_correct(0.3)), attack, "fail"))
        lo, hi = clopper_pearson(wrong, SMALL.dim, 0.999)
        assert lo <= exact <= hi


def test_same_seed_gives_the_same_curves() -> None:
    cfg = ToyConfig(dim=200, iterations=20, repeats=2)
    a = simulate_toy([0, 4], "blind", "t", cfg, seed=5)
    b = simulate_toy([0, 4], "blind", "t", cfg, seed=5)
    assert np.array_equal(a, b)


@pytest.mark.parametrize("x0", [1.0, 2.0, 3.7])
def test_without_adversaries_batch_500_settles_in_the_step_size_floor_band(x0: float) -> None:
    """Once |x_i| < eta_t, sign descent alternates |x| = a, eta - a: the two-step mean of x^2 lies between
    eta^2/4 (a = eta/2) and eta^2/2 (a = 0), so f ends between d eta^2/8 and d eta^2/4."""
    cfg = ToyConfig(repeats=2, x0=x0)
    f = simulate_toy([0], "omniscient", 500, cfg, seed=0)
    final = f[0, :, -50:].mean()
    etas = cfg.lr / np.sqrt(np.arange(cfg.iterations) + 1.0)
    band = cfg.dim * np.mean(etas[-50:] ** 2) * np.array([1 / 8, 1 / 4])
    assert band[0] <= final <= band[1], (final, band)


@pytest.mark.parametrize("b", [0, 3, 6, 9, 12])
def test_exact_chain_prediction_matches_the_observed_objective_at_batch_one(b: int) -> None:
    cfg = ToyConfig(repeats=12)
    f = simulate_toy([b], "omniscient", 1, cfg, seed=b)
    final = f[0, :, -50:].mean(axis=1)
    se = final.std(ddof=1) / math.sqrt(final.size)
    pps = 80
    expected = expected_objective(b, "omniscient", 1, cfg, points_per_step=pps)[-50:].mean()
    # linear mass splitting adds at most h^2/4 of variance per step to x_i: d/2 * T h^2 / 4 to f
    diffusion = cfg.dim / 2 * cfg.iterations * (cfg.lr / math.sqrt(cfg.iterations) / pps) ** 2 / 4
    assert abs(final.mean() - expected) <= TOY_SIGMAS * se + diffusion, (final.mean(), expected, se, diffusion)


def test_observed_objective_never_falls_below_the_coin_flip_floor() -> None:
    cfg = ToyConfig(repeats=2)
    f = simulate_toy([2, 6, 10], "omniscient", 1, cfg, seed=0)
    for i, b in enumerate([2, 6, 10]):
        x_star = cfg.sigma * toy_mod.coin_flip_snr(27, b, 1, "omniscient")
        assert f[i, :, -50:].mean() >= 0.5 * cfg.dim * x_star**2


def _records(tmp: Path) -> list[dict]:
    return run_toy([0, 5], [1, "t"], ["omniscient"], ToyConfig(dim=100, iterations=40, repeats=2),
                   cache=tmp / "cache", progress=False)


def test_resumed_sweep_writes_the_same_results_as_an_uninterrupted_one(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _records(tmp_path / "a")
    write_toy(whole, summarise(whole), tmp_path / "a")
    calls = {"n": 0}
    real = toy_mod.simulate_toy

    def dies_on_second(*args: object, **kwargs: object) -> np.ndarray:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # a kill in the middle of the sweep
        return real(*args, **kwargs)

    import simulate.toy_sweep as ts

    monkeypatch.setattr(ts, "simulate_toy", dies_on_second)
    with pytest.raises(KeyboardInterrupt):
        _records(tmp_path / "b")
    assert len(list((tmp_path / "b" / "cache").glob("*.json"))) == 1  # the finished unit is kept
    monkeypatch.setattr(ts, "simulate_toy", real)
    resumed = _records(tmp_path / "b")
    write_toy(resumed, summarise(resumed), tmp_path / "b")
    assert (tmp_path / "a" / "toy.json").read_bytes() == (tmp_path / "b" / "toy.json").read_bytes()
    assert (tmp_path / "a" / "toy.csv").read_bytes() == (tmp_path / "b" / "toy.csv").read_bytes()


def test_toy_command_writes_results_and_plot_redraws_from_them(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "toy"
    assert main(["toy", "-B", "0", "4", "--batch", "1", "500", "--iterations", "60", "--repeats", "2", "--dim", "200",
                 "--out", str(out), "--no-progress"]) == 0
    assert "largest B reaching" in capsys.readouterr().out
    data = json.loads((out / "toy.json").read_text())
    rows = data["summary"]
    assert {(r["attack"], r["batch"], r["byzantine"]) for r in rows} == {
        (a, b, n) for a in ("blind", "omniscient") for b in ("1", "500") for n in (0, 4)}
    for r in rows:
        assert {"seed", "device", "version", "status", "observed_final", "expected_final", "x_star"} <= set(r)
    assert (out / "toy.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["plot", "toy", "--results", str(out / "toy.json"), "--out", str(tmp_path / "f.pdf")]) == 0
    assert (tmp_path / "f.pdf").read_bytes()[:4] == b"%PDF"


def test_toy_rejects_bad_input_naming_the_argument() -> None:
    with pytest.raises(ValueError, match="argument 'batch' must be a positive integer or 't'"):
        simulate_toy([0], "blind", "n", ToyConfig(dim=10, iterations=1))
    with pytest.raises(ValueError, match=r"argument 'byzantine' must hold integers in \[0, workers=27\]; got 30"):
        simulate_toy([30], "blind", 1, ToyConfig(dim=10, iterations=1))
    with pytest.raises(ValueError, match="argument 'sigma'"):
        simulate_toy([0], "blind", 1, ToyConfig(dim=10, iterations=1, sigma=-1.0))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_toy_matches_the_exact_law() -> None:
    f = simulate_toy([6], "omniscient", 1, SMALL, seed=3, device="cuda")
    wrong = round((2 * f[0, 0, 1] - SMALL.dim * 0.7**2) / (1.3**2 - 0.7**2))
    exact = float(bounds.vote_failure(27, 6, float(bounds.GAUSSIAN.p_correct(0.3)), "omniscient", "fail"))
    lo, hi = clopper_pearson(wrong, SMALL.dim, 0.999)
    assert lo <= exact <= hi
