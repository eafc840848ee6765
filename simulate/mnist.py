"""MNIST training with signSGD / Signum and majority vote under Byzantine workers (issue 6, first part).

:func:`train_mnist` runs Algorithm 1 on the paper's CNN: each of ``Q`` workers draws a mini-batch from its
own chunk, computes its gradient (:func:`simulate.mnist_model.per_worker_gradients`), keeps its own momentum
(Signum: :math:`m \\leftarrow \\beta m + (1-\\beta) g`) and votes its sign; the Byzantine workers attack; the
server's :func:`simulate.vote.majority_vote` decides; every worker steps
:math:`x \\leftarrow x - \\eta(\\mathrm{vote} + \\lambda x)`.  Training loss and test accuracy are recorded
every ``eval_every`` iterations.

Attacks: ``colluding`` (the paper's: the Byzantine workers majority-vote their own momenta and all send the
negation), ``omniscient`` (the negated sign of the gradient of the whole training part), ``blind``,
``random``, ``abstain``.  The augmentation of Table 3 is applied per worker batch (one draw of the random
transform per batch, to keep the CPU cost of augmentation below that of the gradients).

:func:`measure_sign_statistics` measures p and S on real gradients and checks Assumption 3.4.  Not yet here
(see the issue): the ``mnist`` command and sweep with checkpoints, predicted against observed tolerance over
a sweep, and the figures.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F

from .mnist_data import NORMALIZE, MnistData, paper_augment, worker_chunks
from .mnist_model import PaperCNN, per_worker_gradients
from .vote import majority_vote, sign_int8

__all__ = ["MnistConfig", "train_mnist", "measure_sign_statistics", "ATTACKS"]

ATTACKS = ("colluding", "omniscient", "blind", "random", "abstain")


@dataclass(frozen=True)
class MnistConfig:
    """The paper's Table 3, every value a parameter."""

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _normalise(images: torch.Tensor) -> torch.Tensor:
    return ((images.float() / 255.0) - NORMALIZE[0]) / NORMALIZE[1]


_AUGMENT = paper_augment()


def _batch(images: torch.Tensor, augment: bool) -> torch.Tensor:
    """One worker's batch as normalised tensors ``(n, 1, 28, 28)``, augmented with one draw per batch."""
    x = images.float().unsqueeze(1) / 255.0
    if augment:
        x = _AUGMENT(x)
    return (x - NORMALIZE[0]) / NORMALIZE[1]


def _flat_grad(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor, chunk: int = 1000) -> torch.Tensor:
    model.zero_grad(set_to_none=True)
    n = images.shape[0]
    for i in range(0, n, chunk):
        x = _normalise(images[i : i + chunk]).unsqueeze(1)
        (F.nll_loss(model(x), labels[i : i + chunk], reduction="sum") / n).backward()
    g = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
    model.zero_grad(set_to_none=True)
    return g


@torch.no_grad()
def _evaluate(model: torch.nn.Module, images: torch.Tensor, labels: torch.Tensor) -> tuple[float, float]:
    model.eval()
    out = model(_normalise(images).unsqueeze(1))
    loss = float(F.nll_loss(out, labels))
    acc = float((out.argmax(1) == labels).float().mean())
    model.train()
    return loss, acc


def train_mnist(data: MnistData, byzantine: int, attack: str = "colluding", config: MnistConfig = MnistConfig(),
                seed: int = 0, device: str = "cpu") -> dict[str, Any]:
    """Train once; returns the curves (iteration, training loss, test accuracy) and the run's parameters."""
    if attack not in ATTACKS:
        raise ValueError(f"train_mnist: argument 'attack' must be one of {ATTACKS}; got {attack!r}")
    if not 0 <= byzantine <= config.workers:
        raise ValueError(f"train_mnist: argument 'byzantine' must be an integer in [0, {config.workers}]; "
                         f"got {byzantine!r}")
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    dev = torch.device(device)
    model = PaperCNN().to(dev).train()
    chunks = worker_chunks(data.train_labels, config.workers, config.iid, seed)
    ev = torch.randperm(data.train_labels.numel(), generator=gen)[: config.eval_examples]
    momenta = torch.zeros(config.workers, sum(p.numel() for p in model.parameters()), device=dev)
    m_honest = config.workers - byzantine
    curve: list[dict[str, float]] = []
    for t in range(config.iterations):
        idx = torch.stack([c[torch.randint(0, c.numel(), (config.batch,), generator=gen)] for c in chunks])
        xs = torch.stack([_batch(data.train_images[i], config.augment) for i in idx]).to(dev)
        ys = data.train_labels[idx].to(dev)
        grads = per_worker_gradients(model, xs, ys)
        momenta = config.momentum * momenta + (1 - config.momentum) * grads if config.momentum else grads
        votes = sign_int8(momenta)
        if byzantine:
            own = votes[m_honest:]
            if attack == "colluding":
                byz = -sign_int8(own.sum(0, dtype=torch.int32)).expand_as(own)
            elif attack == "omniscient":
                byz = -sign_int8(_flat_grad(model, data.train_images.to(dev), data.train_labels.to(dev))).expand_as(own)
            elif attack == "blind":
                byz = -own
            elif attack == "random":
                byz = torch.randint(0, 2, own.shape, generator=gen, dtype=torch.int8).to(dev) * 2 - 1
            else:
                byz = torch.zeros_like(own)
            votes = torch.cat([votes[:m_honest], byz])
        step = majority_vote(votes).sign.to(torch.float32)
        with torch.no_grad():
            offset = 0
            for p in model.parameters():
                n = p.numel()
                p -= config.lr * (step[offset : offset + n].view_as(p) + config.weight_decay * p)
                offset += n
        if (t + 1) % config.eval_every == 0 or t == 0:
            train_loss, _ = _evaluate(model, data.train_images[ev].to(dev), data.train_labels[ev].to(dev))
            _, test_acc = _evaluate(model, data.test_images.to(dev), data.test_labels.to(dev))
            curve.append({"iteration": t + 1, "train_loss": train_loss, "test_accuracy": test_acc})
    finite = all(math.isfinite(c["train_loss"]) for c in curve)
    return {"params": {"byzantine": byzantine, "attack": attack, **config.to_dict()}, "seed": seed, "device": str(dev),
            "note": data.note, "curve": curve, "status": "done" if finite else "diverged"}


def measure_sign_statistics(model: torch.nn.Module, data: MnistData, config: MnistConfig = MnistConfig(),
                            coords: int = 2000, seed: int = 0) -> dict[str, Any]:
    """What the theory needs, measured on real gradients at the model's current point.

    ``config.workers`` fresh worker batches give per-worker gradients :math:`G_{ji}`; the gradient of the
    whole training part gives :math:`\\operatorname{sign}(g_i)`.  On ``coords`` sampled coordinates:
    :math:`p_i` = the fraction of workers whose sign agrees with :math:`\\operatorname{sign}(g_i)`;
    :math:`S_i = |\\bar G_i| / \\mathrm{sd}_j(G_{ji})` (the SNR of one worker's estimate); Assumption 3.4 is
    checked through the sample skewness (symmetry) and Sarle's bimodality coefficient
    :math:`(\\gamma^2 + 1)/\\kappa` (values above 5/9 suggest more than one mode).  From :math:`p_i` the paper's
    threshold :math:`\\alpha^*(p_i) = 1 - 1/(2p_i)` and the largest tolerable Byzantine count follow.
    """
    import bounds

    gen = torch.Generator().manual_seed(seed)
    chunks = worker_chunks(data.train_labels, config.workers, config.iid, seed)
    idx = torch.stack([c[torch.randint(0, c.numel(), (config.batch,), generator=gen)] for c in chunks])
    xs = torch.stack([_batch(data.train_images[i], False) for i in idx])
    grads = per_worker_gradients(model, xs, data.train_labels[idx])
    full = _flat_grad(model, data.train_images, data.train_labels)
    pick = torch.randperm(full.numel(), generator=gen)[:coords]
    pick = pick[full[pick] != 0]
    g, truth = grads[:, pick].double(), torch.sign(full[pick]).double()
    p = (torch.sign(g) == truth).double().mean(0)
    mean, sd = g.mean(0), g.std(0)
    snr = (mean.abs() / sd.clamp_min(1e-30))
    centred = (g - mean) / sd.clamp_min(1e-30)
    skew = (centred**3).mean(0)
    kurt = (centred**4).mean(0)
    bimodality = (skew**2 + 1) / kurt.clamp_min(1e-30)
    pn = p.numpy()
    alpha = bounds.alpha_star(pn.clip(1e-12, 1.0))
    q = torch.tensor([0.1, 0.5, 0.9], dtype=torch.float64)
    p_med = float(torch.quantile(p, 0.5))
    return {
        "coordinates": int(pick.numel()), "workers": config.workers, "batch": config.batch,
        "p_quantiles": torch.quantile(p, q).tolist(), "snr_quantiles": torch.quantile(snr, q).tolist(),
        "alpha_star_quantiles": [float(v) for v in torch.quantile(torch.from_numpy(alpha), q)],
        "fraction_p_above_half": float((p > 0.5).double().mean()),
        "max_byzantine_at_median_p": int(bounds.max_byzantine(config.workers, p_med)),
        "fraction_symmetric": float((skew.abs() < 1.0).double().mean()),
        "fraction_unimodal": float((bimodality < 5 / 9).double().mean()),
    }
