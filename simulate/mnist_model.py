"""The paper's CNN (Table 3) and per-worker gradients, batched over workers or looped.

:func:`per_worker_gradients` returns the flattened gradient of every worker's mini-batch loss, shape
``(Q, P)``: ``method="vmap"`` computes all workers in one batched pass (``torch.func``), ``method="loop"``
is the plain per-worker reference (one backward per worker).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

__all__ = ["PaperCNN", "per_worker_gradients", "flat_parameters"]


class PaperCNN(nn.Module):
    """conv(1->32, 3), ReLU, conv(32->64, 3), ReLU, max-pool 2, dropout 0.25, fc(9216->128), ReLU,
    dropout 0.5, fc(128->10), log-softmax."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        return F.log_softmax(self.fc2(x), dim=1)


def flat_parameters(model: nn.Module) -> torch.Tensor:
    """All parameters as one vector (the coordinates that are voted on)."""
    return torch.cat([p.detach().reshape(-1) for p in model.parameters()])


def per_worker_gradients(model: nn.Module, images: torch.Tensor, labels: torch.Tensor,
                         method: str = "auto") -> torch.Tensor:
    """Gradients of the NLL loss of each worker's batch: ``images`` ``(Q, n, 1, 28, 28)``, ``labels``
    ``(Q, n)``; returns ``(Q, P)``.  Dropout draws independently per worker in both methods.

    ``method="auto"`` takes the loop on the CPU (measured faster there: 1.03 s against 1.79 s for 27 workers
    of batch 64 on 2 cores, ``benchmarks/bench_mnist_grads.py``) and the batched pass on CUDA."""
    if method not in ("auto", "vmap", "loop"):
        raise ValueError(f"per_worker_gradients: argument 'method' must be one of ('auto', 'vmap', 'loop'); "
                         f"got {method!r}")
    if method == "auto":
        method = "vmap" if images.is_cuda else "loop"
    if images.dim() != 5 or labels.shape != images.shape[:2]:
        raise ValueError(f"per_worker_gradients: argument 'images' must have shape (Q, n, 1, 28, 28) and 'labels' "
                         f"(Q, n); got {tuple(images.shape)} and {tuple(labels.shape)}")
    if method == "loop":
        out = []
        for x, y in zip(images, labels):
            model.zero_grad(set_to_none=True)
            F.nll_loss(model(x), y).backward()
            out.append(torch.cat([p.grad.reshape(-1) for p in model.parameters()]))
        model.zero_grad(set_to_none=True)
        return torch.stack(out)
    from torch.func import functional_call, grad, vmap

    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def loss(p: dict[str, torch.Tensor], x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return F.nll_loss(functional_call(model, (p, buffers), (x,)), y)

    grads = vmap(grad(loss), in_dims=(None, 0, 0), randomness="different")(params, images, labels)
    return torch.cat([grads[k].reshape(images.shape[0], -1) for k, _ in model.named_parameters()], dim=1)
