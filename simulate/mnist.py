"""MNIST training with Signum and majority vote under Byzantine workers (paper Section 5, Table 3).

:func:`train_mnist` runs Algorithm 1 on the paper's CNN: each of ``Q`` workers draws a mini-batch from its
own chunk, computes its gradient (:func:`simulate.mnist_model.per_worker_gradients`), keeps its own momentum
(Signum: :math:`m_j \\leftarrow \\beta m_j + (1-\\beta) g_j`) and votes :math:`\\operatorname{sign}(m_j)`; the
Byzantine workers attack; the server's :func:`simulate.vote.majority_vote` decides; the model steps
:math:`x \\leftarrow x - \\eta(\\mathrm{vote} + \\lambda x)`.  Training loss (on ``eval_examples`` images of the
training part) and test accuracy are recorded every ``eval_every`` iterations; every ``stats_every``
iterations :mod:`simulate.mnist_stats` measures p, S and Assumption 3.4 on the honest gradients of that
iteration against the gradient of the whole training part.

Attacks (the Byzantine workers are the last ``B``): ``colluding`` (the paper's, Appendix B: the Byzantine
workers majority-vote their own votes and all send the negation), ``omniscient`` (the negated sign of the
gradient of the whole training part, recomputed every iteration), ``blind`` (each flips its own vote),
``random``, ``abstain``.  Each worker's batch is drawn with replacement from its chunk (so a batch larger
than the chunk repeats images; ``chunk_size`` in the result says how large the chunks were).  The augmentation of Table 3 is drawn once per worker batch (per-image draws cost
about as much as the gradients on the CPU).  The full-data gradient is taken with dropout off (the model in
``eval`` mode): the deterministic objective whose sign the theory's :math:`p` refers to.

Checkpoints: with ``checkpoint`` set, the whole state (model, momenta, both random generators, the curves) is
written atomically at every evaluation point and a rerun resumes from it, giving the same numbers as an
uninterrupted run on the same device; the file is removed when the run finishes.
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable

import torch
import torch.nn.functional as F

from bounds._io import atomic_write

from .mnist_data import NORMALIZE, MnistData, paper_augment, worker_chunks
from .mnist_model import PaperCNN, flat_parameters, per_worker_gradients
from .mnist_stats import sign_statistics
from .vote import majority_vote, sign_int8

__all__ = ["MnistConfig", "train_mnist", "measure_sign_statistics", "full_gradient", "ATTACKS"]

ATTACKS = ("colluding", "omniscient", "blind", "random", "abstain")


@dataclass(frozen=True)
class MnistConfig:
    """The paper's Table 3, every value a parameter (``stats_every`` = 0 turns the p/S tracking off)."""

    workers: int = 27
    batch: int = 64
    iterations: int = 500
    lr: float = 1e-4
    weight_decay: float = 0.05
    momentum: float = 0.9
    eval_every: int = 5
    augment: bool = True
    iid: bool = True
    eval_examples: int = 2000
    stats_every: int = 25
    method: str = "auto"

    def __post_init__(self) -> None:
        ints = {"workers": 1, "batch": 1, "iterations": 1, "eval_every": 1, "eval_examples": 1, "stats_every": 0}
        for name, lo in ints.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or v < lo:
                raise ValueError(f"MnistConfig: argument '{name}' must be an integer >= {lo}; got {v!r}")
        reals = {"lr": ("(0, inf)", lambda v: 0.0 < v < math.inf),
                 "weight_decay": ("[0, inf)", lambda v: 0.0 <= v < math.inf),
                 "momentum": ("[0, 1)", lambda v: 0.0 <= v < 1.0)}
        for name, (domain, inside) in reals.items():
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not inside(v):
                raise ValueError(f"MnistConfig: argument '{name}' must be a real number in {domain}; got {v!r}")
        if self.method not in ("auto", "vmap", "loop"):
            raise ValueError(f"MnistConfig: argument 'method' must be one of ('auto', 'vmap', 'loop'); "
                             f"got {self.method!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _standardise(x: torch.Tensor) -> torch.Tensor:
    """Pixels in [0, 1] to the paper's normalisation (Table 3)."""
    return (x - NORMALIZE[0]) / NORMALIZE[1]


def _normalise(images: torch.Tensor) -> torch.Tensor:
    return _standardise(images.float() / 255.0)


_AUGMENT = paper_augment()


def _batch(images: torch.Tensor, augment: bool) -> torch.Tensor:
    """One worker's batch as normalised tensors ``(n, 1, 28, 28)``, augmented with one draw per batch."""
    x = images.float().unsqueeze(1) / 255.0
    if augment:
        x = _AUGMENT(x)
    return _standardise(x)


def _worker_batches(data: MnistData, chunks: list[torch.Tensor], batch: int, gen: torch.Generator,
                    augment: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """One batch per worker, drawn with replacement from its chunk: images ``(Q, n, 1, 28, 28)``, labels ``(Q, n)``."""
    idx = torch.stack([c[torch.randint(0, c.numel(), (batch,), generator=gen)] for c in chunks])
    return torch.stack([_batch(data.train_images[i], augment) for i in idx]), data.train_labels[idx]


def full_gradient(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, chunk: int = 1000) -> torch.Tensor:
    """The flattened gradient of the mean NLL loss over all of ``images`` (uint8 ``(N, 28, 28)``), dropout off.

    The model's train/eval mode is restored afterwards."""
    was_training = model.training
    model.eval()
    model.zero_grad(set_to_none=True)
    n = images.shape[0]
    for i in range(0, n, chunk):
        x = _normalise(images[i : i + chunk]).unsqueeze(1)
        (F.nll_loss(model(x), labels[i : i + chunk], reduction="sum") / n).backward()
    g = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
    model.zero_grad(set_to_none=True)
    model.train(was_training)
    return g


@torch.no_grad()
def _evaluate(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    was_training = model.training
    model.eval()
    out = model(_normalise(images).unsqueeze(1))
    loss = float(F.nll_loss(out, labels))
    acc = float((out.argmax(1) == labels).float().mean())
    model.train(was_training)
    return loss, acc


def _attack(attack: str, own: torch.Tensor, full: Callable[[], torch.Tensor], gen: torch.Generator) -> torch.Tensor:
    """The Byzantine votes, given their own honest-computed votes ``own`` ``(B, d)``."""
    if attack == "colluding":
        return -sign_int8(own.sum(0, dtype=torch.int32)).expand_as(own)
    if attack == "omniscient":
        return -sign_int8(full()).expand_as(own)
    if attack == "blind":
        return -own
    if attack == "random":
        return (torch.randint(0, 2, own.shape, generator=gen, dtype=torch.int8) * 2 - 1).to(own.device)
    return torch.zeros_like(own)


def _state(model: torch.nn.Module, momenta: torch.Tensor, gen: torch.Generator, t: int,
           curve: list[dict[str, float]], stats: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any]:
    state = {"params": params, "iteration": t, "model": model.state_dict(), "momenta": momenta, "gen": gen.get_state(),
             "torch_rng": torch.get_rng_state(), "curve": curve, "stats": stats}
    if momenta.is_cuda:
        state["cuda_rng"] = torch.cuda.get_rng_state(momenta.device)
    return state


def train_mnist(data: MnistData, byzantine: int, attack: str = "colluding", config: MnistConfig = MnistConfig(),
                seed: int = 0, device: str = "cpu", checkpoint: str | Path | None = None,
                on_eval: Callable[[dict[str, float]], None] | None = None,
                checkpoint_every: int = 1) -> dict[str, Any]:
    """Train once; returns the curves, the tracked sign statistics and the run's parameters.

    ``on_eval`` is called with each new curve point (after the checkpoint is written): a progress hook.
    With ``checkpoint`` set, the state is written at every ``checkpoint_every``-th evaluation point (default
    every one; raise it on a GPU, where a few iterations cost less than writing the 27 momenta).
    """
    if isinstance(checkpoint_every, bool) or not isinstance(checkpoint_every, int) or checkpoint_every < 1:
        raise ValueError(f"train_mnist: argument 'checkpoint_every' must be an integer >= 1; got {checkpoint_every!r}")
    if attack not in ATTACKS:
        raise ValueError(f"train_mnist: argument 'attack' must be one of {ATTACKS}; got {attack!r}")
    if isinstance(byzantine, bool) or not isinstance(byzantine, int) or not 0 <= byzantine <= config.workers:
        raise ValueError(f"train_mnist: argument 'byzantine' must be an integer in [0, {config.workers}]; "
                         f"got {byzantine!r}")
    params = {"byzantine": byzantine, "attack": attack, "seed": seed, **config.to_dict()}
    dev = torch.device(device)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = PaperCNN().to(dev).train()
    chunks = worker_chunks(data.train_labels, config.workers, config.iid, seed)
    ev = torch.randperm(data.train_labels.numel(), generator=gen)[: config.eval_examples]
    train_x, train_y = data.train_images.to(dev), data.train_labels.to(dev)
    test_x, test_y = data.test_images.to(dev), data.test_labels.to(dev)
    ev_x, ev_y = train_x[ev], train_y[ev]
    momenta = torch.zeros(config.workers, flat_parameters(model).numel(), device=dev)
    curve: list[dict[str, float]] = []
    stats: list[dict[str, Any]] = []
    start = 0
    ckpt = Path(checkpoint) if checkpoint is not None else None
    if ckpt is not None and ckpt.exists():
        state = torch.load(ckpt, map_location=dev, weights_only=False)
        if state.get("params") == params:
            model.load_state_dict(state["model"])
            momenta = state["momenta"].to(dev)
            gen.set_state(state["gen"])
            torch.set_rng_state(state["torch_rng"])
            if "cuda_rng" in state and dev.type == "cuda":
                torch.cuda.set_rng_state(state["cuda_rng"], dev)
            curve, stats, start = state["curve"], state["stats"], state["iteration"]
    m_honest = config.workers - byzantine
    for t in range(start, config.iterations):
        xs, ys = _worker_batches(data, chunks, config.batch, gen, config.augment)
        grads = per_worker_gradients(model, xs.to(dev), ys.to(dev), config.method)
        momenta = config.momentum * momenta + (1 - config.momentum) * grads if config.momentum else grads
        votes = sign_int8(momenta)
        full_cache: list[torch.Tensor] = []

        def full() -> torch.Tensor:
            if not full_cache:
                full_cache.append(full_gradient(model, train_x, train_y))
            return full_cache[0]

        if byzantine:
            votes = torch.cat([votes[:m_honest], _attack(attack, votes[m_honest:], full, gen)])
        step = majority_vote(votes).sign
        if config.stats_every and (t % config.stats_every == 0) and m_honest >= 2:
            s = sign_statistics(grads[:m_honest], full(), config.workers, byzantine, votes[:m_honest], step,
                                seed=seed + t)
            stats.append({"iteration": t, **s})
        with torch.no_grad():
            offset = 0
            for p in model.parameters():
                n = p.numel()
                p -= config.lr * (step[offset : offset + n].view_as(p).to(p.dtype) + config.weight_decay * p)
                offset += n
        if (t + 1) % config.eval_every == 0 or t == 0 or t + 1 == config.iterations:
            train_loss, _ = _evaluate(model, ev_x, ev_y)
            _, test_acc = _evaluate(model, test_x, test_y)
            point = {"iteration": t + 1, "train_loss": train_loss, "test_accuracy": test_acc}
            curve.append(point)
            if ckpt is not None and t + 1 < config.iterations and len(curve) % checkpoint_every == 0:
                state = _state(model, momenta, gen, t + 1, curve, stats, params)
                atomic_write(ckpt, lambda tmp: torch.save(state, tmp))
            if on_eval is not None:
                on_eval(point)
    finite = all(math.isfinite(c["train_loss"]) for c in curve)
    if ckpt is not None and ckpt.exists():
        os.unlink(ckpt)
    return {"params": {"byzantine": byzantine, "attack": attack, **config.to_dict()}, "seed": seed, "device": str(dev),
            "note": data.note, "chunk_size": min(int(c.numel()) for c in chunks), "curve": curve, "stats": stats,
            "status": "done" if finite else "diverged"}


def measure_sign_statistics(model: torch.nn.Module, data: MnistData, config: MnistConfig = MnistConfig(),
                            coords: int = 2000, seed: int = 0) -> dict[str, Any]:
    """:func:`simulate.mnist_stats.sign_statistics` at the model's current point, on ``config.workers`` fresh
    worker batches (no augmentation), with Assumption 3.4 checked on ``coords`` coordinates."""
    gen = torch.Generator().manual_seed(seed)
    chunks = worker_chunks(data.train_labels, config.workers, config.iid, seed)
    xs, ys = _worker_batches(data, chunks, config.batch, gen, augment=False)
    grads = per_worker_gradients(model, xs, ys, config.method)
    full = full_gradient(model, data.train_images, data.train_labels)
    return sign_statistics(grads, full, config.workers, 0, shape_coords=coords, seed=seed)
