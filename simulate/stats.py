"""Exact (Clopper-Pearson) confidence intervals for Monte Carlo failure rates."""

from __future__ import annotations

from scipy import stats

__all__ = ["clopper_pearson"]


def clopper_pearson(failures: int, trials: int, confidence: float = 0.999) -> tuple[float, float]:
    r"""Exact two-sided interval for a binomial proportion.

    .. math::

        \Big[\,B^{-1}\big(\tfrac{1-c}{2}; k, n-k+1\big),\;
              B^{-1}\big(\tfrac{1+c}{2}; k+1, n-k\big)\Big]

    with the conventions 0 at ``k = 0`` and 1 at ``k = n``.  Coverage is at least ``confidence``.
    """
    if trials < 1 or not 0 <= failures <= trials:
        raise ValueError(f"clopper_pearson: arguments must satisfy 0 <= failures <= trials, trials >= 1; "
                         f"got failures={failures}, trials={trials}")
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"clopper_pearson: argument 'confidence' must be a real number in (0, 1); got {confidence!r}")
    alpha = 1.0 - confidence
    lo = 0.0 if failures == 0 else float(stats.beta.ppf(alpha / 2, failures, trials - failures + 1))
    hi = 1.0 if failures == trials else float(stats.beta.ppf(1 - alpha / 2, failures + 1, trials - failures))
    return lo, hi
