"""The vectorised replay's generated NumPy code: layers contracted in one call, eager's numbers.

Random layered networks of ``linear`` nodes mix every way a group reads an operand (a parameter
per node, one column for every node, a column per node, the same parameter at several places)
and every contraction the generated code writes for them; each must give the eager engine's
value and gradients, example by example and summed over the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite import Value, trace
from autograd_lite.ops import Operation
from autograd_lite.vectorized import vectorize

Source = tuple[str, int]  # ("param", i), ("act", j) or ("input", j)
Network = tuple[int, list[float], list[tuple[str, list[tuple[list[Source], list[Source], Source]]]]]

SOURCES = st.tuples(st.sampled_from(["param", "act", "input"]), st.integers(0, 5))


@st.composite
def networks(draw: st.DrawFn) -> Network:
    """Inputs, a pool of parameters, and layers of neurons ``linear(ws, xs, b)``."""
    inputs = draw(st.integers(1, 3))
    params = draw(st.lists(st.floats(-1, 1), min_size=1, max_size=4))
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        activation = draw(st.sampled_from(["relu", "tanh", "none"]))
        fan = draw(st.integers(1, 4))  # the same in a layer: its neurons form one group
        neurons = [(draw(st.lists(SOURCES, min_size=fan, max_size=fan)),
                    draw(st.lists(SOURCES, min_size=fan, max_size=fan)), draw(SOURCES))
                   for _ in range(draw(st.integers(1, 4)))]  # fmt: skip
        layers.append((activation, neurons))
    return inputs, params, layers


def network_function(network: Network) -> tuple[Callable[..., Value], list[Value], list[Value]]:
    """The network as a function, its parameters, and the inputs of its relus (as they run)."""
    _, pool, layers = network
    params = [Value(p) for p in pool]
    kinks: list[Value] = []

    def f(*xs: Value) -> Value:
        acts: list[Any] = list(xs)

        def pick(source: Source) -> Any:
            kind, i = source
            chosen = {"param": params, "act": acts, "input": xs}[kind]
            return chosen[i % len(chosen)]

        for activation, neurons in layers:
            new = []
            for ws, ins, b in neurons:
                z = al.linear([pick(w) for w in ws], [pick(x) for x in ins], pick(b))
                if activation == "relu":
                    kinks.append(z)
                new.append(z if activation == "none" else getattr(z, activation)())
            acts = new
        return al.total(acts) if len(acts) > 1 else acts[0]

    return f, params, kinks


def eager(f: Callable[..., Value], params: list[Value], row: list[float]) -> tuple[Any, ...]:
    for p in params:
        p.grad = 0.0
    xs = [Value(x) for x in row]
    out = f(*xs)
    out.backward()
    return out.data, [x.grad for x in xs], [p.grad for p in params]


def close(a: Any, b: Any) -> Any:
    return pytest.approx(b, rel=1e-12, abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(networks(), st.lists(st.lists(st.floats(-2, 2), min_size=3, max_size=3), min_size=1,
                            max_size=6))  # fmt: skip
def test_generated_code_gives_the_eager_numbers(network: Network, rows: list[list[float]]) -> None:
    f, params, kinks = network_function(network)
    batch = [row[: network[0]] for row in rows]
    expected = [eager(f, params, row) for row in batch]
    # A contraction sums in another order than the eager engine: a relu input within rounding
    # of 0 may fall on the other side of the kink, as in any engine that reorders sums.
    assume(all(abs(z.data) > 1e-9 for z in kinks))
    vtape = vectorize(trace(f, *batch[0]))
    columns = np.array(batch).T
    outputs, input_grads, leaf_grads = vtape.per_example(*columns)
    position = {leaf: i for i, leaf in enumerate(vtape.tape.leaves)}

    def by_param(row: Any) -> list[float]:
        return [row[position[p]] if p in position else 0.0 for p in params]

    for i, (value, x_grads, p_grads) in enumerate(expected):
        assert outputs[i] == close(outputs[i], value)
        assert input_grads[i].tolist() == close(input_grads[i], x_grads)
        assert by_param(leaf_grads[i]) == close(leaf_grads[i], p_grads)
    summed_outputs, summed = vtape.value_and_grad(*columns, reduce="sum")
    assert summed_outputs.tolist() == close(summed_outputs, [e[0] for e in expected])
    totals = [sum(e[2][k] for e in expected) for k in range(len(params))]
    assert by_param(summed) == close(summed, totals)
    _, mean = vtape.value_and_grad(*columns, reduce="mean")
    assert by_param(mean) == close(mean, [t / len(batch) for t in totals])


def test_a_layer_is_one_matrix_product_and_its_parameters_a_slice() -> None:
    rng = np.random.default_rng(0)
    layers = [[([Value(w) for w in rng.uniform(-1, 1, nin)], Value(0.1)) for _ in range(nout)]
              for nin, nout in [(2, 8), (8, 8), (8, 1)]]  # fmt: skip

    def loss(x: list[Value], y: Value) -> Value:
        for depth, layer in enumerate(layers):
            x = [al.linear(w, x, b) for w, b in layer]
            x = x if depth == len(layers) - 1 else [a.relu() for a in x]
        return (1 - y * x[0]).relu()

    vtape = vectorize(trace(loss, [0.5, -0.5], 1.0))
    forward, backward = vtape.source.split("def backward_summed")
    backward = backward.split("def backward_each")[0]
    assert forward.count(" @ ") == 3  # one product per layer, not one per neuron
    assert "leaves[_i" not in vtape.source  # parameters read as slices, not gathered
    assert backward.count(" @ ") == 3 + 2  # the weights' gradients, the hidden inputs' ones
    points = rng.uniform(-2, 2, (20, 2))
    labels = np.where(points[:, 0] * points[:, 1] > 0, 1.0, -1.0)
    outputs, grads = vtape.value_and_grad(points, labels, reduce="sum")
    losses = [loss([Value(a), Value(b)], Value(y)) for (a, b), y in zip(points, labels)]
    total = al.total(losses)
    total.backward()
    assert outputs.tolist() == close(outputs, [v.data for v in losses])
    by_leaf = dict(zip(vtape.tape.leaves, grads.tolist()))
    params = [p for layer in layers for w, b in layer for p in [*w, b]]
    assert [by_leaf[p] for p in params] == close(grads, [p.grad for p in params])


def test_the_inputs_gradients_are_left_out_when_only_the_leaves_are_asked_for() -> None:
    w = Value(3.0)
    vtape = vectorize(trace(lambda x: (x * w).tanh(), 0.5))
    summed = vtape.source.split("def backward_summed")[1].split("def backward_each")[0]
    each = vtape.source.split("def backward_each")[1]
    assert "GR[:, 0:1]" not in summed and "GR[:, 0:1]" in each  # column 0: the input
    _, input_grads, _ = vtape.per_example([0.5, -1.0])
    assert input_grads[:, 0].tolist() == close(
        input_grads, [3.0 * (1 - np.tanh(1.5) ** 2), 3.0 * (1 - np.tanh(-3.0) ** 2)]
    )


def test_an_operation_with_the_wrong_number_of_derivatives_is_named() -> None:
    message = "'pair': local_grads returned 1 derivatives for 2 inputs"
    written = Operation("pair", lambda a, b: a * b, lambda a, b, out: (b,))  # runs on names
    with pytest.raises(ValueError, match=message):
        vectorize(trace(lambda x: written(x, x * 2.0), 1.0))
    branching = Operation("pair", lambda a, b: a * b,
                          lambda a, b, out: (b,) if a > 0 else (b, a))  # fmt: skip
    vtape = vectorize(trace(lambda x: branching(x, x * 2.0), 1.0))  # run per element on replay
    with pytest.raises(ValueError, match=message):
        vtape.per_example([1.0, 2.0])
