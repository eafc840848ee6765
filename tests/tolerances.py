"""Every numerical tolerance of the test-suite, in one place."""

EXACT_RTOL = 1e-10
"""Exact probabilities against an independent mpmath evaluation (DESIGN.md bar)."""

QUADRATURE_ATOL = 1e-11
"""Gil-Pelaez quadrature (uniform n > 12, Student-t n > 1) against mpmath."""

IDENTITY_RTOL = 1e-12
"""Two floating-point evaluations of algebraically equal expressions."""

BOUND_SLACK = 1e-12
"""Relative slack when checking ``exact <= bound`` in floating point (rounding only)."""

TOY_SIGMAS = 4.0
"""Exact-chain expected objective against the mean of independent repeats: within this many standard errors
plus the grid's numerical diffusion bound (see test_toy.py)."""

FLOAT32_GRAD_RTOL = 1e-4
"""Per-worker CNN gradients, batched (torch.func) against a per-worker backward: the same float32 arithmetic
in a different order of summation."""
