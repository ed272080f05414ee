"""Every built-in operation at its boundary points, to the fourth derivative.

Boundary points: 0 and -0.0, ±1, integer and zero exponents, a zero base, the kinks of abs, relu
and leaky_relu (ties between their two sides), tiny (1e-300, and 5e-324, the smallest float) and
huge (1e300) magnitudes. At each point every partial derivative of orders 1 to 4 (taken on Values
with ``gradients(create_graph=True)``) is compared with PyTorch 2.13 in float64 where PyTorch
gives the true value, and with the closed form where PyTorch is known to differ (each such table
says why); the first derivative is also taken on floats (``backward()``). Where the true
derivative is infinite, or too large for a float, the engine raises an error that names the
operation and its inputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
import torch.nn.functional as F  # noqa: N812 - the usual spelling
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Value, grad, gradients, hessian, ops
from tests.derivatives import nested_grads, our_partials, torch_grads, torch_partials
from tests.test_higher_order_torch import TORCH_OPS

TINY, SUBNORMAL, HUGE = 1e-300, 5e-324, 1e300

#: Points where this engine and PyTorch agree on every partial derivative up to the fourth.
AGREES_WITH_TORCH: dict[str, list[tuple[float, ...]]] = {
    "+": [(0.0, 0.0), (1.0, -1.0), (SUBNORMAL, TINY), (HUGE, -HUGE)],
    "-": [(0.0, 0.0), (1.0, 1.0), (SUBNORMAL, -SUBNORMAL), (HUGE, HUGE)],
    "*": [(0.0, 0.0), (1.0, -1.0), (SUBNORMAL, TINY), (HUGE, TINY), (0.0, HUGE)],
    "/": [(0.0, 1.0), (1.0, -1.0), (0.0, -1.0), (2.0, 0.5), (TINY, HUGE), (SUBNORMAL, 1.0),
          (HUGE, 1.0)],
    "neg": [(0.0,), (-0.0,), (HUGE,), (SUBNORMAL,)],
    "abs": [(0.0,), (-0.0,), (1.0,), (-1.0,), (SUBNORMAL,), (-HUGE,)],
    "exp": [(0.0,), (1.0,), (-1.0,), (709.0,), (-745.0,), (SUBNORMAL,)],
    "log": [(1.0,), (HUGE,), (1e-50,)],
    "sqrt": [(1.0,), (1e-50,), (HUGE,)],
    "sin": [(0.0,), (1.0,), (-1.0,), (HUGE,), (SUBNORMAL,), (math.pi,)],
    "cos": [(0.0,), (1.0,), (-1.0,), (HUGE,), (SUBNORMAL,), (math.pi,)],
    "tanh": [(0.0,), (1.0,), (-1.0,), (HUGE,), (20.0,), (SUBNORMAL,)],
    "sigmoid": [(0.0,), (1.0,), (-1.0,), (40.0,), (-40.0,), (-800.0,), (HUGE,), (SUBNORMAL,)],
    "softplus": [(0.0,), (1.0,), (-1.0,), (-800.0,), (SUBNORMAL,), (HUGE,)],
    "relu": [(0.0,), (-0.0,), (1.0,), (-1.0,), (SUBNORMAL,), (-SUBNORMAL,)],
    "leaky_relu": [(0.0, 0.01), (0.0, 0.2), (1.0, 0.1), (-1.0, 0.1), (-0.0, 0.3), (SUBNORMAL, 0.01),
                   (0.0, 0.0), (-1.0, 0.0)],
    "linear": [(0.0,) * 5, (1.0, -1.0, 1.0, -1.0, 0.0), (SUBNORMAL, HUGE, TINY, SUBNORMAL, 0.0)],
    "add_n": [(0.0, 0.0, 0.0), (1.0, -1.0, SUBNORMAL)],
    # The power with both operands varying, at exponents that are not whole numbers (whole
    # exponents and zero bases are below: PyTorch masks its derivatives there).
    "**": [(1.0, 2.5), (0.5, -1.5), (1e-50, 0.5), (HUGE, 0.5), (2.0, 3.3)],
}  # fmt: skip


def points(table: dict[str, list[tuple[float, ...]]]) -> list[tuple[str, tuple[float, ...]]]:
    return [(name, point) for name, pts in table.items() for point in pts]


def test_every_builtin_is_checked_at_its_boundary_points() -> None:
    assert set(AGREES_WITH_TORCH) == set(ops.BUILTINS)


@pytest.mark.parametrize(("name", "point"), points(AGREES_WITH_TORCH))
def test_partials_to_fourth_order_match_torch(name: str, point: tuple[float, ...]) -> None:
    ours = our_partials(ops.BUILTINS[name], point, 4)
    theirs = torch_partials(TORCH_OPS[name], point, 4)
    for order, (a, b) in enumerate(zip(ours, theirs, strict=True), 1):
        assert a == pytest.approx(b, rel=1e-12, abs=0.0), f"{name} at {point}, order {order}"


@pytest.mark.parametrize(("name", "point"), points(AGREES_WITH_TORCH))
def test_first_derivative_on_floats_matches_torch(name: str, point: tuple[float, ...]) -> None:
    """backward() computes every local derivative on floats: the same numbers."""
    xs = [Value(p) for p in point]
    ops.BUILTINS[name](*xs).backward()
    (expected,) = torch_partials(TORCH_OPS[name], point, 1)
    assert [x.grad for x in xs] == pytest.approx(expected, rel=1e-12, abs=0.0)


# --- the power at integer and zero exponents and at a zero base --------------------------------


def falling(n: float, k: int) -> float:
    """n (n - 1) ... (n - k + 1): the k-th derivative of x**n is falling(n, k) * x**(n - k)."""
    return math.prod(n - i for i in range(k))


@pytest.mark.parametrize("n", [0.0, 1.0, 2.0, 3.0, 4.0])
@pytest.mark.parametrize("x", [0.0, -0.0, 1.0, -1.0, SUBNORMAL, TINY, -2.0])
def test_every_derivative_of_a_monomial_to_every_order(n: float, x: float) -> None:
    """x ** n for a whole n: each derivative, to two orders past the last non-zero one, equals
    its closed form (and PyTorch's): the derivative of x ** 0 is 0, even at x = 0."""
    order = int(n) + 2
    expected = [falling(n, k) * x ** (n - k) if k <= n else 0.0 for k in range(1, order + 1)]
    assert nested_grads(lambda v: v**n, x, order) == expected
    assert torch_grads(lambda v: v**n, x, order) == pytest.approx(expected, rel=1e-15)
    on_floats = Value(x)
    (on_floats**n).backward()
    assert on_floats.grad == expected[0]


def test_the_issues_examples() -> None:
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0.0
    gaussian: Callable[[Any], Any] = lambda v: (-(v**2)).exp()  # noqa: E731
    # e^(-x^2) = 1 - x^2 + x^4/2 - ...: derivatives at 0 are 0, -2, 0, 12
    assert nested_grads(gaussian, 0.0, 4) == [0.0, -2.0, 0.0, 12.0]
    assert grad(grad(grad(gaussian)))(0.0) == 0.0


@pytest.mark.parametrize("b", [1.0, 2.0, 2.5, 3.0])
def test_a_zero_base_with_a_varying_exponent(b: float) -> None:
    """0 ** b is 0 for every b > 0, so every derivative in b is 0 (PyTorch gives NaN from the
    second on: its graph multiplies by log(0)); the derivative in the base is b * 0 ** (b - 1)."""
    assert nested_grads(lambda v: 0.0**v, b, 4) == [0.0, 0.0, 0.0, 0.0]
    a, e = Value(0.0), Value(b)
    (a**e).backward()
    assert (a.grad, e.grad) == (1.0 if b == 1.0 else 0.0, 0.0)
    expected = [a.grad, e.grad]
    a, e = Value(0.0), Value(b)
    assert [g.data for g in gradients(a**e, [a, e], create_graph=True)] == expected
    second = hessian(lambda u, w: u**w, argnums=(0, 1))(0.0, b)
    # d2/da2 = b (b - 1) 0 ** (b - 2): 2 at b = 2, else 0; d2/db2 = 0 ** b log(0)^2 -> 0
    assert (second[0][0], second[1][1]) == (2.0 if b == 2.0 else 0.0, 0.0)


@pytest.mark.parametrize("b", [0.25, 0.5, 0.75])
def test_a_constant_zero_base_needs_no_derivative_in_the_base(b: float) -> None:
    """0 ** b in b for 0 < b < 1: the base's derivative b * 0 ** (b - 1) is infinite, but the
    base is a constant, so it is not computed (it used to raise ZeroDivisionError)."""
    assert nested_grads(lambda v: 0.0**v, b, 4) == [0.0, 0.0, 0.0, 0.0]
    e = Value(b)
    (Value(0.0, requires_grad=False) ** e).backward()
    assert e.grad == 0.0


def test_a_constant_divisor_needs_no_derivative_of_its_own() -> None:
    """x / c: d/dc = -x / c**2 overflows for x = 1e200, c = 1e-100, but c is a constant."""
    assert nested_grads(lambda v: v / 1e-100, 1e200, 3) == [1e100, 0.0, 0.0]


def test_a_zero_base_and_a_zero_exponent() -> None:
    """0 ** 0 = 1: both derivatives are taken as 0 there, as PyTorch does."""
    a, e = Value(0.0), Value(0.0)
    (a**e).backward()
    assert (a.grad, e.grad) == (0.0, 0.0)
    assert nested_grads(lambda v: 0.0**v, 0.0, 3) == [0.0, 0.0, 0.0]


def power_partial(a: float, b: float, i: int, j: int) -> float:
    """d^(i+j) (a ** b) / da^i db^j for a > 0, in closed form.

    d^i/da^i a^b = p(b) a^(b-i) with p(b) = b (b-1) ... (b-i+1); then by Leibniz's rule
    d^j/db^j [p(b) a^(b-i)] = sum_m C(j, m) p^(m)(b) a^(b-i) log(a)^(j-m).
    """
    coefficients = [1.0]  # p as a polynomial in b, lowest power first
    for root in range(i):
        shifted = [0.0, *coefficients]
        coefficients = [s - root * c for s, c in zip(shifted, [*coefficients, 0.0])]

    def derivative_at(m: int) -> float:
        return sum(
            c * falling(k, m) * b ** (k - m) for k, c in enumerate(coefficients) if k >= m
        )

    return sum(
        math.comb(j, m) * derivative_at(m) * a ** (b - i) * math.log(a) ** (j - m)
        for m in range(j + 1)
    )


@pytest.mark.parametrize("point", [(1.0, 0.0), (2.0, 0.0), (0.5, 0.0), (1.0, 1.0), (2.0, 1.0),
                                   (1.0, 2.0), (3.0, 2.0), (2.0, 3.0), (0.5, -1.0),
                                   (1e-50, 1.0), (1e-50, 3.0), (1e100, 1.0)])  # fmt: skip
def test_power_partials_at_whole_exponents_follow_the_closed_form(point: tuple[float, ...]) -> None:
    """PyTorch's derivative in the base is masked by where(b == 0, 0, ...), which drops how it
    moves with b: at a whole exponent PyTorch's mixed derivatives are 0 where the closed form is
    not (d2/da db at b = 0 is 1/a). This engine follows the closed form."""
    a, b = point
    ours = our_partials(lambda u, w: u**w, point, 4)
    for order, level in enumerate(ours, 1):
        for index, value in enumerate(level):
            j = bin(index).count("1")  # index in base 2: one digit per step, 1 = in b
            expected = power_partial(a, b, order - j, j)
            assert value == pytest.approx(expected, rel=1e-12, abs=1e-300), (point, order, index)


def test_power_closed_form_itself() -> None:
    """The oracle above against PyTorch where PyTorch is right (a > 0, b not whole)."""
    (a, b) = (1.7, 2.3)
    theirs = torch_partials(lambda u, w: u**w, (a, b), 3)
    for order, level in enumerate(theirs, 1):
        for index, value in enumerate(level):
            j = bin(index).count("1")
            assert power_partial(a, b, order - j, j) == pytest.approx(value, rel=1e-12)


def test_a_negative_base_has_no_derivative_in_the_exponent() -> None:
    """(-2) ** b is real only at whole b: d/db is NaN (as in PyTorch); d/da is exact."""
    a, e = Value(-2.0), Value(3.0)
    (a**e).backward()
    assert a.grad == 12.0 and math.isnan(e.grad)
    assert nested_grads(lambda v: v**3.0, -2.0, 4) == [12.0, -12.0, 6.0, 0.0]


# --- softplus: PyTorch's is a different function above x = 20 ----------------------------------


@pytest.mark.parametrize("x", [20.0, 25.0, 30.0])
def test_softplus_is_exact_where_torch_switches_to_x(x: float) -> None:
    """F.softplus returns x itself above its threshold 20 (so its derivatives there are 1, 0,
    0, ...); this engine's softplus is log(1 + e^x) everywhere, whose derivatives are sigmoid's."""
    s = 1 / (1 + math.exp(-x))
    expected = [s, s * (1 - s), s * (1 - s) * (1 - 2 * s)]
    assert nested_grads(lambda v: v.softplus(), x, 3) == pytest.approx(expected, rel=1e-9)
    assert torch_grads(F.softplus, x, 3)[1] == 0.0  # what PyTorch does instead


# --- where the derivative does not exist: an error that names the operation and the value ------

INFINITE: list[tuple[str, Callable[[Any], Any], float, int, str]] = [
    # (what, expression, point, order at which it fails, words the message must contain)
    ("sqrt at 0", lambda v: v.sqrt(), 0.0, 1, "backward through 'sqrt' with inputs [0.0]"),
    ("x ** 0.5 at 0", lambda v: v**0.5, 0.0, 1, "backward through '**' with inputs [0.0, 0.5]"),
    ("x ** 2.5 at 0", lambda v: v**2.5, 0.0, 3, "backward through '**' with inputs [0.0, 0.5]"),
    ("x ** 1.5 at 0", lambda v: v**1.5, 0.0, 2, "backward through '**' with inputs [0.0, 0.5]"),
    # Finite but beyond a float: a derivative computed on Values (to be differentiated again)
    # refuses to overflow, as every Value does; the outermost one, on floats, is inf as in PyTorch.
    ("log at the smallest float", lambda v: v.log(), SUBNORMAL, 2, "backward through 'log'"),
    ("sqrt at the smallest float", lambda v: v.sqrt(), SUBNORMAL, 3,
     "outside the range of a float"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("what", "f", "x", "order", "words"), INFINITE, ids=[case[0] for case in INFINITE]
)
def test_an_infinite_derivative_is_a_clear_error(
    what: str, f: Callable[[Any], Any], x: float, order: int, words: str
) -> None:
    if order > 1:
        nested_grads(f, x, order - 1)  # every lower order exists
    with pytest.raises(ArithmeticError) as caught:
        nested_grads(f, x, order)
    assert "backward through '" in str(caught.value) and words in str(caught.value)


def test_domain_errors_name_the_operation_and_the_value() -> None:
    with pytest.raises(ValueError, match=r"log: the input must be positive, got 0.0"):
        Value(0.0).log()
    with pytest.raises(ZeroDivisionError, match=r"power: 0.0 cannot be raised to a negative"):
        Value(0.0) ** -1


# --- floats and Values take the same branch at every boundary --------------------------------

boundary = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, SUBNORMAL, TINY, -TINY])


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(sorted(AGREES_WITH_TORCH)), data=st.data())
def test_local_grads_agree_on_floats_and_on_values(name: str, data: st.DataObject) -> None:
    """The one rule, run on floats (backward) and on Values (create_graph), gives one number."""
    operation = ops.BUILTINS[name]
    arity = len(AGREES_WITH_TORCH[name][0])
    point = [data.draw(boundary) for _ in range(arity)]
    try:
        out = operation(*point)
        on_floats = [float(g) for g in operation.local_grads(*point, out)]
    except (ArithmeticError, ValueError):
        return  # outside the domain (forward) or an infinite derivative: tested above
    values = [Value(p) for p in point]
    try:
        on_values = [float(g) for g in operation.local_grads(*values, operation(*values))]
    except OverflowError:
        assert not all(map(math.isfinite, on_floats))  # inf on floats is an overflow on Values
        return
    assert on_values == pytest.approx(on_floats, rel=0.0, abs=0.0, nan_ok=True)
