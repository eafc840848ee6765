r"""The toy quadratic of the paper's Section 5 (Table 2, Figure 1), simulated exactly and fast.

:math:`f(x) = \frac12\|x\|^2` in :math:`d = 1000` dimensions, so :math:`g = x`; each of ``Q`` workers averages
``n`` stochastic gradients with :math:`N(0, \sigma^2)` noise per component, so its estimate is
:math:`N(g, \sigma^2/n)` and its sign is right with probability :math:`p_i = \Phi(\sqrt n|x_i|/\sigma)`.  The
step is :math:`x \leftarrow x - \eta_t\,\mathrm{vote}`, :math:`\eta_t = \eta_0/\sqrt{t+1}`.

Two engines, equal in distribution:

``workers``  draws every worker's batch-mean estimate directly (``Q`` normals per coordinate), lets the
             adversary strategy of :mod:`simulate.adversaries` vote and runs the server's
             :func:`simulate.vote.majority_vote`, exactly as Algorithm 1 reads;
``counts``   (default) draws, per coordinate, the *outcome* of the vote (right sign, wrong sign, tie) from its
             exact law with one uniform number.  The vote depends on the workers only through ``z``, the
             number of honest workers whose sign is right, and ``y``, the number of Byzantine workers whose
             own estimate is right, both binomial in :math:`p_i`; so the probability of each outcome is the
             polynomial :math:`\sum_j a_j p_i^j (1-p_i)^{Q-j}` with non-negative coefficients
             :math:`a_j = \sum_{z+y=j}\binom Mz\binom By\,\phi(z, y)` (:func:`outcome_polynomials`),
             evaluated by Horner's rule in :math:`r = \min(p,1-p)/\max(p,1-p) \le 1`, a sum of positive terms.
             This is exact (up to rounding) and costs ``Q + 1`` multiply-adds per coordinate instead of ``Q``
             normal draws.

Every repeat and every Byzantine count of a sweep unit runs as one batched computation on the CPU or a
CUDA device.  The initial point is not stated in the paper; here every coordinate starts at ``x0 = 2``
(:math:`f(x_0) = 2000`), a parameter.  (``x0 = 1 = \eta_0`` would send every coordinate whose first vote is
right exactly to 0, an artefact of the step schedule.)
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Sequence

import numpy as np
import torch

import bounds
from bounds._domain import BATCH, POSITIVE, WORKERS, Domain, check

from .adversaries import ADVERSARIES, NEEDS_HONEST_VOTES, AttackContext
from .device import resolve_device
from .vote import SERVER_TIE_RULES, majority_vote, worker_sign

__all__ = ["ToyConfig", "simulate_toy", "batch_at", "outcome_polynomials", "ENGINES",
           "expected_objective", "coin_flip_snr"]

ENGINES = ("counts", "workers")


@dataclass(frozen=True)
class ToyConfig:
    """The paper's Table 2, every value a parameter (defaults as printed; ``x0`` is this package's choice)."""

    dim: int = 1000
    sigma: float = 1.0
    workers: int = 27
    iterations: int = 500
    lr: float = 1.0
    repeats: int = 5
    x0: float = 2.0
    tie: str = "zero"

    def validate(self, func: str = "ToyConfig") -> None:
        check(func, "dim", self.dim, WORKERS)
        check(func, "sigma", self.sigma, POSITIVE)
        check(func, "workers", self.workers, WORKERS)
        check(func, "iterations", self.iterations, WORKERS)
        check(func, "lr", self.lr, POSITIVE)
        check(func, "repeats", self.repeats, WORKERS)
        check(func, "x0", self.x0, Domain(-math.inf, math.inf, lo_closed=False, hi_closed=False))
        if self.tie not in SERVER_TIE_RULES:
            raise ValueError(f"{func}: argument 'tie' must be one of {SERVER_TIE_RULES}; got {self.tie!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def batch_at(batch: int | str, t: int) -> int:
    """Mini-batch size at iteration ``t`` (0-based): a fixed ``n``, or ``"t"`` for ``t + 1``."""
    if batch == "t":
        return t + 1
    return int(batch)


def _check_batch(func: str, batch: int | str) -> int | str:
    if batch == "t":
        return "t"
    try:
        n = int(batch)
    except (TypeError, ValueError):
        raise ValueError(f"{func}: argument 'batch' must be a positive integer or 't'; got {batch!r}") from None
    check(func, "batch", n, BATCH)
    return n


def outcome_polynomials(workers: int, byzantine: int, attack: str) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients ``(a_wrong, a_tie)`` of the vote's outcome probabilities in the Bernstein-like basis
    :math:`p^j (1-p)^{Q-j}`, ``j = 0..Q`` (see the module text); exact integer arithmetic, then float64."""
    from fractions import Fraction

    q, b = int(workers), int(byzantine)
    m = q - b
    wrong = [Fraction(0)] * (q + 1)
    tie = [Fraction(0)] * (q + 1)
    rand_w = [Fraction(math.comb(b, h), 2**b) for h in range(b + 1)]
    for z in range(m + 1):
        honest = 2 * z - m
        for y in range(b + 1):
            if attack in ("omniscient", "vote_aware"):
                nets = [(Fraction(1), -b if (attack == "omniscient" or honest - b <= 0) else 0)]
            elif attack == "blind":
                nets = [(Fraction(1), b - 2 * y)]
            elif attack == "colluding":
                nets = [(Fraction(1), -b if 2 * y > b else (b if 2 * y < b else 0))]
            elif attack == "random":
                nets = [(rand_w[h], 2 * h - b) for h in range(b + 1)]
            elif attack == "abstain":
                nets = [(Fraction(1), 0)]
            else:
                raise ValueError(f"outcome_polynomials: argument 'attack' must be one of {tuple(ADVERSARIES)}; "
                                 f"got {attack!r}")
            weight = math.comb(m, z) * math.comb(b, y)
            for w, c in nets:
                total = honest + c
                if total < 0:
                    wrong[z + y] += weight * w
                elif total == 0:
                    tie[z + y] += weight * w
    return np.array([float(v) for v in wrong]), np.array([float(v) for v in tie])


def _bernstein_eval(coef: torch.Tensor, coef_rev: torch.Tensor, p: torch.Tensor) -> torch.Tensor:
    r""":math:`\sum_j a_j p^j (1-p)^{Q-j}` for per-row coefficients ``coef`` (R, Q+1), by Horner in
    :math:`r = \min(p, 1-p)/\max(p, 1-p)`; ``coef_rev`` is ``coef`` reversed (used where p > 1/2)."""
    flip = p > 0.5
    lo = torch.where(flip, 1.0 - p, p)
    r = lo / (1.0 - lo)
    q = coef.shape[1] - 1
    acc = torch.zeros_like(p)
    for i in range(q, -1, -1):
        acc = acc * r + torch.where(flip, coef_rev[:, i : i + 1], coef[:, i : i + 1])
    return acc * (1.0 - lo) ** q


def _server_step(total: torch.Tensor, true_sign: torch.Tensor, tie: str, gen: torch.Generator) -> torch.Tensor:
    """Absolute sign chosen by the server from the net vote ``total`` (in units of sign(g))."""
    out = torch.sign(total) * true_sign
    if tie == "plus":
        out = torch.where(total == 0, torch.ones_like(out), out)
    elif tie == "random":
        coin = torch.randint(0, 2, out.shape, generator=gen, device=out.device).to(out.dtype) * 2 - 1
        out = torch.where(total == 0, coin, out)
    return out


def simulate_toy(byzantine: Sequence[int], attack: str, batch: int | str, config: ToyConfig = ToyConfig(),
                 seed: int = 0, device: str | torch.device = "cpu", engine: str = "counts") -> np.ndarray:
    """Run the toy for every Byzantine count and repeat at once; returns ``f`` of shape
    ``(len(byzantine), repeats, iterations + 1)`` (``f`` before the first step and after each step)."""
    func = "simulate_toy"
    config.validate(func)
    batch = _check_batch(func, batch)
    if attack not in ADVERSARIES:
        raise ValueError(f"{func}: argument 'attack' must be one of {tuple(ADVERSARIES)}; got {attack!r}")
    if engine not in ENGINES:
        raise ValueError(f"{func}: argument 'engine' must be one of {ENGINES}; got {engine!r}")
    bs = [int(b) for b in byzantine]
    for b in bs:
        if not 0 <= b <= config.workers:
            raise ValueError(f"{func}: argument 'byzantine' must hold integers in [0, workers={config.workers}]; "
                             f"got {b}")
    dev = resolve_device(device)
    gen = torch.Generator(device=dev).manual_seed(int(seed))
    nb, reps, d, q = len(bs), config.repeats, config.dim, config.workers
    dtype = torch.float64
    x = torch.full((nb * reps, d), float(config.x0), dtype=dtype, device=dev)
    if engine == "counts":
        polys = [outcome_polynomials(q, b, attack) for b in bs]
        a_wrong = torch.tensor(np.stack([w for w, _ in polys]), dtype=dtype, device=dev).repeat_interleave(reps, 0)
        a_tie = torch.tensor(np.stack([t for _, t in polys]), dtype=dtype, device=dev).repeat_interleave(reps, 0)
        has_tie = bool(a_tie.any())
        a_wrong_rev, a_tie_rev = a_wrong.flip(1), a_tie.flip(1)
    f = torch.empty((nb * reps, config.iterations + 1), dtype=dtype, device=dev)
    f[:, 0] = 0.5 * (x * x).sum(1)
    for t in range(config.iterations):
        n = batch_at(batch, t)
        eta = config.lr / math.sqrt(t + 1)
        true_sign = torch.where(x >= 0, 1.0, -1.0).to(dtype)
        if engine == "counts":
            p = torch.special.ndtr(math.sqrt(n) * x.abs() / config.sigma)
            u = torch.rand(x.shape, generator=gen, dtype=dtype, device=dev)
            p_wrong = _bernstein_eval(a_wrong, a_wrong_rev, p)
            total = torch.where(u < p_wrong, -1.0, 1.0).to(dtype)
            if has_tie:
                total = torch.where((u >= p_wrong) & (u < p_wrong + _bernstein_eval(a_tie, a_tie_rev, p)), 0.0, total)
            step = _server_step(total, true_sign, config.tie, gen)
        else:
            step = _workers_step(x, bs, reps, attack, n, config, gen, dev)
        x = x - eta * step
        f[:, t + 1] = 0.5 * (x * x).sum(1)
    return f.reshape(nb, reps, -1).cpu().numpy()


def _workers_step(x: torch.Tensor, bs: list[int], reps: int, attack: str, n: int, config: ToyConfig,
                  gen: torch.Generator, dev: torch.device) -> torch.Tensor:
    """One step of Algorithm 1 with every worker's estimate drawn (the literal path)."""
    q = config.workers
    out = torch.empty_like(x)
    strategy = ADVERSARIES[attack]
    for i, b in enumerate(bs):
        rows = slice(i * reps, (i + 1) * reps)
        g = x[rows]  # (reps, d)
        est = g[None] + (config.sigma / math.sqrt(n)) * torch.randn((q, *g.shape), generator=gen, dtype=x.dtype,
                                                                     device=dev)
        votes = torch.empty((q, *g.shape), dtype=torch.int8, device=dev)
        m = q - b
        votes[:m] = worker_sign(est[:m])
        if b:
            true_sign = torch.where(g >= 0, 1, -1).to(torch.int8)
            ctx = AttackContext(true_sign, est[m:], votes[:m] if attack in NEEDS_HONEST_VOTES else None, config.tie,
                                gen)
            votes[m:] = strategy(ctx)
        out[rows] = majority_vote(votes, config.tie, generator=gen).sign.to(x.dtype)
    return out


# --------------------------------------------------------------------------------------------- prediction
def coin_flip_snr(workers: int, byzantine: int, batch: int, attack: str, tie: str = "zero") -> float:
    r"""Per-sample SNR ``s*`` at which the exact vote failure is 1/2 at batch ``batch``: the coordinate scale
    :math:`|x_i| = \sigma s^*` where the vote becomes a coin flip (the omniscient attack pushes smaller
    coordinates out and pulls larger ones in).  ``inf`` when the vote fails more often than not at every SNR
    (the run diverges), 0 when it never does."""
    from scipy.optimize import brentq

    from .adversaries import EXACT_LAW
    from .vote import bounds_tie_rule

    law, tie_b = EXACT_LAW[attack], bounds_tie_rule(tie)

    def excess(s: float) -> float:
        p = float(bounds.GAUSSIAN.p_correct(s, batch)) if s > 0 else 0.5
        return float(bounds.vote_failure(workers, byzantine, p, law, tie_b)) - 0.5

    if excess(1e-12) <= 0:
        return 0.0
    hi = 1.0
    while excess(hi) > 0:
        hi *= 2
        if hi > 1e6:
            return math.inf
    return float(brentq(excess, 1e-12, hi, xtol=1e-12))


def _outcome_probs(a_wrong: np.ndarray, a_tie: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact P[wrong], P[tie] at sign-accuracy ``p`` from the outcome polynomials (numpy, positive terms)."""
    flip = p > 0.5
    lo = np.where(flip, 1.0 - p, p)
    r = lo / (1.0 - lo)
    q = a_wrong.size - 1
    out = []
    for a in (a_wrong, a_tie):
        if not a.any():
            out.append(np.zeros_like(p))
            continue
        acc = np.zeros_like(p)
        for i in range(q, -1, -1):
            acc = acc * r + np.where(flip, a[q - i], a[i])
        out.append(acc * (1.0 - lo) ** q)
    return out[0], out[1]


def expected_objective(byzantine: int, attack: str, batch: int | str, config: ToyConfig = ToyConfig(),
                       points_per_step: int = 40) -> np.ndarray:
    r"""The theory's expected objective :math:`\mathbb{E}f(x_t)`, ``t = 0..T``, without simulation.

    Coordinates evolve independently: :math:`|x_i|` is a Markov chain that moves to
    :math:`||x_i| - \eta_t|` when the vote is right, to :math:`|x_i| + \eta_t` when it is wrong and stays on a
    tie, with the exact outcome law of :func:`outcome_polynomials` at :math:`p = \Phi(\sqrt{n_t}|x_i|/\sigma)`.
    Its distribution is propagated on a grid of spacing :math:`\eta_T/`\ ``points_per_step`` (mass split
    linearly between neighbours), and :math:`\mathbb{E}f = \frac d2\mathbb{E}x_i^2`.
    """
    a_wrong, a_tie = outcome_polynomials(config.workers, byzantine, attack)
    etas = config.lr / np.sqrt(np.arange(config.iterations) + 1.0)
    h = etas[-1] / points_per_step
    reach = abs(config.x0) + etas.sum() + h
    grid = np.arange(0.0, reach + 2 * h, h)
    mass = np.zeros(grid.size)
    pos = abs(config.x0) / h
    i0 = int(math.floor(pos))
    mass[i0] += 1.0 - (pos - i0)
    mass[min(i0 + 1, grid.size - 1)] += pos - i0
    out = np.empty(config.iterations + 1)
    out[0] = 0.5 * config.dim * float(np.dot(mass, grid**2))
    cached_n = None
    wrong, tie, right = np.zeros(grid.size), np.zeros(grid.size), np.zeros(grid.size)
    for t in range(config.iterations):
        n = batch_at(batch, t)
        support = np.flatnonzero(mass > 1e-300)
        if n != cached_n or batch == "t":
            # with a growing batch only the points that carry mass are evaluated
            idx = support if batch == "t" else np.arange(grid.size)
            p = np.full(idx.size, 0.5)
            pos_ = grid[idx] > 0
            p[pos_] = bounds.GAUSSIAN.p_correct(grid[idx][pos_] * math.sqrt(n) / config.sigma)
            w_, t_ = _outcome_probs(a_wrong, a_tie, p)
            if batch == "t":
                wrong, tie = np.zeros(grid.size), np.zeros(grid.size)
            else:
                cached_n = n
            wrong[idx], tie[idx] = w_, t_
            right = np.clip(1.0 - wrong - tie, 0.0, 1.0)
        eta = etas[t]
        new = tie * mass
        for target, w in ((np.abs(grid[support] - eta), (right * mass)[support]),
                          (grid[support] + eta, (wrong * mass)[support])):
            f = np.minimum(target / h, grid.size - 1.000001)
            j = np.floor(f).astype(int)
            frac = f - j
            new += np.bincount(j, w * (1.0 - frac), grid.size) + np.bincount(j + 1, w * frac, grid.size)
        mass = new
        out[t + 1] = 0.5 * config.dim * float(np.dot(mass, grid**2))
    return out
