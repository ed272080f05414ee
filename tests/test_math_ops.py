"""The operations of ``autograd_lite.math_ops`` against PyTorch 2.13 (float64), closed forms and
Python's own arithmetic: values, derivatives to second order on random points, the conventions
at ties and boundaries, domain errors, and the tape's replay."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite import Value, gradcheck, gradgradcheck, math_ops, trace
from autograd_lite.naming import local_formula, node_names
from autograd_lite.vectorized import vectorize
from tests.test_higher_order_torch import our_partials, torch_partials

REL, ABS = 1e-9, 1e-12

anything = st.floats(-3, 3)
unit = st.floats(-0.95, 0.95)
positive = st.floats(0.05, 20)
away_from_zero = st.one_of(st.floats(-5, -0.05), st.floats(0.05, 5))

# name: (input strategies, the same function in PyTorch, the same function on floats)
Strategies = tuple[st.SearchStrategy[float], ...]
CASES: dict[str, tuple[Strategies, Callable[..., Any], Callable[..., Any]]] = {
    "tan": ((st.floats(-1.4, 1.4),), torch.tan, math.tan),
    "sinh": ((anything,), torch.sinh, math.sinh),
    "cosh": ((anything,), torch.cosh, math.cosh),
    "asin": ((unit,), torch.asin, math.asin),
    "acos": ((unit,), torch.acos, math.acos),
    "atan": ((anything,), torch.atan, math.atan),
    "log1p": ((st.floats(-0.9, 5),), torch.log1p, math.log1p),
    "expm1": ((anything,), torch.expm1, math.expm1),
    "log2": ((positive,), torch.log2, math.log2),
    "log10": ((positive,), torch.log10, math.log10),
    "sign": ((away_from_zero,), torch.sign, lambda x: math.copysign(1.0, x)),
    "floor": ((anything,), torch.floor, lambda x: float(math.floor(x))),
    "ceil": ((anything,), torch.ceil, lambda x: float(math.ceil(x))),
    "hypot": ((away_from_zero, anything), torch.hypot, math.hypot),
    "atan2": ((anything, away_from_zero), torch.atan2, math.atan2),
    "maximum": ((anything, anything), torch.maximum, max),
    "minimum": ((anything, anything), torch.minimum, min),
    "clamp_min": ((anything, anything), lambda x, lo: torch.clamp(x, min=lo), max),
    "clamp_max": ((anything, anything), lambda x, hi: torch.clamp(x, max=hi), min),
    "clamp": ((anything, anything, anything), torch.clamp, lambda x, lo, hi: min(max(x, lo), hi)),
    "%": ((anything, away_from_zero), torch.remainder, lambda a, b: a % b),
    # torch.floor_divide has no derivative ("not implemented"); floor(a / b) has the closed form 0
    "//": ((anything, away_from_zero), lambda a, b: torch.floor(a / b), lambda a, b: a // b),
}


def test_every_operation_is_checked() -> None:
    assert set(CASES) == set(math_ops.OPERATIONS)


def test_every_operation_is_exported_as_a_function_and_a_method() -> None:
    unary = ["tan", "sinh", "cosh", "asin", "acos", "atan", "log1p", "expm1", "log2", "log10",
             "sign", "floor", "ceil"]  # fmt: skip
    for name in unary:
        assert getattr(al, name) is math_ops.OPERATIONS[name]
        x = Value(0.5)
        assert getattr(x, name)().operation is math_ops.OPERATIONS[name]
    for name in ("atan2", "hypot", "maximum", "minimum"):
        assert getattr(al, name) is math_ops.OPERATIONS[name]
        assert getattr(Value(0.5), name)(0.25).op == name
    assert al.remainder is math_ops.OPERATIONS["%"]
    assert al.floor_divide is math_ops.OPERATIONS["//"]
    assert al.clamp is math_ops.clamp


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_partials_to_second_order_match_torch(name: str, data: st.DataObject) -> None:
    strategies, torch_function, _ = CASES[name]
    point = tuple(data.draw(s) for s in strategies)
    operation = math_ops.OPERATIONS[name]
    ours = our_partials(operation, point, 2)
    theirs = torch_partials(torch_function, point, 2)
    for order, (a, b) in enumerate(zip(ours, theirs, strict=True), 1):
        assert a == pytest.approx(b, rel=REL, abs=ABS), f"{name} at {point}, order {order}"


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_floats_and_values_give_pythons_numbers(name: str, data: st.DataObject) -> None:
    strategies, _, on_floats = CASES[name]
    point = tuple(data.draw(s) for s in strategies)
    operation = math_ops.OPERATIONS[name]
    result = operation(*point)
    assert type(result) is float
    assert result == pytest.approx(on_floats(*point), rel=1e-15, abs=1e-300)
    assert operation(*[Value(p) for p in point]).data == result
    local_on_floats = operation.local_grads(*point, result)
    values = [Value(p) for p in point]
    local_on_values = operation.local_grads(*values, operation(*values))
    assert [float(g) for g in local_on_values] == [float(g) for g in local_on_floats]


SMOOTH_POINTS: dict[str, tuple[float, ...]] = {
    "tan": (0.4,), "sinh": (-0.8,), "cosh": (1.3,), "asin": (0.3,), "acos": (-0.6,),
    "atan": (2.0,), "log1p": (-0.4,), "expm1": (0.9,), "log2": (3.0,), "log10": (0.2,),
    "hypot": (0.7, -1.2), "atan2": (-0.5, 0.8), "%": (5.3, -2.0), "maximum": (0.3, -0.2),
    "minimum": (0.3, -0.2), "clamp": (0.4, 0.0, 1.0), "clamp_min": (0.4, 0.1),
    "clamp_max": (0.4, 0.7),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SMOOTH_POINTS))
def test_gradcheck_and_gradgradcheck(name: str) -> None:
    operation = math_ops.OPERATIONS[name]
    assert gradcheck(operation, list(SMOOTH_POINTS[name]))
    assert gradgradcheck(operation, list(SMOOTH_POINTS[name]))


# --- ties and boundaries: the conventions, the same as PyTorch's ------------------------------

BOUNDARY_POINTS = [
    ("tan", (0.0,)), ("sinh", (0.0,)), ("cosh", (0.0,)), ("asin", (0.0,)), ("acos", (0.0,)),
    ("atan", (0.0,)), ("log1p", (0.0,)), ("expm1", (0.0,)), ("log2", (1.0,)), ("log10", (1.0,)),
    ("atan2", (0.0, 1.0)), ("atan2", (0.0, -1.0)), ("atan2", (1.0, 0.0)), ("atan2", (-2.0, 0.0)),
    ("hypot", (2.0, 0.0)), ("hypot", (0.0, -1.0)),
    ("maximum", (1.0, 1.0)), ("minimum", (-2.0, -2.0)), ("maximum", (0.0, 0.0)),
    ("clamp", (0.0, 0.0, 1.0)), ("clamp", (1.0, 0.0, 1.0)), ("clamp", (1.0, 1.0, 1.0)),
    ("clamp", (0.5, 2.0, 1.0)), ("clamp", (1.0, 2.0, 1.0)), ("clamp", (3.0, 2.0, 1.0)),
    ("clamp_min", (0.0, 0.0)), ("clamp_max", (0.0, 0.0)),
    ("%", (4.0, 2.0)), ("%", (-4.0, 2.0)), ("%", (0.0, -3.0)), ("%", (1.0, 1e-3)),
    ("//", (4.0, 2.0)), ("//", (-4.0, 2.0)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "point"), BOUNDARY_POINTS)
def test_boundary_points_to_fourth_order_match_torch(name: str, point: tuple[float, ...]) -> None:
    """Zeros, ±1, axes, ties, bounds, integer quotients: every partial up to the fourth."""
    operation = math_ops.OPERATIONS[name]
    ours = our_partials(operation, point, 4)
    theirs = torch_partials(CASES[name][1], point, 4)
    for order, (a, b) in enumerate(zip(ours, theirs, strict=True), 1):
        assert a == pytest.approx(b, rel=REL, abs=ABS), f"{name} at {point}, order {order}"



def grads_of(f: Callable[..., Any], *xs: float) -> tuple[float, list[float]]:
    values = [Value(x) for x in xs]
    out = f(*values)
    out.backward()
    return out.data, [v.grad for v in values]


def torch_grads_of(f: Callable[..., Any], *xs: float) -> tuple[float, list[float]]:
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = f(*tensors)
    out.backward()
    return out.item(), [0.0 if t.grad is None else t.grad.item() for t in tensors]


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(al.maximum, torch.maximum), (al.minimum, torch.minimum)],
)
@pytest.mark.parametrize("tie", [0.0, -1.5, 2.0, 1e-300])
def test_maximum_and_minimum_split_a_tie_evenly_like_torch(
    ours: Any, theirs: Any, tie: float
) -> None:
    assert grads_of(ours, tie, tie) == torch_grads_of(theirs, tie, tie)
    assert grads_of(ours, tie, tie)[1] == [0.5, 0.5]
    a = Value(tie)
    ours(a, a).backward()  # the same Value on both sides: both halves arrive
    assert a.grad == 1.0
    b = Value(tie)
    ours(b, tie).backward()  # against a constant: still half, as in torch
    assert b.grad == 0.5


def test_higher_derivatives_at_a_tie_are_zero_like_torch() -> None:
    for ours, theirs in ((al.maximum, torch.maximum), (al.minimum, torch.minimum)):
        assert our_partials(ours, (1.0, 1.0), 3) == torch_partials(theirs, (1.0, 1.0), 3)


def test_pythons_max_gives_the_whole_gradient_to_one_operand() -> None:
    a, b = Value(1.0), Value(1.0)
    max(a, b).backward()  # documented: max() returns a itself, so a gets everything
    assert (a.grad, b.grad) == (1.0, 0.0)


CLAMP_POINTS = [
    (x, low, high)
    for low, high in [(0.0, 1.0), (1.0, 1.0), (2.0, 1.0)]
    for x in (-1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)
]


@pytest.mark.parametrize("point", CLAMP_POINTS)
def test_clamp_with_value_bounds_matches_torch(point: tuple[float, float, float]) -> None:
    assert grads_of(al.clamp, *point) == torch_grads_of(torch.clamp, *point)


@pytest.mark.parametrize("point", CLAMP_POINTS)
def test_clamp_with_number_bounds_matches_torch(point: tuple[float, float, float]) -> None:
    x, low, high = point
    expected = torch_grads_of(lambda t: torch.clamp(t, min=low, max=high), x)
    assert grads_of(lambda v: v.clamp(min=low, max=high), x) == expected
    for only in ({"min": low}, {"max": high}):
        ours = grads_of(lambda v, only=only: v.clamp(**only), x)  # type: ignore[misc]
        assert ours == torch_grads_of(lambda t, only=only: torch.clamp(t, **only), x)


@pytest.mark.parametrize("point", [(0.0, 0.0), (1.0, 0.0), (-1.0, 0.0), (0.5, 0.5)])
def test_one_sided_clamps_with_value_bounds_match_torch(point: tuple[float, float]) -> None:
    assert grads_of(lambda x, lo: x.clamp(min=lo), *point) == torch_grads_of(
        lambda x, lo: torch.clamp(x, min=lo), *point
    )
    assert grads_of(lambda x, hi: x.clamp(max=hi), *point) == torch_grads_of(
        lambda x, hi: torch.clamp(x, max=hi), *point
    )


def test_clamp_needs_a_bound() -> None:
    with pytest.raises(ValueError, match="clamp: give at least one of min and max"):
        Value(1.0).clamp()
    assert al.clamp(5.0, max=1.0) == 1.0 and al.clamp(-5.0, min=0.0) == 0.0


@pytest.mark.parametrize("name", ["sign", "floor", "ceil"])
@pytest.mark.parametrize("x", [0.0, -0.0, 1.0, -2.0, 0.5, -0.5, 1e300])
def test_steps_have_derivative_zero_to_fourth_order(name: str, x: float) -> None:
    operation = math_ops.OPERATIONS[name]
    torch_function = CASES[name][1]
    assert operation(x) == torch_function(torch.tensor(x, dtype=torch.float64)).item()
    assert our_partials(operation, (x,), 4) == [[0.0]] * 4


def test_hypot_at_the_origin_has_derivative_zero_like_abs() -> None:
    assert our_partials(al.hypot, (0.0, 0.0), 4) == [[0.0, 0.0], [0.0] * 4, [0.0] * 8, [0.0] * 16]
    assert our_partials(al.hypot, (0.0, 0.0), 1) == our_partials(
        lambda x, y: abs(x) + abs(y), (0.0, 0.0), 1
    )
    assert grads_of(al.hypot, -3.0, 0.0) == (3.0, [-1.0, 0.0])


@pytest.mark.parametrize(
    ("a", "b"), [(5.5, 2.0), (-5.5, 2.0), (5.5, -2.0), (-5.5, -2.0), (4.0, 2.0), (-1e-20, 1.0),
                 (0.0, 3.0), (7.0, 0.5), (1.0, 1e-3), (-1.0, 0.1)]
)  # fmt: skip
def test_remainder_and_floor_division_follow_python_and_torch(a: float, b: float) -> None:
    value, grads = grads_of(lambda x, y: x % y, a, b)
    assert value == a % b
    assert (value, grads) == torch_grads_of(torch.remainder, a, b)
    assert grads == [1.0, -(a // b)]
    value, grads = grads_of(lambda x, y: x // y, a, b)
    assert value == a // b == torch.floor_divide(torch.tensor(a), torch.tensor(b)).item()
    assert grads == [0.0, 0.0]
    x = Value(b)
    quotient, rest = divmod(a, x)  # reflected: a number on the left
    assert (quotient.data, rest.data) == divmod(a, b)
    (a % x).backward()
    assert x.grad == -(a // b)


def test_operators_refuse_other_types() -> None:
    with pytest.raises(TypeError):
        Value(1.0) % "2"  # type: ignore[operator]
    with pytest.raises(TypeError):
        [1] // Value(1.0)  # type: ignore[operator]
    with pytest.raises(TypeError):
        divmod(Value(1.0), True)


# --- domain errors: the operation and the value, on floats and on Values ----------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: al.asin(2.0), ValueError, r"asin: the input must be in \[-1, 1\], got 2.0"),
        (lambda: al.acos(-1.5), ValueError, r"acos: the input must be in \[-1, 1\], got -1.5"),
        (lambda: al.log1p(-1.0), ValueError, "log1p: the input must be greater than -1, got -1.0"),
        (lambda: al.log2(0.0), ValueError, "log2: the input must be positive, got 0.0"),
        (lambda: al.log10(-3.0), ValueError, "log10: the input must be positive, got -3.0"),
        (lambda: al.sinh(800.0), OverflowError, r"sinh: sinh\(800.0\) is too large"),
        (lambda: al.cosh(-800.0), OverflowError, r"cosh: cosh\(-800.0\) is too large"),
        (lambda: al.expm1(800.0), OverflowError, r"expm1: expm1\(800.0\) is too large"),
        (lambda: al.remainder(5.0, 0.0), ZeroDivisionError, "remainder: 5.0 % 0 is undefined"),
        (lambda: al.floor_divide(5.0, 0.0), ZeroDivisionError, "floor_divide: 5.0 // 0"),
        (lambda: al.hypot(1.5e308, 1.5e308), OverflowError, "hypot: the result"),
    ],
)
def test_domain_errors_name_the_operation_and_the_value(
    call: Callable[[], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        call()


def test_domain_errors_on_values() -> None:
    with pytest.raises(ValueError, match=r"asin: the input must be in \[-1, 1\], got 2.0"):
        Value(2.0).asin()
    with pytest.raises(ZeroDivisionError, match="remainder: 5.0 % 0"):
        Value(5.0) % 0
    with pytest.raises(ZeroDivisionError, match="floor_divide: 1.0 // 0"):
        1.0 // Value(0.0)


@pytest.mark.parametrize(
    ("f", "point", "name"),
    [(al.asin, (1.0,), "asin"), (al.acos, (-1.0,), "acos"), (al.atan2, (0.0, 0.0), "atan2")],
)
def test_infinite_or_undefined_derivatives_are_errors(
    f: Callable[..., Any], point: tuple[float, ...], name: str
) -> None:
    """asin/acos at +-1 (infinite; torch: inf) and atan2 at the origin (not continuous; torch
    masks it to 0): the value exists, the derivative does not."""
    values = [Value(p) for p in point]
    out = f(*values)
    assert out.data == f(*point)
    with pytest.raises(ZeroDivisionError, match=f"backward through '{name}' with inputs"):
        out.backward()


# --- the tape and its vectorised replay run every operation exactly as the eager engine --------


def replayed_everywhere(name: str, rows: list[list[float]]) -> None:
    """Eager, the tape's generated code and the vectorised replay agree on every row."""
    operation = math_ops.OPERATIONS[name]

    def f(*xs: Value) -> Value:
        return operation(*xs) * xs[0] + 1.0

    tape = trace(f, *rows[0])
    outputs, input_grads, _ = vectorize(tape).per_example(*np.array(rows).T)
    for row, xs in enumerate(rows):
        expected_value, expected_grads = grads_of(f, *xs)
        value, grads = tape.value_and_grad(*xs)
        assert (value, list(grads)) == (expected_value, expected_grads), (name, xs)
        assert outputs[row] == pytest.approx(expected_value, rel=1e-13, abs=1e-15), (name, xs)
        assert input_grads[row].tolist() == pytest.approx(expected_grads, rel=1e-13, abs=1e-15)


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_tape_and_vectorised_replay_equal_eager(name: str, data: st.DataObject) -> None:
    strategies = CASES[name][0]
    rows = [[data.draw(s) for s in strategies] for _ in range(data.draw(st.integers(1, 5)))]
    replayed_everywhere(name, rows)


# Boundary points where PyTorch differs or has nothing to compare (closed forms pinned above).
OWN_CONVENTIONS = [
    ("hypot", (0.0, 0.0)), ("hypot", (0.0, 2.0)),
    *[(step, (x,)) for step in ("sign", "floor", "ceil") for x in (0.0, -0.0, 2.0, -1.5, 3.7)],
]  # fmt: skip


@pytest.mark.parametrize("name", sorted({n for n, _ in BOUNDARY_POINTS + OWN_CONVENTIONS}))
def test_ties_and_boundaries_replay_as_eager(name: str) -> None:
    """One batch holds every boundary point of the operation, so each conditional rule runs on
    arrays whose elements take different branches."""
    points = [list(p) for n, p in BOUNDARY_POINTS + OWN_CONVENTIONS if n == name]
    replayed_everywhere(name, points)


def test_the_tape_lists_remainder_and_floor_division_as_operators() -> None:
    listing = str(trace(lambda a, b: a % b - a // b, 5.5, 2.0))
    assert "t0 = x0 % x1" in listing or "t1 = x0 % x1" in listing
    assert "x0 // x1" in listing


# --- micrograd's _backward: one step of the chain rule, with backward()'s rules ----------------


def test_underscore_backward_steps_through_the_same_rules_as_backward() -> None:
    x, y = Value(0.3), Value(-1.2)
    out = (x.atan2(y) * x.hypot(y)).tanh() + x % 0.25
    out.backward()
    expected = (x.grad, y.grad)
    x.grad = y.grad = 0.0
    out.zero_grad()
    out.grad = 1.0
    for node in reversed(al.topological_order(out)):
        node._backward()
    assert (x.grad, y.grad) == expected
    leaf = Value(2.0)
    leaf.grad = 5.0
    leaf._backward()  # a leaf: nothing to do
    assert leaf.grad == 5.0


def test_underscore_backward_explains_a_failing_rule() -> None:
    x = Value(1.0)
    out = x.asin()
    out.grad = 1.0
    with pytest.raises(ZeroDivisionError, match="backward through 'asin' with inputs"):
        out._backward()


SHOWN_AS = {
    "+": "`a + b`", "-": "`a - b`", "neg": "`-a`", "*": "`a * b`", "/": "`a / b`",
    "**": "`a ** b`", "%": "`a % b`", "//": "`a // b`", "add_n": "`total(",
    "clamp_min": "`clamp(x, min, max)`", "clamp_max": "`clamp(x, min, max)`",
}  # fmt: skip


def test_the_readme_table_lists_every_operation() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Every operation, its derivative and its boundary points")[1]
    table = section.split("\n\n")[2]
    assert table.startswith("| Operation | Derivative | Domain | At the boundary points |")
    for name in sorted({*al.ops.BUILTINS, *math_ops.OPERATIONS}):
        assert SHOWN_AS.get(name, f"`{name}(") in table, name


def test_the_readme_example_of_maximum_and_max_prints_what_it_says(
    capsys: pytest.CaptureFixture[str],
) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("Use\n`maximum` / `minimum` for PyTorch's even split:")[1]
    code = section.split("```python\n")[1].split("```")[0]
    exec(compile(code, "<README maximum block>", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    promised = [line.split("# ")[1] for line in code.splitlines() if line.startswith("print(")]
    assert printed == promised


@pytest.mark.parametrize("name", sorted(math_ops.OPERATIONS))
def test_explain_and_the_stepper_write_every_new_rule_out(name: str) -> None:
    operation = math_ops.OPERATIONS[name]
    point = SMOOTH_POINTS.get(name, (0.5,) * (operation.arity or 1))
    inputs = [Value(p, label=f"v{i}") for i, p in enumerate(point)]
    node = operation(*inputs)
    names = node_names(al.topological_order(node))
    formulas = [local_formula(node, j, names) for j in range(len(inputs))]
    assert all(formulas), (name, formulas)
    assert name not in ("atan2",) or formulas == ["v1/(v1²+v0²)", "-v0/(v1²+v0²)"]
    text = str(al.explain(node * 2.0, inputs[0]))
    assert formulas[0] in text


@pytest.mark.parametrize(
    ("name", "point"),
    [*SMOOTH_POINTS.items(), *BOUNDARY_POINTS, *OWN_CONVENTIONS],
)
def test_forward_mode_agrees_with_reverse_mode(name: str, point: tuple[float, ...]) -> None:
    """jvp carries tangents through the same rules: each unit tangent gives one partial, ties
    and bounds included."""
    operation = math_ops.OPERATIONS[name]
    value, grads = grads_of(operation, *point)
    for i in range(len(point)):
        tangent = tuple(1.0 if j == i else 0.0 for j in range(len(point)))
        assert al.jvp(operation, point, tangent) == (value, grads[i]), (name, point, i)
