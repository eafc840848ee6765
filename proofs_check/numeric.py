"""The numeric engine: exact evaluation and counterexample search over a claimed domain.

A claim ``lhs <= rhs`` is searched through its *margin* ``rhs - lhs`` on a deterministic grid plus random
points of the domain; where ``p`` and ``S`` appear together they are linked through every admissible noise
family (:data:`LINKING_FAMILIES`: the unimodal symmetric laws of Assumption 3.4, the extremal ones included),
never through the Gaussian alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

import bounds

__all__ = ["SearchResult", "search", "LINKING_FAMILIES", "linked_points"]

LINKING_FAMILIES = ("gaussian", "uniform", "laplace", "student_t(3)", "student_t(5)", "gauss_extremal")


@dataclass
class SearchResult:
    """Outcome of a search: points evaluated, violations, and the worst point (smallest margin)."""

    evaluated: int
    violations: int
    worst_margin: float
    worst_point: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        return (f"{self.evaluated} points evaluated, {self.violations} violations, smallest margin "
                f"{self.worst_margin:.6g} at {self.worst_point}")


Margin = Callable[[dict[str, np.ndarray]], np.ndarray]


def search(margin: Margin, points: dict[str, np.ndarray], rel_tol: float = 1e-12,
           scale: Callable[[dict[str, np.ndarray]], np.ndarray] | None = None) -> SearchResult:
    """Evaluate ``margin`` (``rhs - lhs``; negative is a violation) at every point of ``points``.

    A violation must exceed ``rel_tol`` times ``scale`` (default 1), so floating rounding is never reported
    as a counterexample; candidate counterexamples are then re-checked exactly by the caller.
    """
    m = np.asarray(margin(points), dtype=float)
    sc = np.ones_like(m) if scale is None else np.abs(np.asarray(scale(points), dtype=float))
    ok = np.isfinite(m)
    bad = ok & (m < -rel_tol * np.maximum(sc, 1e-300))
    idx = int(np.nanargmin(np.where(ok, m, np.inf))) if ok.any() else 0
    worst = {k: _plain(v[idx] if isinstance(v, np.ndarray) and v.ndim else v) for k, v in points.items()}
    return SearchResult(int(m.size), int(bad.sum()), float(m[idx]) if ok.any() else float("nan"), worst)


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def linked_points(snr: np.ndarray, families: tuple[str, ...] = LINKING_FAMILIES) -> dict[str, np.ndarray]:
    """``(S, p, family)`` triples: ``p = p(S)`` of each family at each SNR (batch 1, the estimate's SNR)."""
    s_all, p_all, f_all = [], [], []
    for name in families:
        fam = bounds.get_family(name)
        p = fam.p_correct(snr)
        s_all.append(snr)
        p_all.append(p)
        f_all.append(np.full(snr.shape, name, dtype=object))
    return {"snr": np.concatenate(s_all), "p": np.concatenate(p_all), "family": np.concatenate(f_all)}
