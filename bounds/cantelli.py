r"""The paper's Cantelli vote-failure chain (Section 3.3), line by line.

Under the omniscient attack the number of correct votes is
:math:`Z = G \sim \mathrm{Binomial}((1-\alpha)Q, p)`, with
:math:`\mathbb{E}Z = (1-\alpha)Qp` and :math:`\mathrm{Var}Z = (1-\alpha)Qp(1-p)`,
:math:`\alpha = B/Q`.  The paper writes (Section 3.3, display after
"The vote fails on index i")

.. math::

    \mathbb{P}[Z < \tfrac Q2]
    &\overset{(1)}{=} \mathbb{P}[\mathbb{E}Z - Z \ge \mathbb{E}Z - \tfrac Q2]\\
    &\overset{(2)}{\le} \frac{1}{1 + (\mathbb{E}Z - Q/2)^2/\mathrm{Var}Z}
      \quad\text{(Cantelli)}\\
    &\overset{(3)}{\le} \frac12\sqrt{\frac{\mathrm{Var}Z}{(\mathbb{E}Z - Q/2)^2}}
      \quad (1 + x^2 \ge 2x)\\
    &\overset{(4)}{=} \frac{1}{2\sqrt Q}\frac{\sqrt{(1-\alpha)p(1-p)}}{(1-\alpha)p - \frac12}
    \overset{(5)}{=} \frac{\sqrt{1-p}}{2\sqrt Q}\frac{\sqrt{(1-\alpha)p}}{(1-\alpha)p - \frac12}\\
    &\overset{(6)}{=} \frac{\sqrt{(1-p)p}}{2\sqrt Q}\frac{\sqrt{1-\alpha}}{(1-\alpha)p-\frac12}
       \sqrt{\frac{(p-\frac12)^2}{(p-\frac12)^2}}
    \overset{(7)}{\le} \frac{1}{4S\sqrt Q}\frac{\sqrt{1-\alpha}\,(p-\frac12)}{(1-\alpha)p-\frac12}
      \quad\text{(Lemma 3.6).}

Each line is a function here (``line_0`` is the left-hand side).  Step (7) is
where the chain goes wrong: Lemma 3.6 gives
:math:`\sqrt{p(1-p)} \le \frac{2}{S}(p - \frac12)`, so the constant that
follows from line (6) is :math:`\frac{1}{S\sqrt Q}`, four times the printed
:math:`\frac{1}{4S\sqrt Q}`; :func:`rederived_final` is the chain's last line
with that constant (and agrees with BZAA18's :math:`1/(S\sqrt M)` at
:math:`\alpha = 0`).  ``proofs_check`` decides each step.

The chain is claimed for :math:`\frac12 < p \le 1` and
:math:`\alpha < 1 - \frac1{2p}` (so that :math:`\mathbb{E}Z > Q/2`, as
Cantelli's inequality needs).  Outside that domain each function raises
(``invalid="raise"``) or returns NaN (``invalid="nan"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._domain import show, PROBABILITY, SNR, WORKERS, BYZANTINE, check, check_choice
from ._registry import register
from .vote_failure import check_workers, vote_failure

__all__ = [
    "chain_domain",
    "line_0",
    "line_1",
    "line_2_cantelli",
    "line_3_am_gm",
    "line_4",
    "line_5",
    "line_6",
    "paper_final",
    "rederived_final",
    "CHAIN",
    "ChainLine",
    "cantelli_chain",
]

_INVALID = ("raise", "nan")


def _in_chain_domain(workers: float, byzantine: float, p: float, **_: float) -> bool:
    return bool(0.5 < p <= 1.0 and 2.0 * p * (workers - byzantine) > workers)


def chain_domain(
    func: str, workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, invalid: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Validate the chain's arguments; return ``(Q, B, p, ok)`` where ``ok``
    marks :math:`p > 1/2` and :math:`B/Q < 1 - 1/(2p)` (i.e. :math:`2p(Q-B) > Q`)."""
    check_choice(func, "invalid", invalid, _INVALID)
    q, b = check_workers(func, workers, byzantine)
    pp = check(func, "p", p, PROBABILITY)
    q, b, pp = np.broadcast_arrays(q, b, pp)
    ok = (pp > 0.5) & (2.0 * pp * (q - b) > q)
    if invalid == "raise" and not np.all(ok):
        i = np.flatnonzero(~ok.ravel())[0]
        raise ValueError(
            f"{func}: the chain needs p in (1/2, 1] and byzantine/workers < 1 - 1/(2p) "
            f"(argument 'byzantine' must be an integer in [0, {_max_b_text(q.ravel()[i], pp.ravel()[i])}] "
            f"for p={show(pp.ravel()[i])}, workers={show(q.ravel()[i])}); got byzantine={show(b.ravel()[i])}"
        )
    return q, b, pp, ok


def _margin(q: NDArray[np.float64], b: NDArray[np.float64], p: NDArray[np.float64]) -> NDArray[np.float64]:
    """:math:`(1-\alpha)p - 1/2`, computed as :math:`((Q-B)(p-1/2) - B/2)/Q` (``p - 1/2`` is exact in
    floating point, so the margin keeps its relative accuracy as p approaches 1/2)."""
    return ((q - b) * (p - 0.5) - 0.5 * b) / q


def _max_b_text(q: float, p: float) -> str:
    """The largest admissible B, for the error message (:func:`bounds.tolerance.max_byzantine`)."""
    from .tolerance import max_byzantine

    b = int(max_byzantine(q, p))
    return str(b) if b >= 0 else "none: p must exceed 1/2"


def _moments(q: NDArray[np.float64], b: NDArray[np.float64], p: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(E[Z] - Q/2, Var[Z])``."""
    return q * _margin(q, b, p), (q - b) * p * (1.0 - p)


def _nan_outside(value: NDArray[np.float64], ok: NDArray[np.bool_]) -> NDArray[np.float64]:
    return np.where(ok, value, np.nan)


_COMMON = {"workers": WORKERS, "byzantine": BYZANTINE, "p": PROBABILITY}
_WITH_SNR = {**_COMMON, "snr": SNR}


def _constraint(workers: float, byzantine: float, p: float, **_: float) -> bool:
    return byzantine <= workers and _in_chain_domain(workers, byzantine, p)


@register(kind="exact", source="Paper, Section 3.3, chain, left-hand side P[Z < Q/2]", params=_COMMON,
          family="cantelli", constraint=_constraint, probability=True)
def line_0(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, invalid: str = "raise") -> NDArray[np.float64]:
    r""":math:`\mathbb{P}[Z < Q/2]`, the event the paper bounds (ties pass).  Kind: **exact**."""
    q, b, pp, ok = chain_domain("line_0", workers, byzantine, p, invalid)
    return _nan_outside(vote_failure(q, b, pp, "omniscient", "pass"), ok)


@register(kind="exact", source="Paper, Section 3.3, chain, line (1)", params=_COMMON,
          family="cantelli", constraint=_constraint, probability=True)
def line_1(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, invalid: str = "raise") -> NDArray[np.float64]:
    r""":math:`\mathbb{P}[\mathbb{E}Z - Z \ge \mathbb{E}Z - Q/2] = \mathbb{P}[Z \le Q/2]`.

    The paper writes it *equal* to :func:`line_0`; it is equal only when Q is
    odd (for even Q it adds :math:`\mathbb{P}[Z = Q/2]`).  Kind: **exact**.
    """
    q, b, pp, ok = chain_domain("line_1", workers, byzantine, p, invalid)
    return _nan_outside(vote_failure(q, b, pp, "omniscient", "fail"), ok)


@register(kind="upper", source="Paper, Section 3.3, chain, line (2) (Cantelli's inequality)", params=_COMMON,
          family="cantelli", constraint=_constraint, probability=True)
def line_2_cantelli(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, invalid: str = "raise") -> NDArray[np.float64]:
    r"""Cantelli: :math:`\frac{1}{1 + (\mathbb{E}Z - Q/2)^2/\mathrm{Var}Z}
    = \frac{\mathrm{Var}Z}{\mathrm{Var}Z + (\mathbb{E}Z - Q/2)^2}`.

    Kind: **upper bound** on :func:`line_1`, valid for :math:`\mathbb{E}Z > Q/2`.
    """
    q, b, pp, ok = chain_domain("line_2_cantelli", workers, byzantine, p, invalid)
    gap, var = _moments(q, b, pp)
    return _nan_outside(var / (var + gap * gap), ok)


@register(kind="upper", source="Paper, Section 3.3, chain, line (3) (1 + x^2 >= 2x)", params=_COMMON,
          family="cantelli", constraint=_constraint)
def line_3_am_gm(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, invalid: str = "raise") -> NDArray[np.float64]:
    r""":math:`\frac12\sqrt{\mathrm{Var}Z/(\mathbb{E}Z - Q/2)^2}`.  Kind: **upper bound** on line (2)."""
    q, b, pp, ok = chain_domain("line_3_am_gm", workers, byzantine, p, invalid)
    gap, var = _moments(q, b, pp)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _nan_outside(0.5 * np.sqrt(var) / np.abs(gap), ok)


def _alpha(q: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    return b / q


@register(kind="identity", source="Paper, Section 3.3, chain, line (4)", params=_COMMON,
          family="cantelli", constraint=_constraint)
def line_4(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, invalid: str = "raise") -> NDArray[np.float64]:
    r""":math:`\frac{1}{2\sqrt Q}\frac{\sqrt{(1-\alpha)p(1-p)}}{(1-\alpha)p - 1/2}`.  Kind: printed as equal to line (3)."""
    q, b, pp, ok = chain_domain("line_4", workers, byzantine, p, invalid)
    a = _alpha(q, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.sqrt((1 - a) * pp * (1 - pp)) / (2 * np.sqrt(q) * _margin(q, b, pp))
    return _nan_outside(v, ok)


@register(kind="identity", source="Paper, Section 3.3, chain, line (5)", params=_COMMON,
          family="cantelli", constraint=_constraint)
def line_5(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, invalid: str = "raise") -> NDArray[np.float64]:
    r""":math:`\frac{\sqrt{1-p}}{2\sqrt Q}\frac{\sqrt{(1-\alpha)p}}{(1-\alpha)p - 1/2}`.  Kind: printed as equal to line (4)."""
    q, b, pp, ok = chain_domain("line_5", workers, byzantine, p, invalid)
    a = _alpha(q, b)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.sqrt(1 - pp) / (2 * np.sqrt(q)) * np.sqrt((1 - a) * pp) / _margin(q, b, pp)
    return _nan_outside(v, ok)


@register(kind="identity", source="Paper, Section 3.3, chain, line (6)", params=_COMMON,
          family="cantelli", constraint=_constraint)
def line_6(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, invalid: str = "raise") -> NDArray[np.float64]:
    r""":math:`\frac{\sqrt{(1-p)p}}{2\sqrt Q}\frac{\sqrt{1-\alpha}}{(1-\alpha)p-1/2}\sqrt{\frac{(p-1/2)^2}{(p-1/2)^2}}`.
    Kind: printed as equal to line (5)."""
    q, b, pp, ok = chain_domain("line_6", workers, byzantine, p, invalid)
    a = _alpha(q, b)
    d2 = (pp - 0.5) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.sqrt((1 - pp) * pp) / (2 * np.sqrt(q)) * np.sqrt(1 - a) / _margin(q, b, pp) * np.sqrt(d2 / d2)
    return _nan_outside(v, ok)


def _final(func: str, const: float, workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, snr: ArrayLike,
           invalid: str) -> NDArray[np.float64]:
    q, b, pp, ok = chain_domain(func, workers, byzantine, p, invalid)
    s = check(func, "snr", snr, SNR)
    a = _alpha(q, b)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        v = const / (s * np.sqrt(q)) * np.sqrt(1 - a) * (pp - 0.5) / _margin(q, b, pp)
    return _nan_outside(v, ok)


@register(kind="upper", source="Paper, Section 3.3, chain, last line (7) (Lemma 3.6), as printed", params=_WITH_SNR,
          family="cantelli", constraint=_constraint, probability=True)
def paper_final(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, snr: ArrayLike,
                invalid: str = "raise") -> NDArray[np.float64]:
    r"""The chain's last line as printed:
    :math:`\frac{1}{4S\sqrt Q}\frac{\sqrt{1-\alpha}\,(p-\frac12)}{(1-\alpha)p - \frac12}`.

    Kind: claimed **upper bound** on the vote failure.  The constant 1/4 does
    not follow from line (6) and Lemma 3.6 (see :func:`rederived_final`);
    ``proofs_check`` refutes the line with a counterexample.
    """
    return _final("paper_final", 0.25, workers, byzantine, p, snr, invalid)


@register(kind="upper", source="Paper, Section 3.3, last line re-derived from line (6) and Lemma 3.6", params=_WITH_SNR,
          family="cantelli", constraint=_constraint, probability=True)
def rederived_final(workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, snr: ArrayLike,
                    invalid: str = "raise") -> NDArray[np.float64]:
    r"""The chain's last line with the constant that follows from it:

    .. math::

        \frac{\sqrt{p(1-p)}}{2\sqrt Q}\frac{\sqrt{1-\alpha}}{(1-\alpha)p - \frac12}
        \le \frac{1}{S\sqrt Q}\frac{\sqrt{1-\alpha}\,(p-\frac12)}{(1-\alpha)p - \frac12},

    using :math:`\sqrt{p(1-p)} \le \frac2S (p - \frac12)` (Lemma 3.6).  At
    :math:`\alpha = 0` it is BZAA18's :math:`1/(S\sqrt M)`.

    Kind: **upper bound** on the vote failure whenever ``p`` and ``snr`` come
    from one unimodal symmetric noise law (Assumption 3.4).
    """
    return _final("rederived_final", 1.0, workers, byzantine, p, snr, invalid)


@dataclass(frozen=True)
class ChainLine:
    """One line of the chain: its id, the relation the paper writes between it
    and the previous line, the paper's justification, and its function."""

    id: str
    relation: str
    justification: str
    function: Callable[..., NDArray[np.float64]]
    needs_snr: bool = False


CHAIN: tuple[ChainLine, ...] = (
    ChainLine("line_0", "", "the vote fails on index i iff Z < Q/2", line_0),
    ChainLine("line_1", "=", "rearrangement", line_1),
    ChainLine("line_2_cantelli", "<=", "Cantelli's inequality", line_2_cantelli),
    ChainLine("line_3_am_gm", "<=", "1 + x^2 >= 2x", line_3_am_gm),
    ChainLine("line_4", "=", "substitute E[Z], Var[Z]", line_4),
    ChainLine("line_5", "=", "factor sqrt(1-p)", line_5),
    ChainLine("line_6", "=", "multiply by sqrt((p-1/2)^2/(p-1/2)^2)", line_6),
    ChainLine("paper_final", "<=", "Lemma 3.6", paper_final, needs_snr=True),
)
"""The chain in the paper's order; :func:`rederived_final` is the corrected last line."""


def cantelli_chain(
    workers: ArrayLike, byzantine: ArrayLike, p: ArrayLike, snr: ArrayLike, invalid: str = "raise"
) -> dict[str, NDArray[np.float64]]:
    """Every line of the chain (and :func:`rederived_final`) at the given parameters."""
    out: dict[str, NDArray[np.float64]] = {}
    for line in CHAIN:
        args = (workers, byzantine, p, snr) if line.needs_snr else (workers, byzantine, p)
        out[line.id] = line.function(*args, invalid=invalid)
    out["rederived_final"] = rederived_final(workers, byzantine, p, snr, invalid=invalid)
    return out
