"""Repeated blocks become loops in the tape's code, with exactly the eager engine's numbers.

A batch is one example's graph repeated, a chain is one step repeated: the generated source is
then about as long as one block, however many blocks there are, and the replay must still give
the eager engine's values and gradients bit for bit (gradients are added in the same order).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite import Value, trace
from tests.programs import OursLib, Program, evaluate, programs
from tests.test_tape import make_mlp, mlp_loss


def eager(f: Callable[..., Value], *args: Any) -> tuple[float, list[Any]]:
    def values(arg: Any) -> Any:
        return [values(a) for a in arg] if isinstance(arg, list) else Value(arg)

    leaves = [values(a) for a in args]
    out = f(*leaves)
    out.backward()

    def grads(arg: Any) -> Any:
        return [grads(a) for a in arg] if isinstance(arg, list) else arg.grad

    return out.data, [grads(a) for a in leaves]


def lines(tape: al.Tape) -> int:
    return tape.source.count("\n")


def chain(x: Value, length: int) -> Value:
    for k in range(length):
        x = x * 0.9999 if k % 2 == 0 else x.relu()
    return x


def test_a_chain_is_a_loop_carrying_its_value() -> None:
    tape = trace(lambda x: chain(x, 2000), 0.5)
    assert lines(tape) < 80
    for x in (0.5, -0.25):
        value, (grad,) = tape.value_and_grad(x)
        assert (value, [grad]) == eager(lambda v: chain(v, 2000), x)


def test_a_sum_of_products_loops_over_its_terms() -> None:
    rng = random.Random(2)
    a, b = [rng.uniform(-1, 1) for _ in range(3000)], [rng.uniform(-1, 1) for _ in range(3000)]

    def dot(xs: list[Value], ys: list[Value]) -> Value:
        return al.total([x * y for x, y in zip(xs, ys)])

    tape = trace(dot, a, b)
    value, grads = tape.value_and_grad(a, b)
    assert (value, list(grads)) == eager(dot, a, b)
    forward_only = tape.source.split("def forward_backward")[0]
    assert " * " in forward_only and forward_only.count(" * ") < 10  # one product, in a loop


def test_a_batch_loss_loops_over_examples_and_adds_gradients_in_eager_order() -> None:
    layers = make_mlp(3, [2, 8, 8, 1])
    params = [p for layer in layers for w, b in layer for p in [*w, b]]
    rng = random.Random(9)
    points = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(40)]
    labels = [1.0 if x * y > 0 else -1.0 for x, y in points]

    def loss(pts: list[list[Value]], ys: list[Value]) -> Value:
        data = mlp_loss(layers, pts, ys)
        return data + 1e-3 * al.total([p * p for p in params])

    tape = trace(loss, points, labels)
    assert lines(tape) < 3000  # forty examples, one body
    for p in params:
        p.grad = 0.0
    value = loss([[Value(x) for x in pt] for pt in points], [Value(y) for y in labels])
    value.backward()
    expected = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    assert tape.backward(points, labels) == value.data
    assert [p.grad for p in params] == expected
    tape.backward(points, labels)  # a second replay adds, as a second backward() does
    assert [p.grad for p in params] == [2 * g for g in expected]
    replayed, (point_grads, label_grads) = tape.value_and_grad(points, labels)
    assert (replayed, [point_grads, label_grads]) == eager(loss, points, labels)


def test_per_example_aux_outputs_come_out_of_the_loop() -> None:
    w = Value(0.3)

    def f(xs: list[Value]) -> tuple[Value, list[Value]]:
        predictions = [((x * w).tanh() + x).sigmoid() for x in xs]
        return al.total([p * p for p in predictions]), predictions

    xs = [0.01 * k for k in range(300)]
    tape = trace(f, xs, has_aux=True)
    assert "for " in tape.source
    (value, predictions), (grads,) = tape.value_and_grad(xs)
    leaves = [Value(x) for x in xs]
    out, eager_predictions = f(leaves)
    out.backward()
    assert value == out.data and predictions == [p.data for p in eager_predictions]
    assert grads == [v.grad for v in leaves]


@settings(max_examples=40, deadline=None)
@given(programs(), st.integers(60, 100), st.floats(-2, 2))
def test_a_random_program_repeated_over_a_batch_equals_eager(
    program: Program, batch: int, shift: float
) -> None:
    leaves, steps = program
    shared = [Value(v + 0.1) for v in leaves]  # parameters every example uses

    def f(rows: list[list[Value]]) -> Value:
        results = []
        for row in rows:
            mixed = [r * s + s for r, s in zip(row, shared)]
            results.append(evaluate(steps, mixed, OursLib)[1])
        return al.total(results)

    rows = [[x + shift * k / batch for x in leaves] for k in range(batch)]
    try:
        expected = eager(f, rows)
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)
    for p in shared:
        p.grad = 0.0
    tape = trace(f, rows)
    value, (grads,) = tape.value_and_grad(rows)
    assert (value, [grads]) == expected
