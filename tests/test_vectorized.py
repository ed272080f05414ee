"""Vectorised replay over a batch equals the eager engine example by example."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite import TraceGuardError, Value, trace
from autograd_lite.vectorized import vectorize
from tests.programs import Program, programs
from tests.test_tape import eager_value_and_grad, make_mlp, program_function


@settings(max_examples=60)
@given(programs(), st.lists(st.lists(st.floats(-2, 2), min_size=4, max_size=4), min_size=1,
                            max_size=5))  # fmt: skip
def test_batched_replay_equals_eager_per_example(program: Program, rows: list[list[float]]) -> None:
    f = program_function(program)
    width = len(program[0])
    batch = [row[:width] for row in rows]
    try:
        expected = [eager_value_and_grad(f, xs) for xs in batch]
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)
    vtape = vectorize(trace(f, *program[0]))
    outputs, input_grads, leaf_grads = vtape.per_example(*np.array(batch).T)
    for row, (value, grads) in enumerate(expected):
        assert outputs[row] == pytest.approx(value, rel=1e-12, abs=1e-12)
        assert input_grads[row].tolist() == pytest.approx(grads, rel=1e-9, abs=1e-12)
    _, summed = vtape.value_and_grad(*np.array(batch).T, reduce="sum")  # contracted early
    expected_sum = leaf_grads.sum(axis=0).tolist()  # NaN for a constant exponent at a base < 0
    assert summed.tolist() == pytest.approx(expected_sum, rel=1e-9, abs=1e-12, nan_ok=True)


def hinge(layers, point: list[Value], label: Value) -> Value:  # type: ignore[no-untyped-def]
    x = point
    for depth, layer in enumerate(layers):
        acts = [al.linear(w, x, b) for w, b in layer]
        x = acts if depth == len(layers) - 1 else [a.relu() for a in acts]
    return (1 - label * x[0]).relu()


def test_mlp_batch_gradients_sum_mean_and_per_example() -> None:
    layers = make_mlp(3, [2, 16, 16, 1])
    params = [p for layer in layers for w, b in layer for p in [*w, b]]
    rng = random.Random(4)
    points = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(50)]
    labels = [1.0 if x * y > 0 else -1.0 for x, y in points]
    vtape = vectorize(trace(lambda x, y: hinge(layers, x, y), points[0], labels[0]))
    assert len(vtape.groups) < 12  # sixteen neurons of a layer run as one group

    losses = [hinge(layers, p, y) for p, y in zip(points, labels)]
    mean = al.total(losses) / len(losses)
    mean.backward()
    outputs, grads = vtape.value_and_grad(points, labels, reduce="mean")
    assert outputs.tolist() == pytest.approx([v.data for v in losses], rel=1e-12)
    trainable = [leaf for leaf in vtape.tape.leaves if leaf.requires_grad]
    assert set(trainable) == set(params)
    by_leaf = dict(zip(vtape.tape.leaves, grads.tolist()))
    assert [by_leaf[p] for p in params] == pytest.approx([p.grad for p in params], rel=1e-9)

    _, per_example = vtape.value_and_grad(points, labels, reduce=None)
    assert per_example.shape == (50, len(vtape.tape.leaves))
    assert per_example.sum(axis=0).tolist() == pytest.approx((grads * 50).tolist(), rel=1e-9)

    for p in params:
        p.grad = 0.0
    loss = vtape.backward(points, labels)  # mean by default, into .grad like Value.backward
    assert loss == pytest.approx(mean.data, rel=1e-12)
    assert [p.grad for p in params] == pytest.approx([by_leaf[p] for p in params], rel=1e-12)


@pytest.mark.parametrize("name", sorted(al.ops.BUILTINS))
def test_every_operation_has_a_numpy_rule_matching_the_float_rule(name: str) -> None:
    operation = al.ops.BUILTINS[name]
    two_inputs = {"+", "-", "*", "/", "**", "leaky_relu"}
    arity = {"linear": 5, "add_n": 3}.get(name, 2 if name in two_inputs else 1)
    rng = random.Random(name)
    rows = [[rng.uniform(0.2, 2.0) for _ in range(arity)] for _ in range(6)]
    vtape = vectorize(trace(lambda *xs: operation(*xs), *rows[0]))
    outputs, input_grads, _ = vtape.per_example(*np.array(rows).T)
    for row, xs in enumerate(rows):
        value, grads = eager_value_and_grad(lambda *v: operation(*v), xs)
        assert outputs[row] == pytest.approx(value, rel=1e-12)
        assert input_grads[row].tolist() == pytest.approx(grads, rel=1e-12)


def test_refusals_are_clear() -> None:
    def branchy(x: Value) -> Value:
        return x if x > 0 else -x

    with pytest.raises(TraceGuardError, match="guards"):
        vectorize(trace(branchy, 1.0))
    vtape = vectorize(trace(lambda x: (x - 1.0).log(), 2.0))
    with pytest.raises(ValueError, match="log: the input must be positive, got -1.0"):
        vtape.forward([3.0, 0.0])
    with pytest.raises(ValueError, match="batch size"):
        vectorize(trace(lambda x, y: x * y, 1.0, 2.0)).forward([1.0, 2.0], [1.0])


def test_a_leaf_read_both_beside_inputs_and_beside_leaves() -> None:
    w, b = Value(0.7), Value(-0.2)

    def loss(x: Value) -> Value:  # position 1 of the products: x, x and b; position 0: w, w, b
        return (w * x + b).tanh() * (w * x).relu() + b * b

    xs = [1.3, -0.4, 2.0]
    vtape = vectorize(trace(loss, 1.3))
    outputs, grads = vtape.value_and_grad(xs, reduce="sum")
    total = al.total([loss(Value(x)) for x in xs])
    total.backward()
    assert outputs.sum() == pytest.approx(total.data, rel=1e-14)
    by_leaf = dict(zip(vtape.tape.leaves, grads.tolist()))
    assert [by_leaf[w], by_leaf[b]] == pytest.approx([w.grad, b.grad], rel=1e-12)
