r"""Claims about the vote: Theorem 3.5, the Cantelli chain of Section 3.3, Theorem 3.7, the remarks, Section 4.1.

Registered into :data:`proofs_check.catalogue.CLAIMS` on import.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import mpmath as mp
import numpy as np
import sympy as sp

import bounds
from bounds import cantelli, convergence

from .catalogue import HALF, Q, S, a, claim, p, x, _identity_verdict, _numeric_counterexample
from .confirm import confirm_above
from .numeric import LINKING_FAMILIES, linked_points, search
from .verdict import Counterexample, Verdict

M = (1 - a) * Q
EZ = M * p
VZ = M * p * (1 - p)
MARGIN = (1 - a) * p - HALF
H = sp.sqrt(1 - a) * (p - HALF) / MARGIN
CHAIN_RANGES = {Q: (1, 200), a: (0, sp.Rational(1, 4)), p: (sp.Rational(4, 5), 1)}  # inside alpha < 1 - 1/(2p)


def _exact_binomial_law(m: int, prob: Fraction) -> list[Fraction]:
    return [Fraction(math.comb(m, z)) * prob**z * (1 - prob) ** (m - z) for z in range(m + 1)]


# --------------------------------------------------------------------------------------------- Theorem 3.5
@claim("theorem_3_5.per_round", "Theorem 3.5 (strongest attack), per coordinate and round",
       "for every honest vote pattern and every Byzantine strategy, P[vote fails] <= P[vote fails | all "
       "Byzantine send -sign(g)]", "Q >= 1, 0 <= B <= Q, any tie rule")
def _thm35() -> Verdict:
    ev = []
    cases = 0
    for q in range(1, 10):
        for b in range(0, q + 1):
            m = q - b
            for h in range(-m, m + 1, 2):  # honest tally in units of sign(g)
                for w in (Fraction(0), Fraction(1, 2), Fraction(1)):
                    def fail(t: int) -> Fraction:
                        return Fraction(1) if t < 0 else (w if t == 0 else Fraction(0))
                    worst = fail(h - b)
                    for votes in itertools.product((-1, 0, 1), repeat=b):
                        cases += 1
                        if fail(h + sum(votes)) > worst:
                            return Verdict("refuted", "exhaustive enumeration", ev,
                                           Counterexample({"Q": q, "B": b, "honest_tally": h, "votes": votes,
                                                           "tie_weight": str(w)}, str(fail(h + sum(votes))),
                                                          str(worst)))
    ev.append(f"exhaustive: Q <= 9, every B, honest tally, tie weight in {{0, 1/2, 1}} and every Byzantine vote "
              f"vector in {{-1, 0, 1}}^B: {cases} cases, none fails more often than all -sign(g)")
    ev.append("every Q: the failure indicator f(T) (1 for T < 0, w for T = 0, 0 for T > 0) is non-increasing in "
              "the total T = H + sum_j v_j (in units of sign(g)), and T >= H - B with equality iff every v_j = -1; "
              "so, for every realisation of the honest votes, all -sign(g) maximises the failure, and so does it "
              "in expectation")
    from simulate.engine import simulate_vote_failure

    omni = simulate_vote_failure(27, 6, 0.5, attack="omniscient", trials=50_000, seed=7)
    aware = simulate_vote_failure(27, 6, 0.5, attack="vote_aware", trials=50_000, seed=7)
    ev.append(f"witness: the vote-aware adversary (sees the honest votes) fails {aware.failures} of 50000 trials, "
              f"the omniscient one {omni.failures} on the same draws (Q = 27, B = 6, S = 0.5)")
    if aware.failures > omni.failures:
        return Verdict("refuted", "Monte Carlo witness", ev, Counterexample(
            {"Q": 27, "B": 6, "S": 0.5}, aware.rate, omni.rate, "gaussian"))
    return Verdict("verified", "exhaustive enumeration + monotonicity argument + Monte Carlo witness", ev)


@claim("theorem_3_5.objective", "Theorem 3.5, 'maximally damage the objective function f(x)'",
       "no strategy damages f over a run more than sending -sign(g) at every step", "any f satisfying 3.1-3.4")
def _thm35_objective() -> Verdict:
    return Verdict("inconclusive", "argument review", [
        "the per-round vote failure is maximised by -sign(g) (theorem_3_5.per_round), and one step's first-order "
        "descent term -eta g^T sign(O) is then as large as it can be",
        "the claim is about the whole run of a non-convex f; the paper argues it from the adversaries not seeing "
        "future values of f, not by a proof; no counterexample was searched over non-convex objectives",
        "on f = 1/2 ||x||^2 with sign steps every coordinate moves by eta per step, so pushing away at every step "
        "is optimal there; this does not decide the general claim"])


# --------------------------------------------------------------------------------------------- Section 3.3
@claim("chain.z_law", "Section 3.3, Z = G ~ Binomial((1-alpha)Q, p), E[Z], Var[Z]",
       sp.And(sp.Eq(sp.Symbol("E[Z]"), EZ), sp.Eq(sp.Symbol("Var[Z]"), VZ)), "omniscient attack")
def _zlaw() -> Verdict:
    checked = 0
    for m, pr in itertools.product(range(0, 16), (Fraction(1, 3), Fraction(3, 4), Fraction(9, 10))):
        law = _exact_binomial_law(m, pr)
        mean = sum(z * w for z, w in enumerate(law))
        var = sum((z - mean) ** 2 * w for z, w in enumerate(law))
        checked += 1
        if mean != m * pr or var != m * pr * (1 - pr):
            return Verdict("refuted", "exact rational enumeration", [],
                           Counterexample({"M": m, "p": str(pr)}, str((mean, var)), str((m * pr, m * pr * (1 - pr)))))
    return Verdict("verified", "exact rational enumeration", [
        "under the omniscient attack no Byzantine vote is correct (B = 0 in the paper's notation), so Z is the "
        "number of correct honest votes, Binomial(M, p)",
        f"mean and variance equal M p and M p (1-p) exactly for {checked} (M, p) pairs, M <= 15"])


@claim("chain.line_1", "Section 3.3, first '=' of the chain",
       "P[Z < Q/2] = P[E[Z] - Z >= E[Z] - Q/2]", "Q >= 1, 0 <= B < Q, p in (1/2, 1]", ("chain.z_law",),
       probability=True)
def _line1() -> Verdict:
    q, b, pr = 2, 0, Fraction(3, 4)
    law = _exact_binomial_law(q - b, pr)
    lhs = sum(w for z, w in enumerate(law) if 2 * z < q)
    rhs = sum(w for z, w in enumerate(law) if 2 * z <= q)
    odd_ok = all(float(bounds.vote_failure(qq, bb, pp, "omniscient", "pass"))
                 == float(bounds.vote_failure(qq, bb, pp, "omniscient", "fail"))
                 for qq, bb, pp in itertools.product((1, 3, 9, 27), (0, 1), (0.6, 0.9)) if bb < qq)
    mc_pass = confirm_above(0.0, 2, 0, float(bounds.noise.snr_from_p(0.75)), "gaussian", tie="plus", trials=100_000)
    mc_zero = confirm_above(0.0, 2, 0, float(bounds.noise.snr_from_p(0.75)), "gaussian", tie="zero", trials=100_000)
    ev = ["E[Z] - Z >= E[Z] - Q/2 is the event Z <= Q/2, which adds P[Z = Q/2] when Q is even",
          f"equal for odd Q (checked: {odd_ok}); as an inequality P[Z < Q/2] <= P[Z <= Q/2] the chain stays valid",
          f"Monte Carlo, Gaussian noise with p = 3/4, 100000 trials each: P[Z < 1] ~ {mc_pass['rate']:.4f} "
          f"[{mc_pass['ci_low']:.4f}, {mc_pass['ci_high']:.4f}], P[Z <= 1] ~ {mc_zero['rate']:.4f} "
          f"[{mc_zero['ci_low']:.4f}, {mc_zero['ci_high']:.4f}]"]
    return Verdict("refuted", "exact rational evaluation + Monte Carlo", ev,
                   Counterexample({"Q": q, "B": b, "p": str(pr)}, str(lhs), str(rhs), noise_family="gaussian",
                                  exact=f"{lhs} != {rhs}", monte_carlo={"lhs_event": mc_pass, "rhs_event": mc_zero},
                                  note="any even Q; the ties Z = Q/2"))


@claim("chain.cantelli_condition", "Section 3.3, Cantelli's inequality needs E[Z] > Q/2",
       sp.Equivalent(EZ > Q / 2, a < 1 - 1 / (2 * p)), "p > 0, Q > 0")
def _cantelli_cond() -> Verdict:
    return _identity_verdict((EZ - Q / 2) / (Q * p), (1 - 1 / (2 * p)) - a, {Q: (1, 100), a: (0, 1), p: (sp.Rational(1, 100), 1)},
                             "(E[Z] - Q/2)/(Q p) = (1 - 1/(2p)) - alpha, so the signs agree")


@claim("chain.line_2_cantelli", "Section 3.3, Cantelli's inequality",
       sp.Le(sp.Symbol("P[Z<=Q/2]"), 1 / (1 + (EZ - Q / 2) ** 2 / VZ)), "p in (1/2, 1), alpha < 1 - 1/(2p)",
       ("chain.z_law", "chain.cantelli_condition"), probability=True)
def _line2() -> Verdict:
    qs, bs, ps = np.meshgrid(np.arange(1, 160), np.arange(0, 80), np.linspace(0.501, 0.999, 60), indexing="ij")
    ok = (bs <= qs) & (2 * ps * (qs - bs) > qs)
    pts = {"Q": qs[ok], "B": bs[ok], "p": ps[ok]}
    num = search(lambda d: cantelli.line_2_cantelli(d["Q"], d["B"], d["p"]) - cantelli.line_1(d["Q"], d["B"], d["p"]),
                 pts, rel_tol=1e-12, scale=lambda d: cantelli.line_1(d["Q"], d["B"], d["p"]))
    ev = ["Cantelli's one-sided inequality P[X - E X >= t] <= Var X/(Var X + t^2) holds for every t > 0; here "
          "t = E[Z] - Q/2 > 0 exactly on the chain's domain (chain.cantelli_condition)",
          f"exact values against the bound: {num.summary()}"]
    if num.violations:
        return _numeric_counterexample(num, "P[Z <= Q/2]", "Cantelli")
    return Verdict("verified", "theorem + exact numeric check", ev)


@claim("chain.line_3_am_gm", "Section 3.3, 'since 1 + x^2 >= 2x'", sp.Le(1 / (1 + x**2), 1 / (2 * x)), "x > 0")
def _line3() -> Verdict:
    v = _identity_verdict(1 / (2 * x) - 1 / (1 + x**2), (x - 1) ** 2 / (2 * x * (1 + x**2)), {x: (sp.Rational(1, 100), 50)},
                          "1/(2x) - 1/(1+x^2) = (x-1)^2/(2x(1+x^2))")
    v.evidence.append("a square over a positive denominator: >= 0 for x > 0")
    return v


@claim("chain.line_4", "Section 3.3, line '= 1/(2 sqrt Q) sqrt((1-alpha)p(1-p))/((1-alpha)p - 1/2)'",
       sp.Eq(HALF * sp.sqrt(VZ / (EZ - Q / 2) ** 2), sp.sqrt((1 - a) * p * (1 - p)) / (2 * sp.sqrt(Q) * MARGIN)),
       "alpha < 1 - 1/(2p)")
def _line4() -> Verdict:
    return _identity_verdict(HALF * sp.sqrt(VZ / (EZ - Q / 2) ** 2),
                             sp.sqrt((1 - a) * p * (1 - p)) / (2 * sp.sqrt(Q) * MARGIN), CHAIN_RANGES, "line 3 = line 4")


@claim("chain.line_5", "Section 3.3, line '= sqrt(1-p)/(2 sqrt Q) sqrt((1-alpha)p)/((1-alpha)p - 1/2)'",
       sp.Eq(sp.sqrt((1 - a) * p * (1 - p)) / (2 * sp.sqrt(Q) * MARGIN),
             sp.sqrt(1 - p) / (2 * sp.sqrt(Q)) * sp.sqrt((1 - a) * p) / MARGIN), "alpha < 1 - 1/(2p)")
def _line5() -> Verdict:
    return _identity_verdict(sp.sqrt((1 - a) * p * (1 - p)) / (2 * sp.sqrt(Q) * MARGIN),
                             sp.sqrt(1 - p) / (2 * sp.sqrt(Q)) * sp.sqrt((1 - a) * p) / MARGIN, CHAIN_RANGES,
                             "line 4 = line 5")


LINE6 = sp.sqrt((1 - p) * p) / (2 * sp.sqrt(Q)) * sp.sqrt(1 - a) / MARGIN * sp.sqrt((p - HALF) ** 2 / (p - HALF) ** 2)


@claim("chain.line_6", "Section 3.3, line '= sqrt((1-p)p)/(2 sqrt Q) sqrt(1-alpha)/(...) sqrt((p-1/2)^2/(p-1/2)^2)'",
       sp.Eq(sp.sqrt(1 - p) / (2 * sp.sqrt(Q)) * sp.sqrt((1 - a) * p) / MARGIN, LINE6), "alpha < 1 - 1/(2p), p != 1/2")
def _line6() -> Verdict:
    return _identity_verdict(sp.sqrt(1 - p) / (2 * sp.sqrt(Q)) * sp.sqrt((1 - a) * p) / MARGIN, LINE6, CHAIN_RANGES,
                             "line 5 = line 6")


PAPER_FINAL = sp.sqrt(1 - a) * (p - HALF) / (4 * S * sp.sqrt(Q) * MARGIN)


def _chain_linked_points() -> dict[str, np.ndarray]:
    lp = linked_points(np.geomspace(0.01, 10, 120))
    qs = np.array([1, 2, 5, 9, 27, 100, 145, 1001])
    fr = np.array([0.0, 0.1, 0.2, 0.3, 0.4])
    idx = np.arange(lp["p"].size)
    I, Qg, Ag = np.meshgrid(idx, qs, fr, indexing="ij")
    b = np.floor(Ag * Qg)
    pts = {"Q": Qg.ravel().astype(float), "B": b.ravel(), "p": lp["p"][I.ravel()], "snr": lp["snr"][I.ravel()],
           "family": lp["family"][I.ravel()]}
    ok = (pts["p"] > 0.5) & (pts["p"] < 1) & (2 * pts["p"] * (pts["Q"] - pts["B"]) > pts["Q"])
    return {k: v[ok] for k, v in pts.items()}


@claim("chain.line_7_step", "Section 3.3, last '<=' of the chain (Lemma 3.6)", sp.Le(LINE6, PAPER_FINAL),
       "alpha < 1 - 1/(2p), p and S linked by any unimodal symmetric noise", ("lemma_3_6.second",))
def _line7() -> Verdict:
    pts = _chain_linked_points()
    num = search(lambda d: cantelli.paper_final(d["Q"], d["B"], d["p"], d["snr"]) - cantelli.line_6(d["Q"], d["B"], d["p"]),
                 pts, rel_tol=1e-9, scale=lambda d: cantelli.line_6(d["Q"], d["B"], d["p"]))
    ev = [num.summary(), "Lemma 3.6 gives sqrt(p(1-p)) <= (2/S)(p - 1/2), so line 6 <= (1/(S sqrt Q)) sqrt(1-alpha)"
          "(p-1/2)/((1-alpha)p - 1/2): the constant is 1, not 1/4 (chain.rederived)"]
    q, b, s = 27, 5, 1.0
    pv = float(bounds.GAUSSIAN.p_correct(s))
    l6 = float(cantelli.line_6(q, b, pv))
    pf = float(cantelli.paper_final(q, b, pv, s))
    if l6 > pf:
        return Verdict("refuted", "numeric search over linked (p, S) + exact evaluation", ev,
                       Counterexample({"Q": q, "B": b, "S": s, "p": pv}, l6, pf, noise_family="gaussian",
                                      note=f"{num.violations} of {num.evaluated} linked points violate the step"))
    return Verdict("inconclusive", "numeric", ev)


@claim("chain.rederived", "Section 3.3, last line with the constant that follows from Lemma 3.6",
       sp.Le(LINE6, 4 * PAPER_FINAL), "alpha < 1 - 1/(2p), p and S linked by any unimodal symmetric noise",
       ("lemma_3_6.second",), probability=True)
def _rederived() -> Verdict:
    pts = _chain_linked_points()
    num = search(lambda d: cantelli.rederived_final(d["Q"], d["B"], d["p"], d["snr"]) - cantelli.line_6(d["Q"], d["B"], d["p"]),
                 pts, rel_tol=1e-9, scale=lambda d: cantelli.line_6(d["Q"], d["B"], d["p"]))
    ex = search(lambda d: cantelli.rederived_final(d["Q"], d["B"], d["p"], d["snr"])
                - bounds.vote_failure(d["Q"], d["B"], d["p"], "omniscient", "fail"), pts, rel_tol=1e-9)
    ev = ["line 6 = sqrt(p(1-p)) sqrt(1-alpha)/(2 sqrt Q ((1-alpha)p - 1/2)); multiply sqrt(p(1-p)) <= (2/S)(p-1/2) "
          "(Lemma 3.6, second inequality, verified) by the positive factor", f"against line 6: {num.summary()}",
          f"against the exact failure (ties fail): {ex.summary()}"]
    if num.violations or ex.violations:
        return _numeric_counterexample(num if num.violations else ex, "line 6", "re-derived")
    return Verdict("verified", "symbolic (via Lemma 3.6) + numeric", ev)


@claim("chain.final_bound", "Section 3.3, the chain's conclusion",
       sp.Le(sp.Symbol("P[vote fails]"), PAPER_FINAL), "alpha < 1 - 1/(2p), any unimodal symmetric noise",
       ("chain.line_7_step",), probability=True)
def _final() -> Verdict:
    pts = _chain_linked_points()
    num = search(lambda d: cantelli.paper_final(d["Q"], d["B"], d["p"], d["snr"])
                 - bounds.vote_failure(d["Q"], d["B"], d["p"], "omniscient", "pass"), pts, rel_tol=1e-9)
    # the counterexample: uniform noise (unimodal, symmetric), Q = 145, B = 0
    q, b, s = 145, 0, 0.108103
    pr = mp.mpf(1) / 2 + mp.mpf(s) / (2 * mp.sqrt(3))
    mp.mp.dps = 50
    exact = mp.fsum(mp.binomial(q, z) * pr**z * (1 - pr) ** (q - z) for z in range(0, q // 2 + 1))
    printed = (pr - mp.mpf(1) / 2) / (4 * mp.mpf(s) * mp.sqrt(q) * (pr - mp.mpf(1) / 2))
    mc = confirm_above(float(printed), q, b, s, "uniform", tie="zero", trials=200_000, seed=1)
    ev = [f"linked search: {num.summary()}",
          f"exact P[Z < Q/2] = {mp.nstr(exact, 12)} (mpmath, 50 digits) > printed bound {mp.nstr(printed, 12)}",
          f"Monte Carlo (uniform noise, 200000 trials): {mc['rate']:.5f} in [{mc['ci_low']:.5f}, {mc['ci_high']:.5f}] "
          f"at {mc['confidence']:.1%}; whole interval above the bound: {mc['confirmed']}"]
    if exact > printed:
        return Verdict("refuted", "exact (mpmath) + numeric search + Monte Carlo", ev,
                       Counterexample({"Q": q, "B": b, "S": s, "p": float(pr)}, float(exact), float(printed),
                                      noise_family="uniform", exact=mp.nstr(exact, 15), monte_carlo=mc,
                                      note="uniform noise attains Gauss's bound; the extremal laws fail alike"))
    return Verdict("inconclusive", "numeric", ev)


@claim("chain.nonnegativity_conditions", "Section 3.3, 'for the probability to be non-negative we need "
       "alpha < 1 - 1/(2p) and p > 1/2'", "the final bound is >= 0 only if alpha < 1 - 1/(2p) and p > 1/2",
       "alpha in [0, 1), p in [0, 1]")
def _nonneg() -> Verdict:
    val = PAPER_FINAL.subs({a: 0, p: sp.Rational(2, 5), S: 1, Q: 1})
    ev = [f"at p = 2/5, alpha = 0 numerator and denominator are both negative: the expression equals {val} >= 0",
          "the conditions are needed, but by Cantelli's inequality (t = E[Z] - Q/2 > 0, chain.cantelli_condition), "
          "not by the sign of the result"]
    return Verdict("refuted", "exact rational evaluation", ev,
                   Counterexample({"p": "2/5", "alpha": 0, "S": 1, "Q": 1}, str(val), ">= 0 while p < 1/2"))


@claim("chain.tolerance_bound_half", "Section 3.3 remarks, 'alpha <= 1 - 1/(2p) and p > 1/2 imply alpha < 1/2'",
       sp.Implies(sp.And(a <= 1 - 1 / (2 * p), p > HALF, p <= 1), a < HALF), "p in (1/2, 1]")
def _implies_half() -> Verdict:
    gap = _identity_verdict(HALF - (1 - 1 / (2 * p)), (1 - p) / (2 * p), {p: (HALF, 1)}, "1/2 - alpha*(p) = (1-p)/(2p)")
    return Verdict("refuted", "exact evaluation", [
        "with the non-strict 'alpha <= 1 - 1/(2p)' of the remark, p = 1 allows alpha = 1/2",
        "with the strict alpha < 1 - 1/(2p) of Theorem 3.7: 1/2 - (1 - 1/(2p)) = (1 - p)/(2p) >= 0 gives alpha < 1/2 "
        f"(certificate: {gap.evidence[0]})"],
        Counterexample({"p": 1, "alpha": "1/2"}, "alpha = 1/2 <= 1 - 1/(2p) = 1/2", "alpha < 1/2 is false"))


@claim("remarks.linear", "Remarks after Theorem 3.7, 'Linear Relationship Between alpha and p'",
       "alpha*(p) = 1 - 1/(2p) is linear in p", "p in (1/2, 1]")
def _linear() -> Verdict:
    f = 1 - 1 / (2 * p)
    second = sp.simplify(sp.diff(f, p, 2))
    mid = f.subs(p, sp.Rational(3, 4))
    chord = (f.subs(p, HALF) + f.subs(p, 1)) / 2
    return Verdict("refuted", "symbolic", [f"d^2/dp^2 (1 - 1/(2p)) = {second} < 0: strictly concave, not linear"],
                   Counterexample({"p": "3/4"}, f"alpha*(3/4) = {mid}", f"linear interpolation = {chord}"))


@claim("remarks.p_one", "Remarks after Theorem 3.7, 'p = 1 leads to alpha < 1/2'", sp.Eq(1 - 1 / (2 * p), HALF).subs(p, 1),
       "p = 1")
def _p_one() -> Verdict:
    return Verdict("verified", "symbolic", ["1 - 1/(2*1) = 1/2"])


@claim("remarks.numerator_exceeds", "Remarks after Theorem 3.7, 'the numerator always exceeds the denominator'",
       sp.Gt(sp.sqrt(1 - a) * (p - HALF), MARGIN), "alpha <= 1 - 1/(2p), p > 1/2")
def _num_exceeds() -> Verdict:
    s = sp.Symbol("s", positive=True)  # s = sqrt(1 - alpha) in (0, 1]
    v = _identity_verdict(s * (p - HALF) - (s**2 * p - HALF), (1 - s) * (s * p + HALF),
                          {s: (sp.Rational(1, 100), 1), p: (HALF, 1)}, "numerator - denominator = (1 - s)(s p + 1/2), "
                          "s = sqrt(1-alpha)")
    return Verdict("refuted", "symbolic", v.evidence + ["so numerator >= denominator, with equality exactly at alpha = 0"],
                   Counterexample({"alpha": 0, "p": "3/4"}, "numerator = 1/4", "denominator = 1/4",
                                  note="'exceeds' fails at alpha = 0; 'at least' is verified"))


@claim("remarks.fraction_monotone", "Remarks after Theorem 3.7, 'diminishing failure rates as p increases or the "
       "percentage of adversaries diminishes'", "h(alpha, p) decreases in p and increases in alpha",
       "alpha < 1 - 1/(2p), p in (1/2, 1]")
def _frac_monotone() -> Verdict:
    dp = _identity_verdict(sp.diff(H, p), -a * sp.sqrt(1 - a) / (2 * MARGIN**2), {a: (0, sp.Rational(1, 4)), p: (sp.Rational(4, 5), 1)},
                           "dh/dp = -alpha sqrt(1-alpha) / (2 ((1-alpha)p - 1/2)^2) <= 0")
    ag = np.linspace(0, 0.49, 200)
    pg = np.linspace(0.51, 1.0, 200)
    A, P = np.meshgrid(ag, pg)
    ok = (1 - A) * P > 0.5 + 1e-6
    hv = np.where(ok, np.sqrt(1 - A) * (P - 0.5) / ((1 - A) * P - 0.5), np.nan)
    da = np.diff(hv, axis=1)
    inc = bool(np.all(da[np.isfinite(da)] > 0))
    ev = dp.evidence + [f"dh/dalpha > 0 on a 200 x 200 grid of the domain: {inc}"]
    return Verdict("verified" if dp.verdict == "verified" and inc else "inconclusive", "symbolic + numeric", ev)


@claim("section_4_1.equivalence", "Section 4.1, alpha < 1 - 1/(2p) <=> K < (2p - 1) M with K = alpha Q, M = (1-alpha) Q",
       sp.Equivalent(a < 1 - 1 / (2 * p), a * Q < (2 * p - 1) * (1 - a) * Q), "p > 0, Q > 0")
def _s41() -> Verdict:
    v = _identity_verdict(a * Q - (2 * p - 1) * (1 - a) * Q, 2 * p * Q * (a - (1 - 1 / (2 * p))),
                          {a: (0, 1), p: (sp.Rational(1, 100), 1), Q: (1, 100)},
                          "K - (2p-1)M = 2pQ (alpha - (1 - 1/(2p))), and 2pQ > 0")
    qs = np.arange(1, 300)
    agree = all(int(bounds.max_byzantine(q, pp)) == int(bounds.jlh24_max_byzantine(q - max(int(bounds.max_byzantine(q, pp)), 0), pp))
                or int(bounds.max_byzantine(q, pp)) < 0 for q in qs[::7] for pp in (0.6, 0.75, 0.9))
    v.evidence.append(f"integer counts agree (paper vs JLH+24) for Q up to 300: {agree}")
    return v


# --------------------------------------------------------------------------------------------- Theorem 3.7
_RATE_ARGS = (1000, 27, 0.2, 0.9, 10.0, 1.0, 1.0)


@claim("theorem_3_7.statement_matches_proof", "Theorem 3.7, statement against the last display of its proof",
       "sqrt((1-alpha)p) in the statement = sqrt(1-alpha)(p - 1/2) at the end of the proof", "alpha < 1 - 1/(2p)")
def _t37_stmt() -> Verdict:
    st = float(convergence.theorem_3_7_stated(*_RATE_ARGS))
    pe = float(convergence.theorem_3_7_proof_end(*_RATE_ARGS))
    return Verdict("refuted", "exact evaluation", ["the statement carries sqrt((1-alpha)p) where the proof ends with "
                   "sqrt(1-alpha)(p - 1/2); they differ whenever sqrt(p) != p - 1/2, i.e. always on p in (1/2, 1]"],
                   Counterexample(dict(zip(("K", "Q", "alpha", "p", "||sigma||_1", "||L||_1", "f0-f*"), _RATE_ARGS)),
                                  st, pe, note="lhs: statement, rhs: end of proof"))


@claim("theorem_3_7.proof_follows", "Theorem 3.7, 'substituting this bound into the convergence analysis of BZAA18'",
       "the proof's final rate follows from BZAA18's descent argument and a valid vote-failure bound",
       "alpha < 1 - 1/(2p)", ("chain.final_bound", "chain.rederived"))
def _t37_follow() -> Verdict:
    pe = float(convergence.theorem_3_7_proof_end(*_RATE_ARGS))
    rd = float(convergence.theorem_3_7_rederived(*_RATE_ARGS))
    return Verdict("refuted", "re-derivation", [
        "BZAA18's descent step: E[f_{k+1} - f_k] <= -eta ||g||_1 + eta^2 ||L||_1/2 + 2 eta sum_i |g_i| P[fail_i]",
        "with the valid failure bound h/(S_i sqrt Q) (chain.rederived) it gives (4/sqrt N)[||sigma||_1 h/sqrt Q + "
        "sqrt(||L||_1 (f0 - f*))]^2; the proof's display has ||sigma||_1 h/(4 sqrt Q), which needs the refuted "
        "constant of chain.line_7_step", "the re-derived rate equals BZAA18's Theorem 2 at alpha = 0"],
        Counterexample(dict(zip(("K", "Q", "alpha", "p", "||sigma||_1", "||L||_1", "f0-f*"), _RATE_ARGS)), pe, rd,
                       note="lhs: proof's rate; rhs: what the argument gives (larger)"))


@claim("theorem_3_7.rederived_matches_bzaa18", "Theorem 3.7 re-derived, at alpha = 0, against BZAA18 Theorem 2",
       sp.Eq(H.subs(a, 0), 1), "p in (1/2, 1]")
def _t37_bz() -> Verdict:
    v = _identity_verdict(H.subs(a, 0), sp.Integer(1), {p: (sp.Rational(51, 100), 1)}, "h(0, p) = 1")
    k = np.array([10, 1000, 10**6])
    same = np.allclose(convergence.theorem_3_7_rederived(k, 27, 0.0, 0.8, 3.0, 2.0, 1.5),
                       convergence.bzaa18_theorem_2(k, 27, 0.0, 3.0, 2.0, 1.5), rtol=1e-14)
    v.evidence.append(f"numeric: equal rates at alpha = 0: {same}")
    return v


@claim("theorem_3_7.single_p", "Theorem 3.7, hypothesis 'alpha < 1 - 1/(2p)' with one p for all coordinates",
       "the failure bound applies at every coordinate and iterate for a fixed alpha > 0", "alpha > 0, Assumption 3.4")
def _single_p() -> Verdict:
    alpha = 0.2
    need = 1 / (2 * (1 - alpha))
    ev = []
    s_star = {}
    for name in LINKING_FAMILIES:
        fam = bounds.get_family(name)
        s_star[name] = float(bounds.noise.snr_from_p(need, fam))
    ev.append(f"for alpha = {alpha}, (1-alpha) p_i > 1/2 needs p_i > {need:.4f}, i.e. S_i > S* with S* = "
              + ", ".join(f"{k}: {v:.4f}" for k, v in s_star.items()))
    ev.append("p_i -> 1/2 as g_i -> 0 for every unimodal symmetric law, so near a stationary point coordinates leave "
              "the bound's domain and their vote can fail with probability above 1/2; the proof needs a separate "
              "argument for them (their contribution is at most 2|g_i| per step)")
    s = 0.1
    pv = float(bounds.GAUSSIAN.p_correct(s))
    return Verdict("refuted", "exact evaluation", ev,
                   Counterexample({"alpha": alpha, "S_i": s, "p_i": pv}, f"(1-alpha) p_i = {(1 - alpha) * pv:.6f}",
                                  "> 1/2 required", noise_family="gaussian"))
