"""One definition per operation: eager, tape and vectorised replay all derive from it.

User operations, built-in or not, of any arity, variadic or not, with rules that run on stand-ins
or rules that only run on floats, give the same values and gradients in the eager engine, the
tape's generated code and the vectorised NumPy replay. The conventions at kinks (relu'(0) = 0,
|x|'(0) = 0, leaky_relu's slope, power at a zero base) are the same in all three.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Operation, Value, ops, trace
from autograd_lite.ops import where
from autograd_lite.vectorized import vectorize

# --- user operations written in every style ---------------------------------------------------

# Arithmetic only: runs on every stand-in as it is.
cube = Operation("cube", lambda x: x**3, lambda x, out: (3 * x * x,))
# Three inputs, a conditional written with where.
clamp3 = Operation(
    "clamp3",
    lambda x, lo, hi: where(x < lo, lo, where(x > hi, hi, x)),
    lambda x, lo, hi, out: (
        where(x < lo, 0.0, where(x > hi, 0.0, 1.0)),
        where(x < lo, 1.0, 0.0),
        where(x < lo, 0.0, where(x > hi, 1.0, 0.0)),
    ),
)
# Variadic: any number of inputs.
sum_of_squares = Operation(
    "sum_of_squares",
    lambda *xs: sum((x * x for x in xs), 0.0),
    lambda *xs_out: tuple(2 * x for x in xs_out[:-1]),
)
# Rules that only work on floats (math.* and a Python if): called by reference in the tape,
# element by element in the vectorised replay.
erf = Operation("erf", math.erf, lambda x, out: (2 / math.sqrt(math.pi) * math.exp(-x * x),))
hinge_like = Operation(
    "hinge_like",
    lambda x, m: m - x if x < m else 0.0,
    lambda x, m, out: (-1.0, 1.0) if x < m else (0.0, 0.0),
)
# A float forward that checks its domain, with the array form declared beside it.
safe_log1p = Operation(
    "safe_log1p",
    lambda x: math.log1p(x),
    lambda x, out: (1 / (1 + x),),
    array_forward=lambda np, x: np.log1p(x),
)

FUNCTIONS: dict[str, tuple[Callable[..., Any], int]] = {
    "cube": (lambda a, b, c: cube(a * b) + c, 3),
    "clamp3": (lambda a, b, c: clamp3(a, b - 1.0, c + 1.0) * a, 3),
    "sum_of_squares": (lambda a, b, c: sum_of_squares(a, b, c, a * b) + sum_of_squares(c), 3),
    "erf": (lambda a, b, c: erf(a * b - c), 3),
    "hinge_like": (lambda a, b, c: hinge_like(a, b) * c, 3),
    "safe_log1p": (lambda a, b, c: safe_log1p(a * a + b * b) * c, 3),
}


def eager(f: Callable[..., Any], xs: Sequence[float]) -> tuple[float, list[float]]:
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


def all_three(f: Callable[..., Any], rows: list[list[float]]) -> None:
    """Eager, tape and vectorised replay agree on every row, values and gradients."""
    tape = trace(f, *rows[0])
    outputs, input_grads, _ = vectorize(tape).per_example(*np.array(rows).T)
    for row, xs in enumerate(rows):
        value, grads = eager(f, xs)
        replayed, replayed_grads = tape.value_and_grad(*xs)
        assert replayed == value and list(replayed_grads) == grads  # the same arithmetic
        assert outputs[row] == pytest.approx(value, rel=1e-12, abs=1e-15)
        assert input_grads[row].tolist() == pytest.approx(grads, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=15, deadline=None)
@given(rows=st.lists(st.lists(st.floats(-2, 2), min_size=3, max_size=3), min_size=2, max_size=4))
def test_user_operations_run_like_builtins_everywhere(name: str, rows: list[list[float]]) -> None:
    function, _ = FUNCTIONS[name]
    all_three(function, rows)


def test_a_user_operation_of_many_inputs_vectorises_over_a_batch() -> None:
    rng = random.Random(5)
    rows = [[rng.uniform(-2, 2) for _ in range(7)] for _ in range(9)]
    all_three(lambda *xs: sum_of_squares(*xs) * clamp3(xs[0], xs[1], xs[2]), rows)


def test_the_generated_code_inlines_rules_that_run_on_names() -> None:
    source = trace(lambda a, b, c: clamp3(a, b, c) + cube(a), 0.5, -1.0, 1.0).source
    assert "x0 ** 3" in source and "3 * x0 * x0" in source
    assert " if x0 < x1 else " in source  # where(...) became a conditional expression
    source = trace(lambda x: erf(x), 0.5).source
    assert "_erf(x0)" in source  # math.erf cannot run on a name: called by reference


# --- conventions at kinks, pinned in every way of running ----------------------------------------

KINKS: list[tuple[str, Callable[..., Any], list[float], list[float]]] = [
    # name, function, inputs, eager gradients (the conventions, as PyTorch chooses them)
    ("relu at 0", lambda x: x.relu(), [0.0], [0.0]),
    ("relu above 0", lambda x: x.relu(), [2.0], [1.0]),
    ("abs at 0", lambda x: abs(x), [0.0], [0.0]),
    ("abs below 0", lambda x: abs(x), [-3.0], [-1.0]),
    ("leaky_relu below 0", lambda x: x.leaky_relu(0.2), [-3.0], [0.2]),
    ("leaky_relu at 0", lambda x: x.leaky_relu(0.2), [0.0], [0.2]),
    ("leaky_relu slope", lambda x, s: ops.leaky_relu(x, s), [-3.0, 0.5], [0.5, -3.0]),
    ("leaky_relu slope above 0", lambda x, s: ops.leaky_relu(x, s), [3.0, 0.5], [1.0, 0.0]),
    ("power, zero base, in the exponent", lambda a, b: a**b, [0.0, 2.0], [0.0, 0.0]),
    # only the exponent needs a gradient: the base's derivative (infinite here) is never taken
    ("power, constant zero base", lambda x: 0.0**x, [0.5], [0.0]),
    ("power, positive base", lambda a, b: a**b, [2.0, 3.0], [12.0, 8.0 * math.log(2.0)]),
]


@pytest.mark.parametrize("name", [k[0] for k in KINKS])
def test_conventions_at_kinks_are_the_same_in_eager_tape_and_vectorised(name: str) -> None:
    _, f, xs, expected = next(k for k in KINKS if k[0] == name)
    value, grads = eager(f, xs)
    assert grads == expected
    tape = trace(f, *xs)
    assert tape.value_and_grad(*xs) == (value, tuple(expected))
    outputs, input_grads, _ = vectorize(tape).per_example(*np.array([xs, xs]).T)
    assert outputs.tolist() == [value, value]
    assert input_grads.tolist() == [expected, expected]


def test_a_second_backward_through_a_tape_adds_as_eager_does() -> None:
    w = Value(0.7)

    def f(x: Value) -> Value:
        return (x * w).tanh() * w

    eager_w = Value(0.7)
    for _ in range(2):
        (Value(1.5) * eager_w).tanh().__mul__(eager_w).backward()
    once = Value(0.7)
    (Value(1.5) * once).tanh().__mul__(once).backward()
    assert eager_w.grad == 2 * once.grad != 0.0

    tape = trace(f, 1.5)
    tape.backward(1.5)
    tape.backward(1.5)
    assert w.grad == eager_w.grad
    w.grad = 0.0
    vtape = vectorize(tape)
    vtape.backward([1.5], reduce="sum")
    vtape.backward([1.5], reduce="sum")
    assert w.grad == pytest.approx(eager_w.grad, rel=1e-15)
    w.grad = 1.0  # a gradient already there is added to, never replaced
    tape.backward(1.5)
    assert w.grad == pytest.approx(1.0 + once.grad, rel=1e-15)
