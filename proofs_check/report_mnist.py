"""The report's MNIST section: a short default run when the data is present, and why not otherwise."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

__all__ = ["REPORT_BYZANTINE", "REPORT_TARGET", "mnist_section"]

REPORT_BYZANTINE = (0, 9, 13)
"""B of the short run: none, the paper's 33% and its 48%."""
REPORT_TARGET = 0.6
"""Test accuracy counted as converged in the short run (it is 30 iterations long)."""


def _report_config() -> Any:
    """The short run's configuration (built on use: importing :mod:`simulate.mnist` imports torch)."""
    from simulate.mnist import MnistConfig

    return MnistConfig(batch=16, iterations=30, eval_every=5, stats_every=15, eval_examples=1000)



def _finite(x: Any) -> Any:
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return x


def mnist_section(out: Path, fig_dir: Path) -> tuple[dict[str, Any], str, dict[str, str]]:
    """Run (or reuse from ``out/mnist/cache``) the short MNIST run; returns the JSON part, the markdown and
    the figures written.  Without the data the JSON says why and the markdown says how to provide it."""
    from simulate.mnist_data import default_mnist_root, load_mnist

    root = default_mnist_root()
    if root is None:
        why = ("no MNIST files found at $SIGNSGD_BFT_MNIST, ./data/mnist or ../shared/data/mnist; run "
               "`signsgd-bft mnist --data FOLDER` (or `--download` where the network allows)")
        return {"skipped": why}, f"## MNIST\n\nNot run: {why}.\n", {}
    from simulate.mnist_sweep import compare_tolerance, format_mnist_table, plot_mnist, run_mnist, summarise_mnist, \
        write_mnist

    data = load_mnist(root)
    cfg = _report_config()
    records = run_mnist(data, REPORT_BYZANTINE, [cfg.batch], ["colluding"], cfg, cache=out / "mnist" / "cache",
                        progress=False)
    rows = summarise_mnist(records, REPORT_TARGET)
    comparison = compare_tolerance(rows)
    paths = write_mnist(records, rows, comparison, out / "mnist")
    figures = {"mnist": plot_mnist(paths[0], fig_dir / "mnist.png")} if rows else {}
    md = f"""## MNIST (Figures 2-4 style), a short run

{data.note}.  {cfg.workers} workers, batch {cfg.batch}, {cfg.iterations} iterations, the paper's other Table 3
values; p, S tracked every {cfg.stats_every}; colluding attack (the paper's) with B = {', '.join(map(str, REPORT_BYZANTINE))};
converged = final test accuracy (mean of the last 3 evaluations) >= {REPORT_TARGET}.  p is measured on the
honest workers' gradients against the sign of the gradient of the whole training part (a zero counts as not
right); "covered" is the fraction of coordinates whose p satisfies the paper's B/Q < 1 - 1/(2p); "vote ok" the
fraction where the server's vote has the full gradient's sign.  This is a smoke-scale run: `signsgd-bft mnist`
runs the paper's sweep (B = 0..13; batch 64 for 500 iterations, 256 and 512 for 200), a GPU job.

```
{format_mnist_table(rows, comparison)}
```
"""
    return _finite({"note": data.note, "config": cfg.to_dict(), "summary": rows, "comparison": comparison}), md, figures
