"""Higher-order derivatives against closed forms and against PyTorch 2.13.0 (float64).

PyTorch differentiates its own graph of the derivative (``create_graph=True``); this engine
differentiates the graph its ``local_grads`` build on Values. The same expression goes through
both: Values and tensors share the methods ``exp log sqrt sin cos tanh sigmoid`` and the operators.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - the usual spelling
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import Value, grad, hessian, hvp, ops
from tests.builtin_points import POINTS
from tests.derivatives import (
    ABS,
    REL,
    close,
    nested_grads,
    our_partials,
    torch_grads,
    torch_partials,
)

# --- each unary operation: three derivatives, closed form and PyTorch ------------------------


def _sig(x: float) -> float:
    return 1 / (1 + math.exp(-x))


Expression = Callable[[Any], Any]
CLOSED_FORMS: dict[str, tuple[Expression, Callable[[float], list[float]], tuple[float, float]]] = {
    # name: (expression on Value or tensor, [f', f'', f'''], domain for x)
    "exp": (lambda x: x.exp(), lambda x: [math.exp(x)] * 3, (-5.0, 5.0)),
    "log": (lambda x: x.log(), lambda x: [1 / x, -1 / x**2, 2 / x**3], (0.05, 20.0)),
    "sin": (lambda x: x.sin(), lambda x: [math.cos(x), -math.sin(x), -math.cos(x)], (-6.0, 6.0)),
    "cos": (lambda x: x.cos(), lambda x: [-math.sin(x), -math.cos(x), math.sin(x)], (-6.0, 6.0)),
    "tanh": (
        lambda x: x.tanh(),
        lambda x: [
            1 - math.tanh(x) ** 2,
            -2 * math.tanh(x) * (1 - math.tanh(x) ** 2),
            (1 - math.tanh(x) ** 2) * (6 * math.tanh(x) ** 2 - 2),
        ],
        (-4.0, 4.0),
    ),
    "sigmoid": (
        lambda x: x.sigmoid(),
        lambda x: [
            _sig(x) * (1 - _sig(x)),
            _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),
            _sig(x) * (1 - _sig(x)) * (1 - 6 * _sig(x) + 6 * _sig(x) ** 2),
        ],
        (-8.0, 8.0),
    ),
    "sqrt": (
        lambda x: x.sqrt(),
        lambda x: [0.5 * x**-0.5, -0.25 * x**-1.5, 0.375 * x**-2.5],
        (0.05, 20.0),
    ),
    "x ** 3.5": (
        lambda x: x**3.5,
        lambda x: [3.5 * x**2.5, 3.5 * 2.5 * x**1.5, 3.5 * 2.5 * 1.5 * x**0.5],
        (0.05, 5.0),
    ),
    "x ** -2": (
        lambda x: x**-2,
        lambda x: [-2 * x**-3, 6 * x**-4, -24 * x**-5],
        (0.2, 5.0),
    ),
    "1.7 ** x": (
        lambda x: 1.7**x,
        lambda x: [1.7**x * math.log(1.7) ** k for k in (1, 2, 3)],
        (-5.0, 5.0),
    ),
}


@pytest.mark.parametrize("name", list(CLOSED_FORMS))
@settings(max_examples=25, deadline=None)
@given(fraction=st.floats(0.0, 1.0))
def test_three_derivatives_match_closed_form_and_torch(name: str, fraction: float) -> None:
    expression, closed, (low, high) = CLOSED_FORMS[name]
    x = low + fraction * (high - low)
    ours, theirs = nested_grads(expression, x, 3), torch_grads(expression, x, 3)
    for k, (a, b, c) in enumerate(zip(ours, closed(x), theirs, strict=True), 1):
        assert close(a, b), f"{name}: derivative {k} at {x}: ours {a}, closed form {b}"
        assert close(a, c), f"{name}: derivative {k} at {x}: ours {a}, torch {c}"


def test_power_of_a_negative_base_with_an_integer_exponent() -> None:
    for x in (-1.5, -0.3):
        ours = nested_grads(lambda v: v**3, x, 4)
        assert ours == pytest.approx([3 * x**2, 6 * x, 6.0, 0.0], rel=REL)
        assert ours == pytest.approx(torch_grads(lambda v: v**3, x, 4), rel=REL)


# --- compositions ------------------------------------------------------------------------------

COMPOSITIONS: dict[str, tuple[Callable[[Any], Any], tuple[float, float]]] = {
    "sin(x) e^x / (1 + x^2)": (lambda x: x.sin() * x.exp() / (1 + x * x), (-3.0, 3.0)),
    "tanh(sigmoid(x) log x)": (lambda x: (x.sigmoid() * x.log()).tanh(), (0.1, 6.0)),
    "sqrt(x^2 + 1)^3 - cos(x)^2": (lambda x: (x * x + 1).sqrt() ** 3 - x.cos() ** 2, (-3.0, 3.0)),
    "2^tanh(x) / (x - 5)": (lambda x: 2 ** x.tanh() / (x - 5), (-3.0, 3.0)),
    "log(1 + e^sin x) * sqrt(x)": (lambda x: (1 + x.sin().exp()).log() * x.sqrt(), (0.1, 5.0)),
}


@pytest.mark.parametrize("name", list(COMPOSITIONS))
@settings(max_examples=15, deadline=None)
@given(fraction=st.floats(0.0, 1.0))
def test_compositions_to_fourth_order_match_torch(name: str, fraction: float) -> None:
    expression, (low, high) = COMPOSITIONS[name]
    x = low + fraction * (high - low)
    ours, theirs = nested_grads(expression, x, 4), torch_grads(expression, x, 4)
    assert ours == pytest.approx(theirs, rel=REL, abs=ABS)
    # the same numbers through gradients(create_graph=True) directly
    assert [level[0] for level in our_partials(expression, (x,), 4)] == pytest.approx(
        theirs, rel=REL, abs=ABS
    )


def test_composition_closed_form() -> None:
    # f = x^2 sin x: f' = 2x sin x + x^2 cos x, f'' = (2 - x^2) sin x + 4x cos x,
    # f''' = (6 - x^2) cos x - 6x sin x
    def f(x: Any) -> Any:
        return x * x * x.sin()

    for x in (-2.0, 0.3, 1.9):
        s, c = math.sin(x), math.cos(x)
        expected = [2 * x * s + x * x * c, (2 - x * x) * s + 4 * x * c, (6 - x * x) * c - 6 * x * s]
        assert nested_grads(f, x, 3) == pytest.approx(expected, rel=REL, abs=ABS)


# --- every built-in operation, every partial derivative up to third order ----------------------

TORCH_OPS: dict[str, Callable[..., Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "neg": lambda a: -a,
    "**": lambda a, b: a**b,
    "abs": torch.abs,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "sin": torch.sin,
    "cos": torch.cos,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": F.softplus,
    "relu": torch.relu,
    "leaky_relu": lambda x, slope: torch.where(x > 0, x, slope * x),
    "linear": lambda w1, w2, x1, x2, b: w1 * x1 + w2 * x2 + b,
    "add_n": lambda a, b, c: a + b + c,
}



def test_every_builtin_is_covered() -> None:
    assert set(POINTS) == set(ops.BUILTINS) == set(TORCH_OPS)


@pytest.mark.parametrize(
    ("name", "point"), [(name, p) for name, points in POINTS.items() for p in points]
)
def test_builtin_partials_to_third_order_match_torch(name: str, point: tuple[float, ...]) -> None:
    ours = our_partials(ops.BUILTINS[name], point, 3)
    theirs = torch_partials(TORCH_OPS[name], point, 3)
    for order, (a, b) in enumerate(zip(ours, theirs, strict=True), 1):
        assert a == pytest.approx(b, rel=REL, abs=ABS), f"{name} at {point}, order {order}"


@pytest.mark.parametrize("name", list(ops.BUILTINS))
def test_local_grads_agree_on_floats_and_on_values(name: str) -> None:
    """The one formula gives the same numbers on both kinds of input."""
    operation = ops.BUILTINS[name]
    for point in POINTS[name]:
        out = operation(*point)
        on_floats = operation.local_grads(*point, out)
        values = [Value(p) for p in point]
        on_values = operation.local_grads(*values, operation(*values))
        assert [float(g) for g in on_values] == [float(g) for g in on_floats]


# --- Hessians and Hessian-vector products -------------------------------------------------------


def two(x: Any, y: Any) -> Any:
    return x * x * y + (x * y).sin() + y.exp() / x


def three(x: Any, y: Any, z: Any) -> Any:
    return x * y * z + (x * x + y * y + z * z).sqrt() + (x - z).tanh() * y.sigmoid() + z.log()


def torch_hessian(f: Callable[..., Any], point: tuple[float, ...]) -> list[list[float]]:
    inputs = tuple(torch.tensor(p, dtype=torch.float64) for p in point)
    rows = torch.autograd.functional.hessian(f, inputs)
    return [[entry.item() for entry in row] for row in rows]


@pytest.mark.parametrize(
    ("f", "point"),
    [(two, (0.7, -1.2)), (two, (-1.5, 0.4)), (three, (0.3, -0.8, 1.4)), (three, (1.1, 2.0, 0.5))],
)
def test_hessian_matches_torch(f: Callable[..., Any], point: tuple[float, ...]) -> None:
    ours = hessian(f, argnums=tuple(range(len(point))))(*point)
    assert all(type(entry) is float for row in ours for entry in row)
    expected = torch_hessian(f, point)
    for row, expected_row in zip(ours, expected, strict=True):
        assert row == pytest.approx(expected_row, rel=REL, abs=ABS)


@settings(max_examples=20, deadline=None)
@given(
    st.tuples(st.floats(-2, 2), st.floats(-2, 2), st.floats(0.2, 3)),
    st.tuples(st.floats(-1, 1), st.floats(-1, 1), st.floats(-1, 1)),
)
def test_hvp_matches_torch_and_the_hessian(
    point: tuple[float, float, float], v: tuple[float, float, float]
) -> None:
    ours = hvp(three, point, v)
    inputs = tuple(torch.tensor(p, dtype=torch.float64) for p in point)
    vector = tuple(torch.tensor(e, dtype=torch.float64) for e in v)
    _, expected = torch.autograd.functional.hvp(three, inputs, vector)
    assert ours == pytest.approx([t.item() for t in expected], rel=1e-9, abs=1e-12)
    full = hessian(three, argnums=(0, 1, 2))(*point)
    by_matrix = [sum(h * e for h, e in zip(row, v, strict=True)) for row in full]
    assert ours == pytest.approx(by_matrix, rel=1e-9, abs=1e-12)


def test_functions_of_the_package_work_in_higher_order() -> None:
    """ag.exp, ag.sin etc. are the operations themselves, usable inside grad."""
    def f(x: Any) -> Any:
        return ag.exp(ag.sin(x)) * ag.softplus(x)

    expected = torch_grads(lambda t: torch.exp(torch.sin(t)) * F.softplus(t), 0.4, 3)
    assert nested_grads(f, 0.4, 3) == pytest.approx(expected, rel=REL, abs=ABS)


# --- random expression graphs: the Hessian and a third derivative against PyTorch --------------

# Each rule keeps every intermediate result in the domain of the next operation, for any input.
UNARY: dict[str, Callable[[Any], Any]] = {
    "sin": lambda a: a.sin(),
    "cos": lambda a: a.cos(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "exp(tanh)": lambda a: a.tanh().exp(),
    "log(1+a^2)": lambda a: (1 + a * a).log(),
    "sqrt(1+a^2)": lambda a: (1 + a * a).sqrt(),
    "a^3": lambda a: a**3,
}
BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "a/(1+b^2)": lambda a, b: a / (1 + b * b),
    # The exponent stays away from 0: there PyTorch's pow backward masks its result with
    # where(exponent == 0, 0, ...), which also drops the mixed second derivative (see below).
    "sigmoid(a)^(1+sigmoid(b))": lambda a, b: a.sigmoid() ** (1 + b.sigmoid()),
}

expressions = st.recursive(
    st.sampled_from(["x", "y"]),
    lambda inner: st.one_of(
        st.tuples(st.sampled_from(list(UNARY)), inner),
        st.tuples(st.sampled_from(list(BINARY)), inner, inner),
    ),
    max_leaves=6,
)


def evaluate(tree: Any, x: Any, y: Any) -> Any:
    if tree == "x":
        return x
    if tree == "y":
        return y
    if len(tree) == 2:
        return UNARY[tree[0]](evaluate(tree[1], x, y))
    return BINARY[tree[0]](evaluate(tree[1], x, y), evaluate(tree[2], x, y))


@settings(max_examples=60, deadline=None)
@given(expressions, st.floats(-1.5, 1.5), st.floats(-1.5, 1.5))
def test_random_graphs_match_torch_to_third_order(tree: Any, x: float, y: float) -> None:
    def f(a: Any, b: Any) -> Any:
        return evaluate(tree, a, b) + 0 * a  # a Value even when the tree is a bare leaf

    ours = our_partials(f, (x, y), 3)
    theirs = torch_partials(f, (x, y), 3)
    for order, (a, b) in enumerate(zip(ours, theirs, strict=True), 1):
        assert a == pytest.approx(b, rel=1e-9, abs=1e-11), f"{tree} at {(x, y)}, order {order}"


def test_power_mixed_derivative_at_a_zero_exponent() -> None:
    """d2(a ** b)/da db = a ** (b - 1) (1 + b log a), which is 1 / a at b = 0.

    PyTorch 2.13 returns 0 for this entry at exactly b = 0 (its derivative in the base is masked
    by where(b == 0, 0, ...), and the mask hides how that derivative moves with b); this engine
    follows the formula, so here it is checked against the closed form and central differences.
    """
    for a in (0.5, 2.0, 3.7):
        mixed = hessian(lambda u, w: u**w, argnums=(0, 1))(a, 0.0)[0][1]
        assert mixed == pytest.approx(1 / a, rel=1e-15)
        assert ag.gradgradcheck(lambda u, w: u**w, [a, 0.0])
    # h(x) = sigmoid(x) ** x: h''(0) = g'(0)^2 + g''(0) with g = x log sigmoid(x)
    assert grad(grad(lambda v: v.sigmoid() ** v))(0.0) == pytest.approx(
        math.log(0.5) ** 2 + 1, rel=1e-15
    )
