"""The sweep runner: units of work cached on disk, resumable after a kill, results written atomically.

A *unit* is a dict of parameters (JSON-serialisable).  :func:`run_sweep` calls ``work(unit, seed)`` for every
unit whose cache file is missing (or not ``done``), stores each result as ``<cache>/<key>.json`` with
:func:`bounds._io.atomic_write_text` as soon as it is finished, and returns the results of every unit in the
order given.  A killed sweep, run again with the same cache folder, redoes only the units that had not
finished.  Seeds derive from the unit's parameters (:func:`simulate.seeding.derive_seed`), so a unit's numbers
do not depend on which other units the sweep holds or on the order they run in.

Each result holds ``params``, ``seed``, ``device``, ``version`` and ``status`` (``done``, ``diverged``,
``error`` or ``skipped``) next to whatever ``work`` returned.
"""

from __future__ import annotations

import hashlib
import json
import traceback
from pathlib import Path
from typing import Any, Callable, Sequence

from bounds._io import atomic_write_text

from .seeding import derive_seed

__all__ = ["run_sweep", "unit_key", "package_version", "finished_records", "STATUSES"]

STATUSES = ("done", "diverged", "error", "skipped")


def package_version() -> str:
    """The installed version of signsgd-bft."""
    from importlib import metadata

    try:
        return metadata.version("signsgd-bft")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "0.0.0+unknown"


def unit_key(unit: dict[str, Any]) -> str:
    """A short stable name for a unit: sha256 of its sorted JSON."""
    return hashlib.sha256(json.dumps(unit, sort_keys=True, default=str).encode()).hexdigest()[:16]


def run_sweep(
    units: Sequence[dict[str, Any]],
    work: Callable[[dict[str, Any], int], dict[str, Any]],
    cache: str | Path,
    base_seed: int = 0,
    device: str = "cpu",
    progress: bool = True,
    desc: str = "sweep",
) -> list[dict[str, Any]]:
    """Run (or resume) a sweep; returns one result per unit, in order.

    ``work`` returns a dict that may set ``status`` (default ``done``); an exception becomes ``status:
    error`` with its message, and the sweep goes on.  ``KeyboardInterrupt`` is not caught: the units already
    finished stay cached.
    """
    from tqdm import tqdm

    cache_dir = Path(cache)
    cache_dir.mkdir(parents=True, exist_ok=True)
    version = package_version()
    results: list[dict[str, Any]] = []
    for unit in tqdm(units, desc=desc, disable=not progress, leave=False):
        path = cache_dir / f"{unit_key(unit)}.json"
        if path.exists():
            try:
                cached = json.loads(path.read_text())
            except json.JSONDecodeError:
                cached = None
            if cached is not None and cached.get("status") in ("done", "diverged", "skipped") \
                    and cached.get("params") == json.loads(json.dumps(unit, default=str)):
                results.append(cached)
                continue
        seed = derive_seed(base_seed, **unit)
        head = {"params": unit, "seed": seed, "device": device, "version": version}
        try:
            out = work(unit, seed)
            record = {**head, "status": out.pop("status", "done"), **out}
        except Exception as err:  # recorded, not hidden: the row says error and why
            record = {**head, "status": "error", "error": f"{type(err).__name__}: {err}",
                      "traceback": traceback.format_exc(limit=5)}
        atomic_write_text(path, json.dumps(record, default=str))
        results.append(record)
    return results


def finished_records(results: str | Path, key: str, out: str | Path,
                     who: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """For a plot redrawn from a results file: check that ``out`` names a figure format, read ``results`` once
    and return its whole content and its ``key`` records that finished (``done`` or ``diverged``); errors name
    ``who``'s argument."""
    from bounds.plots import FORMATS

    if Path(out).suffix.lower() not in FORMATS:
        raise ValueError(f"{who}: argument 'out' must end in one of {FORMATS}; got {str(out)!r}")
    try:
        data = json.loads(Path(results).read_text())
        records = data[key]
    except (OSError, json.JSONDecodeError, KeyError, TypeError):
        raise ValueError(f"{who}: argument 'results' must be a results file holding '{key}'; got {str(results)!r}") \
            from None
    done = [r for r in records if r.get("status") in ("done", "diverged")]
    if not done:
        raise ValueError(f"{who}: argument 'results' holds no finished run: {str(results)!r}")
    return data, done
