"""Forward mode: dual numbers through every operation, jvp, nesting both ways, the deep chain."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from autograd_lite import Dual, Value, grad, gradients, jacfwd, jacrev, jvp, math_ops, ops
from tests.builtin_points import POINTS
from tests.test_math_ops import SMOOTH_POINTS


def directional(f: Any) -> Any:
    """x -> f'(x) by one forward pass."""
    return lambda x: jvp(f, (x,), (1.0,))[1]


# --- every operation: the tangent is the reverse-mode derivative along the direction ------------


EVERY_OPERATION = [(ops.BUILTINS[name], p) for name, points in POINTS.items() for p in points] + [
    (math_ops.OPERATIONS[name], p) for name, p in SMOOTH_POINTS.items()
]


@pytest.mark.parametrize(
    ("operation", "point"), EVERY_OPERATION, ids=[f"{op.name}{p}" for op, p in EVERY_OPERATION]
)
def test_every_operation_pushes_tangents_like_its_reverse_derivative(
    operation: ops.Operation, point: tuple[float, ...]
) -> None:
    direction = [0.5 - 0.3 * k for k in range(len(point))]
    out, tangent = jvp(lambda *xs: operation(*xs), point, direction)
    xs = [Value(p) for p in point]
    expected = gradients(operation(*xs), xs)
    assert out == operation(*point)
    assert tangent == pytest.approx(
        sum(g.data * d for g, d in zip(expected, direction)), rel=1e-12, abs=1e-15
    )


def test_dual_numbers_by_hand() -> None:
    level = ag.forward.new_level()
    x = Dual(3.0, 1.0, level)
    y = x * x + 2 * x - 1 / x + x**2 - 2**x
    assert y.primal == 9 + 6 - 1 / 3 + 9 - 8
    assert y.tangent == pytest.approx(6 + 2 + 1 / 9 + 6 - 8 * math.log(2))
    assert (x > 2.0, x < 2, x >= 3.0, x <= Dual(2.0, 5.0, level)) == (True, False, True, False)
    assert f"{x:.2f}" == "3.00" and x.data == 3.0
    assert repr(Dual(1.0, 2.0, level)) == "Dual(primal=1.0, tangent=2.0)"


def test_dual_methods_cover_the_named_operations() -> None:
    for method in ("exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "softplus",
                   "abs", "leaky_relu", "tan", "sinh", "atan", "log1p", "expm1", "sign", "floor"):
        expected = grad(lambda v, m=method: getattr(v, m)())(0.7)
        assert directional(lambda v, m=method: getattr(v, m)())(0.7) == pytest.approx(expected)
    assert directional(lambda v: v.clamp(max=0.5) + v.maximum(0.2))(0.7) == 1.0
    x = Dual(7.5, 1.0, ag.forward.new_level())
    assert ((x % 2).tangent, (x // 2).tangent, (2.0 ** x % 3).primal) == (1.0, 0.0, 2.0**7.5 % 3)
    with pytest.raises(AttributeError, match="'Dual' object has no attribute 'nope'"):
        Dual(1.0, 1.0, 1).nope  # noqa: B018


def test_math_functions_on_a_dual_number_explain() -> None:
    with pytest.raises(TypeError, match=r"returned the number .*math\.exp\(x\).*x\.exp\(\)"):
        jvp(lambda x: math.exp(x), (1.0,), (1.0,))  # type: ignore[arg-type]


def test_an_unsupported_operand_is_reported_by_python() -> None:
    with pytest.raises(TypeError, match="unsupported operand"):
        jvp(lambda x: x + "a", (1.0,), (1.0,))


# --- jvp -----------------------------------------------------------------------------------------


def test_jvp_returns_floats_for_floats_with_the_output_structure() -> None:
    def f(p: Any, x: Any) -> Any:
        return {"y": p["w"] * x + p["b"], "both": (x * x, p["w"].exp())}

    primals = ({"w": 0.5, "b": 1.0}, 2.0)
    out, tangent = jvp(f, primals, ({"w": 1.0, "b": 0.0}, 0.0))
    assert out == {"y": 2.0, "both": (4.0, math.exp(0.5))}
    assert tangent == {"y": 2.0, "both": (0.0, math.exp(0.5))}
    assert type(tangent["y"]) is float


def test_jvp_with_a_constant_output_has_tangent_zero() -> None:
    w = Value(3.0, requires_grad=False)
    assert jvp(lambda x: [x * 2, w], (1.0,), (1.0,)) == ([2.0, 3.0], [2.0, 0.0])


def test_jvp_on_values_returns_values_that_carry_the_graph() -> None:
    x = Value(0.5)
    out, tangent = jvp(lambda v: v.sin() * v, (x,), (1.0,))
    assert isinstance(out, Value) and isinstance(tangent, Value)
    (d,) = gradients(tangent, [x])  # d/dx (sin x + x cos x) = 2 cos x - x sin x
    assert d.data == pytest.approx(2 * math.cos(0.5) - 0.5 * math.sin(0.5))


def test_jvp_through_a_layer_whose_weights_are_values() -> None:
    # the weights are Values and come first in the operation: Value hands over to the Dual
    weights = [[Value(0.5), Value(-1.0)], [Value(0.25), Value(2.0)]]

    def layer(a: Any, b: Any) -> Any:
        return [ag.linear(row, [a, b], 0.1).tanh() for row in weights]

    out, tangent = jvp(layer, (0.3, -0.2), (1.0, 0.0))
    reference = jacrev(layer, argnums=0)(0.3, -0.2)
    assert tangent == pytest.approx(reference, rel=1e-12)  # floats for floats
    assert out == [v.data for v in layer(0.3, -0.2)]


def test_a_value_before_a_dual_in_an_operation_call() -> None:
    w = Value(2.0)
    out, tangent = jvp(lambda x: ag.linear([w, w], [x, x * x], 1.0), (3.0,), (1.0,))
    assert (out, tangent) == (2 * 3 + 2 * 9 + 1, 2 + 2 * 6)
    assert jvp(lambda x: ops.mul(w, x), (3.0,), (1.0,)) == (6.0, 2.0)


def test_deep_chain_of_200000_steps_needs_no_recursion() -> None:
    steps = 200_000

    def chain(x: Any) -> Any:
        for _ in range(steps):
            x = x.sin()
        return x

    value, slope = 1.0, 1.0
    for _ in range(steps):
        slope *= math.cos(value)
        value = math.sin(value)
    assert jvp(chain, (1.0,), (1.0,)) == pytest.approx((value, slope), rel=1e-9)


# --- nesting: perturbations are kept apart, and the modes compose to any order -----------------


def test_perturbation_confusion_is_avoided() -> None:
    # d/dx [x * d/dy (x + y)] = 1; mixing the two epsilons would give 2 (Siskind & Pearlmutter)
    inner = lambda x: jvp(lambda y: x + y, (1.0,), (1.0,))[1]  # noqa: E731
    assert jvp(lambda x: x * inner(x), (1.0,), (1.0,)) == (1.0, 1.0)
    assert grad(lambda x: x * inner(x))(1.0) == 1.0
    assert directional(lambda x: x * grad(lambda y: x * y)(2.0))(3.0) == 6.0


F = lambda x: (x * x).sin() * x.exp()  # noqa: E731


def third_derivative(x: float) -> float:
    """F''' by Leibniz's rule: (u e^x)''' = e^x (u + 3 u' + 3 u'' + u''') with u = sin(x^2)."""
    s, c = math.sin(x * x), math.cos(x * x)
    u1, u2, u3 = 2 * x * c, 2 * c - 4 * x * x * s, -12 * x * s - 8 * x**3 * c
    return math.exp(x) * (s + 3 * u1 + 3 * u2 + u3)


@settings(max_examples=15, deadline=None)
@given(st.floats(-1.5, 1.5))
def test_every_mix_of_forward_and_reverse_to_third_order_agrees(x: float) -> None:
    fwd, rev = directional, grad
    expected = third_derivative(x)
    for first in (fwd, rev):
        for second in (fwd, rev):
            for third in (fwd, rev):
                got = third(second(first(F)))(x)
                assert type(got) is float
                assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_jacfwd_of_jacrev_and_of_jacfwd_are_the_hessian() -> None:
    def f(p: Any) -> Any:
        return p["a"] * p["b"] * p["b"] + p["a"].sin()

    point = {"a": 0.3, "b": -1.2}
    expected = {
        "a": {"a": -math.sin(0.3), "b": 2 * -1.2},
        "b": {"a": 2 * -1.2, "b": 2 * 0.3},
    }
    for h in (jacfwd(jacrev(f))(point), jacfwd(jacfwd(f))(point), jacrev(jacrev(f))(point),
              ag.hessian(f)(point)):
        for i in expected:
            for j in expected[i]:
                assert h[i][j] == pytest.approx(expected[i][j], rel=1e-12)


def test_jvp_inside_grad_with_values_keeps_every_graph() -> None:
    def slope(a: Any) -> Any:
        return jvp(lambda x: x * x * a, (2.0,), (1.0,))[1]  # 2 x a

    assert slope(1.5) == 6.0
    assert grad(slope)(1.5) == 4.0
    assert grad(grad(lambda a: slope(a) * a))(1.5) == 8.0


# --- errors --------------------------------------------------------------------------------------


def test_tangent_structure_must_match_its_primal() -> None:
    def loss(params: Any) -> Any:
        return params["w"][0] * params["b"]

    with pytest.raises(ValueError) as caught:
        jvp(loss, ({"w": [1.0, 2.0], "b": 0.5},), ({"w": [1.0], "b": 0.0},))
    message = str(caught.value)
    assert "{'b': *, 'w': [*]}" in message and "{'b': *, 'w': [*, *]}" in message
    with pytest.raises(ValueError, match=r"2 primals but 1 tangents"):
        jvp(lambda x, y: x * y, (1.0, 2.0), (1.0,))


def test_jvp_names_the_path_of_a_leaf_that_is_not_a_number() -> None:
    def loss(params: Any) -> Any:
        return params["w"][0]

    with pytest.raises(TypeError, match=r"at params\['w'\]\[1\] got str \('x'\)"):
        jvp(loss, ({"w": [1.0, "x"]},), ({"w": [1.0, 0.0]},))
    with pytest.raises(TypeError, match=r"tangent 0 .* at params\['w'\]\[0\] got str"):
        jvp(loss, ({"w": [1.0]},), ({"w": ["t"]},))
    with pytest.raises(TypeError, match=r"primals must be a tuple or list .* got float"):
        jvp(loss, 1.0, (1.0,))  # type: ignore[arg-type]


def test_jvp_of_a_function_returning_a_number_explains() -> None:
    with pytest.raises(TypeError, match=r"jvp: <lambda> returned the number 2\.0, not a Value"):
        jvp(lambda x: 2.0, (1.0,), (1.0,))
