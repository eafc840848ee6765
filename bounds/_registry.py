"""The registry of public bound functions (internal).

Every public function of :mod:`bounds` registers itself with its *kind*
(``exact``, ``upper``, ``lower``, ``threshold``, ``rate``), its *source* (paper
or BZAA18, with the equation), its parameters and their :class:`Domain`, and a
joint *constraint* (e.g. ``byzantine <= workers``).  The conformance test and
the command line iterate over this registry, so a new bound is tested and
exposed as soon as it is registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from ._domain import Domain

Kind = Literal["exact", "upper", "lower", "threshold", "rate", "identity"]


@dataclass(frozen=True)
class BoundInfo:
    """Metadata of one registered function."""

    name: str
    function: Callable[..., Any]
    kind: Kind
    source: str
    params: dict[str, Domain]
    family: str
    constraint: Callable[..., bool] | None = None
    probability: bool = False
    """True when the value is a probability (or a bound on one that may exceed 1)."""
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)


REGISTRY: dict[str, BoundInfo] = {}


def register(
    *,
    kind: Kind,
    source: str,
    params: dict[str, Domain],
    family: str,
    constraint: Callable[..., bool] | None = None,
    probability: bool = False,
    options: dict[str, tuple[str, ...]] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Class the decorated function in :data:`REGISTRY` under its own name."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        REGISTRY[fn.__name__] = BoundInfo(
            fn.__name__, fn, kind, source, dict(params), family, constraint, probability, dict(options or {})
        )
        return fn

    return wrap
