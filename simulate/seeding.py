"""Seeds derived from what a run is, not from the order it runs in (sha256 of its parameters)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["derive_seed"]


def derive_seed(base_seed: int, **params: Any) -> int:
    """A 63-bit seed from ``base_seed`` and the unit's parameters (key order does not matter)."""
    blob = json.dumps({"base_seed": int(base_seed), **params}, sort_keys=True, default=str).encode()
    return int.from_bytes(hashlib.sha256(blob).digest()[:8], "big") >> 1
