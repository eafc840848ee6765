"""Device selection: one code path for CPU and CUDA."""

from __future__ import annotations

import torch

__all__ = ["resolve_device"]


def resolve_device(device: str | torch.device = "auto") -> torch.device:
    """``"auto"`` picks CUDA when available, else CPU; ``"cpu"``/``"cuda"``/``"cuda:N"`` are checked.

    Raises ``ValueError`` naming the argument when CUDA is asked for and not available.
    """
    if isinstance(device, torch.device):
        dev = device
    elif device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    else:
        try:
            dev = torch.device(device)
        except (RuntimeError, TypeError):
            raise ValueError(
                f"resolve_device: argument 'device' must be 'auto', 'cpu', 'cuda' or 'cuda:N'; got {device!r}"
            ) from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"resolve_device: argument 'device' is {str(dev)!r} but CUDA is not available here; use 'cpu'")
    if dev.type not in ("cpu", "cuda"):
        raise ValueError(f"resolve_device: argument 'device' must be a CPU or CUDA device; got {str(dev)!r}")
    return dev
