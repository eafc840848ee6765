"""Structured verdicts: ``verified``, ``refuted`` (with a counterexample) or ``inconclusive`` (with what was tried)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Verdict", "Counterexample", "VERDICTS"]

VERDICTS = ("verified", "refuted", "inconclusive")


@dataclass
class Counterexample:
    """A point of the claimed domain where the claim fails, with both sides evaluated.

    ``monte_carlo`` holds the vote engine's estimate and its Clopper-Pearson interval when the claim is about
    a probability.
    """

    parameters: dict[str, Any]
    lhs: float | str
    rhs: float | str
    noise_family: str | None = None
    exact: str | None = None
    monte_carlo: dict[str, Any] | None = None
    note: str = ""


@dataclass
class Verdict:
    """The decision on one claim."""

    verdict: Literal["verified", "refuted", "inconclusive"]
    method: str
    evidence: list[str] = field(default_factory=list)
    counterexample: Counterexample | None = None

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"Verdict: argument 'verdict' must be one of {VERDICTS}; got {self.verdict!r}")
        if self.verdict == "refuted" and self.counterexample is None:
            raise ValueError("Verdict: a refuted claim needs a counterexample")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        return d
