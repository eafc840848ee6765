"""``python -m proofs_check ...`` is the ``signsgd-bft`` command."""

from .cli import main

raise SystemExit(main())
