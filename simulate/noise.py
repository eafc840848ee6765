r"""Torch samplers of a worker's estimate for the noise families of :mod:`bounds.noise`.

:func:`sample_estimates` returns :math:`\sqrt n\,(\tilde g - g)/\sigma + \sqrt n S`, the worker's
mini-batch mean in units of its own standard deviation :math:`\sigma/\sqrt n`, so that its sign is the
worker's vote and :math:`\mathbb{P}[\text{sign right}] = p(S, n)` of the family.

* Gaussian: the mean of ``n`` draws is drawn directly (exact).
* Laplace: the sum of ``n`` Laplace draws is :math:`b(G_1 - G_2)`, :math:`G_i \sim \mathrm{Gamma}(n)` (exact).
* Uniform and Student-t: ``n`` draws are averaged.
* Gauss-extremal: the worker's estimate follows the extremal law at :math:`\sqrt n S` directly.
"""

from __future__ import annotations

import math

import torch

from bounds.noise import gauss_extremal_law

__all__ = ["sample_estimates", "SAMPLED_FAMILIES", "draws_per_estimate"]

SAMPLED_FAMILIES = ("gaussian", "uniform", "laplace", "student_t(NU)", "gauss_extremal")


def _parse_t(name: str) -> float | None:
    if name.startswith("student_t(") and name.endswith(")"):
        return float(name[len("student_t("):-1])
    return None


def draws_per_estimate(family: str, batch: int) -> int:
    """How many random numbers one estimate costs (for chunking and benchmarks)."""
    if family in ("gaussian", "gauss_extremal"):
        return 1 if family == "gaussian" else 2
    if family == "laplace":
        return 2
    return batch * (2 if _parse_t(family) is not None else 1)


def sample_estimates(family: str, snr: float, batch: int, shape: tuple[int, ...], generator: torch.Generator,
                     device: torch.device, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Standardised estimates :math:`\\sqrt n S + \\xi`, :math:`\\xi` the standardised mean noise."""
    n = int(batch)
    shift = math.sqrt(n) * snr
    if family == "gaussian":
        return torch.randn(shape, generator=generator, device=device, dtype=dtype).add_(shift)
    if family == "laplace":
        conc = torch.full(shape, float(n), device=device, dtype=dtype)
        g1 = torch._standard_gamma(conc, generator=generator)
        g2 = torch._standard_gamma(conc, generator=generator)
        # sum of n Laplace(b = 1/sqrt 2) = b (G1 - G2); standardise by sqrt(n)
        return (g1 - g2).mul_(1.0 / math.sqrt(2.0 * n)).add_(shift)
    if family == "uniform":
        u = torch.rand((n, *shape), generator=generator, device=device, dtype=dtype).mul_(2.0).sub_(1.0)
        return u.mean(0).mul_(math.sqrt(3.0 * n)).add_(shift)
    nu = _parse_t(family)
    if nu is not None:
        z = torch.randn((n, *shape), generator=generator, device=device, dtype=dtype)
        chi2 = torch._standard_gamma(torch.full((n, *shape), nu / 2.0, device=device, dtype=dtype),
                                     generator=generator).mul_(2.0)
        t = z / torch.sqrt(chi2 / nu) * math.sqrt((nu - 2.0) / nu)
        return t.mean(0).mul_(math.sqrt(n)).add_(shift)
    if family == "gauss_extremal":
        w, c = gauss_extremal_law(shift)
        u = torch.rand(shape, generator=generator, device=device, dtype=dtype).mul_(2.0 * c).sub_(c)
        keep = torch.rand(shape, generator=generator, device=device, dtype=dtype) < w
        return torch.where(keep, u, torch.zeros_like(u)).add_(shift)
    raise ValueError(f"sample_estimates: argument 'family' must be one of {SAMPLED_FAMILIES}; got {family!r}")
