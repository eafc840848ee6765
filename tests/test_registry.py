"""Conformance: every registered public bound documents itself, validates its domain and broadcasts."""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bounds
from bounds import REGISTRY
from strategies import from_domain, outside

SCALAR_FUNCS = {name: info for name, info in REGISTRY.items() if info.params}
"""Functions whose arguments are all declared numeric parameters."""

# Narrowed ranges that keep each call fast; the domains themselves are untouched.
CAPS = {"workers": 400, "byzantine": 400, "honest": 400, "iterations": 10**6, "snr": 50.0,
        "sigma_l1": 1e3, "smoothness_l1": 1e3, "f_gap": 1e3}


@st.composite
def valid_args(draw: st.DrawFn, name: str) -> dict[str, float]:
    """A point of the function's declared domain that also meets its joint constraint."""
    info = REGISTRY[name]
    for _ in range(25):
        args = {k: draw(from_domain(d, hi=CAPS.get(k))) for k, d in info.params.items()}
        if "byzantine" in args and "workers" in args:
            args["byzantine"] = draw(from_domain(info.params["byzantine"], hi=args["workers"]))
        if info.constraint is None or info.constraint(**args):
            return args
    assume(False)
    raise AssertionError("unreachable")


def test_every_public_function_of_bounds_is_registered() -> None:
    public = {n for n in bounds.__all__ if inspect.isfunction(getattr(bounds, n))}
    helpers = {"cantelli_chain", "gauss_extremal_law", "get_family", "student_t", "poisson_binomial_pmf"}
    assert public - helpers <= set(REGISTRY)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_registered_function_states_its_kind_and_source(name: str) -> None:
    info = REGISTRY[name]
    doc = inspect.getdoc(info.function) or ""
    assert "Kind:" in doc, f"{name} docstring lacks its kind"
    assert info.source and ("Paper" in info.source or "BZAA18" in info.source or "JLH+24" in info.source
                            or "Hoeffding" in info.source or "Chernoff" in info.source or "Exact" in info.source
                            or "Inverse" in info.source)
    assert set(info.params) <= set(inspect.signature(info.function).parameters)


@pytest.mark.parametrize("name", sorted(SCALAR_FUNCS))
def test_registered_function_rejects_out_of_domain_input_naming_the_argument(name: str) -> None:
    info = REGISTRY[name]

    @settings(max_examples=15, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
    @given(valid_args(name), st.sampled_from(sorted(info.params)), st.data())
    def check(args: dict[str, float], bad_name: str, data: st.DataObject) -> None:
        bad_value = data.draw(outside(info.params[bad_name]))
        args = dict(args, **{bad_name: bad_value})
        with pytest.raises(ValueError) as err:
            info.function(**args)
        msg = str(err.value)
        assert msg.startswith(f"{name}:") and f"'{bad_name}'" in msg, msg

    check()


@pytest.mark.parametrize("name", sorted(SCALAR_FUNCS))
def test_registered_function_broadcasts_like_elementwise_calls(name: str) -> None:
    info = REGISTRY[name]

    @settings(max_examples=10, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
    @given(st.lists(valid_args(name), min_size=2, max_size=4))
    def check(points: list[dict[str, float]]) -> None:
        stacked = {k: np.array([pt[k] for pt in points]) for k in info.params}
        together = np.asarray(info.function(**stacked))
        assert together.shape == (len(points),)
        for i, pt in enumerate(points):
            alone = float(np.asarray(info.function(**pt)))
            assert together[i] == pytest.approx(alone, rel=1e-12, abs=0) or (math.isnan(alone) and math.isnan(together[i]))

    check()


@pytest.mark.parametrize("name", sorted(n for n, i in SCALAR_FUNCS.items() if i.probability and i.kind == "exact"))
def test_registered_exact_probability_lies_in_the_unit_interval(name: str) -> None:
    info = REGISTRY[name]

    @settings(max_examples=30, suppress_health_check=[HealthCheck.filter_too_much])
    @given(valid_args(name))
    def check(args: dict[str, Any]) -> None:
        v = float(np.asarray(info.function(**args)))
        assert 0.0 <= v <= 1.0

    check()


@pytest.mark.parametrize("name", sorted(n for n, i in SCALAR_FUNCS.items() if i.probability and i.kind == "upper"))
def test_registered_upper_bound_is_nonnegative(name: str) -> None:
    info = REGISTRY[name]

    @settings(max_examples=30, suppress_health_check=[HealthCheck.filter_too_much])
    @given(valid_args(name))
    def check(args: dict[str, Any]) -> None:
        assert float(np.asarray(info.function(**args))) >= 0.0

    check()
