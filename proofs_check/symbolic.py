r"""The symbolic engine: identities and inequalities decided by certificates, with exact arithmetic.

``simplify`` is never the oracle on its own:

* :func:`identity` accepts ``lhs == rhs`` when a sympy normal form of the difference is 0 **and** the
  difference vanishes at random rational points of the domain evaluated with 60-digit arithmetic; a nonzero
  value at a point is a counterexample, a disagreement between the two is reported as inconclusive.
* :func:`polynomial_positive` certifies :math:`P(u) > 0` (or :math:`\ge 0`) on an interval from the exact real
  roots of ``P`` (isolated by sympy) and the sign of ``P`` at one rational point between consecutive roots.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Sequence

import mpmath as mp
import sympy as sp

__all__ = ["IdentityResult", "identity", "PositivityResult", "polynomial_positive", "evaluate", "rational_points"]


@dataclass
class IdentityResult:
    holds: bool | None
    certificate: str
    point: dict[str, str] | None = None
    value: str | None = None


def evaluate(expr: sp.Expr, point: dict[sp.Symbol, sp.Rational], digits: int = 60) -> mp.mpf:
    """Evaluate ``expr`` at an exact rational point with ``digits`` significant digits."""
    return sp.N(expr.subs(point), digits)


def identity(lhs: sp.Expr, rhs: sp.Expr, sample: Sequence[dict[sp.Symbol, sp.Rational]]) -> IdentityResult:
    """Decide ``lhs == rhs`` on the points of ``sample`` (rational points of the claimed domain)."""
    diff = sp.simplify(sp.radsimp(sp.together(lhs - rhs)))
    normal_zero = diff == 0
    if not normal_zero and not diff.free_symbols and diff.is_number and diff != 0:
        pt = sample[0] if sample else {}
        return IdentityResult(False, f"lhs - rhs is the nonzero constant {diff}", {str(k): str(v) for k, v in pt.items()},
                              str(diff))
    worst = sp.Integer(0)
    for pt in sample:
        val = evaluate(lhs - rhs, pt)
        scale = max(abs(evaluate(lhs, pt)), abs(evaluate(rhs, pt)), sp.Integer(1))
        if abs(val) > sp.Float("1e-45", 60) * scale:
            return IdentityResult(False, f"lhs - rhs = {sp.N(val, 15)} at a rational point",
                                  {str(k): str(v) for k, v in pt.items()}, str(sp.N(val, 15)))
        worst = max(worst, abs(val))
    if normal_zero:
        return IdentityResult(True, f"sympy normal form of lhs - rhs is 0, and |lhs - rhs| <= {sp.N(worst, 3)} at "
                                    f"{len(sample)} rational points (60 digits)")
    squares_zero = sp.simplify(sp.expand(sp.together(lhs**2 - rhs**2))) == 0
    same_sign = all(evaluate(lhs, pt) * evaluate(rhs, pt) > 0 for pt in sample)
    if squares_zero and same_sign:
        return IdentityResult(True, f"sympy normal form of lhs^2 - rhs^2 is 0 and lhs, rhs have the same sign at "
                                    f"{len(sample)} rational points (both are products and quotients of square roots "
                                    f"and of factors positive on the domain); |lhs - rhs| <= {sp.N(worst, 3)} there")
    return IdentityResult(None, f"no counterexample at {len(sample)} rational points, but sympy's normal form of "
                                f"lhs - rhs is {diff} (not proven 0)")


def rational_points(ranges: dict[sp.Symbol, tuple[sp.Rational, sp.Rational]], n: int = 24,
                    seed: int = 0) -> list[dict[sp.Symbol, sp.Rational]]:
    """``n`` random rational points inside the open box ``ranges``."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        pt = {}
        for sym, (lo, hi) in ranges.items():
            t = sp.Rational(rng.randint(1, 9999), 10000)
            pt[sym] = lo + (hi - lo) * t
        out.append(pt)
    return out


@dataclass
class PositivityResult:
    holds: bool
    certificate: str
    witness: sp.Rational | None = None


def polynomial_positive(poly: sp.Expr, var: sp.Symbol, lo: sp.Expr, hi: sp.Expr | None = None,
                        strict: bool = True, lo_open: bool = True) -> PositivityResult:
    """Certify ``poly > 0`` (``>= 0`` when not ``strict``) for ``var`` in ``(lo, hi)`` (``hi=None``: infinity).

    The real roots of ``poly`` are isolated exactly; between consecutive roots (and the ends) the sign is
    constant, so one rational test point per piece decides the sign everywhere.
    """
    p = sp.Poly(sp.expand(poly), var)
    roots = [r for r in sp.real_roots(p) if (r > lo if lo_open else r >= lo) and (hi is None or r < hi)]
    cuts = sorted(set(roots), key=lambda r: float(r))
    edges = [lo, *cuts] + ([hi] if hi is not None else [])
    tests = []
    for a, b in zip(edges, edges[1:]):
        tests.append(sp.nsimplify((sp.N(a, 30) + sp.N(b, 30)) / 2, rational=True))
    if hi is None:
        last = edges[-1]
        tests.append(sp.nsimplify(sp.N(last, 30), rational=True) + 1)
    if not tests:
        tests.append(sp.nsimplify(lo, rational=True) + 1)
    for t in tests:
        v = p.eval(t)
        if v < 0 or (strict and v == 0):
            return PositivityResult(False, f"P({t}) = {v}", t)
    if strict and any(True for _ in roots):
        return PositivityResult(False, f"P has roots {roots} inside the interval", roots[0])
    rs = ", ".join(str(sp.N(r, 8)) for r in sp.real_roots(p)) or "none"
    return PositivityResult(True, f"P = {sp.factor(p.as_expr())}; real roots of P: {rs}; none inside the interval"
                            f"{'' if strict else ' except at most roots where P = 0'}; sign checked at "
                            f"{len(tests)} rational point(s)")
