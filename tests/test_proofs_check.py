"""proofs_check: the engines on claims built to be true and built to be false, and the catalogue's verdicts.

Every test recomputes its evidence (it calls the decision procedures); none reads a stored verdict.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import bounds
from proofs_check.catalogue import CLAIMS, get_claim
from proofs_check.cli import main
from proofs_check.numeric import linked_points, search
from proofs_check.symbolic import identity, polynomial_positive, rational_points
from proofs_check.verdict import Verdict

x, y = sp.symbols("x y", positive=True)
PTS = rational_points({x: (sp.Integer(0), sp.Integer(5)), y: (sp.Integer(1), sp.Integer(3))})


def test_identity_engine_verifies_a_true_identity() -> None:
    assert identity((x + y) ** 2, x**2 + 2 * x * y + y**2, PTS).holds is True


def test_identity_engine_refutes_a_false_identity_with_a_rational_point() -> None:
    res = identity((x + y) ** 2, x**2 + y**2, PTS)
    assert res.holds is False and res.point is not None
    pt = {sp.Symbol(k, positive=True): sp.Rational(v) for k, v in res.point.items()}
    assert ((x + y) ** 2 - x**2 - y**2).subs(pt) != 0  # the reported point really is a counterexample


def test_identity_engine_does_not_trust_simplify_on_its_own() -> None:
    # sqrt(x^2) = x holds for x > 0 but not as an identity on reals; with positive symbols sympy agrees,
    # and the sampled points confirm it; a near-identity off by 1e-50 is caught by the 60-digit check
    assert identity(sp.sqrt(x**2), x, PTS).holds is True
    assert identity(x + sp.Rational(1, 10**50), x, PTS).holds is False


def test_polynomial_certificate_proves_positivity_and_finds_the_negative_piece() -> None:
    u = sp.Symbol("u")
    assert polynomial_positive(u**2 - 2 * u + 2, u, -10).holds  # no real root
    neg = polynomial_positive((u - 1) * (u - 3), u, 0)
    assert not neg.holds and 1 < neg.witness < 3


def test_numeric_search_verifies_a_true_bound_and_refutes_a_constant_made_too_small() -> None:
    pts = linked_points(np.geomspace(0.01, 20, 200))
    true = search(lambda d: bounds.lemma_3_6_sign_error(d["snr"]) - (1 - d["p"]), pts)
    assert true.violations == 0
    too_small = search(lambda d: bounds.lemma_3_6_sign_error(d["snr"]) / 3 - (1 - d["p"]), pts)
    assert too_small.violations > 0
    s, fam = too_small.worst_point["snr"], too_small.worst_point["family"]
    assert float(bounds.get_family(fam).sign_error(s)) > float(bounds.lemma_3_6_sign_error(s)) / 3


def test_a_refuted_verdict_must_carry_a_counterexample() -> None:
    with pytest.raises(ValueError, match="counterexample"):
        Verdict("refuted", "numeric")
    with pytest.raises(ValueError, match="argument 'verdict'"):
        Verdict("plausible", "numeric")  # type: ignore[arg-type]


def test_catalogue_ids_are_unique_and_dependencies_exist() -> None:
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids)) and len(ids) >= 35
    for c in CLAIMS:
        assert set(c.depends_on) <= set(ids), c.id


VERIFIED = ["bzaa18.lemma_1.attained", "appendix_a.case_1", "appendix_a.case_1.rewrite", "appendix_a.case_1.shape",
            "appendix_a.case_2", "lemma_3_6.first", "lemma_3_6.second", "appendix_a.equiv_5", "theorem_3_5.per_round",
            "chain.line_2_cantelli", "chain.line_3_am_gm", "chain.line_4", "chain.line_5", "chain.line_6",
            "chain.rederived", "chain.cantelli_condition", "section_4_1.equivalence",
            "theorem_3_7.rederived_matches_bzaa18"]
REFUTED = ["appendix_a.equiv_3", "chain.line_1", "chain.line_7_step", "chain.final_bound",
           "chain.nonnegativity_conditions", "chain.tolerance_bound_half", "remarks.linear", "remarks.numerator_exceeds",
           "theorem_3_7.statement_matches_proof", "theorem_3_7.proof_follows", "theorem_3_7.single_p"]


@pytest.mark.parametrize("cid", VERIFIED)
def test_claim_is_verified_with_evidence(cid: str) -> None:
    v = get_claim(cid).decide()
    assert v.verdict == "verified", v.evidence
    assert v.evidence


@pytest.mark.parametrize("cid", REFUTED)
def test_claim_is_refuted_with_a_counterexample(cid: str) -> None:
    v = get_claim(cid).decide()
    assert v.verdict == "refuted", v.evidence
    assert v.counterexample is not None and v.counterexample.parameters


def test_chain_final_bound_counterexample_is_exact_and_confirmed_by_monte_carlo() -> None:
    ce = get_claim("chain.final_bound").decide().counterexample
    assert ce is not None and ce.noise_family == "uniform"
    q, b, s = ce.parameters["Q"], ce.parameters["B"], ce.parameters["S"]
    p = 0.5 + s / (2 * np.sqrt(3))
    exact = float(bounds.vote_failure(q, b, p, "omniscient", "pass"))
    printed = float(bounds.paper_final(q, b, p, s))
    assert ce.lhs == pytest.approx(exact, rel=1e-10) and ce.rhs == pytest.approx(printed, rel=1e-10)
    assert exact > printed
    mc = ce.monte_carlo
    assert mc is not None and mc["confirmed"] and mc["ci_low"] > printed and mc["ci_low"] <= exact <= mc["ci_high"]


def test_squaring_step_of_appendix_a_fails_only_below_one_half() -> None:
    ce = get_claim("appendix_a.equiv_3").decide().counterexample
    assert ce is not None and sp.Rational(ce.parameters["p"]) < sp.Rational(1, 2)


def test_verify_writes_the_design_json_and_markdown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ids = ["chain.final_bound", "remarks.linear", "lemma_3_6.first"]
    assert main(["verify", "--only", *ids, "--json", str(tmp_path / "v.json"), "--markdown",
                 str(tmp_path / "v.md")]) == 0
    assert "refuted" in capsys.readouterr().out
    claims = json.loads((tmp_path / "v.json").read_text())["claims"]
    assert [c["id"] for c in claims] == sorted(ids, key=[c.id for c in CLAIMS].index)
    for c in claims:
        assert {"id", "source", "statement", "verdict", "method", "evidence", "counterexample"} <= set(c)
    final = next(c for c in claims if c["id"] == "chain.final_bound")["counterexample"]
    assert {"parameters", "noise_family", "lhs", "rhs", "monte_carlo"} <= set(final)
    assert {"rate", "ci_low", "ci_high"} <= set(final["monte_carlo"])
    md = (tmp_path / "v.md").read_text()
    assert "## `chain.final_bound`: refuted" in md and "Monte Carlo:" in md


def test_verify_rejects_unknown_claim_ids(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--only", "lemma_9_9"]) == 2
    assert "argument 'only'" in capsys.readouterr().err
