"""proofs_check: the paper's claims as data, the engines that decide them, and the command line.

The claims catalogue and its engines arrive with issue 4; this release holds
the ``signsgd-bft`` command line (:mod:`proofs_check.cli`) and the first
``report`` (:mod:`proofs_check.report`).
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("signsgd-bft")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
