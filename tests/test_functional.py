"""grad, value_and_grad, gradients, hessian and hvp: semantics, nesting, and errors."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (
    Value,
    grad,
    gradients,
    hessian,
    hvp,
    no_grad,
    sin,
    value_and_grad,
)


def central(f: Any, x: float, eps: float = 1e-6) -> float:
    """A central difference of f, evaluated on Values without recording."""
    with no_grad():
        return (f(Value(x + eps)).data - f(Value(x - eps)).data) / (2 * eps)


# --- grad and value_and_grad --------------------------------------------------------------------


def test_grad_on_floats_returns_a_float() -> None:
    d = grad(lambda x: x * x * x)(2.0)
    assert type(d) is float
    assert d == 12.0


def test_grad_accepts_ints() -> None:
    assert grad(lambda x: x * x)(3) == 6.0


@settings(max_examples=40, deadline=None)
@given(st.floats(-3, 3))
def test_grad_matches_a_central_difference(x: float) -> None:
    def f(v: Any) -> Any:
        return (v.sin() * v.exp() + v * v).tanh()

    assert grad(f)(x) == pytest.approx(central(f, x), rel=1e-6, abs=1e-8)


def test_grad_composes_to_any_order() -> None:
    # the k-th derivative of e^(2x) is 2^k e^(2x)
    derivative: Any = lambda x: (2 * x).exp()  # noqa: E731
    for k in range(1, 7):
        derivative = grad(derivative)
        assert derivative(0.3) == pytest.approx(2**k * math.exp(0.6), rel=1e-12)


def test_grad_of_a_polynomial_runs_out() -> None:
    f: Any = lambda x: x**3  # noqa: E731
    derivatives = []
    for _ in range(5):
        f = grad(f)
        derivatives.append(f(2.0))
    assert derivatives == [12.0, 12.0, 6.0, 0.0, 0.0]


def test_argnums_tuple_gives_a_tuple_in_that_order() -> None:
    def f(x: Any, y: Any, z: Any) -> Any:
        return x * y * y + sin(z)  # z may be a float: the other arguments are passed as they are

    assert grad(f, argnums=(1, 0))(2.0, 3.0, 0.0) == (12.0, 9.0)
    assert grad(f, argnums=(2,))(2.0, 3.0, 0.0) == (1.0,)
    assert grad(f, argnums=-2)(2.0, 3.0, 0.0) == 12.0


def test_argnums_repeated_gives_the_same_partial() -> None:
    assert grad(lambda x, y: x * y, argnums=(0, 0))(2.0, 5.0) == (5.0, 5.0)


def test_other_arguments_pass_through_unchanged() -> None:
    def loss(w: Any, data: list[tuple[float, float]]) -> Any:
        return sum(((w * x - y) ** 2 for x, y in data), Value(0.0))

    data = [(1.0, 2.0), (2.0, 3.0)]
    # d/dw sum (w x - y)^2 = sum 2 x (w x - y)
    assert grad(loss)(1.0, data) == 2 * 1 * (1 - 2) + 2 * 2 * (2 - 3)


def test_value_and_grad() -> None:
    value, derivative = value_and_grad(lambda x, y: x * y.exp(), argnums=(0, 1))(3.0, 0.0)
    assert value == 3.0
    assert derivative == (1.0, 3.0)
    value, derivative = value_and_grad(lambda x: x.log())(2.0)
    assert (value, derivative) == (math.log(2.0), 0.5)


def test_grad_on_values_returns_values_that_carry_the_graph() -> None:
    x = Value(0.5, label="x")
    d = grad(lambda v: v.sin() * v)(x)
    assert isinstance(d, Value) and d.requires_grad
    d.backward()  # second derivative: 2 cos x - x sin x
    assert x.grad == pytest.approx(2 * math.cos(0.5) - 0.5 * math.sin(0.5), rel=1e-14)


def test_value_and_grad_on_values_returns_the_output_node() -> None:
    x = Value(2.0)
    value, d = value_and_grad(lambda v: v * v)(x)
    assert isinstance(value, Value) and value.data == 4.0
    assert isinstance(d, Value) and d.data == 4.0


def test_grad_of_a_constant_value_argument() -> None:
    d = grad(lambda v: v * v)(Value(3.0, requires_grad=False))
    assert isinstance(d, Value) and d.data == 6.0


def test_grad_works_inside_no_grad() -> None:
    with no_grad():
        assert grad(lambda x: x * x)(3.0) == 6.0
        assert grad(grad(lambda x: x * x * x))(1.0) == 6.0


def test_grad_does_not_touch_dot_grad() -> None:
    w = Value(2.0)
    assert grad(lambda x: x * w)(3.0) == 2.0  # at the top level: a float, though it depends on w
    assert w.grad == 0.0


def test_constant_function_has_zero_derivative() -> None:
    assert grad(lambda x: Value(3.0))(1.0) == 0.0
    assert grad(grad(lambda x: 2 * x + 1))(1.0) == 0.0
    assert grad(lambda x, y: x * x, argnums=(0, 1))(1.0, 4.0) == (2.0, 0.0)


# --- nesting: the derivative with respect to the argument position, not the object -------------


def test_closure_over_an_outer_variable_keeps_its_dependence() -> None:
    # d/dx [x * d/dy (x y)] = d/dx x^2 = 2x: the inner result is a Value depending on x
    assert grad(lambda x: x * grad(lambda y: x * y)(1.0))(2.0) == 4.0


def test_no_perturbation_confusion() -> None:
    # Siskind and Pearlmutter's example: d/dx [x * (d/dy (x + y) at y = 1)] = 1, not 2
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(1.0) == 1.0
    # the inner derivative is with respect to y even when y is passed the same Value as x
    assert grad(lambda x: grad(lambda y: x * y)(x))(3.0) == 1.0


def test_same_value_in_two_positions_gives_partials() -> None:
    x = Value(3.0)
    dx, dy = grad(lambda a, b: a * b * b, argnums=(0, 1))(x, x)
    assert (dx.data, dy.data) == (9.0, 18.0)


def test_mixed_partials_by_nesting() -> None:
    def f(x: Any, y: Any) -> Any:
        return x * x * y.sin()

    dxdy = grad(lambda x, y: grad(f, argnums=0)(x, y), argnums=1)(1.5, 0.4)
    assert dxdy == pytest.approx(2 * 1.5 * math.cos(0.4), rel=1e-14)


def test_deep_graph_higher_order() -> None:
    """A graph thousands of nodes deep: the iterative walk has no recursion limit."""
    def f(x: Any) -> Any:
        y = x
        for _ in range(3000):
            y = y * 1.0001
        return y * y

    scale = 1.0001**3000
    assert grad(grad(f))(0.5) == pytest.approx(2 * scale**2, rel=1e-9)


# --- gradients ---------------------------------------------------------------------------------


def test_gradients_returns_a_tuple_and_does_not_accumulate() -> None:
    a, b = Value(2.0), Value(3.0)
    out = a * a * b
    found = gradients(out, (a, b))
    assert isinstance(found, tuple) and len(found) == 2
    assert [g.data for g in found] == [12.0, 4.0]
    assert all(not g.requires_grad for g in found)
    assert a.grad == b.grad == out.grad == 0.0
    (single,) = gradients(out, a)  # a single Value still gives a tuple
    assert single.data == 12.0


def test_gradients_with_create_graph_can_be_differentiated_again() -> None:
    x, y = Value(0.8), Value(-0.3)
    out = x.sin() * y.exp()
    dx, dy = gradients(out, [x, y], create_graph=True)
    assert dx.requires_grad and dy.requires_grad
    (dxx,) = gradients(dx, x, create_graph=True)
    (dxxy,) = gradients(dxx, y)
    assert dxx.data == pytest.approx(-math.sin(0.8) * math.exp(-0.3), rel=1e-14)
    assert dxxy.data == pytest.approx(-math.sin(0.8) * math.exp(-0.3), rel=1e-14)
    # and backward through a derivative graph accumulates like any other graph
    dy.backward()
    assert x.grad == pytest.approx(math.cos(0.8) * math.exp(-0.3), rel=1e-14)


def test_gradients_of_an_unused_input_is_zero() -> None:
    x, unused = Value(1.0), Value(5.0)
    out = x * 3
    assert [g.data for g in gradients(out, [x, unused])] == [3.0, 0.0]
    g = gradients(out, [unused], create_graph=True)[0]
    assert isinstance(g, Value) and g.data == 0.0


def test_gradients_with_respect_to_an_intermediate_node() -> None:
    x = Value(2.0)
    h = x * x
    out = h.sin() + h
    (dh,) = gradients(out, h)
    assert dh.data == pytest.approx(math.cos(4.0) + 1, rel=1e-15)


def test_gradients_errors() -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match="output must be a Value, got float"):
        gradients(1.0, x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a Value, got float"):
        gradients(x * 2, [x, 1.0])  # type: ignore[list-item]
    constant = Value(2.0, requires_grad=False)
    with pytest.raises(ValueError, match=r"inputs\[0\].*does not require grad"):
        gradients(x * constant, [constant])
    with no_grad():
        frozen = x * 2
    with pytest.raises(ValueError, match=r"output .* does not require grad"):
        gradients(frozen, x)


# --- errors from grad ----------------------------------------------------------------------------


def test_grad_rejects_a_float_result_and_explains_math_functions() -> None:
    with pytest.raises(TypeError, match=r"returned the number .*math\.exp"):
        grad(lambda x: math.exp(x))(1.0)


def test_grad_rejects_a_non_scalar_result() -> None:
    with pytest.raises(TypeError, match="must return one scalar Value, got list of length 2"):
        grad(lambda x: [x, x])(1.0)
    with pytest.raises(TypeError, match="got dict"):
        grad(lambda x: {"x": x})(1.0)


def test_grad_rejects_bad_argnums() -> None:
    with pytest.raises(ValueError, match=r"argnums=2 is out of range for f called with 2"):
        grad(lambda x, y: x * y, argnums=2)(1.0, 2.0)
    with pytest.raises(ValueError, match=r"argnums=\(0, -3\) is out of range"):
        grad(lambda x, y: x * y, argnums=(0, -3))(1.0, 2.0)
    with pytest.raises(TypeError, match=r"or a sequence of ints \(a tuple, a list\), got 1\.0"):
        grad(lambda x: x, argnums=1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got True"):
        value_and_grad(lambda x: x, argnums=True)
    with pytest.raises(ValueError, match=r"argnums=\(\) names no argument"):
        grad(lambda x: x, argnums=())


def test_grad_rejects_a_non_number_argument() -> None:
    with pytest.raises(TypeError, match=r"argument 0 must be a number or a Value, .* at x got str"):
        grad(lambda x: x)("1.0")
    with pytest.raises(TypeError, match="got bool"):
        grad(lambda x: x)(True)
    with pytest.raises(TypeError, match="f must be a function, got int"):
        grad(3)(1.0)  # type: ignore[arg-type]


def test_grad_lets_the_domain_error_of_f_through() -> None:
    with pytest.raises(ValueError, match=r"log: the input must be positive, got -1\.0"):
        grad(lambda x: x.log())(-1.0)


def test_grad_function_names() -> None:
    def energy(x: Any) -> Any:
        return x * x

    assert grad(energy).__name__ == "grad_energy"
    assert value_and_grad(energy).__name__ == "value_and_grad_energy"


# --- hessian and hvp -----------------------------------------------------------------------------


def test_hessian_of_a_quadratic_form() -> None:
    def f(x: Any, y: Any) -> Any:
        return 3 * x * x + 2 * x * y + 5 * y * y + x - 7

    assert hessian(f, argnums=(0, 1))(0.3, -1.0) == ((6.0, 2.0), (2.0, 10.0))


def test_hessian_of_a_linear_function_is_zero() -> None:
    assert hessian(lambda x, y: 2 * x - y, argnums=[0, 1])(1.0, 1.0) == ((0.0, 0.0), (0.0, 0.0))


def test_hessian_on_values_carries_the_graph() -> None:
    x = Value(0.5)
    h = hessian(lambda v: v.sin())(x)
    assert isinstance(h, Value) and h.data == pytest.approx(-math.sin(0.5), rel=1e-15)
    (third,) = gradients(h, x)
    assert third.data == pytest.approx(-math.cos(0.5), rel=1e-15)


def test_hvp_signature_and_errors() -> None:
    def f(x: Any, y: Any) -> Any:
        return x * x * y

    # H = [[2y, 2x], [2x, 0]] at (1, 2) is [[4, 2], [2, 0]]; times (1, 1) gives (6, 2)
    assert hvp(f, (1.0, 2.0), (1.0, 1.0)) == [6.0, 2.0]
    with pytest.raises(ValueError, match="v has 1 entries but f gets 2 arguments"):
        hvp(f, (1.0, 2.0), (1.0,))
    with pytest.raises(TypeError, match=r"v\[1\] must be a number, got str"):
        hvp(f, (1.0, 2.0), (1.0, "x"))  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"x must be a sequence .* got float"):
        hvp(lambda x: x * x, 1.0, [1.0])  # type: ignore[arg-type]
    assert hvp(lambda x: x * x * x, [2.0], [0.5]) == [6.0]
