"""bounds: every bound of the paper and of BZAA18 as exact, vectorised, validated functions.

Each function states its source (paper or BZAA18, with the equation) and its
kind (exact, upper bound, lower bound, threshold, rate).  All functions
broadcast their numeric arguments with numpy and raise :class:`ValueError`
naming the argument, its domain and the value received on bad input.

This package imports neither torch nor matplotlib.
"""

from ._registry import REGISTRY, BoundInfo
from .cantelli import CHAIN, cantelli_chain, paper_final, rederived_final
from .convergence import (
    bzaa18_theorem_2,
    theorem_3_7_descent,
    theorem_3_7_proof_end,
    theorem_3_7_rederived,
    theorem_3_7_stated,
)
from .noise import (
    GAUSS_EXTREMAL,
    GAUSSIAN,
    LAPLACE,
    NOISE_FAMILIES,
    UNIFORM,
    NoiseFamily,
    gauss_extremal_law,
    get_family,
    student_t,
)
from .sign_error import bzaa18_lemma_1, lemma_3_6_ratio, lemma_3_6_sign_error, sign_error_ratio
from .tails import chernoff_kl, hoeffding, log_chernoff_kl
from .tolerance import alpha_star, jlh24_max_byzantine, max_byzantine, max_byzantine_exact, min_batch_for_alpha
from .vote_failure import log_vote_failure, poisson_binomial_pmf, vote_failure, vote_failure_heterogeneous

__all__ = [
    "REGISTRY",
    "BoundInfo",
    "CHAIN",
    "cantelli_chain",
    "paper_final",
    "rederived_final",
    "bzaa18_theorem_2",
    "theorem_3_7_descent",
    "theorem_3_7_proof_end",
    "theorem_3_7_rederived",
    "theorem_3_7_stated",
    "GAUSS_EXTREMAL",
    "GAUSSIAN",
    "LAPLACE",
    "NOISE_FAMILIES",
    "UNIFORM",
    "NoiseFamily",
    "gauss_extremal_law",
    "get_family",
    "student_t",
    "bzaa18_lemma_1",
    "lemma_3_6_ratio",
    "lemma_3_6_sign_error",
    "sign_error_ratio",
    "chernoff_kl",
    "hoeffding",
    "log_chernoff_kl",
    "alpha_star",
    "jlh24_max_byzantine",
    "max_byzantine",
    "max_byzantine_exact",
    "min_batch_for_alpha",
    "log_vote_failure",
    "poisson_binomial_pmf",
    "vote_failure",
    "vote_failure_heterogeneous",
]
