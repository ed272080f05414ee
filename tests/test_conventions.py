"""Conventions no other test states, each pinned so that changing it fails a test.

Each test here was checked against the single change it names (a mutation applied by hand: the
test failed, then the change was reverted). They are written against the public API, so they
hold whatever the tape and the vectorised replay look like inside:

* the derivatives at kinks and at a zero base, the same in the eager engine, on Values (higher
  order), in the tape's generated code and in the vectorised replay, and equal to PyTorch's;
* a tape's ``backward`` and a vectorised ``backward`` add into ``.grad`` exactly as
  ``Value.backward`` does;
* ``max_nodes`` accepts a graph of exactly that many Values and refuses one more;
* ``fit`` draws mini-batches in a new order each epoch, from its seed;
* ``nn.save`` keeps an existing file's permission bits and gives a new file 0o644.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import autograd_lite as al
import nn
from autograd_lite import Value, backward_stepper, draw_dot, grad, trace
from autograd_lite.graph import count_nodes, topological_order
from autograd_lite.vectorized import vectorize

# --- derivatives at kinks and boundaries, in every way of running an operation ----------------


def eager(f: Callable[..., Value], xs: list[float]) -> list[float]:
    values = [Value(x) for x in xs]
    f(*values).backward()
    return [v.grad for v in values]


def on_values(f: Callable[..., Value], xs: list[float]) -> list[float]:
    values = [Value(x) for x in xs]
    return [g.data for g in al.gradients(f(*values), values, create_graph=True)]


def taped(f: Callable[..., Value], xs: list[float]) -> list[float]:
    _, grads = trace(f, *xs).value_and_grad(*xs)
    return list(grads)


def vectorised(f: Callable[..., Value], xs: list[float]) -> list[float]:
    vtape = vectorize(trace(f, *[x + 1.0 for x in xs]))  # traced elsewhere, replayed here
    _, input_grads, _ = vtape.per_example(*[np.array([x]) for x in xs])
    return [float(g) for g in input_grads[0]]


BACKENDS = {"eager": eager, "values": on_values, "tape": taped, "vectorised": vectorised}

KINKS: list[tuple[str, Callable[..., Any], Callable[..., Any], list[float], list[float]]] = [
    # (what, expression on Values, the same on tensors, point, derivatives there)
    ("relu at 0", lambda x: x.relu(), torch.relu, [0.0], [0.0]),
    ("relu at -0.0", lambda x: x.relu(), torch.relu, [-0.0], [0.0]),
    ("relu just above 0", lambda x: x.relu(), torch.relu, [5e-324], [1.0]),
    ("abs at 0", lambda x: abs(x), torch.abs, [0.0], [0.0]),
    ("leaky_relu at 0 (slope 0.2)", lambda x: x.leaky_relu(0.2),
     lambda t: torch.nn.functional.leaky_relu(t, 0.2), [0.0], [0.2]),
    ("leaky_relu below 0 (slope 0.2)", lambda x: x.leaky_relu(0.2),
     lambda t: torch.nn.functional.leaky_relu(t, 0.2), [-1.5], [0.2]),
    ("leaky_relu below 0 (default slope)", lambda x: x.leaky_relu(),
     lambda t: torch.nn.functional.leaky_relu(t, 0.01), [-1.5], [0.01]),
    ("slope of leaky_relu, learned", lambda x, s: x.leaky_relu(s),
     lambda t, s: torch.where(t > 0, t, s * t), [-1.5, 0.3], [0.3, -1.5]),
    ("x ** 0 at 0", lambda x: x**0, lambda t: t**0, [0.0], [0.0]),
    ("x ** 2 at 0", lambda x: x**2, lambda t: t**2, [0.0], [0.0]),
    ("exponent at a zero base", lambda a, b: a**b, lambda a, b: a**b, [0.0, 2.0], [0.0, 0.0]),
    ("exponent at a zero base, one", lambda a, b: a**b, lambda a, b: a**b, [0.0, 1.0], [1.0, 0.0]),
    ("exponent of a constant zero base", lambda b: 0.0**b, lambda b: 0.0**b, [0.5], [0.0]),
    ("exponent of a constant zero base at 0", lambda b: 0.0**b, lambda b: 0.0**b, [0.0], [0.0]),
    ("exponent at a positive base", lambda a, b: a**b, lambda a, b: a**b, [2.0, 3.0],
     [12.0, 8.0 * 0.6931471805599453]),
]  # fmt: skip


@pytest.mark.parametrize("backend", list(BACKENDS))
@pytest.mark.parametrize(
    ("what", "f", "torch_f", "point", "expected"), KINKS, ids=[k[0] for k in KINKS]
)
def test_the_convention_at_a_kink_is_the_same_everywhere(
    backend: str, what: str, f: Callable[..., Any], torch_f: Callable[..., Any],
    point: list[float], expected: list[float],
) -> None:  # fmt: skip
    def function(*xs: Value) -> Value:
        return f(*xs) + 0.0 * xs[0]  # a traced graph needs the input even where f is constant

    assert BACKENDS[backend](function, point) == pytest.approx(expected, rel=1e-15)
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in point]
    theirs = torch.autograd.grad(torch_f(*tensors), tensors)
    assert [t.item() for t in theirs] == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("f", [lambda x: x.relu(), lambda x: abs(x), lambda x: x.leaky_relu(0.2)])
def test_second_derivative_at_a_kink_is_zero(f: Callable[[Value], Value]) -> None:
    assert grad(grad(f))(0.0) == 0.0


# --- backward through a tape adds into .grad, as Value.backward does --------------------------


def _model() -> tuple[list[Value], Callable[[float], Value]]:
    w, b = Value(0.7, label="w"), Value(-0.2, label="b")

    def loss(x: float | Value) -> Value:
        return (w * x + b).tanh() * (w * x).relu() + b * b

    return [w, b], loss


def _eager_grads_after_two_passes(x: float, start: list[float]) -> list[float]:
    params, loss = _model()
    for p, g in zip(params, start):
        p.grad = g
    loss(x).backward()
    loss(x).backward()
    return [p.grad for p in params]


def test_tape_backward_adds_into_grad_like_value_backward() -> None:
    params, loss = _model()
    tape = trace(loss, 1.3)
    params[0].grad, params[1].grad = 0.25, -4.0  # gradients already there are kept
    tape.backward(1.3)
    tape.backward(1.3)
    assert [p.grad for p in params] == _eager_grads_after_two_passes(1.3, [0.25, -4.0])
    assert params[0].grad != 0.25 and params[1].grad != -4.0


def test_vectorised_backward_adds_into_grad_like_value_backward() -> None:
    params, loss = _model()
    vtape = vectorize(trace(loss, 1.3))
    params[0].grad, params[1].grad = 0.25, -4.0
    vtape.backward(np.array([1.3]))
    vtape.backward(np.array([1.3]))
    assert [p.grad for p in params] == pytest.approx(
        _eager_grads_after_two_passes(1.3, [0.25, -4.0]), rel=1e-15
    )


def test_vectorised_backward_returns_the_sum_when_asked() -> None:
    _, loss = _model()
    vtape = vectorize(trace(loss, 1.3))
    total = vtape.backward(np.array([1.3, -0.4]), reduce="sum")
    assert total == pytest.approx(loss(1.3).data + loss(-0.4).data, rel=1e-15)


def test_vectorised_backward_averages_the_batch_by_default() -> None:
    params, loss = _model()
    vtape = vectorize(trace(loss, 1.3))
    mean = vtape.backward(np.array([1.3, -0.4, 2.0]))
    eager_params, eager_loss = _model()
    total = al.total([eager_loss(x) for x in (1.3, -0.4, 2.0)]) / 3
    total.backward()
    assert mean == pytest.approx(total.data, rel=1e-15)
    assert [p.grad for p in params] == pytest.approx([p.grad for p in eager_params], rel=1e-12)


# --- max_nodes: exactly that many Values are drawn, one more is refused ------------------------


def chain(n: int) -> Value:
    """A graph of exactly n Values: x, then n - 1 operations each using the previous one."""
    y = Value(0.5, label="x")
    for _ in range(n - 1):
        y = -y
    return y


@pytest.mark.parametrize("n", [1, 2, 3, 17])
def test_max_nodes_is_inclusive(n: int) -> None:
    y = chain(n)
    assert len(topological_order(y)) == n
    assert count_nodes(y) == n
    assert count_nodes(y, stop_after=n) == n  # the limit itself: counted exactly
    if n > 1:
        assert count_nodes(y, stop_after=n - 1) == n  # one past the limit: the count stops there
    assert count_nodes(y, stop_after=0) == 1  # past a limit of 0 as soon as the root is seen
    draw_dot(y, max_nodes=n)
    backward_stepper(y, max_nodes=n)
    if n > 1:
        with pytest.raises(ValueError, match=f"has {n} nodes, above the limit max_nodes={n - 1}"):
            draw_dot(y, max_nodes=n - 1)
        with pytest.raises(ValueError, match=f"above the limit max_nodes={n - 1}"):
            backward_stepper(y, max_nodes=n - 1)


# --- fit: mini-batches in a new order every epoch, from its seed -------------------------------


def batches_seen(seed: int, batch_size: int | None, n: int = 12) -> list[list[int]]:
    """The point indices of each step's batch, read by a loss that records its targets."""
    seen: list[list[int]] = []

    def recording_loss(predictions: list[Any], targets: list[float]) -> Value:
        seen.append([int(t) for t in targets])
        return al.total([(p - t) * 0.0 for p, t in zip(predictions, targets)])

    points = [[float(i), 1.0] for i in range(n)]
    model = nn.MLP(2, [1], seed=0)
    nn.fit(model, points, [float(i) for i in range(n)], loss=recording_loss, epochs=3,
           batch_size=batch_size, seed=seed, progress=False, accuracy=lambda p, t: 0.0)  # fmt: skip
    return seen


def test_fit_shuffles_mini_batches_each_epoch_from_its_seed() -> None:
    seen = batches_seen(seed=3, batch_size=4)
    epochs = [[i for batch in seen[k : k + 3] for i in batch] for k in range(0, 9, 3)]
    for order in epochs:
        assert sorted(order) == list(range(12))  # every point once per epoch
    assert epochs[0] != list(range(12))  # shuffled, not the data's order
    assert len({tuple(order) for order in epochs}) == 3  # a new order each epoch
    assert batches_seen(seed=3, batch_size=4) == seen  # the same seed, the same order
    assert batches_seen(seed=4, batch_size=4) != seen


def test_fit_keeps_the_data_order_for_a_full_batch() -> None:
    assert batches_seen(seed=3, batch_size=None) == [list(range(12))] * 3


# --- nn.save keeps permission bits -------------------------------------------------------------


def test_save_keeps_an_existing_files_mode_and_gives_a_new_file_0o644(tmp_path: Path) -> None:
    model = nn.MLP(2, [2, 1], seed=0)
    fresh = tmp_path / "new.json"
    old_umask = os.umask(0o077)  # a strict umask must not make a saved model unreadable
    try:
        nn.save(model, fresh)
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
    private = tmp_path / "private.json"
    private.write_text("{}")
    private.chmod(0o600)
    nn.save(model, private)
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert nn.load(private).state_dict() == model.state_dict()
