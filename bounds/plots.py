"""Figures of the bounds (matplotlib; imported only by the ``plot`` and ``report`` commands).

Each function draws one figure and writes it to ``out``; the format follows
the file extension (``.png``, ``.svg``, ``.pdf``).  The write is atomic.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from . import cantelli, convergence, sign_error, tails, tolerance  # noqa: E402
from ._io import atomic_write  # noqa: E402
from .noise import NOISE_FAMILIES, get_family  # noqa: E402
from .vote_failure import vote_failure  # noqa: E402

__all__ = ["plot_sign_error", "plot_vote_failure", "plot_tolerance", "plot_convergence", "FORMATS"]

FORMATS = (".png", ".svg", ".pdf")


def _save(fig: plt.Figure, out: str | Path) -> str:
    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        plt.close(fig)
        raise ValueError(f"plot: argument 'out' must end in one of {FORMATS}; got {str(out)!r}")
    fig.tight_layout()
    atomic_write(out, lambda tmp: fig.savefig(tmp, format=suffix[1:], dpi=130))
    plt.close(fig)
    return str(out)


def plot_sign_error(out: str | Path) -> str:
    """Sign-error probability 1 - p against S: every family's exact curve, BZAA18 Lemma 1, Lemma 3.6."""
    s = np.geomspace(0.02, 20, 300)
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    for ax, logy in zip(axes, (False, True)):
        for name, fam in NOISE_FAMILIES.items():
            ax.plot(s, fam.sign_error(s), lw=1.2, label=f"exact: {name}")
        ax.plot(s, sign_error.bzaa18_lemma_1(s), "k--", lw=1.6, label="BZAA18 Lemma 1 (Gauss, tight)")
        ax.plot(s, sign_error.lemma_3_6_sign_error(s), "r:", lw=2.0, label="Lemma 3.6: 1/2 - S/(2 sqrt(4+S^2))")
        ax.set_xscale("log")
        ax.set_xlabel("S = |g| / sigma (one sample, n = 1)")
        ax.set_ylabel("1 - p = P[sign wrong]")
        if logy:
            ax.set_yscale("log")
            ax.set_ylim(1e-6, 0.6)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7)
    axes[0].set_title("Sign-error probability and its bounds")
    axes[1].set_title("Same, log scale")
    return _save(fig, out)


def plot_vote_failure(out: str | Path, workers: int = 27, snr: float = 1.0, noise: str = "gaussian",
                      attack: str = "omniscient") -> str:
    """Vote failure against the Byzantine fraction: exact versus every bound, for given Q and S."""
    fam = get_family(noise)
    p = float(fam.p_correct(snr))
    b = np.arange(0, workers + 1, dtype=float)
    alpha = b / workers
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    exact = vote_failure(workers, b, p, attack, "fail")
    ax.plot(alpha, exact, "k-o", ms=3, label=f"exact, {attack} (tie = fail)")
    ax.plot(alpha, vote_failure(workers, b, p, attack, "pass"), "k:", label=f"exact, {attack}, P[Z < Q/2]")
    if attack == "omniscient":
        ax.plot(alpha, vote_failure(workers, b, p, "blind", "fail"), color="0.5", ls="-", label="exact, blind (tie = fail)")
    ax.plot(alpha, tails.chernoff_kl(workers, b, p, attack), "g-", label="Chernoff-KL")
    ax.plot(alpha, tails.hoeffding(workers, b, p, attack), "g--", label="Hoeffding")
    chain = {
        "Cantelli (chain line 2)": cantelli.line_2_cantelli(workers, b, p, invalid="nan"),
        "1 + x^2 >= 2x (line 3)": cantelli.line_3_am_gm(workers, b, p, invalid="nan"),
        "paper's last line (1/(4 S sqrt Q))": cantelli.paper_final(workers, b, p, snr, invalid="nan"),
        "re-derived last line (1/(S sqrt Q))": cantelli.rederived_final(workers, b, p, snr, invalid="nan"),
    }
    for (label, vals), style in zip(chain.items(), ("b-", "b--", "r-", "m-")):
        ax.plot(alpha, vals, style, label=label)
    if p > 0.5:
        ax.axvline(float(tolerance.alpha_star(p)), color="r", lw=0.8, ls="-.", label="alpha* = 1 - 1/(2p)")
    ax.set_yscale("log")
    positive = exact[exact > 0]
    ax.set_ylim(max(float(positive.min()) / 5 if positive.size else 1e-12, 1e-300), 2)
    ax.set_xlabel("Byzantine fraction alpha = B / Q")
    ax.set_ylabel("P[vote fails on a coordinate]")
    ax.set_title(f"Q = {workers}, S = {snr:g} ({fam.name} noise, p = {p:.4f})")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    return _save(fig, out)


def plot_tolerance(out: str | Path, workers: int = 27) -> str:
    """The tolerance region alpha < alpha*(p), with the integer Byzantine counts for Q workers."""
    p = np.linspace(0.5, 1.0, 501)[1:]
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    ax.fill_between(p, 0, tolerance.alpha_star(p), color="tab:green", alpha=0.15, label="alpha < 1 - 1/(2p)")
    ax.plot(p, tolerance.alpha_star(p), "g-", label="alpha*(p) = 1 - 1/(2p)")
    ax.plot(p, p - 0.5, "k:", lw=0.8, label="chord p - 1/2 through the end points (a linear law would follow it)")
    ax.step(p, tolerance.max_byzantine(workers, p) / workers, "b-", where="post",
            label=f"largest B / Q, paper's condition (Q = {workers})")
    ax.step(p, tolerance.max_byzantine_exact(workers, p, 0.5, "omniscient") / workers, "r-", where="post",
            label="largest B / Q with exact failure <= 1/2 (omniscient)")
    ax.set_xlabel("p = P[an honest worker's sign is right]")
    ax.set_ylabel("Byzantine fraction alpha")
    sec = ax.secondary_yaxis("right", functions=(lambda a: a * workers, lambda b: b / workers))
    sec.set_ylabel(f"Byzantine count B of Q = {workers}")
    ax.set_xlim(0.5, 1.0)
    ax.set_ylim(0, 0.55)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("Tolerance threshold and integer counts")
    return _save(fig, out)


def plot_convergence(out: str | Path, workers: int = 27, p: float = 0.9, iterations: int = 1000) -> str:
    """The rate of Theorem 3.7 (stated, proof end, re-derived) and BZAA18 Theorem 2 against alpha."""
    a_max = float(tolerance.alpha_star(p))
    alpha = np.linspace(0, a_max, 400, endpoint=False)
    args = (iterations, workers, alpha, p, 1.0, 1.0, 1.0)
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    ax.plot(alpha, convergence.theorem_3_7_stated(*args), "r-", label="Theorem 3.7 as stated")
    ax.plot(alpha, convergence.theorem_3_7_proof_end(*args), "r--", label="Theorem 3.7, end of proof")
    ax.plot(alpha, convergence.theorem_3_7_rederived(*args), "m-", label="re-derived (BZAA18 descent)")
    ax.plot(alpha, convergence.theorem_3_7_descent(*args), "m:", label="re-derived, before 3/2 -> 2")
    ab = alpha[alpha < 0.5]
    ax.plot(ab, convergence.bzaa18_theorem_2(iterations, workers, ab, 1.0, 1.0, 1.0), "k-.",
            label="BZAA18 Thm 2 (blind adversaries)")
    ax.axvline(a_max, color="g", lw=0.8, label="alpha*(p)")
    ax.set_yscale("log")
    ax.set_xlabel("Byzantine fraction alpha")
    ax.set_ylabel("bound on [mean E||g_k||_1]^2")
    ax.set_title(f"Rates, K = {iterations}, Q = {workers}, p = {p}, ||sigma||_1 = ||L||_1 = f0 - f* = 1")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return _save(fig, out)
