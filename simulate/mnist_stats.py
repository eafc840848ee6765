"""What the theory needs, measured on real MNIST gradients: p, S, Assumption 3.4 and the paper's threshold.

For coordinate :math:`i`, honest worker gradients :math:`G_{ji}` (:math:`j = 1..M`) and the gradient of the whole
training part :math:`g_i`:

* :math:`p_i = \\frac1M \\#\\{j : \\operatorname{sign} G_{ji} = \\operatorname{sign} g_i\\}`, the empirical
  probability that an honest worker's sign is right (Theorem 3.7's :math:`p`); the same on the workers' votes
  (the signs of their Signum momenta) gives :math:`p^{\\mathrm{vote}}_i`;
* :math:`S_i = |\\bar G_i| / \\mathrm{sd}_j(G_{ji})`, the signal-to-noise ratio of one worker's estimate
  (Lemma 3.6's :math:`S_i`);
* Assumption 3.4 (unimodal, symmetric noise), checked on a sample of coordinates through the sample skewness
  (:math:`|\\gamma| < 1` counted as symmetric) and Sarle's bimodality coefficient
  :math:`(\\gamma^2 + 1)/\\kappa` (:math:`< 5/9` counted as unimodal);
* the paper's threshold :math:`\\alpha^*(p_i) = 1 - 1/(2 p_i)` (Section 3.3), per coordinate and at the median
  :math:`p`, and the fraction of coordinates it covers at a given Byzantine fraction,
  :math:`\\#\\{i : B/Q < \\alpha^*(p_i)\\}/d`;
* the fraction of zero entries :math:`G_{ji} = 0` (a zero is not a right sign in :math:`p_i`; the vote counts it
  as an abstention), and :math:`p_i` among the non-zero signs only;
* the same weighted by the full gradient's magnitude, which is how a coordinate's vote enters the descent of
  BZAA18's Theorem 1 and Theorem 3.7 (:math:`\\sum_i |g_i|\\,(1 - 2 P[\\text{vote}_i \\text{ wrong}])`):
  :math:`p_w = \\sum_i |g_i| p_i / \\|g\\|_1`, the share of :math:`\\|g\\|_1` on covered coordinates, and the
  share on which the vote was right;
* the vote's observed agreement with :math:`\\operatorname{sign} g_i` (one minus the empirical vote failure).
"""

from __future__ import annotations

import math
from typing import Any

import torch

__all__ = ["sign_statistics", "QUANTILES"]

QUANTILES = (0.1, 0.5, 0.9)
"""The quantiles over coordinates that every summary reports."""


def _quantiles(x: torch.Tensor) -> list[float]:
    x = x.double().flatten()
    if x.numel() > 2_000_000:  # torch.quantile's size limit: an even subsample (deterministic)
        x = x[:: x.numel() // 2_000_000 + 1]
    return [float(v) for v in torch.quantile(x, torch.tensor(QUANTILES, dtype=torch.float64, device=x.device))]


def sign_statistics(grads: torch.Tensor, full: torch.Tensor, workers: int, byzantine: int = 0,
                    votes: torch.Tensor | None = None, outcome: torch.Tensor | None = None,
                    shape_coords: int = 20_000, seed: int = 0) -> dict[str, Any]:
    """Statistics of honest gradients ``grads`` ``(M, d)`` against the full gradient ``full`` ``(d,)``.

    ``workers`` (Q) and ``byzantine`` (B) place the run against the paper's threshold; ``votes`` ``(M, d)``
    (the honest votes actually sent) and ``outcome`` ``(d,)`` (the server's vote) are optional.  Coordinates
    where the full gradient is exactly 0 have no right sign and are left out.  Assumption 3.4 is checked on
    ``shape_coords`` coordinates drawn with ``seed``.
    """
    import bounds

    if grads.dim() != 2 or full.shape != grads.shape[1:]:
        raise ValueError(f"sign_statistics: arguments 'grads' (M, d) and 'full' (d,) must agree; got "
                         f"{tuple(grads.shape)} and {tuple(full.shape)}")
    if grads.shape[0] < 2:
        raise ValueError(f"sign_statistics: argument 'grads' must hold at least 2 honest workers; got {grads.shape[0]}")
    if not 0 <= byzantine < workers:
        raise ValueError(f"sign_statistics: argument 'byzantine' must be an integer in [0, {workers - 1}]; "
                         f"got {byzantine!r}")
    keep = full != 0
    truth = torch.sign(full[keep])
    g = grads[:, keep]
    sg = torch.sign(g)
    p = (sg == truth).float().mean(0)
    decided = (sg != 0).float().sum(0)
    p_nonzero = ((sg == truth).float().sum(0) / decided)[decided > 0]
    mean, sd = g.mean(0), g.std(0)
    snr = mean.abs() / sd.clamp_min(1e-30)
    p_q = _quantiles(p)
    p_med = p_q[QUANTILES.index(0.5)]
    alpha_frac = byzantine / workers
    # B/Q < 1 - 1/(2 p)  <=>  p > 1 / (2 (1 - B/Q))
    ok = p > 1.0 / (2.0 * (1.0 - alpha_frac))
    covered = float(ok.float().mean())
    weight = full[keep].abs().double()
    weight = weight / weight.sum()
    p_weighted = float((weight * p.double()).sum())
    gen = torch.Generator().manual_seed(seed)
    pick = torch.randperm(g.shape[1], generator=gen)[: min(shape_coords, g.shape[1])].to(g.device)
    sample = g[:, pick].double()
    z = (sample - sample.mean(0)) / sample.std(0, correction=0).clamp_min(1e-30)
    skew, kurt = (z**3).mean(0), (z**4).mean(0)
    bimodality = (skew**2 + 1) / kurt.clamp_min(1e-30)
    nondegenerate = sample.std(0) > 0
    out: dict[str, Any] = {
        "coordinates": int(keep.sum()), "honest": int(grads.shape[0]), "workers": workers, "byzantine": byzantine,
        "p_quantiles": p_q, "p_mean": float(p.double().mean()), "p_median": p_med,
        "fraction_p_above_half": float((p > 0.5).float().mean()),
        "fraction_zero": float((sg == 0).float().mean()),
        "p_nonzero_quantiles": _quantiles(p_nonzero) if p_nonzero.numel() else [math.nan] * len(QUANTILES),
        "snr_quantiles": _quantiles(snr),
        "alpha_star_quantiles": [float(bounds.alpha_star(min(max(v, 1e-12), 1.0))) for v in p_q],
        "alpha_star_at_median_p": float(bounds.alpha_star(min(max(p_med, 1e-12), 1.0))),
        "max_byzantine_at_median_p": int(bounds.max_byzantine(workers, min(max(p_med, 1e-12), 1.0))),
        "fraction_covered_at_this_b": covered,
        "p_weighted": p_weighted,
        "max_byzantine_at_weighted_p": int(bounds.max_byzantine(workers, min(max(p_weighted, 1e-12), 1.0))),
        "l1_covered_at_this_b": float((weight * ok.double()).sum()),
        "fraction_symmetric": float((skew[nondegenerate].abs() < 1.0).double().mean()) if nondegenerate.any() else 0.0,
        "fraction_unimodal": float((bimodality[nondegenerate] < 5 / 9).double().mean()) if nondegenerate.any() else 0.0,
    }
    if votes is not None:
        out["p_vote_quantiles"] = _quantiles((votes[:, keep].float() == truth).float().mean(0))
    if outcome is not None:
        right = outcome[keep].float() == truth
        out["vote_agreement"] = float(right.float().mean())
        out["l1_vote_agreement"] = float((weight * right.double()).sum())
    return out
