"""The ``signsgd-bft votes`` sweep: Monte Carlo vote failure over a grid, against the exact law and the bounds.

Each grid point is simulated with a seed derived from its parameters (:func:`simulate.seeding.derive_seed`),
so a point gives the same numbers whatever else the sweep holds; the strategy is left out of the seed, so that
every strategy at a point meets the same draws (common random numbers).  Results are written atomically as CSV and
JSON; :func:`plot_votes` redraws the figure from the JSON file alone.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from pathlib import Path
from typing import Any, Sequence

from bounds._io import atomic_write, atomic_write_text

from .engine import simulate_vote_failure
from .seeding import derive_seed
from .sweep import package_version

__all__ = ["run_votes_sweep", "write_votes", "plot_votes", "format_table"]


def run_votes_sweep(
    workers: Sequence[int],
    snr: Sequence[float],
    byzantine: Sequence[int] | None = None,
    alpha: Sequence[float] | None = None,
    batch: Sequence[int] = (1,),
    noise: Sequence[str] = ("gaussian",),
    attack: Sequence[str] = ("omniscient",),
    trials: int = 100_000,
    tie: str = "zero",
    seed: int = 0,
    device: str = "cpu",
    confidence: float = 0.999,
    progress: bool = True,
) -> list[dict[str, Any]]:
    """Simulate every grid point; ``byzantine`` counts or ``alpha`` fractions (``B = round(alpha Q)``).

    Each row holds the parameters, the derived seed, the device, the package version and a status:
    ``done``, ``skipped`` (``B > Q``) or ``error`` (with the message).
    """
    from tqdm import tqdm

    if (byzantine is None) == (alpha is None):
        raise ValueError("run_votes_sweep: give exactly one of argument 'byzantine' and argument 'alpha'")
    grid = []
    for q in workers:
        counts = list(byzantine) if byzantine is not None else sorted({int(round(a * q)) for a in alpha or ()})
        for b, s, n, fam, att in itertools.product(counts, snr, batch, noise, attack):
            grid.append(dict(workers=int(q), byzantine=int(b), snr=float(s), batch=int(n), noise=fam, attack=att))
    rows: list[dict[str, Any]] = []
    version = package_version()
    for point in tqdm(grid, desc="votes", disable=not progress, leave=False):
        # common random numbers: every strategy at a grid point sees the same draws
        unit_seed = derive_seed(seed, tie=tie, trials=trials, **{k: v for k, v in point.items() if k != "attack"})
        base = {**point, "tie": tie, "trials": trials, "seed": unit_seed, "device": device, "version": version}
        if point["byzantine"] > point["workers"]:
            rows.append({**base, "status": "skipped"})
            continue
        try:
            res = simulate_vote_failure(trials=trials, tie=tie, seed=unit_seed, device=device, confidence=confidence,
                                        **point)
        except (ValueError, RuntimeError) as err:
            rows.append({**base, "status": "error", "error": str(err)})
            continue
        rows.append({**base, **res.to_row(), "version": version, "status": "done"})
    return rows


def format_table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table: Monte Carlo rate and interval next to the exact value and the bounds."""
    head = (f"{'Q':>4} {'B':>3} {'S':>6} {'n':>4} {'noise':<15} {'attack':<11} {'MC rate':>10} "
            f"{'CI low':>10} {'CI high':>10} {'exact':>10} {'in CI':>5} {'Chernoff':>9} {'printed':>9} "
            f"{'re-derived':>10}")
    lines = [head, "-" * len(head)]

    def f(x: Any) -> str:
        return "n/a" if x is None else f"{x:.4g}"

    for r in rows:
        if r["status"] != "done":
            lines.append(f"{r['workers']:>4} {r['byzantine']:>3} {r['snr']:>6g} {r['batch']:>4} {r['noise']:<15} "
                         f"{r['attack']:<11} {r['status']}")
            continue
        lines.append(
            f"{r['workers']:>4} {r['byzantine']:>3} {r['snr']:>6g} {r['batch']:>4} {r['noise']:<15} {r['attack']:<11} "
            f"{r['rate']:>10.4g} {r['ci_low']:>10.4g} {r['ci_high']:>10.4g} {r['exact']:>10.4g} "
            f"{'yes' if r['exact_in_interval'] else 'NO':>5} {f(r['bound_chernoff_kl']):>9} "
            f"{f(r['bound_paper_final']):>9} {f(r['bound_rederived_final']):>10}")
    return "\n".join(lines)


def write_votes(rows: list[dict[str, Any]], out_dir: str | Path) -> list[str]:
    """Write ``votes.json`` and ``votes.csv`` under ``out_dir`` (atomically); returns their paths."""
    out = Path(out_dir)
    keys: list[str] = []
    for r in rows:
        keys.extend(k for k in r if k not in keys)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=keys)
    writer.writeheader()
    writer.writerows(rows)
    return [str(atomic_write_text(out / "votes.json", json.dumps({"rows": rows}, indent=2))),
            str(atomic_write_text(out / "votes.csv", buf.getvalue()))]


def plot_votes(results: str | Path, out: str | Path) -> str:
    """Redraw the Monte Carlo figure from a ``votes.json`` file alone.

    One panel per (noise, SNR, batch, Q); per attack, the Monte Carlo rates with their intervals against
    :math:`\\alpha = B/Q`, the exact curve, and the bounds of the omniscient attack.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from bounds.plots import FORMATS

    suffix = Path(out).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"plot_votes: argument 'out' must end in one of {FORMATS}; got {str(out)!r}")
    rows = [r for r in json.loads(Path(results).read_text())["rows"] if r.get("status") == "done"]
    if not rows:
        raise ValueError(f"plot_votes: argument 'results' holds no finished row: {str(results)!r}")
    panels: dict[tuple, list[dict[str, Any]]] = {}
    for r in rows:
        panels.setdefault((r["noise"], r["snr"], r["batch"], r["workers"]), []).append(r)
    ncol = min(2, len(panels))
    nrow = (len(panels) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(6.5 * ncol, 4.3 * nrow), squeeze=False)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, (key, prs) in zip(axes.flat, panels.items()):
        noise, snr, batch, q = key
        for i, att in enumerate(sorted({r["attack"] for r in prs})):
            pts = sorted((r for r in prs if r["attack"] == att), key=lambda r: r["byzantine"])
            a = [r["byzantine"] / q for r in pts]
            rate = [r["rate"] for r in pts]
            err = [[r["rate"] - r["ci_low"] for r in pts], [r["ci_high"] - r["rate"] for r in pts]]
            c = colors[i % len(colors)]
            ax.errorbar(a, rate, yerr=err, fmt="o", ms=3, color=c, capsize=2, label=f"Monte Carlo, {att}")
            ax.plot(a, [r["exact"] for r in pts], "-", color=c, lw=1, label=f"exact, {att}")
            if att == "omniscient":
                for key_b, style, label in (("bound_chernoff_kl", "g--", "Chernoff-KL"),
                                            ("bound_paper_final", "r:", "paper's last line"),
                                            ("bound_rederived_final", "m:", "re-derived last line")):
                    ax.plot(a, [r.get(key_b) if r.get(key_b) is not None else float("nan") for r in pts], style,
                            label=label)
        ax.set_yscale("log")
        positive = [r["exact"] for r in prs if r["exact"] > 0]
        ax.set_ylim(max(min(positive) / 5, 1e-300) if positive else 1e-12, 2)
        ax.set_xlabel("Byzantine fraction B/Q")
        ax.set_ylabel("P[vote fails]")
        ax.set_title(f"Q = {q}, S = {snr:g}, n = {batch}, {noise} noise")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.tight_layout()
    atomic_write(out, lambda tmp: fig.savefig(tmp, format=suffix[1:], dpi=120))
    plt.close(fig)
    return str(out)
