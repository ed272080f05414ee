"""W1 in every engine: one training step of an MLP 2-16-16-1 on two moons (micrograd's recipe).

Each engine offers ``check()`` (loss and gradients in micrograd's parameter order, from the
shared start weights) and ``step()`` (forward, backward, SGD update), timed by the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from harness import Engine, peak_memory
from micrograd.engine import Value as MicrogradValue
from training_step import ALPHA, Net, count_nodes, initial_weights, loss_of, training_step

import autograd_lite as al
import nn
from autograd_lite.vectorized import vectorize

LR = 0.05
# Tiny matrices: PyTorch's intra-op threads only add synchronisation, and on a shared 2-core
# machine their spin-waits cost milliseconds. One thread is PyTorch at its best here.
torch.set_num_threads(1)
SIZES = [2, 16, 16, 1]


def engines(points: list[list[float]], labels: list[float]) -> tuple[list[Engine], Any]:
    flat = initial_weights(seed=1337)
    reference = graph_check(Net(MicrogradValue, flat), points, labels)
    return [
        graph_engine("micrograd 0.1.0", lambda: Net(MicrogradValue, flat), points, labels),
        graph_engine("micrograd 0.1.0, gc disabled", lambda: Net(MicrogradValue, flat),
                     points, labels, collect=False),
        eager_engine(flat, points, labels),
        tape_engine(flat, points, labels),
        vectorised_engine(flat, points, labels),
        torch_scalar_engine(flat, points, labels),
        torch_batched_engine(flat, points, labels),
        float_floor_engine(flat, points, labels),
        numpy_floor_engine(flat, points, labels),
    ], reference  # fmt: skip


# --- graph engines: micrograd and autograd-lite's eager Values --------------------------------


def graph_check(
    net: Net, points: list[list[float]], labels: list[float]
) -> tuple[float, list[float]]:
    loss = loss_of(net, points, labels)
    loss.backward()
    return float(loss.data), [float(p.grad) for p in net.parameters()]


def graph_engine(name: str, make: Callable[[], Net], points: list[list[float]],
                 labels: list[float], collect: bool = True) -> Engine:  # fmt: skip
    def prepare() -> Callable[[], Any]:
        net = make()
        return lambda: training_step(net, points, labels, LR)

    def build() -> Any:
        loss = loss_of(make(), points, labels)
        loss.backward()
        return loss

    return Engine(
        name, prepare, lambda: graph_check(make(), points, labels),
        graph_nodes=lambda: count_nodes(build()), memory=lambda: peak_memory(build),
        collect_garbage=collect,
    )  # fmt: skip


# --- autograd-lite: nn.MLP eagerly, as a tape, and as a vectorised tape -----------------------


def nn_model(flat: list[float]) -> nn.MLP:
    """nn.MLP 2-16-16-1 (ReLU hidden, linear output) holding the shared start weights."""
    model = nn.MLP(2, SIZES[1:], seed=0)
    for p, value in zip(model.parameters(), flat, strict=True):
        p.data = value
    return model


def nn_loss(model: nn.MLP, points: Any, labels: Any) -> al.Value:
    scores = [model(x) for x in points]
    return nn.hinge_loss(scores, labels) + nn.l2_regularization(model.parameters(), ALPHA)


def eager_engine(flat: list[float], points: list[list[float]], labels: list[float]) -> Engine:
    def check() -> tuple[float, list[float]]:
        model = nn_model(flat)
        loss = nn_loss(model, points, labels)
        loss.backward()
        return loss.data, [p.grad for p in model.parameters()]

    def prepare() -> Callable[[], Any]:
        model = nn_model(flat)
        optimizer = nn.SGD(model.parameters(), lr=LR)

        def step() -> None:
            optimizer.zero_grad()
            nn_loss(model, points, labels).backward()
            optimizer.step()

        return step

    def build() -> Any:
        loss = nn_loss(nn_model(flat), points, labels)
        loss.backward()
        return loss

    return Engine("autograd-lite eager (nn.MLP, nn.SGD)", prepare, check,
                  graph_nodes=lambda: count_nodes(build()),
                  memory=lambda: peak_memory(build))  # fmt: skip


def tape_engine(flat: list[float], points: list[list[float]], labels: list[float]) -> Engine:
    def make() -> tuple[nn.MLP, al.Tape]:
        model = nn_model(flat)
        return model, al.trace(lambda xs, ys: nn_loss(model, xs, ys), points, labels)

    def check() -> tuple[float, list[float]]:
        model, tape = make()
        loss = tape.backward(points, labels)
        return loss, [p.grad for p in model.parameters()]

    def prepare() -> Callable[[], Any]:
        model, tape = make()
        optimizer = nn.SGD(model.parameters(), lr=LR)

        def step() -> None:
            optimizer.zero_grad()
            tape.backward(points, labels)
            optimizer.step()

        step()  # the first replay compiles the generated code: part of the set-up
        return step

    made = make()
    return Engine("autograd-lite tape", prepare, check, graph_nodes=lambda: len(made[1].nodes))


def vectorised_engine(flat: list[float], points: list[list[float]], labels: list[float]) -> Engine:
    x_batch = np.array(points)

    def make() -> tuple[list[al.Value], Any, al.Tape]:
        model = nn_model(flat)
        hinge = al.trace(lambda x, y: (1 - y * model(x)).relu(), points[0], labels[0])
        regulariser = al.trace(lambda: nn.l2_regularization(model.parameters(), ALPHA))
        return model.parameters(), vectorize(hinge), regulariser

    def gradients(params: list[al.Value], per_example: Any, regulariser: al.Tape) -> float:
        for p in params:
            p.grad = 0.0
        return per_example.backward(x_batch, labels, reduce="mean") + regulariser.backward()

    def check() -> tuple[float, list[float]]:
        made = make()
        loss = gradients(*made)
        return loss, [p.grad for p in made[0]]

    def prepare() -> Callable[[], Any]:
        made = make()
        optimizer = nn.SGD(made[0], lr=LR)

        def step() -> None:
            gradients(*made)
            optimizer.step()

        step()  # compiles the regulariser's tape: part of the set-up
        return step

    made = make()
    gradients(*made)
    return Engine("autograd-lite vectorised tape (NumPy)", prepare, check,
                  graph_nodes=lambda: len(made[1].nodes) * len(points),
                  memory=lambda: peak_memory(lambda: gradients(*made)))  # fmt: skip


# --- PyTorch ----------------------------------------------------------------------------------


def torch_scalar_engine(
    flat: list[float], points: list[list[float]], labels: list[float]
) -> Engine:
    def leaf(x: float) -> Any:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    def gradients(net: Net) -> float:
        for p in net.parameters():
            p.grad = None
        loss = loss_of(net, points, labels)
        loss.backward()
        return float(loss.item())

    def check() -> tuple[float, list[float]]:
        net = Net(leaf, flat)
        loss = gradients(net)
        return loss, [p.grad.item() for p in net.parameters()]

    def prepare() -> Callable[[], Any]:
        net = Net(leaf, flat)

        def step() -> None:
            gradients(net)
            with torch.no_grad():
                for p in net.parameters():
                    p -= LR * p.grad

        return step

    return Engine("PyTorch 2.13, one 0-d tensor per scalar", prepare, check)


def layer_arrays(flat: list[float]) -> list[tuple[np.ndarray, np.ndarray]]:
    """(W [out, in], b [out]) per layer from micrograd's order: each neuron's weights, then bias."""
    arrays, offset = [], 0
    for nin, nout in zip(SIZES, SIZES[1:]):
        block = np.array(flat[offset : offset + nout * (nin + 1)]).reshape(nout, nin + 1)
        arrays.append((block[:, :nin].copy(), block[:, nin].copy()))
        offset += nout * (nin + 1)
    return arrays


def flatten_grads(grads: list[tuple[np.ndarray, np.ndarray]]) -> list[float]:
    return [float(v) for gw, gb in grads for row, bias in zip(gw, gb) for v in [*row, bias]]


def torch_batched_engine(
    flat: list[float], points: list[list[float]], labels: list[float]
) -> Engine:
    x = torch.tensor(points, dtype=torch.float64)
    y = torch.tensor(labels, dtype=torch.float64)

    def make() -> list[torch.Tensor]:
        return [torch.tensor(a, dtype=torch.float64, requires_grad=True)
                for w, b in layer_arrays(flat) for a in (w, b)]  # fmt: skip

    def loss_of_params(params: list[torch.Tensor]) -> torch.Tensor:
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i].T + params[i + 1]
            if i + 2 < len(params):
                h = torch.relu(h)
        data_loss = torch.relu(1 - y * h[:, 0]).mean()
        return data_loss + ALPHA * sum((p * p).sum() for p in params)

    def check() -> tuple[float, list[float]]:
        params = make()
        loss = loss_of_params(params)
        loss.backward()
        pairs = [
            (params[i].grad.numpy(), params[i + 1].grad.numpy()) for i in range(0, len(params), 2)
        ]
        return float(loss.item()), flatten_grads(pairs)

    def prepare() -> Callable[[], Any]:
        params = make()

        def step() -> None:
            for p in params:
                p.grad = None
            loss_of_params(params).backward()
            with torch.no_grad():
                for p in params:
                    p -= LR * p.grad

        return step

    return Engine("PyTorch 2.13, batched float64 tensors", prepare, check)


# --- the floors: the same arithmetic written by hand -------------------------------------------


def float_floor_engine(flat: list[float], points: list[list[float]], labels: list[float]) -> Engine:
    """Plain Python floats and loops: forward, the backward pass derived by hand, the update."""

    def make() -> list[list[list[float]]]:
        layers, it = [], iter(flat)
        for nin, nout in zip(SIZES, SIZES[1:]):
            layers.append([[next(it) for _ in range(nin + 1)] for _ in range(nout)])
        return layers  # each neuron: [w1..wn, b]

    def gradients(layers: list[list[list[float]]]) -> tuple[float, list[list[list[float]]]]:
        grads = [[[0.0] * len(neuron) for neuron in layer] for layer in layers]
        n = len(points)
        total = 0.0
        for x, label in zip(points, labels):
            acts, pre = [x], []
            for depth, layer in enumerate(layers):
                inp = acts[-1]
                z = [sum(w * a for w, a in zip(neuron, inp)) + neuron[-1] for neuron in layer]
                pre.append(z)
                last = depth == len(layers) - 1
                acts.append(z if last else [v if v > 0 else 0.0 for v in z])
            margin = 1 - label * acts[-1][0]
            if margin <= 0:
                continue
            total += margin
            delta = [-label / n]
            for depth in range(len(layers) - 1, -1, -1):
                layer, inp = layers[depth], acts[depth]
                back = [0.0] * len(inp)
                for j, neuron in enumerate(layer):
                    d = delta[j]
                    g = grads[depth][j]
                    for k, a in enumerate(inp):
                        g[k] += d * a
                        back[k] += d * neuron[k]
                    g[-1] += d
                if depth:
                    delta = [b if z > 0 else 0.0 for b, z in zip(back, pre[depth - 1])]
        squares = 0.0
        for layer, glayer in zip(layers, grads):
            for neuron, g in zip(layer, glayer):
                for k, p in enumerate(neuron):
                    squares += p * p
                    g[k] += 2 * ALPHA * p
        return total / n + ALPHA * squares, grads

    def check() -> tuple[float, list[float]]:
        loss, grads = gradients(make())
        return loss, [g for layer in grads for neuron in layer for g in neuron]

    def prepare() -> Callable[[], Any]:
        layers = make()

        def step() -> None:
            _, grads = gradients(layers)
            for layer, glayer in zip(layers, grads):
                for neuron, g in zip(layer, glayer):
                    for k in range(len(neuron)):
                        neuron[k] -= LR * g[k]

        return step

    return Engine("Python floats, by hand", prepare, check)


def numpy_floor_engine(flat: list[float], points: list[list[float]], labels: list[float]) -> Engine:
    """NumPy matrix code with the backward pass written by hand."""
    x = np.array(points)
    y = np.array(labels)

    def gradients(
        params: list[tuple[np.ndarray, np.ndarray]],
    ) -> tuple[float, list[tuple[np.ndarray, np.ndarray]]]:
        acts, pre = [x], []
        for depth, (w, b) in enumerate(params):
            z = acts[-1] @ w.T + b
            pre.append(z)
            acts.append(z if depth == len(params) - 1 else np.maximum(z, 0))
        margins = 1 - y * acts[-1][:, 0]
        n = len(y)
        loss = np.maximum(margins, 0).mean() + ALPHA * sum(
            (w * w).sum() + (b * b).sum() for w, b in params
        )
        delta = np.where(margins > 0, -y / n, 0.0)[:, None]
        grads = []
        for depth in range(len(params) - 1, -1, -1):
            w, b = params[depth]
            grads.append((delta.T @ acts[depth] + 2 * ALPHA * w, delta.sum(axis=0) + 2 * ALPHA * b))
            if depth:
                delta = (delta @ w) * (pre[depth - 1] > 0)
        return float(loss), grads[::-1]

    def check() -> tuple[float, list[float]]:
        loss, grads = gradients(layer_arrays(flat))
        return loss, flatten_grads(grads)

    def prepare() -> Callable[[], Any]:
        params = layer_arrays(flat)

        def step() -> None:
            _, grads = gradients(params)
            for (w, b), (gw, gb) in zip(params, grads):
                w -= LR * gw
                b -= LR * gb

        return step

    return Engine("NumPy matrices, by hand", prepare, check)
