"""Local multi-process launches (gloo on loopback), compatible with torchrun.

:func:`launch` runs ``fn(rank, world, *args)`` in ``nprocs`` processes that have joined one process group;
under ``torchrun`` (``RANK`` and ``WORLD_SIZE`` set) :func:`join` joins the group torchrun describes instead.
"""

from __future__ import annotations

import datetime
import os
import socket
from typing import Any, Callable

import torch.distributed as dist
import torch.multiprocessing as mp

__all__ = ["launch", "join", "free_port", "under_torchrun", "rendezvous_store"]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def under_torchrun() -> bool:
    """Whether this process was started by torchrun (or another launcher that sets RANK and WORLD_SIZE)."""
    return "RANK" in os.environ and "WORLD_SIZE" in os.environ


_STORE: list[Any] = []


def rendezvous_store() -> Any:
    """The key-value store the ranks met through (hosted by rank 0's process)."""
    if _STORE:
        return _STORE[0]
    return dist.distributed_c10d._get_default_store()  # under torchrun: the group's own store


def join(rank: int | None = None, world: int | None = None, port: int | None = None, timeout_s: float = 60.0,
         backend: str = "gloo") -> tuple[int, int]:
    """Join the process group: from torchrun's environment, or on 127.0.0.1:``port`` as ``rank`` of ``world``."""
    timeout = datetime.timedelta(seconds=timeout_s)
    if under_torchrun():
        dist.init_process_group(backend, timeout=timeout)
    else:
        store = dist.TCPStore("127.0.0.1", int(port), int(world), is_master=rank == 0, timeout=timeout)
        _STORE[:] = [store]
        dist.init_process_group(backend, store=store, rank=int(rank), world_size=int(world), timeout=timeout)
    return dist.get_rank(), dist.get_world_size()


def _entry(rank: int, fn: Callable[..., Any], world: int, port: int, timeout_s: float, args: tuple[Any, ...]) -> None:
    import gc
    import time

    join(rank, world, port, timeout_s)
    store = _STORE[0]
    try:
        fn(rank, world, *args)
    finally:
        gc.collect()  # drop DDP reducers and groups while every peer is still there
        if dist.is_initialized():
            try:
                dist.destroy_process_group()
            except RuntimeError:  # pragma: no cover - a peer already gone
                pass
        # rank 0 hosts the store: it leaves last, so that no peer loses the store while shutting down
        try:
            store.add("sbft/exited", 1)
            if rank == 0:
                deadline = time.monotonic() + timeout_s
                while int(store.add("sbft/exited", 0)) < world and time.monotonic() < deadline:
                    time.sleep(0.02)
        except Exception:  # pragma: no cover - a peer died; nothing left to protect
            pass


def launch(fn: Callable[..., Any], nprocs: int, args: tuple[Any, ...] = (), timeout_s: float = 60.0) -> None:
    """Run ``fn(rank, world, *args)`` in ``nprocs`` local processes joined by gloo; raises if any fails.

    ``fn`` must be importable (defined at module level).
    """
    if nprocs < 1:
        raise ValueError(f"launch: argument 'nprocs' must be an integer in [1, inf); got {nprocs!r}")
    mp.spawn(_entry, args=(fn, nprocs, free_port(), timeout_s, args), nprocs=nprocs, join=True)
