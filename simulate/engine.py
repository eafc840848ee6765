r"""The Monte Carlo vote engine: simulate workers, attack, vote; compare with the exact law and the bounds.

One *trial* is one coordinate of one round: each honest worker draws its mini-batch estimate from a noise
family (:mod:`simulate.noise`), votes its sign, the Byzantine workers vote by a strategy
(:mod:`simulate.adversaries`), and the server takes the majority (:func:`simulate.vote.majority_vote`,
which validates every message).  The trial fails when the server's sign differs from :math:`\operatorname{sign}(g)`.
Trials run in batches of many coordinates on the CPU or a CUDA device; a seed fixes every number.

The failure rate carries an exact Clopper--Pearson interval and is reported next to the exact probability
(:func:`bounds.vote_failure` with the strategy's law) and every bound.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

import bounds
from bounds.summary import bound_values
from bounds._domain import BATCH, SNR, Domain, check
from bounds.vote_failure import check_workers

from .adversaries import ADVERSARIES, EXACT_LAW, NEEDS_HONEST_VOTES, AttackContext
from .device import resolve_device
from .noise import draws_per_estimate, sample_estimates
from .stats import clopper_pearson
from .vote import SERVER_TIE_RULES, ZERO_SIGN_RULES, bounds_tie_rule, majority_vote, worker_sign

__all__ = ["VoteMCResult", "simulate_vote_failure", "vote_failure_trials", "bound_values"]

_TRIALS = Domain(1, math.inf, hi_closed=False, integer=True)
DEFAULT_CHUNK = 1 << 20
"""Random numbers drawn per batch of trials: about 4 MB of float32, so that the passes after the draw
(sign, tally) run in cache; measured 25% faster on the CPU than 32 MB batches."""


@dataclass
class VoteMCResult:
    """A Monte Carlo estimate of the vote failure, with its exact interval, the exact value and the bounds."""

    workers: int
    byzantine: int
    snr: float
    batch: int
    noise: str
    attack: str
    tie: str
    trials: int
    failures: int
    rate: float
    ci_low: float
    ci_high: float
    confidence: float
    p: float
    exact: float
    bounds: dict[str, float | None] = field(default_factory=dict)
    abstentions: int = 0
    seconds: float = 0.0
    device: str = "cpu"
    seed: int = 0

    @property
    def exact_in_interval(self) -> bool:
        """Whether the exact probability lies in the Clopper-Pearson interval."""
        return self.ci_low <= self.exact <= self.ci_high

    def to_row(self) -> dict[str, Any]:
        """A flat, JSON-ready dict."""
        row = asdict(self)
        row.update({f"bound_{k}": v for k, v in row.pop("bounds").items()})
        row["exact_in_interval"] = self.exact_in_interval
        return row


def _validate(func: str, workers: int, byzantine: int, snr: float, batch: int, noise: str, attack: str,
              trials: int, tie: str, zero_sign: str, gradient_sign: int) -> None:
    check_workers(func, workers, byzantine)
    check(func, "snr", snr, SNR)
    check(func, "batch", batch, BATCH)
    check(func, "trials", trials, _TRIALS)
    bounds.get_family(noise)
    for name, value, choices in (("attack", attack, tuple(ADVERSARIES)), ("tie", tie, SERVER_TIE_RULES),
                                 ("zero_sign", zero_sign, ZERO_SIGN_RULES)):
        if value not in choices:
            raise ValueError(f"{func}: argument '{name}' must be one of {choices}; got {value!r}")
    if gradient_sign not in (1, -1):
        raise ValueError(f"{func}: argument 'gradient_sign' must be one of (1, -1); got {gradient_sign!r}")


def vote_failure_trials(workers: int, byzantine: int, snr: float, batch: int, noise: str, attack: str,
                        trials: int, tie: str = "zero", zero_sign: str = "zero", gradient_sign: int = 1,
                        generator: torch.Generator | None = None, device: torch.device = torch.device("cpu"),
                        chunk_elements: int = DEFAULT_CHUNK) -> tuple[int, int]:
    """Run ``trials`` vote trials; returns ``(failures, abstentions)``."""
    m = workers - byzantine
    strategy = ADVERSARIES[attack]
    per_trial = workers * draws_per_estimate(noise, batch)
    step = max(1, min(trials, chunk_elements // max(per_trial, 1)))
    failures = abstentions = 0
    done = 0
    while done < trials:
        t = min(step, trials - done)
        est = sample_estimates(noise, snr, batch, (workers, t), generator, device)
        if gradient_sign < 0:
            est = est.neg_()
        true_sign = torch.full((t,), gradient_sign, dtype=torch.int8, device=device)
        votes = torch.empty((workers, t), dtype=torch.int8, device=device)
        votes[:m] = worker_sign(est[:m], zero_sign, generator)
        if byzantine:
            ctx = AttackContext(true_sign, est[m:], votes[:m] if attack in NEEDS_HONEST_VOTES else None, tie,
                                generator)
            votes[m:] = strategy(ctx)
        result = majority_vote(votes, tie, generator=generator)
        failures += int((result.sign != true_sign).sum())
        abstentions += result.total_abstentions
        done += t
    return failures, abstentions


def simulate_vote_failure(
    workers: int,
    byzantine: int,
    snr: float,
    batch: int = 1,
    noise: str = "gaussian",
    attack: str = "omniscient",
    trials: int = 100_000,
    tie: str = "zero",
    zero_sign: str = "zero",
    gradient_sign: int = 1,
    seed: int = 0,
    device: str | torch.device = "cpu",
    confidence: float = 0.999,
) -> VoteMCResult:
    """Estimate the vote failure by simulation and set it beside the exact value and the bounds.

    ``snr`` is the per-sample :math:`S = |g|/\\sigma`; each worker averages ``batch`` samples.  ``tie`` is
    the server's rule (``zero``, ``plus``, ``random``) and is scored with :func:`simulate.vote.bounds_tie_rule`.
    """
    func = "simulate_vote_failure"
    _validate(func, workers, byzantine, snr, batch, noise, attack, trials, tie, zero_sign, gradient_sign)
    dev = resolve_device(device)
    gen = torch.Generator(device=dev).manual_seed(int(seed))
    t0 = time.perf_counter()
    failures, abst = vote_failure_trials(workers, byzantine, snr, batch, noise, attack, trials, tie, zero_sign,
                                         gradient_sign, gen, dev)
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)
    seconds = time.perf_counter() - t0
    lo, hi = clopper_pearson(failures, trials, confidence)
    family = bounds.get_family(noise)
    p = float(family.p_correct(snr, batch))
    law = EXACT_LAW[attack]
    exact = float(bounds.vote_failure(workers, byzantine, p, law, bounds_tie_rule(tie, gradient_sign)))
    return VoteMCResult(workers, byzantine, snr, batch, noise, attack, tie, trials, failures, failures / trials, lo, hi,
                        confidence, p, exact, bound_values(workers, byzantine, p, math.sqrt(batch) * snr, law),
                        abst, seconds, str(dev), int(seed))
