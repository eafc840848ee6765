"""The ``signsgd-bft mnist`` sweep: the paper's Figures 2-4 with predicted against observed tolerance.

One sweep unit is one training run (attack, batch, B, repeat) through :func:`simulate.sweep.run_sweep`; inside
a unit :func:`simulate.mnist.train_mnist` checkpoints at every evaluation point, so a killed sweep resumes at
the last evaluation of the unit it was in.  Runs of one (batch, repeat) share their seed whatever B and the
attack (common random numbers: the same data order, initialisation and dropout draws), so curves differ by
the attack alone.

Predicted against observed, per (attack, batch):

* *observed*: the largest swept B such that every swept B' <= B *converges*, i.e. its final test accuracy
  (mean of the last ``FINAL_POINTS`` evaluations and of the repeats) reaches ``target``;
* *predicted*: the paper's threshold :math:`B/Q < \\alpha^*(p) = 1 - 1/(2p)` at the :math:`p` measured on the
  honest gradients of the smallest swept B (B = 0 normally), summarised two ways: the median over coordinates,
  and the mean weighted by :math:`|g_i|` (how coordinates enter the descent, see :mod:`simulate.mnist_stats`);
  each at initialisation and averaged along training;
* the paper's own observations (:data:`PAPER_OBSERVATIONS`), marked reproduced / not reproduced where the sweep
  holds the B they speak of, and not tested otherwise.

``mnist.json`` holds every run's curves and tracked statistics, the per-run rows and the comparison;
``mnist.csv`` the per-run rows; :func:`plot_mnist` redraws the figure from ``mnist.json`` alone.
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

import bounds
from bounds._io import atomic_write, atomic_write_text

from .mnist import ATTACKS, MnistConfig, train_mnist
from .mnist_data import MnistData
from .seeding import derive_seed
from .sweep import finished_records, run_sweep, unit_key

__all__ = ["PAPER_ITERATIONS", "PAPER_OBSERVATIONS", "run_mnist", "load_runs", "summarise_mnist", "compare_tolerance",
           "format_mnist_table", "write_mnist", "plot_mnist", "FINAL_POINTS"]

PAPER_ITERATIONS = {64: 500, 256: 200, 512: 200}
"""Iterations per batch size in the paper (Table 3, Figures 2-4)."""

PAPER_OBSERVATIONS: dict[int, tuple[str, Callable[[int], bool | None]]] = {
    64: ("Figure 2: no convergence for more than 33% adversaries (B <= 9 of 27 converge, B >= 10 do not)",
         lambda b: b <= 9),
    256: ("Figure 3: no convergence for 48% adversaries (B = 13 of 27 does not converge)",
          lambda b: False if b == 13 else None),
    512: ("Figure 4: convergence for up to 48% adversaries (every B <= 13 of 27 converges)",
          lambda b: True if b <= 13 else None),
}
"""What the paper reports, as a function of B: converges (True), does not (False), says nothing (None).
Stated for the paper's colluding attack and 27 workers."""

FINAL_POINTS = 3
"""The final accuracy is the mean of the last ``FINAL_POINTS`` evaluation points."""


def _config_for(base: MnistConfig, batch: int, iterations: int | None) -> MnistConfig:
    its = iterations if iterations is not None else PAPER_ITERATIONS.get(batch, base.iterations)
    return MnistConfig(**{**base.to_dict(), "batch": batch, "iterations": its})


def run_mnist(data: MnistData, byzantine: Sequence[int] = tuple(range(14)), batches: Sequence[int] = (64, 256, 512),
              attacks: Sequence[str] = ("colluding",), config: MnistConfig = MnistConfig(),
              iterations: int | None = None, repeats: int = 1, seed: int = 0, device: str = "cpu",
              cache: str | Path = "results/mnist/cache", progress: bool = True,
              checkpoint_every: int = 1) -> list[dict[str, Any]]:
    """Run (or resume) the sweep; one record per (attack, batch, B, repeat) run; each run checkpoints at every
    ``checkpoint_every``-th evaluation point.

    ``iterations`` None takes the paper's per batch size (:data:`PAPER_ITERATIONS`, else ``config``'s)."""
    for a in attacks:
        if a not in ATTACKS:
            raise ValueError(f"run_mnist: argument 'attacks' must hold values in {ATTACKS}; got {a!r}")
    for b in byzantine:
        if isinstance(b, bool) or not isinstance(b, int) or not 0 <= b < config.workers:
            raise ValueError(f"run_mnist: argument 'byzantine' must hold integers in [0, {config.workers - 1}]; "
                             f"got {b!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"run_mnist: argument 'repeats' must be an integer >= 1; got {repeats!r}")
    cache_dir = Path(cache)
    units = [{"attack": a, "byzantine": int(b), "repeat": r, "note": data.note,
              **_config_for(config, int(n), iterations).to_dict()}
             for n in batches for r in range(repeats) for a in attacks for b in byzantine]
    from tqdm import tqdm

    def work(unit: dict[str, Any], _: int) -> dict[str, Any]:
        cfg = MnistConfig(**{k: unit[k] for k in MnistConfig().to_dict()})
        run_seed = derive_seed(seed, batch=cfg.batch, repeat=unit["repeat"])
        bar = tqdm(total=cfg.iterations, desc=f"{unit['attack']} batch {cfg.batch} B={unit['byzantine']}",
                   disable=not progress, leave=False)

        def tick(point: dict[str, float]) -> None:
            bar.n = int(point["iteration"])
            bar.set_postfix(acc=f"{point['test_accuracy']:.3f}")
            bar.refresh()

        try:
            out = train_mnist(data, unit["byzantine"], unit["attack"], cfg, run_seed, device,
                              checkpoint=cache_dir / f"{unit_key(unit)}.ckpt.pt", on_eval=tick,
                              checkpoint_every=checkpoint_every)
        finally:
            bar.close()
        out.pop("params")
        return out

    return run_sweep(units, work, cache_dir, seed, device, progress, desc="mnist")


def load_runs(paths: Sequence[str | Path]) -> list[dict[str, Any]]:
    """The runs of several ``mnist.json`` files, merged (a run present in several files is kept once)."""
    seen: dict[str, dict[str, Any]] = {}
    for path in paths:
        try:
            runs = json.loads(Path(path).read_text())["runs"]
        except (OSError, json.JSONDecodeError, KeyError, TypeError):
            raise ValueError(f"load_runs: argument 'paths' must name mnist.json files written by 'signsgd-bft "
                             f"mnist'; got {str(path)!r}") from None
        for run in runs:
            seen.setdefault(unit_key(run["params"]), run)
    return list(seen.values())


def _final_accuracy(curve: list[dict[str, float]]) -> float:
    tail = [c["test_accuracy"] for c in curve[-FINAL_POINTS:]]
    return float(np.mean(tail)) if tail else math.nan


_STAT_COLUMNS: dict[str, tuple[Callable[[dict[str, Any]], float], bool]] = {
    # summary column: (what to read from one tracked point, averaged over the initial point only?)
    "p_median_init": (lambda s: s["p_median"], True),
    "p_median_mean": (lambda s: s["p_median"], False),
    "p_weighted_init": (lambda s: s["p_weighted"], True),
    "p_weighted_mean": (lambda s: s["p_weighted"], False),
    "l1_covered": (lambda s: s["l1_covered_at_this_b"], False),
    "l1_vote_agreement": (lambda s: s["l1_vote_agreement"], False),
    "p_nonzero_median_mean": (lambda s: s["p_nonzero_quantiles"][1], False),
    "fraction_zero": (lambda s: s["fraction_zero"], False),
    "p_vote_median_mean": (lambda s: s["p_vote_quantiles"][1], False),
    "snr_median_mean": (lambda s: s["snr_quantiles"][1], False),
    "fraction_p_above_half": (lambda s: s["fraction_p_above_half"], False),
    "fraction_covered": (lambda s: s["fraction_covered_at_this_b"], False),
    "vote_agreement": (lambda s: s["vote_agreement"], False),
    "fraction_symmetric": (lambda s: s["fraction_symmetric"], False),
    "fraction_unimodal": (lambda s: s["fraction_unimodal"], False),
}


def summarise_mnist(records: list[dict[str, Any]], target: float = 0.8) -> list[dict[str, Any]]:
    """One row per (attack, batch, B): final accuracy and loss (mean over repeats), converged or not, and the
    sign statistics along training (medians over coordinates, averaged over the tracked iterations)."""
    if not 0.0 < target <= 1.0:
        raise ValueError(f"summarise_mnist: argument 'target' must be a real number in (0, 1]; got {target!r}")
    groups: dict[tuple[str, int, int], list[dict[str, Any]]] = {}
    for rec in records:
        if rec["status"] in ("done", "diverged"):
            p = rec["params"]
            groups.setdefault((p["attack"], int(p["batch"]), int(p["byzantine"])), []).append(rec)
    rows = []
    for (attack, batch, b), recs in sorted(groups.items()):
        prm = recs[0]["params"]
        acc = [_final_accuracy(r["curve"]) for r in recs]
        loss = [r["curve"][-1]["train_loss"] if r["curve"] else math.nan for r in recs]
        stats = [s for r in recs for s in r.get("stats", [])]
        row: dict[str, Any] = {
            "attack": attack, "batch": batch, "byzantine": b, "workers": prm["workers"],
            "alpha": b / prm["workers"], "iterations": prm["iterations"], "repeats": len(recs),
            "final_accuracy": float(np.mean(acc)), "final_accuracy_min": float(np.min(acc)),
            "final_train_loss": float(np.mean(loss)), "target": target,
            "converged": bool(np.mean(acc) >= target and all(r["status"] == "done" for r in recs)),
            "status": "done" if all(r["status"] == "done" for r in recs) else "diverged",
            "chunk_size": recs[0].get("chunk_size"), "device": recs[0]["device"], "version": recs[0].get("version"), "note": recs[0].get("note", ""),
        }
        if stats:
            first = [s for s in stats if s["iteration"] == 0]
            for key, (get, at_init) in _STAT_COLUMNS.items():
                over = first if at_init else stats
                row[key] = float(np.mean([get(s) for s in over])) if over else math.nan
        rows.append(row)
    return rows


def _paper_verdict(attack: str, batch: int, observed: dict[int, bool]) -> tuple[str, str]:
    if attack != "colluding":
        return "", "not tested (the paper's Figures 2-4 use the colluding attack only)"
    if batch not in PAPER_OBSERVATIONS:
        return "", "not tested (the paper reports no run at this batch size)"
    text, says = PAPER_OBSERVATIONS[batch]
    checked = {b: (says(b), ok) for b, ok in observed.items() if says(b) is not None}
    if not checked:
        return text, "not tested (the sweep holds none of the B the paper speaks of)"
    wrong = sorted(b for b, (want, got) in checked.items() if want != got)
    if not wrong:
        return text, f"reproduced at B = {', '.join(map(str, sorted(checked)))}"
    return text, ("not reproduced at B = " + ", ".join(
        f"{b} ({'converged' if observed[b] else 'did not converge'})" for b in wrong)
        + (f"; agrees at B = {', '.join(str(b) for b in sorted(set(checked) - set(wrong)))}"
           if set(checked) - set(wrong) else ""))


def compare_tolerance(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (attack, batch): observed largest tolerated B, the paper's threshold at the measured p,
    JLH+24's (2p - 1)M form, and the paper's own observation with a reproduced / not reproduced verdict."""
    out = []
    for attack, batch in sorted({(r["attack"], r["batch"]) for r in rows}):
        group = sorted((r for r in rows if r["attack"] == attack and r["batch"] == batch), key=lambda r: r["byzantine"])
        q = group[0]["workers"]
        observed = {r["byzantine"]: r["converged"] for r in group}
        largest = -1
        for r in group:
            if not r["converged"]:
                break
            largest = r["byzantine"]
        base = group[0]
        row: dict[str, Any] = {"attack": attack, "batch": batch, "workers": q, "swept_b": sorted(observed),
                               "converged_b": sorted(b for b, ok in observed.items() if ok),
                               "largest_b_observed": largest, "target": base["target"],
                               "iterations": base["iterations"], "p_from_b": base["byzantine"]}
        for kind in ("median", "weighted"):
            for when in ("init", "mean"):
                p = base.get(f"p_{kind}_{when}", math.nan)
                if p is not None and math.isfinite(p):
                    pc = min(max(p, 1e-12), 1.0)
                    row[f"p_{kind}_{when}"] = p
                    row[f"alpha_star_{kind}_{when}"] = float(bounds.alpha_star(pc))
                    row[f"largest_b_predicted_{kind}_{when}"] = int(bounds.max_byzantine(q, pc))
        row["paper_observation"], row["paper_verdict"] = _paper_verdict(attack, batch, observed)
        out.append(row)
    return out


def format_mnist_table(rows: list[dict[str, Any]], comparison: list[dict[str, Any]]) -> str:
    """The tables printed by ``signsgd-bft mnist``."""
    head = (f"{'attack':<10} {'batch':>5} {'B':>3} {'alpha':>6} {'final acc':>9} {'loss':>7} {'conv':>5} "
            f"{'p med':>6} {'p nz':>6} {'zeros':>6} {'p vote':>6} {'S med':>6} {'covered':>7} {'vote ok':>7} {'sym':>5} {'unimod':>6}")
    lines = [head, "-" * len(head)]
    nan = float("nan")
    for r in rows:
        lines.append(f"{r['attack']:<10} {r['batch']:>5} {r['byzantine']:>3} {r['alpha']:>6.3f} "
                     f"{r['final_accuracy']:>9.4f} {r['final_train_loss']:>7.3f} {'yes' if r['converged'] else 'no':>5} "
                     f"{r.get('p_median_mean', nan):>6.3f} {r.get('p_nonzero_median_mean', nan):>6.3f} "
                     f"{r.get('fraction_zero', nan):>6.3f} {r.get('p_vote_median_mean', nan):>6.3f} "
                     f"{r.get('p_weighted_mean', nan):>6.3f} "
                     f"{r.get('snr_median_mean', nan):>6.3f} {r.get('fraction_covered', nan):>7.3f} "
                     f"{r.get('l1_covered', nan):>7.3f} {r.get('vote_agreement', nan):>7.3f} "
                     f"{r.get('l1_vote_agreement', nan):>6.3f} {r.get('fraction_symmetric', nan):>5.2f} "
                     f"{r.get('fraction_unimodal', nan):>6.2f}")
    lines.append("")
    for c in comparison:
        lines.append(f"{c['attack']} batch {c['batch']} ({c['iterations']} iterations): largest B whose every "
                     f"smaller swept B reaches accuracy {c['target']:g}: observed {c['largest_b_observed']} "
                     f"(swept {c['swept_b']}, converged {c['converged_b']})")
        for kind, what in (("median", "median p over coordinates"), ("weighted", "|g|-weighted p")):
            lines.append(f"    paper's B/Q < 1 - 1/(2p) at the {what} of B = {c['p_from_b']}: "
                         f"p = {c.get(f'p_{kind}_init', nan):.3f} at initialisation -> B <= "
                         f"{c.get(f'largest_b_predicted_{kind}_init', '-')}; p = {c.get(f'p_{kind}_mean', nan):.3f} "
                         f"along training -> B <= {c.get(f'largest_b_predicted_{kind}_mean', '-')}")
        chunk = next((r.get("chunk_size") for r in rows if r["batch"] == c["batch"]), None)
        if chunk is not None and c["batch"] > chunk:
            lines.append(f"    note: batch {c['batch']} exceeds a worker's chunk of {chunk} images: batches are drawn "
                         "with replacement and repeat images, so p is that of fewer distinct samples than the paper's")
        if c["paper_observation"]:
            lines.append(f"    paper: {c['paper_observation']}: {c['paper_verdict']}")
        else:
            lines.append(f"    paper: {c['paper_verdict']}")
    return "\n".join(lines)


def write_mnist(records: list[dict[str, Any]], rows: list[dict[str, Any]], comparison: list[dict[str, Any]],
                out_dir: str | Path) -> list[str]:
    """Write ``mnist.json`` (runs, rows, comparison) and ``mnist.csv`` (rows) atomically."""
    out = Path(out_dir)
    buf = io.StringIO()
    if rows:
        fields = list(dict.fromkeys(k for r in rows for k in r))
        w = csv.DictWriter(buf, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    return [str(atomic_write_text(out / "mnist.json", json.dumps(
                {"runs": records, "summary": rows, "comparison": comparison}, default=str))),
            str(atomic_write_text(out / "mnist.csv", buf.getvalue()))]


def plot_mnist(results: str | Path, out: str | Path) -> str:
    """Figures 2-4 from ``mnist.json`` alone: one row per (attack, batch); training loss, test accuracy and the
    p of the honest gradients (:math:`|g|`-weighted solid, median over coordinates dashed) against iteration,
    one curve per B (mean over repeats); in the p panel the dotted line of each colour is the p that the paper's
    threshold needs for that B, :math:`1/(2(1 - B/Q))`."""
    _, recs = finished_records(results, "runs", out, "plot_mnist")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = sorted({(r["params"]["attack"], int(r["params"]["batch"])) for r in recs})
    fig, axes = plt.subplots(len(panels), 3, figsize=(15, 3.6 * len(panels)), squeeze=False)
    cmap = plt.get_cmap("plasma")
    for row, (attack, batch) in enumerate(panels):
        mine = [r for r in recs if r["params"]["attack"] == attack and int(r["params"]["batch"]) == batch]
        bs = sorted({int(r["params"]["byzantine"]) for r in mine})
        q = int(mine[0]["params"]["workers"])
        for i, b in enumerate(bs):
            c = cmap(0.85 * i / max(len(bs) - 1, 1))
            runs = [r for r in mine if int(r["params"]["byzantine"]) == b]
            its = [pt["iteration"] for pt in runs[0]["curve"]]
            loss = np.mean([[pt["train_loss"] for pt in r["curve"]] for r in runs], axis=0)
            acc = np.mean([[pt["test_accuracy"] for pt in r["curve"]] for r in runs], axis=0)
            label = f"B = {b} ({100 * b / q:.0f}%)"
            axes[row, 0].plot(its, loss, color=c, lw=1, label=label)
            axes[row, 1].plot(its, acc, color=c, lw=1, label=label)
            if runs[0].get("stats"):
                st_its = [s["iteration"] for s in runs[0]["stats"]]
                p_med = np.mean([[s["p_median"] for s in r["stats"]] for r in runs], axis=0)
                axes[row, 2].plot(st_its, p_med, color=c, lw=0.8, ls="--")
                if "p_weighted" in runs[0]["stats"][0]:
                    p_w = np.mean([[s["p_weighted"] for s in r["stats"]] for r in runs], axis=0)
                    axes[row, 2].plot(st_its, p_w, color=c, lw=1.2, marker=".", label=label)
                axes[row, 2].axhline(1 / (2 * (1 - b / q)), color=c, ls=":", lw=1)
        axes[row, 2].set_xlim(axes[row, 0].get_xlim())
        axes[row, 0].set_yscale("log")
        axes[row, 0].set_ylabel("training loss")
        axes[row, 1].set_ylabel("test accuracy")
        axes[row, 2].set_ylabel("p of the honest gradients\n|g|-weighted (solid), median (dashed)", fontsize=8)
        for k, ax in enumerate(axes[row]):
            ax.set_title(f"{attack}, batch {batch}" + ("" if k else f", {q} workers"))
            ax.set_xlabel("iteration")
            ax.grid(alpha=0.3)
        axes[row, 1].legend(fontsize=6, ncol=2)
    note = recs[0].get("note", "")
    if note:
        fig.text(0.01, 0.002, note, fontsize=6, va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.03 if note else 0, 1, 1))
    atomic_write(out, lambda tmp: fig.savefig(tmp, format=Path(out).suffix.lower()[1:], dpi=110))
    plt.close(fig)
    return str(out)
