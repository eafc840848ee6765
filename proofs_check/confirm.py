"""Monte Carlo confirmation of a refuted probability claim with the vote engine."""

from __future__ import annotations

from typing import Any

__all__ = ["confirm_above"]


def confirm_above(bound: float, workers: int, byzantine: int, snr: float, noise: str, attack: str = "omniscient",
                  tie: str = "zero", trials: int = 200_000, seed: int = 0, confidence: float = 0.999) -> dict[str, Any]:
    """Simulate the vote at a counterexample and say whether the whole interval lies above ``bound``.

    ``snr`` is the estimate's SNR (batch 1).  Returns the rate, its Clopper-Pearson interval, the exact value
    and ``confirmed`` (``ci_low > bound``).
    """
    from simulate.engine import simulate_vote_failure

    res = simulate_vote_failure(workers, byzantine, snr, 1, noise, attack, trials, tie, seed=seed,
                                confidence=confidence)
    return {"rate": res.rate, "ci_low": res.ci_low, "ci_high": res.ci_high, "confidence": confidence,
            "trials": trials, "failures": res.failures, "exact": res.exact, "seed": seed, "tie": tie,
            "attack": attack, "confirmed": bool(res.ci_low > bound)}
