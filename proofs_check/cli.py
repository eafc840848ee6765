"""The ``signsgd-bft`` command line.

Subcommands (``signsgd-bft SUBCOMMAND --help`` for each):

``report``  the main job: verdicts, bounds, Monte Carlo, toy run and figures into ``--out`` (default ``results/``)
``bound``   evaluate one family of bounds at given parameters (``--json`` for one JSON object)
``plot``    draw a bound figure; the format follows the extension of ``--out``
``verify``  decide every claim of the paper (verified / refuted / inconclusive), ``--json``, ``--markdown``
``votes``   Monte Carlo vote simulation against the exact value and the bounds (imports torch)
``toy``     the toy quadratic sweep (Figure 1), resumable, with predicted against observed (imports torch)
``distributed``  the toy quadratic over N local processes, the vote on torch.distributed (imports torch)
``mnist``   the MNIST sweep (Figures 2-4), resumable, with predicted against observed tolerance (imports torch)

Only numpy/scipy are imported to parse arguments and evaluate bounds;
matplotlib is imported by ``plot``, ``votes`` and ``report``, torch by ``votes`` and ``report``.
"""

from __future__ import annotations

import argparse
import json
import sys

from bounds._domain import ATTACKS
from typing import Any, Callable, Sequence

from .cli_mnist import add_mnist, run_mnist_command

__all__ = ["main", "build_parser"]

BOUND_NAMES = ("vote-failure", "sign-error", "tolerance", "convergence", "list")
PLOT_NAMES = ("sign-error", "vote-failure", "tolerance", "convergence", "votes", "toy", "mnist")


def _add_bound(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("bound", help="evaluate a family of bounds at one parameter point",
                       description="Evaluate a family of bounds. NAME is one of: " + ", ".join(BOUND_NAMES) + ".")
    p.add_argument("name", choices=BOUND_NAMES, metavar="NAME", help=" | ".join(BOUND_NAMES))
    p.add_argument("--workers", "-Q", type=int, help="Q, total number of workers")
    p.add_argument("--byzantine", "-B", type=int, default=0, help="B, number of Byzantine workers (default 0)")
    p.add_argument("--p", type=float, help="probability that an honest worker's sign is right")
    p.add_argument("--snr", type=float, help="signal-to-noise ratio S = |g|/sigma (of one worker's estimate "
                   "for vote-failure; of one sample for sign-error and tolerance)")
    p.add_argument("--batch", type=int, default=1, help="mini-batch size n (sign-error; default 1)")
    p.add_argument("--noise", default="gaussian", help="noise family linking p and S (default gaussian)")
    p.add_argument("--attack", choices=ATTACKS, default="omniscient")
    p.add_argument("--tie", choices=("fail", "random", "pass"), default="fail",
                   help="how a tied vote is scored (default fail; the paper's event is 'pass')")
    p.add_argument("--alpha", type=float, help="Byzantine fraction (tolerance, convergence)")
    p.add_argument("--target", type=float, default=0.5, help="failure target of the exact tolerance (default 0.5)")
    p.add_argument("--iterations", "-K", type=int, help="K iterations (convergence)")
    p.add_argument("--sigma-l1", type=float, default=1.0, help="||sigma||_1 (convergence; default 1)")
    p.add_argument("--smoothness-l1", type=float, default=1.0, help="||L||_1 (convergence; default 1)")
    p.add_argument("--f-gap", type=float, default=1.0, help="f_0 - f_* (convergence; default 1)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _add_plot(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("plot", help="draw a figure, or redraw one from results (PNG, SVG or PDF by --out's extension)",
                       description="Draw a figure. NAME is one of: " + ", ".join(PLOT_NAMES) + ".")
    p.add_argument("name", choices=PLOT_NAMES, metavar="NAME", help=" | ".join(PLOT_NAMES))
    p.add_argument("--out", required=True, help="output file; .png, .svg or .pdf")
    p.add_argument("--results", help="votes, toy, mnist: the votes.json / toy.json / mnist.json file to redraw from")
    p.add_argument("--workers", "-Q", type=int, default=27, help="Q (default 27)")
    p.add_argument("--snr", type=float, default=1.0, help="SNR of one worker's estimate (vote-failure; default 1)")
    p.add_argument("--noise", default="gaussian", help="noise family (vote-failure; default gaussian)")
    p.add_argument("--attack", choices=("omniscient", "blind"), default="omniscient")
    p.add_argument("--p", type=float, default=0.9, help="p for the convergence plot (default 0.9)")


def _add_toy(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("toy", help="the toy quadratic sweep (Figure 1), predicted against observed",
                       description="Run (or resume) the toy quadratic sweep of the paper's Figure 1; print the "
                       "comparison table and write toy.json, toy.csv and toy.png to --out.")
    p.add_argument("--byzantine", "-B", type=int, nargs="+", default=list(range(14)), help="B values (default 0..13)")
    p.add_argument("--batch", nargs="+", default=["1", "t", "500"], help="batch regimes: integers or t (default 1 t 500)")
    p.add_argument("--attack", nargs="+", default=["blind", "omniscient"], help="strategies (default blind omniscient)")
    p.add_argument("--workers", "-Q", type=int, default=27)
    p.add_argument("--dim", type=int, default=1000)
    p.add_argument("--sigma", type=float, default=1.0)
    p.add_argument("--iterations", type=int, default=500)
    p.add_argument("--lr", type=float, default=1.0, help="eta_0 of eta_t = eta_0/sqrt(t+1) (default 1)")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--x0", type=float, default=2.0, help="initial value of every coordinate (default 2)")
    p.add_argument("--tie", choices=("zero", "plus", "random"), default="zero")
    p.add_argument("--engine", choices=("counts", "workers"), default="counts")
    p.add_argument("--target", type=float, default=10.0, help="objective target for the tolerance (default 10)")
    p.add_argument("--no-predict", action="store_true", help="skip the exact-chain expected objective")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu")
    p.add_argument("--out", default="results/toy")
    p.add_argument("--no-progress", action="store_true")


def _toy(args: argparse.Namespace) -> int:
    from simulate.toy import ToyConfig
    from simulate.toy_sweep import format_toy_table, plot_toy, run_toy, summarise, write_toy

    cfg = ToyConfig(args.dim, args.sigma, args.workers, args.iterations, args.lr, args.repeats, args.x0, args.tie)
    cfg.validate("toy")
    batches = [b if b == "t" else int(b) for b in args.batch]
    records = run_toy(args.byzantine, batches, args.attack, cfg, args.seed, args.device, args.engine,
                      f"{args.out}/cache", not args.no_progress, not args.no_predict)
    rows = summarise(records, args.target)
    print(format_toy_table(rows))
    paths = write_toy(records, rows, args.out)
    paths.append(plot_toy(paths[0], f"{args.out}/toy.png"))
    for path in paths:
        print(path)
    return 0 if all(r["status"] != "error" for r in records) else 1


def _add_distributed(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from simulate.distributed_args import build_parser

    base = build_parser()
    p = sub.add_parser("distributed", parents=[base], add_help=False,
                       help="the toy quadratic over N local processes (gloo), the vote on torch.distributed",
                       description="Spawn --nproc ranks on this machine; each is one worker. For several "
                       "machines use torchrun -m simulate.distributed_toy (see the docs).")
    p.add_argument("--nproc", type=int, default=5, help="number of ranks (workers), default 5")


def _distributed(args: argparse.Namespace) -> int:
    from simulate.distributed_toy import config_from, run_local

    batch = "t" if args.batch == "t" else int(args.batch)
    cfg = config_from(args, args.nproc)
    cfg.validate("distributed")
    path = run_local(args.nproc, args.byzantine_ranks, args.strategy, batch, cfg, args.seed, args.tie, args.out,
                     args.timeout, args.on_failure)
    data = json.loads(open(path).read())
    unit = data["units"][0]
    print(f"final objective {data['summary'][0]['observed_final']:.6g}; bytes sent per rank per step "
          f"{unit['bytes_sent_per_step']:.0f} (an fp32 all-reduce of the same gradient moves about "
          f"{2 * 4 * cfg.dim * (args.nproc - 1) / args.nproc:.0f}); {unit['seconds_per_step'] * 1e3:.2f} ms per step")
    print(path)
    return 0


def _add_verify(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("verify", help="decide every claim of the paper: verified, refuted or inconclusive",
                       description="Decide the claims catalogue and print a verdict table.")
    p.add_argument("--json", metavar="FILE", help="write the verdicts as JSON")
    p.add_argument("--markdown", metavar="FILE", help="write the markdown report")
    p.add_argument("--only", nargs="+", metavar="ID", help="decide only these claims")


def _verify(args: argparse.Namespace) -> int:
    from .verify import format_table, run, to_json, to_markdown

    records = run(args.only)
    print(format_table(records))
    if args.json:
        print(to_json(records, args.json))
    if args.markdown:
        from bounds._io import atomic_write_text

        print(atomic_write_text(args.markdown, to_markdown(records)))
    return 0


def _add_votes(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("votes", help="Monte Carlo vote simulation against the exact value and the bounds",
                       description="Simulate workers, adversaries and the server's vote over a grid; print a table "
                       "and write votes.csv, votes.json and votes.png to --out.")
    p.add_argument("--workers", "-Q", type=int, nargs="+", default=[27], help="Q values (default 27)")
    grp = p.add_mutually_exclusive_group()
    grp.add_argument("--byzantine", "-B", type=int, nargs="+", help="B values (default 0..floor((Q-1)/2))")
    grp.add_argument("--alpha", type=float, nargs="+", help="Byzantine fractions instead of counts")
    p.add_argument("--snr", type=float, nargs="+", default=[0.5, 1.0], help="per-sample SNRs (default 0.5 1.0)")
    p.add_argument("--batch", type=int, nargs="+", default=[1], help="batch sizes (default 1)")
    p.add_argument("--noise", nargs="+", default=["gaussian"], help="noise families (default gaussian)")
    p.add_argument("--attack", nargs="+", default=["omniscient", "blind"],
                   help="strategies: omniscient blind colluding random abstain vote_aware (default omniscient blind)")
    p.add_argument("--trials", type=int, default=100_000, help="trials per grid point (default 100000)")
    p.add_argument("--tie", choices=("zero", "plus", "random"), default="zero", help="server tie rule (default zero)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="cpu", help="cpu, cuda, cuda:N or auto (default cpu)")
    p.add_argument("--confidence", type=float, default=0.999, help="Clopper-Pearson level (default 0.999)")
    p.add_argument("--out", default="results/votes", help="output folder (default results/votes)")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _votes(args: argparse.Namespace) -> int:
    from simulate.votes_sweep import format_table, plot_votes, run_votes_sweep, write_votes

    byz = args.byzantine
    if byz is None and args.alpha is None:
        byz = list(range(0, (max(args.workers) - 1) // 2 + 1))
    rows = run_votes_sweep(args.workers, args.snr, byz, args.alpha, args.batch, args.noise, args.attack,
                           args.trials, args.tie, args.seed, args.device, args.confidence, not args.no_progress)
    print(format_table(rows))
    paths = write_votes(rows, args.out)
    if any(r["status"] == "done" for r in rows):
        paths.append(plot_votes(paths[0], f"{args.out}/votes.png"))
    for path in paths:
        print(path)
    return 0 if all(r["status"] != "error" for r in rows) else 1


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``signsgd-bft``."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="signsgd-bft",
        description="Bounds, verification and experiments for signSGD with majority vote under Byzantine workers "
        "(Mengoli et al., 2025).",
    )
    parser.add_argument("--version", action="version", version=f"signsgd-bft {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    rep = sub.add_parser("report", help="the main job: verdicts, bounds, Monte Carlo, toy experiment, figures -> --out",
                         description="Verify every claim, set the bounds beside the exact values and Monte Carlo, run "
                         "a short toy sweep; write report.md, report.json and figures to --out.  (MNIST is not "
                         "available yet.)")
    rep.add_argument("--out", default="results", help="output folder (default results/)")
    _add_bound(sub)
    _add_plot(sub)
    _add_votes(sub)
    _add_verify(sub)
    _add_toy(sub)
    _add_distributed(sub)
    add_mnist(sub)
    return parser


def _need(args: argparse.Namespace, *names: str) -> None:
    missing = [n for n in names if getattr(args, n) is None]
    if missing:
        flags = ", ".join("--" + n.replace("_", "-") for n in missing)
        raise ValueError(f"bound {args.name}: missing {flags}")


def _bound(args: argparse.Namespace) -> dict[str, Any]:
    from bounds import REGISTRY, summary

    if args.name == "list":
        return {name: {"kind": info.kind, "family": info.family, "source": info.source}
                for name, info in sorted(REGISTRY.items())}
    if args.name == "vote-failure":
        _need(args, "workers")
        if args.p is None and args.snr is None:
            raise ValueError("bound vote-failure: give --p, --snr or both")
        return summary.vote_failure_summary(args.workers, args.byzantine, args.p, args.snr, args.noise,
                                            args.attack, args.tie)
    if args.name == "sign-error":
        _need(args, "snr")
        return summary.sign_error_summary(args.snr, args.batch)
    if args.name == "tolerance":
        _need(args, "workers", "p")
        return summary.tolerance_summary(args.workers, args.p, args.alpha, args.snr, args.target)
    _need(args, "iterations", "workers", "alpha", "p")
    return summary.convergence_summary(args.iterations, args.workers, args.alpha, args.p, args.sigma_l1,
                                       args.smoothness_l1, args.f_gap)


def _print_table(result: dict[str, Any], indent: str = "") -> None:
    width = max((len(k) for k in result), default=0)
    for key, value in result.items():
        if isinstance(value, dict):
            print(f"{indent}{key}:")
            _print_table(value, indent + "  ")
        elif isinstance(value, float):
            print(f"{indent}{key:<{width}}  {value:.10g}")
        else:
            print(f"{indent}{key:<{width}}  {value}")


def _plot(args: argparse.Namespace) -> dict[str, Any]:
    from bounds import plots

    fn: Callable[..., str] = {
        "sign-error": lambda: plots.plot_sign_error(args.out),
        "vote-failure": lambda: plots.plot_vote_failure(args.out, workers=args.workers, snr=args.snr,
                                                        noise=args.noise, attack=args.attack),
        "tolerance": lambda: plots.plot_tolerance(args.out, workers=args.workers),
        "convergence": lambda: plots.plot_convergence(args.out, workers=args.workers, p=args.p),
        "votes": lambda: _plot_votes(args),
        "toy": lambda: _plot_toy(args),
        "mnist": lambda: _plot_mnist(args),
    }[args.name]
    return {"written": fn()}


def _plot_votes(args: argparse.Namespace) -> str:
    if not args.results:
        raise ValueError("plot votes: give --results FILE (a votes.json written by 'signsgd-bft votes')")
    from simulate.votes_sweep import plot_votes

    return plot_votes(args.results, args.out)


def _plot_toy(args: argparse.Namespace) -> str:
    if not args.results:
        raise ValueError("plot toy: give --results FILE (a toy.json written by 'signsgd-bft toy')")
    from simulate.toy_sweep import plot_toy

    return plot_toy(args.results, args.out)


def _plot_mnist(args: argparse.Namespace) -> str:
    if not args.results:
        raise ValueError("plot mnist: give --results FILE (a mnist.json written by 'signsgd-bft mnist')")
    from simulate.mnist_sweep import plot_mnist

    return plot_mnist(args.results, args.out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "bound":
            result = _bound(args)
            if args.json:
                print(json.dumps(result, indent=2, allow_nan=False))
            else:
                _print_table(result)
        elif args.command == "plot":
            print(_plot(args)["written"])
        elif args.command == "distributed":
            return _distributed(args)
        elif args.command == "mnist":
            return run_mnist_command(args)
        elif args.command == "toy":
            return _toy(args)
        elif args.command == "verify":
            return _verify(args)
        elif args.command == "votes":
            return _votes(args)
        elif args.command == "report":
            from .report import write_report

            paths = write_report(args.out)
            for path in paths:
                print(path)
    except ValueError as err:
        print(f"signsgd-bft {args.command}: error: {err}", file=sys.stderr)
        return 2
    return 0
