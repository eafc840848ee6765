"""The ``signsgd-bft mnist`` subcommand (the paper's Figures 2-4, predicted against observed tolerance)."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_mnist", "run_mnist_command"]


def add_mnist(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("mnist", help="the MNIST sweep (Figures 2-4), resumable, predicted against observed tolerance",
                       description="Run (or resume) the MNIST sweep of the paper's Figures 2-4; print the per-run "
                       "table and the tolerance comparison; write mnist.json, mnist.csv and mnist.png to --out.  "
                       "A paper-size iteration (27 workers x batch 64) costs about 1.4 s on 2 CPU cores: the full "
                       "sweep is a GPU job; use --iterations and fewer -B values on a CPU.")
    p.add_argument("--data", help="folder with MNIST IDX files (default: $SIGNSGD_BFT_MNIST, ./data/mnist or "
                   "../shared/data/mnist)")
    p.add_argument("--download", action="store_true", help="download MNIST through torchvision first (needs network)")
    p.add_argument("--byzantine", "-B", type=int, nargs="+", default=list(range(14)), help="B values (default 0..13)")
    p.add_argument("--batch", type=int, nargs="+", default=[64, 256, 512], help="batch sizes (default 64 256 512)")
    p.add_argument("--attack", nargs="+", default=["colluding"],
                   help="colluding (the paper's), omniscient, blind, random, abstain (default colluding)")
    p.add_argument("--iterations", type=int, help="iterations for every batch (default: the paper's, 500 at batch "
                   "64 and 200 at 256 and 512)")
    p.add_argument("--workers", "-Q", type=int, default=27)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--weight-decay", type=float, default=0.05)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--eval-every", type=int, default=5)
    p.add_argument("--eval-examples", type=int, default=2000, help="training images for the training loss")
    p.add_argument("--stats-every", type=int, default=25, help="measure p, S, Assumption 3.4 every N iterations "
                   "(one full-data gradient each; 0 = never; default 25)")
    p.add_argument("--no-augment", action="store_true", help="skip the paper's random transforms")
    p.add_argument("--non-iid", action="store_true", help="worker chunks by label (heterogeneous, JLH+24)")
    p.add_argument("--method", choices=("auto", "vmap", "loop"), default="auto",
                   help="per-worker gradients: batched (vmap), per-worker loop, or auto (loop on CPU, vmap on CUDA)")
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--target", type=float, default=0.8, help="test accuracy that counts as converged (default 0.8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto")
    p.add_argument("--out", default="results/mnist")
    p.add_argument("--no-progress", action="store_true")
    p.add_argument("--checkpoint-every", type=int, default=1, help="write a run's checkpoint at every N-th "
                   "evaluation point (default 1: every one; a checkpoint holds the 27 momenta, 135 MB)")
    p.add_argument("--from-results", nargs="+", metavar="MNIST_JSON",
                   help="train nothing: rebuild the tables, mnist.json and the figure from these mnist.json files "
                   "(their runs merged; --target applies)")


def run_mnist_command(args: argparse.Namespace) -> int:
    from simulate.mnist_sweep import compare_tolerance, format_mnist_table, load_runs, plot_mnist, summarise_mnist, \
        write_mnist

    if args.from_results:
        records = load_runs(args.from_results)
        note = records[0].get("note", "") if records else ""
    else:
        records, note = _train(args)
    rows = summarise_mnist(records, args.target)
    comparison = compare_tolerance(rows)
    print(note)
    print(format_mnist_table(rows, comparison))
    paths = write_mnist(records, rows, comparison, args.out)
    if rows:
        paths.append(plot_mnist(paths[0], f"{args.out}/mnist.png"))
    for path in paths:
        print(path)
    errors = [r for r in records if r["status"] == "error"]
    for r in errors:
        print(f"error in {r['params']['attack']} batch {r['params']['batch']} B={r['params']['byzantine']}: "
              f"{r['error']}")
    return 0 if not errors else 1


def _train(args: argparse.Namespace) -> tuple[list[dict[str, Any]], str]:
    from simulate.device import resolve_device
    from simulate.mnist import MnistConfig
    from simulate.mnist_data import default_mnist_root, load_mnist
    from simulate.mnist_sweep import run_mnist

    device = str(resolve_device(args.device))
    root = args.data if args.data is not None else default_mnist_root()
    if root is None and not args.download:
        raise ValueError("argument '--data' must name a folder with MNIST IDX files (none found at "
                         "$SIGNSGD_BFT_MNIST, ./data/mnist or ../shared/data/mnist); or pass --download")
    data = load_mnist(root, download=args.download)
    cfg = MnistConfig(workers=args.workers, lr=args.lr, weight_decay=args.weight_decay, momentum=args.momentum,
                      eval_every=args.eval_every, augment=not args.no_augment, iid=not args.non_iid,
                      eval_examples=args.eval_examples, stats_every=args.stats_every, method=args.method)
    records = run_mnist(data, args.byzantine, args.batch, args.attack, cfg, args.iterations, args.repeats,
                        args.seed, device, f"{args.out}/cache", not args.no_progress, args.checkpoint_every)
    return records, data.note
