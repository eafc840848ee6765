r"""The paper's claims as data, each with the procedure that decides it.

A :class:`Claim` holds an id, where it stands in the paper, the statement (a sympy relation where one exists,
its text otherwise), the domain on which the paper claims it, the claims it rests on, and a ``decide``
procedure built from the engines (:mod:`proofs_check.symbolic`, :mod:`proofs_check.numeric`,
:mod:`proofs_check.confirm`).  Nothing here assumes the paper is right: every verdict recomputes its
evidence when :func:`decide_all` runs.

Symbols: ``S`` the SNR of a worker's estimate, ``p`` the probability its sign is right, ``a`` the Byzantine
fraction :math:`\alpha`, ``Q`` the number of workers, ``r`` stands for :math:`\sqrt{4+S^2}`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import mpmath as mp
import numpy as np
import sympy as sp

import bounds

from .numeric import LINKING_FAMILIES, linked_points, search
from .symbolic import identity, polynomial_positive, rational_points
from .verdict import Counterexample, Verdict

__all__ = ["Claim", "CLAIMS", "decide_all", "get_claim"]

S, p, a, Q, u, x = sp.symbols("S p a Q u x", positive=True)
R = sp.sqrt(4 + S**2)
HALF = sp.Rational(1, 2)
BOUND_36 = HALF - S / (2 * R)
GAUSS_BREAK = 2 / sp.sqrt(3)


@dataclass
class Claim:
    """One claim of the paper (or of its sources), as data, with its decision procedure."""

    id: str
    source: str
    statement: str
    domain: str
    decide: Callable[[], Verdict]
    depends_on: tuple[str, ...] = ()
    probability: bool = False
    notes: str = ""
    relation: sp.Basic | None = field(default=None, repr=False)


CLAIMS: list[Claim] = []


def claim(id: str, source: str, statement: sp.Basic | str, domain: str, depends_on: tuple[str, ...] = (),
          probability: bool = False) -> Callable[[Callable[[], Verdict]], Callable[[], Verdict]]:
    """Register the decorated decision procedure as the claim ``id``."""

    def wrap(fn: Callable[[], Verdict]) -> Callable[[], Verdict]:
        rel = statement if isinstance(statement, sp.Basic) else None
        CLAIMS.append(Claim(id, source, str(statement), domain, fn, depends_on, probability, relation=rel))
        return fn

    return wrap


def get_claim(id: str) -> Claim:
    """Look a claim up by id."""
    for c in CLAIMS:
        if c.id == id:
            return c
    raise ValueError(f"get_claim: argument 'id' must be one of {[c.id for c in CLAIMS]}; got {id!r}")


def _pts(ranges: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]], n: int = 16) -> list[dict[sp.Symbol, sp.Rational]]:
    return rational_points({k: (sp.nsimplify(lo), sp.nsimplify(hi)) for k, (lo, hi) in ranges.items()}, n)


def _identity_verdict(lhs: sp.Expr, rhs: sp.Expr, ranges: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]],
                      what: str) -> Verdict:
    res = identity(lhs, rhs, _pts(ranges))
    if res.holds:
        return Verdict("verified", "symbolic", [f"{what}: {res.certificate}"])
    if res.holds is False:
        return Verdict("refuted", "symbolic", [f"{what}: {res.certificate}"],
                       Counterexample(res.point or {}, str(lhs), str(rhs), note=f"lhs - rhs = {res.value}"))
    return Verdict("inconclusive", "symbolic", [res.certificate])


_SNR_GRID = np.geomspace(1e-3, 1e3, 400)


# --------------------------------------------------------------------------------------------- Lemma 3.6
@claim("bzaa18.lemma_1.attained", "BZAA18 Lemma 1; restated in Appendix A",
       "sup over unimodal symmetric laws of P[sign wrong] = Gauss bound G(S)", "S > 0")
def _bzaa18_attained() -> Verdict:
    # the extremal law: 0 w.p. 1 - w, U(-c, c) w.p. w; its tail w (c - S)/(2c) and variance w c^2 / 3
    w_hi, c_hi = 4 / (3 * S**2), 3 * S / 2
    tail_hi = w_hi * (c_hi - S) / (2 * c_hi)
    var_hi = w_hi * c_hi**2 / 3
    ev = []
    v1 = _identity_verdict(tail_hi, 2 / (9 * S**2), {S: (GAUSS_BREAK, 10)}, "tail of the extremal law, S > 2/sqrt3")
    v2 = _identity_verdict(var_hi, sp.Integer(1), {S: (GAUSS_BREAK, 10)}, "its variance")
    tail_lo = (sp.sqrt(3) - S) / (2 * sp.sqrt(3))
    v3 = _identity_verdict(tail_lo, HALF - S / (2 * sp.sqrt(3)), {S: (sp.Rational(1, 100), GAUSS_BREAK)},
                           "tail of U(-sqrt3, sqrt3), S <= 2/sqrt3")
    for v in (v1, v2, v3):
        ev += v.evidence
        if v.verdict != "verified":
            return Verdict("inconclusive", "symbolic", ev)
    ev.append("w = 4/(3 S^2) <= 1 exactly when S >= 2/sqrt3, so the law is admissible on its branch; the upper "
              "bound itself is Gauss's inequality (1823), halved by symmetry")
    return Verdict("verified", "symbolic (constructive: the extremal laws attain the bound)", ev)


@claim("appendix_a.case_1.rewrite", "Appendix A, Case 1, the first <=> (rewriting)",
       sp.Eq(2 / (9 * S**2) + S / (2 * R), (4 * R + 9 * S**3) / (18 * S**2 * R)), "S > 2/sqrt(3)")
def _case1_rewrite() -> Verdict:
    return _identity_verdict(2 / (9 * S**2) + S / (2 * R), (4 * R + 9 * S**3) / (18 * S**2 * R),
                             {S: (GAUSS_BREAK, 20)}, "2/(9S^2) + S/(2r) = (4r + 9S^3)/(18 S^2 r)")


@claim("appendix_a.case_1", "Appendix A, Case 1", sp.Le(2 / (9 * S**2), BOUND_36), "S > 2/sqrt(3)",
       ("appendix_a.case_1.rewrite",))
def _case1() -> Verdict:
    ev = []
    # 18 S^2 r (B36 - G) = (9 S^2 - 4) r - 9 S^3 ; both terms positive for S > 2/sqrt3, so square
    v = _identity_verdict(18 * S**2 * R * (BOUND_36 - 2 / (9 * S**2)), (9 * S**2 - 4) * R - 9 * S**3,
                          {S: (GAUSS_BREAK, 20)}, "18 S^2 r (bound - 2/(9S^2)) = (9S^2 - 4) r - 9 S^3")
    ev += v.evidence
    poly = sp.expand(((9 * u - 4) ** 2 * (4 + u) - 81 * u**3))
    v2 = _identity_verdict(((9 * S**2 - 4) * R) ** 2 - (9 * S**3) ** 2, poly.subs(u, S**2), {S: (GAUSS_BREAK, 20)},
                           "((9S^2-4) r)^2 - (9S^3)^2 = P(S^2)")
    ev += v2.evidence
    pos = polynomial_positive(poly, u, sp.Rational(4, 3))
    ev.append(f"P(u) > 0 for u = S^2 > 4/3: {pos.certificate}")
    num = search(lambda d: bounds.lemma_3_6_sign_error(d["snr"]) - 2 / (9 * d["snr"] ** 2),
                 {"snr": np.geomspace(2 / math.sqrt(3), 1e4, 4000)[1:]})
    ev.append(f"numeric cross-check: {num.summary()}")
    if v.verdict == v2.verdict == "verified" and pos.holds and num.violations == 0:
        return Verdict("verified", "symbolic (polynomial certificate) + numeric", ev)
    return Verdict("inconclusive", "symbolic", ev)


@claim("appendix_a.case_1.shape", "Appendix A, Case 1, remarks on the left-hand side h(S)",
       "h(S) = (4r + 9S^3)/(18 S^2 r) decreases on (2/sqrt3, ~1.52], increases after, h(2/sqrt3) ~ 0.42, "
       "h -> 1/2 as S -> oo", "S > 2/sqrt(3)")
def _case1_shape() -> Verdict:
    h = 2 / (9 * S**2) + S / (2 * R)
    dh = sp.diff(h, S)
    ev = []
    v = _identity_verdict(dh, -4 / (9 * S**3) + 2 / R**3, {S: (GAUSS_BREAK, 20)}, "h'(S) = -4/(9S^3) + 2/r^3")
    ev += v.evidence
    # h' > 0  <=>  9 S^3 > 2 r^3  <=>  81 u^3 - 4 (4 + u)^3 > 0
    cubic = sp.expand(81 * u**3 - 4 * (4 + u) ** 3)
    roots = [r for r in sp.real_roots(sp.Poly(cubic, u))]
    s_star = sp.sqrt(roots[0]) if len(roots) == 1 else None
    ev.append(f"sign of h' = sign of {cubic} (u = S^2); its real roots: {[sp.N(r, 10) for r in roots]}")
    h_break = sp.nsimplify(h.subs(S, GAUSS_BREAK))
    limit = sp.limit(h, S, sp.oo)
    ev.append(f"h(2/sqrt3) = {h_break} = {sp.N(h_break, 6)}; lim h = {limit}")
    ok = (s_star is not None and abs(float(s_star) - 1.52) < 0.005 and h_break == sp.Rational(5, 12)
          and limit == HALF and roots[0] > sp.Rational(4, 3))
    ev.append(f"critical point S* = sqrt(u*) = {sp.N(s_star, 10) if s_star is not None else None} (the paper: ~1.52)")
    if ok:
        return Verdict("verified", "symbolic", ev)
    return Verdict("refuted", "symbolic", ev, Counterexample({"S": str(s_star)}, str(h_break), "5/12",
                                                              note="shape differs from the text"))


@claim("appendix_a.case_2", "Appendix A, Case 2", sp.Le(HALF - S / (2 * sp.sqrt(3)), BOUND_36),
       "0 < S <= 2/sqrt(3)")
def _case2() -> Verdict:
    ev = []
    v = _identity_verdict(BOUND_36 - (HALF - S / (2 * sp.sqrt(3))), S * (R - sp.sqrt(3)) / (2 * sp.sqrt(3) * R),
                          {S: (sp.Rational(1, 1000), GAUSS_BREAK)}, "difference = S (r - sqrt3)/(2 sqrt3 r)")
    ev += v.evidence
    pos = polynomial_positive(u + 1, u, 0, lo_open=False)  # r^2 - 3 = S^2 + 1 > 0, so r > sqrt3
    ev.append(f"r^2 - 3 = S^2 + 1 > 0: {pos.certificate}")
    return Verdict("verified" if v.verdict == "verified" and pos.holds else "inconclusive", "symbolic", ev)


@claim("lemma_3_6.first", "Lemma 3.6, first inequality", sp.Le(1 - p, BOUND_36),
       "S > 0, p = P[sign right] for any unimodal symmetric noise (Assumption 3.4)",
       ("bzaa18.lemma_1.attained", "appendix_a.case_1", "appendix_a.case_2"), probability=True)
def _lemma36_first() -> Verdict:
    pts = linked_points(_SNR_GRID)
    num = search(lambda d: bounds.lemma_3_6_sign_error(d["snr"]) - (1 - d["p"]), pts)
    ev = ["follows from BZAA18 Lemma 1 (Gauss's inequality, attained, so it is the supremum) and Cases 1 and 2, "
          "which show the Lemma 3.6 bound is at least Gauss's bound on both branches",
          f"numeric over {len(LINKING_FAMILIES)} families: {num.summary()}"]
    if num.violations:
        return _numeric_counterexample(num, "1 - p", "1/2 - S/(2 sqrt(4+S^2))")
    return Verdict("verified", "symbolic (via dependencies) + numeric", ev)


@claim("lemma_3_6.at_most_half", "Lemma 3.6, 'in all cases less than or equal to 1/2'", sp.Le(BOUND_36, HALF), "S > 0")
def _at_most_half() -> Verdict:
    return Verdict("verified", "symbolic", ["1/2 - bound = S/(2 sqrt(4+S^2)) > 0 for S > 0 (a quotient of positives)"])


EQUIV = [
    ("appendix_a.equiv_1", "S/(2r) <= p - 1/2", sp.Ge(BOUND_36, 1 - p), sp.Le(S / (2 * R), p - HALF)),
    ("appendix_a.equiv_2", "1/2 <= (p - 1/2) r/S", sp.Le(S / (2 * R), p - HALF), sp.Le(HALF, (p - HALF) * R / S)),
    ("appendix_a.equiv_3", "1/4 <= (p - 1/2)^2 (4/S^2 + 1)", sp.Le(HALF, (p - HALF) * R / S),
     sp.Le(sp.Rational(1, 4), (p - HALF) ** 2 * (4 / S**2 + 1))),
    ("appendix_a.equiv_4", "1/(4(p - 1/2)^2) - 1 <= 4/S^2", sp.Le(sp.Rational(1, 4), (p - HALF) ** 2 * (4 / S**2 + 1)),
     sp.Le(1 / (4 * (p - HALF) ** 2) - 1, 4 / S**2)),
]


def _equiv_decider(left: sp.Rel, right: sp.Rel) -> Callable[[], Verdict]:
    def decide() -> Verdict:
        fl = sp.lambdify((p, S), left, "mpmath")
        fr = sp.lambdify((p, S), right, "mpmath")
        grid_p = [Fraction(k, 40) for k in range(0, 41) if k != 20]
        grid_s = [Fraction(1, 8), Fraction(1, 2), Fraction(1), Fraction(3, 2), Fraction(4)]
        checked = 0
        mp.mp.dps = 50
        for pv, sv in itertools.product(grid_p, grid_s):
            lv = bool(fl(mp.mpf(pv.numerator) / pv.denominator, mp.mpf(sv.numerator) / sv.denominator))
            rv = bool(fr(mp.mpf(pv.numerator) / pv.denominator, mp.mpf(sv.numerator) / sv.denominator))
            checked += 1
            if lv != rv:
                holds_above = all(bool(fl(mp.mpf(k) / 40, mp.mpf(sv.numerator) / sv.denominator))
                                  == bool(fr(mp.mpf(k) / 40, mp.mpf(sv.numerator) / sv.denominator))
                                  for k in range(21, 41))
                return Verdict("refuted", "exact evaluation (50 digits) on a rational grid of the domain",
                               [f"the two statements differ at p = {pv}, S = {sv}",
                                "they agree at every grid point with p > 1/2" if holds_above else "",
                                "the proof needs only the direction =>, which holds: the first inequality gives "
                                "p > 1/2, and squaring a non-negative inequality keeps it"],
                               Counterexample({"p": str(pv), "S": str(sv)}, f"{left} is {lv}", f"{right} is {rv}",
                                              note="as an equivalence on p in [0, 1], p != 1/2, S > 0"))
        return Verdict("verified", "exact evaluation (50 digits) on a rational grid + sign argument",
                       [f"both statements agree at {checked} rational points of p in [0, 1] \\ {{1/2}}, S > 0",
                        "each step multiplies by a positive quantity or rearranges terms"])

    return decide


for _id, _txt, _l, _r in EQUIV:
    claim(_id, f"Appendix A, proof of the second inequality, step '<=> {_txt}'", sp.Equivalent(_l, _r),
          "p in [0, 1], p != 1/2, S > 0")(_equiv_decider(_l, _r))


@claim("appendix_a.equiv_5", "Appendix A, last step", sp.Eq(1 / (4 * (p - HALF) ** 2) - 1, p * (1 - p) / (p - HALF) ** 2),
       "p != 1/2")
def _equiv5() -> Verdict:
    return _identity_verdict(1 / (4 * (p - HALF) ** 2) - 1, p * (1 - p) / (p - HALF) ** 2,
                             {p: (sp.Rational(1, 2), 1)}, "1/(4(p-1/2)^2) - 1 = p(1-p)/(p-1/2)^2")


@claim("lemma_3_6.second", "Lemma 3.6, second inequality", sp.Le(p * (1 - p) / (p - HALF) ** 2, 4 / S**2),
       "S > 0, p = P[sign right] for any unimodal symmetric noise", ("lemma_3_6.first", "appendix_a.equiv_1",
       "appendix_a.equiv_2", "appendix_a.equiv_3", "appendix_a.equiv_4", "appendix_a.equiv_5"))
def _lemma36_second() -> Verdict:
    pts = linked_points(_SNR_GRID)
    keep = pts["p"] < 1.0
    pts = {k: v[keep] for k, v in pts.items()}
    num = search(lambda d: 4 / d["snr"] ** 2 - bounds.sign_error_ratio(d["p"]), pts, rel_tol=1e-9,
                 scale=lambda d: 4 / d["snr"] ** 2)
    ev = ["from the first inequality, p - 1/2 >= S/(2r) > 0; then each step of the appendix holds in the direction "
          "=> for p > 1/2 (the equivalence of the squaring step fails only for p < 1/2, which the first inequality "
          "excludes)", f"numeric over {len(LINKING_FAMILIES)} families: {num.summary()}"]
    if num.violations:
        return _numeric_counterexample(num, "p(1-p)/(p-1/2)^2", "4/S^2")
    return Verdict("verified", "symbolic (via dependencies) + numeric", ev)


@claim("lemma_3_6.monotonicity", "Remark 'Monotonicity' after Lemma 3.6",
       "the bound 1/2 - S/(2 sqrt(4+S^2)) decreases from 1/2 to 0 as S grows", "S > 0")
def _monotone() -> Verdict:
    d = sp.simplify(sp.diff(S / (2 * R), S))
    v = _identity_verdict(d, 2 / R**3, {S: (sp.Rational(1, 100), 50)}, "d/dS [S/(2r)] = 2/r^3 > 0")
    lims = (sp.limit(BOUND_36, S, 0, "+"), sp.limit(BOUND_36, S, sp.oo))
    ev = v.evidence + [f"limits at 0+ and oo: {lims}"]
    ok = v.verdict == "verified" and lims == (HALF, 0)
    return Verdict("verified" if ok else "inconclusive", "symbolic", ev)


@claim("lemma_3_6.critical_points", "Remark 'Critical Points' after Lemma 3.6",
       "as S -> 0 the bound tends to 1/2 (random guessing)", "S > 0")
def _critical() -> Verdict:
    lim = sp.limit(BOUND_36, S, 0, "+")
    return Verdict("verified" if lim == HALF else "refuted", "symbolic", [f"lim S->0+ = {lim}"],
                   None if lim == HALF else Counterexample({"S": "0+"}, str(lim), "1/2"))


def _numeric_counterexample(num: "object", lhs: str, rhs: str) -> Verdict:
    pt = num.worst_point  # type: ignore[attr-defined]
    return Verdict("refuted", "numeric", [num.summary()],  # type: ignore[attr-defined]
                   Counterexample(pt, lhs, rhs, noise_family=pt.get("family")))


from . import catalogue_vote as _vote  # noqa: E402,F401  (Theorem 3.5, Section 3.3, Theorem 3.7, remarks)


def decide_all(ids: list[str] | None = None) -> list[tuple[Claim, Verdict]]:
    """Decide every claim (or those in ``ids``), recomputing all evidence."""
    out = []
    for c in CLAIMS:
        if ids is not None and c.id not in ids:
            continue
        try:
            v = c.decide()
        except Exception as err:  # an engine failure is reported, never hidden
            v = Verdict("inconclusive", "error", [f"{type(err).__name__}: {err}"])
        v.evidence = [e for e in v.evidence if e]
        out.append((c, v))
    return out
