"""Every bound of one family evaluated at one parameter point, as a plain dict.

These functions back the ``signsgd-bft bound`` command and the report; they
return JSON-ready dictionaries (floats, ``None`` where a bound's hypothesis
fails) and say where each number comes from.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import cantelli, convergence, sign_error, tails, tolerance
from ._domain import ATTACKS, TIE_RULES, check_choice
from .noise import GAUSSIAN, NOISE_FAMILIES, NoiseFamily, get_family, snr_from_p
from .vote_failure import log_vote_failure, vote_failure

__all__ = ["bound_values", "vote_failure_summary", "sign_error_summary", "tolerance_summary", "convergence_summary"]


def _f(x: Any) -> float | None:
    v = float(np.asarray(x))
    return None if math.isnan(v) else v


def vote_failure_summary(
    workers: int,
    byzantine: int,
    p: float | None = None,
    snr: float | None = None,
    noise: str | NoiseFamily = "gaussian",
    attack: str = "omniscient",
    tie: str = "fail",
) -> dict[str, Any]:
    """Exact vote failure next to every bound, at one point.

    ``snr`` is the signal-to-noise ratio of one worker's estimate (the
    paper's :math:`S_i`) and ``noise`` its law.  Give ``p``, ``snr`` or both:
    a missing one is obtained from the other through ``noise``.

    Keys: ``exact`` (the chosen attack and tie rule), ``exact_paper_event``
    (:math:`P[Z < Q/2]`, omniscient), ``log_exact``, ``cantelli`` (chain
    line 2), every other chain line, ``paper_final``, ``rederived_final``,
    ``chernoff_kl``, ``hoeffding``; the chain lines are for the omniscient
    attack (which dominates the blind one for p >= 1/2) and ``None`` where the
    chain's hypothesis :math:`B/Q < 1 - 1/(2p)` fails.
    """
    check_choice("vote_failure_summary", "attack", attack, ATTACKS)
    check_choice("vote_failure_summary", "tie", tie, TIE_RULES)
    family = get_family(noise) if isinstance(noise, str) else noise
    if p is None and snr is None:
        raise ValueError("vote_failure_summary: give argument 'p' or argument 'snr' (or both); got neither")
    snr_source = "given"
    if p is None:
        p = float(family.p_correct(snr))
        p_source = f"p(S) of {family.name} noise"
    else:
        p_source = "given"
        if snr is None:
            snr = float(snr_from_p(p, family)) if 0.5 < p < 1 else math.nan
            snr_source = f"inverted from p through {family.name} noise"
    out: dict[str, Any] = {
        "workers": int(workers),
        "byzantine": int(byzantine),
        "alpha": byzantine / workers,
        "p": p,
        "snr": None if snr is None or math.isnan(snr) else snr,
        "noise": family.name,
        "attack": attack,
        "tie": tie,
        "p_source": p_source,
        "snr_source": snr_source,
        "exact": _f(vote_failure(workers, byzantine, p, attack, tie)),
        "log_exact": _f(log_vote_failure(workers, byzantine, p, attack, tie)),
        "exact_paper_event": _f(vote_failure(workers, byzantine, p, "omniscient", "pass")),
    }
    out.update(bound_values(workers, byzantine, p, out["snr"], attack))
    out["chain_valid"] = out["cantelli"] is not None
    out["paper_final_below_exact"] = (
        None if out["paper_final"] is None else bool(out["paper_final"] < out["exact_paper_event"])
    )
    return out


def bound_values(workers: int, byzantine: int, p: float, snr: float | None, attack: str = "omniscient"
                 ) -> dict[str, float | None]:
    """Every bound on the vote failure at one point: Chernoff-KL and Hoeffding for ``attack``, every line of
    the Cantelli chain (omniscient attack; ``None`` outside the chain's domain B/Q < 1 - 1/(2p)), the
    printed and the re-derived last line (``None`` also when ``snr`` is ``None``)."""
    out: dict[str, float | None] = {
        "chernoff_kl": _f(tails.chernoff_kl(workers, byzantine, p, attack)),
        "hoeffding": _f(tails.hoeffding(workers, byzantine, p, attack)),
    }
    valid = 0.5 < p <= 1 and 2 * p * (workers - byzantine) > workers
    for line in cantelli.CHAIN[1:]:
        if not line.needs_snr:
            out[line.id] = _f(line.function(workers, byzantine, p, invalid="nan")) if valid else None
    out["cantelli"] = out["line_2_cantelli"]
    with_snr = valid and snr is not None
    out["paper_final"] = _f(cantelli.paper_final(workers, byzantine, p, snr, invalid="nan")) if with_snr else None
    out["rederived_final"] = _f(cantelli.rederived_final(workers, byzantine, p, snr, invalid="nan")) if with_snr else None
    return out


def sign_error_summary(snr: float, batch: int = 1) -> dict[str, Any]:
    """Exact sign-error probability of every registered noise family next to the bounds.

    ``snr`` is the per-sample SNR; the bounds are evaluated at the batch SNR
    :math:`\\sqrt n S` of the worker's estimate.
    """
    s_est = snr * math.sqrt(batch)
    exact = {name: _f(fam.sign_error(snr, batch)) for name, fam in NOISE_FAMILIES.items()}
    return {
        "snr": snr,
        "batch": batch,
        "estimate_snr": s_est,
        "exact": exact,
        "bzaa18_lemma_1": _f(sign_error.bzaa18_lemma_1(s_est)),
        "lemma_3_6_sign_error": _f(sign_error.lemma_3_6_sign_error(s_est)),
        "lemma_3_6_ratio": _f(sign_error.lemma_3_6_ratio(s_est)),
        "sign_error_ratio": {name: _f(sign_error.sign_error_ratio(1 - e)) for name, e in exact.items() if e is not None},
    }


def tolerance_summary(workers: int, p: float, alpha: float | None = None, snr: float | None = None,
                      target: float = 0.5) -> dict[str, Any]:
    """The paper's threshold, the integer tolerances and, given ``alpha`` and
    ``snr``, the smallest Gaussian batch that tolerates ``alpha``."""
    b_max = int(tolerance.max_byzantine(workers, p))
    out: dict[str, Any] = {
        "workers": workers,
        "p": p,
        "alpha_star": _f(tolerance.alpha_star(p)) if p > 0 else None,
        "max_byzantine": b_max,
        "jlh24_max_byzantine_given_honest": int(tolerance.jlh24_max_byzantine(workers - max(b_max, 0), p)),
        "max_byzantine_exact_omniscient": int(tolerance.max_byzantine_exact(workers, p, target, "omniscient")),
        "max_byzantine_exact_blind": int(tolerance.max_byzantine_exact(workers, p, target, "blind")),
        "target": target,
    }
    if alpha is not None and snr is not None:
        out["alpha"] = alpha
        out["snr"] = snr
        out["min_batch_for_alpha_gaussian"] = _f(tolerance.min_batch_for_alpha(alpha, snr, GAUSSIAN))
    return out


def convergence_summary(iterations: int, workers: int, alpha: float, p: float, sigma_l1: float,
                        smoothness_l1: float, f_gap: float) -> dict[str, Any]:
    """Theorem 3.7 as stated, as its proof ends, re-derived, and BZAA18's Theorem 2."""
    args = (iterations, workers, alpha, p, sigma_l1, smoothness_l1, f_gap)
    out: dict[str, Any] = {
        "iterations": iterations, "workers": workers, "alpha": alpha, "p": p,
        "sigma_l1": sigma_l1, "smoothness_l1": smoothness_l1, "f_gap": f_gap,
    }
    for fn in (convergence.theorem_3_7_stated, convergence.theorem_3_7_proof_end,
               convergence.theorem_3_7_rederived, convergence.theorem_3_7_descent):
        out[fn.__name__] = _f(fn(*args, invalid="nan"))
    out["bzaa18_theorem_2"] = _f(convergence.bzaa18_theorem_2(iterations, workers, alpha, sigma_l1, smoothness_l1,
                                                             f_gap)) if alpha < 0.5 else None
    return out
