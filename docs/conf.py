"""Sphinx configuration for signsgd-bft.

The figures of the documentation are produced at build time by the package's
own plotting command (``python -m proofs_check plot ...``) into ``_generated/``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

project = "signsgd-bft"
author = "signsgd-bft developers"
copyright = "2026, signsgd-bft developers"
try:
    from proofs_check import __version__ as release
except Exception:  # pragma: no cover
    release = "0.1.0"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
html_theme = "alabaster"
exclude_patterns = ["_build"]
suppress_warnings: list[str] = []

GENERATED = Path(__file__).resolve().parent / "_generated"
FIGURES = {
    "sign_error.png": ["sign-error"],
    "vote_failure_gaussian.png": ["vote-failure", "--workers", "27", "--snr", "1.0"],
    "vote_failure_uniform.png": ["vote-failure", "--workers", "151", "--snr", "0.1", "--noise", "uniform"],
    "vote_failure_blind.png": ["vote-failure", "--workers", "27", "--snr", "1.0", "--attack", "blind"],
    "tolerance.png": ["tolerance", "--workers", "27"],
    "convergence.png": ["convergence", "--workers", "27", "--p", "0.9"],
}


def _make_figures(app: object) -> None:
    GENERATED.mkdir(exist_ok=True)
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    for name, args in FIGURES.items():
        subprocess.run([sys.executable, "-m", "proofs_check", "plot", *args, "--out", str(GENERATED / name)],
                       check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


VOTES = ["votes", "-Q", "27", "-B", "0", "2", "4", "6", "8", "10", "12", "--snr", "0.5", "1.0",
         "--attack", "omniscient", "blind", "colluding", "--trials", "40000", "--no-progress"]


def _make_votes(app: object) -> None:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "proofs_check", *VOTES, "--out", str(GENERATED / "votes")],
                   check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


TOY = ["toy", "-B", "0", "2", "4", "6", "8", "10", "12", "13", "--repeats", "2", "--no-progress"]


def _make_toy(app: object) -> None:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "proofs_check", *TOY, "--out", str(GENERATED / "toy")],
                   check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


MNIST_RESULTS = Path(__file__).resolve().parent / "data" / "mnist_cpu.json"


def _make_mnist(app: object) -> None:
    """Figures 2-4 of the CPU runs, redrawn from their committed results file (training them takes an hour)."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "proofs_check", "plot", "mnist", "--results", str(MNIST_RESULTS),
                    "--out", str(GENERATED / "mnist_cpu.png")], check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


def _make_verification(app: object) -> None:
    """The verification page: ``signsgd-bft verify --markdown`` plus the counterexample figure."""
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-m", "proofs_check", "plot", "vote-failure", "--workers", "145", "--snr",
                    "0.108103", "--noise", "uniform", "--out", str(GENERATED / "chain_counterexample.png")],
                   check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    code = ("import sys; from proofs_check.verify import run, to_markdown; from bounds._io import atomic_write_text;"
            "atomic_write_text(sys.argv[1], to_markdown(run(), '_generated/chain_counterexample.png'))")
    subprocess.run([sys.executable, "-c", code, str(Path(__file__).resolve().parent / "verification.md")],
                   check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)


def setup(app: object) -> None:
    app.connect("builder-inited", _make_votes)  # type: ignore[attr-defined]
    app.connect("builder-inited", _make_verification)  # type: ignore[attr-defined]
    app.connect("builder-inited", _make_toy)  # type: ignore[attr-defined]
    app.connect("builder-inited", _make_figures)  # type: ignore[attr-defined]
    app.connect("builder-inited", _make_mnist)  # type: ignore[attr-defined]
