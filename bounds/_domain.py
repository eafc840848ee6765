"""Parameter domains, declared once and shared by validation and the tests.

Every public function of :mod:`bounds` validates its arguments against a
:class:`Domain` from this module, so that an out-of-domain value raises a
:class:`ValueError` naming the function, the argument, the allowed domain and
the value received.  The hypothesis strategies of the test-suite draw their
parameters from the very same objects (``tests/strategies.py``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "Domain",
    "check",
    "check_choice",
    "show",
    "PROBABILITY",
    "OPEN_PROBABILITY",
    "SNR",
    "WORKERS",
    "BYZANTINE",
    "BATCH",
    "FRACTION",
    "POSITIVE",
    "NONNEGATIVE",
    "DOF",
    "ITERATIONS",
    "TIE_RULES",
    "ATTACKS",
]


@dataclass(frozen=True)
class Domain:
    """A real interval, optionally restricted to the integers.

    ``lo``/``hi`` may be infinite; ``lo_closed``/``hi_closed`` say whether the
    end points belong to the domain.
    """

    lo: float
    hi: float
    lo_closed: bool = True
    hi_closed: bool = True
    integer: bool = False

    def describe(self) -> str:
        """Human-readable description, e.g. ``an integer in [1, inf)``."""
        left = "[" if self.lo_closed and math.isfinite(self.lo) else "("
        right = "]" if self.hi_closed and math.isfinite(self.hi) else ")"
        lo = _fmt(self.lo)
        hi = _fmt(self.hi)
        kind = "an integer" if self.integer else "a real number"
        return f"{kind} in {left}{lo}, {hi}{right}"

    def contains(self, x: NDArray[Any]) -> NDArray[np.bool_]:
        """Element-wise membership test (NaN is never a member: every comparison with NaN is false)."""
        x = np.asarray(x, dtype=float)
        ok = (x >= self.lo) if self.lo_closed else (x > self.lo)
        ok &= (x <= self.hi) if self.hi_closed else (x < self.hi)
        if self.integer:
            with np.errstate(invalid="ignore"):
                ok &= np.floor(x) == x
        return ok


def _fmt(v: float) -> str:
    if v == math.inf:
        return "inf"
    if v == -math.inf:
        return "-inf"
    if float(v).is_integer():
        return str(int(v))
    return repr(float(v))


def show(value: object) -> str:
    """Format a received value for an error message (``27``, ``0.5``, ``nan``)."""
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return repr(value)
    if math.isfinite(v) and v.is_integer():
        return str(int(v))
    return repr(v)


def check(func: str, name: str, value: ArrayLike, domain: Domain) -> NDArray[np.float64]:
    """Validate ``value`` against ``domain`` and return it as a float array.

    Raises
    ------
    ValueError
        ``"{func}: argument '{name}' must be {domain}; got {value}"`` naming the
        first offending element.
    """
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(
            f"{func}: argument '{name}' must be {domain.describe()}; got {value!r}"
        ) from None
    ok = domain.contains(arr)
    if not np.all(ok):
        bad = arr[~ok].flat[0] if arr.ndim else arr.item()
        raise ValueError(f"{func}: argument '{name}' must be {domain.describe()}; got {show(bad)}")
    return arr


def check_choice(func: str, name: str, value: str, choices: tuple[str, ...]) -> str:
    """Validate that ``value`` is one of ``choices``."""
    if value not in choices:
        raise ValueError(f"{func}: argument '{name}' must be one of {choices}; got {value!r}")
    return value


PROBABILITY = Domain(0.0, 1.0)
"""A probability, p in [0, 1]."""
OPEN_PROBABILITY = Domain(0.0, 1.0, lo_closed=False, hi_closed=False)
"""A probability strictly between 0 and 1."""
SNR = Domain(0.0, math.inf, lo_closed=False, hi_closed=False)
"""Signal-to-noise ratio ``S = |g|/sigma > 0`` (Lemma 3.6)."""
NONNEGATIVE = Domain(0.0, math.inf, hi_closed=False)
POSITIVE = Domain(0.0, math.inf, lo_closed=False, hi_closed=False)
WORKERS = Domain(1, math.inf, hi_closed=False, integer=True)
"""Number of workers Q (honest plus Byzantine)."""
BYZANTINE = Domain(0, math.inf, hi_closed=False, integer=True)
"""Number of Byzantine workers B (further limited to B <= Q by each function)."""
BATCH = Domain(1, math.inf, hi_closed=False, integer=True)
"""Mini-batch size n."""
ITERATIONS = Domain(1, math.inf, hi_closed=False, integer=True)
FRACTION = Domain(0.0, 1.0, hi_closed=False)
"""Byzantine fraction alpha in [0, 1)."""
DOF = Domain(2.0, math.inf, lo_closed=False, hi_closed=False)
"""Student-t degrees of freedom nu > 2 (finite variance)."""

TIE_RULES: tuple[str, ...] = ("fail", "random", "pass")
"""How a tied vote (zero sum, even number of votes) is scored.

``fail``: sign(0) = 0 differs from sign(g) and counts as a failure (the event
sign(O) != sign(g)).  ``random``: the server draws a fair coin, a failure with
probability 1/2.  ``pass``: a tie is not a failure; this is the paper's event
Z < Q/2 (Section 3.3).  The BZAA18 code's sign(0) = +1 convention is ``pass``
for a positive gradient and ``fail`` for a negative one.
"""
ATTACKS: tuple[str, ...] = ("omniscient", "blind", "colluding", "random", "abstain")
"""Byzantine models with an exact vote-failure law: ``omniscient`` (always
send -sign(g), Theorem 3.5), ``blind`` (each flips its own estimate, BZAA18),
``colluding`` (majority of their own estimates, negated: the paper's MNIST
attack), ``random`` (fair random signs) and ``abstain`` (send 0)."""

TIE_WEIGHT = {"fail": 1.0, "random": 0.5, "pass": 0.0}
