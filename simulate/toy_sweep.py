"""The ``signsgd-bft toy`` sweep: the paper's Figure 1 with predicted against observed.

One sweep unit is one (attack, batch regime): every Byzantine count and repeat of it runs as one batched
computation (:func:`simulate.toy.simulate_toy`) and is cached by :func:`simulate.sweep.run_sweep`, so a killed
sweep resumes at the next unfinished unit.  ``toy.json`` holds the configuration, every run's objective curve
and the summary rows; ``toy.csv`` the summary; :func:`plot_toy` redraws Figure 1 from ``toy.json`` alone.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any, Sequence

import numpy as np

import bounds
from bounds._io import atomic_write, atomic_write_text

from .sweep import finished_records, run_sweep
from .toy import ToyConfig, batch_at, coin_flip_snr, expected_objective, simulate_toy

__all__ = ["run_toy", "summarise", "write_toy", "plot_toy", "format_toy_table", "paper_max_byzantine"]

WINDOW = 50
"""The final objective is the mean over the last ``WINDOW`` iterations."""
SMOOTH = 10
"""Moving-average width of the plotted curves (the raw curves are in ``toy.json``)."""


def run_toy(byzantine: Sequence[int] = tuple(range(14)), batches: Sequence[int | str] = (1, "t", 500),
            attacks: Sequence[str] = ("blind", "omniscient"), config: ToyConfig = ToyConfig(), seed: int = 0,
            device: str = "cpu", engine: str = "counts", cache: str | Path = "results/toy/cache",
            progress: bool = True, predict: bool = True) -> list[dict[str, Any]]:
    """Run (or resume) the sweep; returns one record per (attack, batch) unit."""
    units = [{"attack": a, "batch": str(b), "byzantine": [int(x) for x in byzantine], "engine": engine,
              **config.to_dict()} for a in attacks for b in batches]

    def work(unit: dict[str, Any], unit_seed: int) -> dict[str, Any]:
        cfg = ToyConfig(**{k: unit[k] for k in config.to_dict()})
        batch = "t" if unit["batch"] == "t" else int(unit["batch"])
        f = simulate_toy(unit["byzantine"], unit["attack"], batch, cfg, unit_seed, device, unit["engine"])
        out: dict[str, Any] = {"curves": np.round(f, 8).tolist()}
        if predict:
            out["expected"] = [np.round(expected_objective(b, unit["attack"], batch, cfg), 8).tolist()
                               for b in unit["byzantine"]]
        out["status"] = "diverged" if not np.all(np.isfinite(f)) else "done"
        return out

    return run_sweep(units, work, cache, seed, device, progress, desc="toy")


def paper_max_byzantine(target: float, batch_end: int, config: ToyConfig) -> int:
    """Largest B the paper's threshold tolerates at the coordinate scale of the target objective:
    :math:`B/Q < 1 - 1/(2p)` with :math:`p = \\Phi(\\sqrt{n_T}\\,x/\\sigma)`, :math:`x = \\sqrt{2\\,\\mathrm{target}/d}`."""
    x = math.sqrt(2 * target / config.dim)
    p = float(bounds.GAUSSIAN.p_correct(x / config.sigma, batch_end))
    return int(bounds.max_byzantine(config.workers, p))


def summarise(records: list[dict[str, Any]], target: float = 10.0) -> list[dict[str, Any]]:
    """One row per (attack, batch, B): observed final objective (mean, std over repeats), the predictions."""
    rows = []
    for rec in records:
        if rec["status"] not in ("done", "diverged"):
            continue
        prm = rec["params"]
        cfg = ToyConfig(**{k: prm[k] for k in ToyConfig().to_dict()})
        batch = "t" if prm["batch"] == "t" else int(prm["batch"])
        n_end = batch_at(batch, cfg.iterations - 1)
        etas = cfg.lr / np.sqrt(np.arange(cfg.iterations) + 1.0)
        # sign descent with |x| < eta alternates |x| = a, eta - a: f's two-step mean is d eta^2/8 .. d eta^2/4
        step_floor = cfg.dim / 4 * float(np.mean(etas[-WINDOW:] ** 2))
        curves = np.asarray(rec["curves"], dtype=float)
        for i, b in enumerate(prm["byzantine"]):
            final = curves[i][:, -WINDOW:].mean(axis=1)
            s_star = coin_flip_snr(cfg.workers, b, n_end, prm["attack"], cfg.tie)
            x_star = cfg.sigma * s_star
            row = {"attack": prm["attack"], "batch": prm["batch"], "byzantine": b, "alpha": b / cfg.workers,
                   "observed_final": float(final.mean()), "observed_std": float(final.std(ddof=1)) if final.size > 1
                   else 0.0, "observed_min": float(final.min()), "observed_max": float(final.max()),
                   "x_star": x_star, "coin_flip_floor": 0.5 * cfg.dim * x_star**2 if math.isfinite(x_star) else math.inf,
                   "step_floor": step_floor,
                   "predicted_floor": (0.5 * cfg.dim * x_star**2 + step_floor) if math.isfinite(x_star) else math.inf,
                   "seed": rec["seed"], "device": rec["device"], "version": rec["version"], "status": rec["status"]}
            if "expected" in rec:
                row["expected_final"] = float(np.mean(rec["expected"][i][-WINDOW:]))
            rows.append(row)
    for (att, batch) in {(r["attack"], r["batch"]) for r in rows}:
        group = [r for r in rows if r["attack"] == att and r["batch"] == batch]
        obs = [r["byzantine"] for r in group if r["observed_final"] <= target]
        pred = [r["byzantine"] for r in group if r.get("expected_final", math.inf) <= target]
        cfg = ToyConfig(**{k: records[0]["params"][k] for k in ToyConfig().to_dict()})
        n_end = batch_at("t" if batch == "t" else int(batch), cfg.iterations - 1)
        for r in group:
            r["target"] = target
            r["largest_b_observed"] = max(obs) if obs else -1
            r["largest_b_expected"] = max(pred) if pred else -1
            r["largest_b_paper"] = paper_max_byzantine(target, n_end, cfg)
    return rows


def format_toy_table(rows: list[dict[str, Any]]) -> str:
    """The comparison table printed by ``signsgd-bft toy``."""
    head = (f"{'attack':<11} {'batch':>5} {'B':>3} {'observed':>11} {'std':>8} {'expected':>10} {'x*':>8} "
            f"{'floor (x*+step)':>15}")
    lines = [head, "-" * len(head)]
    for r in sorted(rows, key=lambda r: (r["attack"], str(r["batch"]), r["byzantine"])):
        lines.append(f"{r['attack']:<11} {r['batch']:>5} {r['byzantine']:>3} {r['observed_final']:>11.4g} "
                     f"{r['observed_std']:>8.2g} {r.get('expected_final', float('nan')):>10.4g} {r['x_star']:>8.3g} "
                     f"{r['predicted_floor']:>15.4g}")
    seen = set()
    for r in rows:
        key = (r["attack"], r["batch"])
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"{r['attack']} batch {r['batch']}: largest B reaching f <= {r['target']:g}: observed "
                     f"{r['largest_b_observed']}, expected (exact chain) {r['largest_b_expected']}, paper's "
                     f"alpha < 1 - 1/(2p) at that scale {r['largest_b_paper']}")
    return "\n".join(lines)


def write_toy(records: list[dict[str, Any]], rows: list[dict[str, Any]], out_dir: str | Path) -> list[str]:
    """Write ``toy.json`` (records and summary) and ``toy.csv`` (summary) atomically."""
    out = Path(out_dir)
    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return [str(atomic_write_text(out / "toy.json", json.dumps({"units": records, "summary": rows}))),
            str(atomic_write_text(out / "toy.csv", buf.getvalue()))]


def plot_toy(results: str | Path, out: str | Path) -> str:
    """Figure 1 from ``toy.json`` alone: objective against iteration, one panel per (attack, batch regime),
    one curve per Byzantine count (mean over repeats), the expected objective of the exact chain dashed."""
    data, recs = finished_records(results, "units", out, "plot_toy")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    attacks = sorted({r["params"]["attack"] for r in recs})
    batches = list(dict.fromkeys(r["params"]["batch"] for r in recs))
    fig, axes = plt.subplots(len(attacks), len(batches), figsize=(5 * len(batches), 3.8 * len(attacks)),
                             squeeze=False, sharey=True)
    cmap = plt.get_cmap("viridis")

    def smooth(y: Any) -> np.ndarray:  # sign descent alternates every step; show a 10-iteration moving average
        y = np.asarray(y, dtype=float)
        k = min(SMOOTH, y.size)
        return np.convolve(y, np.ones(k) / k, mode="valid")

    floors = {(s["attack"], s["batch"], s["byzantine"]): s.get("predicted_floor") for s in data.get("summary", [])}
    for r in recs:
        ax = axes[attacks.index(r["params"]["attack"]), batches.index(r["params"]["batch"])]
        bs = r["params"]["byzantine"]
        iters = len(r["curves"][0][0])
        for i, b in enumerate(bs):
            c = cmap(i / max(len(bs) - 1, 1))
            floor = floors.get((r["params"]["attack"], r["params"]["batch"], b))
            if floor is not None and math.isfinite(floor):  # the coin-flip + step-size floor, at the right edge
                ax.hlines(floor, iters - WINDOW, iters, colors=[c], linestyles=":", lw=2)
            ax.plot(smooth(np.mean(r["curves"][i], axis=0)), color=c, lw=1, label=f"B = {b}")
            if "expected" in r:
                ax.plot(smooth(r["expected"][i]), color="k", lw=0.6, ls="--")
        ax.set_yscale("log")
        ax.set_title(f"{r['params']['attack']}, batch {r['params']['batch']}")
        ax.set_xlabel(f"iteration ({SMOOTH}-iteration moving average)")
        ax.grid(alpha=0.3)
    for ax in axes[:, 0]:
        ax.set_ylabel("f(x) = ||x||^2 / 2")
    axes[0, -1].legend(fontsize=6, ncol=2, title="colour: mean of repeats; black dashed: exact chain;\n"
                       "dotted at the end: coin-flip + step-size floor", title_fontsize=6)
    fig.tight_layout()
    atomic_write(out, lambda tmp: fig.savefig(tmp, format=Path(out).suffix.lower()[1:], dpi=110))
    plt.close(fig)
    return str(out)
