"""W2 (a chain of operations) and W3 (a sum of products) in every engine that can run them.

These measure the engine's bookkeeping per node, with almost no arithmetic around it. Both are
deep graphs: micrograd's recursive topological sort cannot walk them (the suite reports that as
the measured outcome, a RecursionError, rather than raising the recursion limit).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from harness import Engine, peak_memory
from micrograd.engine import Value as MicrogradValue
from training_step import count_nodes

import autograd_lite as al

FACTOR = 0.9999


def chain(x: Any, length: int) -> Any:
    """Alternately multiply by a constant and apply relu: ``length`` operations in a row.

    (relu rather than tanh because micrograd 0.1.0 has no tanh.)"""
    for k in range(length):
        x = x * FACTOR if k % 2 == 0 else x.relu()
    return x


def dot(a: list[Any], b: list[Any], add_up: Callable[[Any], Any] = sum) -> Any:
    return add_up(x * y for x, y in zip(a, b))


def engines(workload: str, length: int) -> tuple[list[Engine], tuple[float, list[float]]]:
    rng = random.Random(7)
    if workload == "chain":
        start = [0.5]

        def build(leaf: Callable[[float], Any], fused: bool = False) -> tuple[Any, list[Any]]:
            x = leaf(start[0])
            return chain(x, length), [x]
    else:
        start = [rng.uniform(-1, 1) for _ in range(2 * length)]

        def build(leaf: Callable[[float], Any], fused: bool = False) -> tuple[Any, list[Any]]:
            leaves = [leaf(v) for v in start]
            add_up = al.total if fused else sum
            return dot(leaves[:length], leaves[length:], add_up), leaves

    def graph_engine(name: str, leaf: Callable[[float], Any], fused: bool = False,
                     collect: bool = True) -> Engine:  # fmt: skip
        def run() -> tuple[float, list[float]]:
            out, leaves = build(leaf, fused)
            out.backward()
            return float(out.data), [float(v.grad) for v in leaves]

        def built() -> Any:
            out, _ = build(leaf, fused)
            out.backward()
            return out

        return Engine(name, lambda: run, run, graph_nodes=lambda: count_nodes(built()),
                      memory=lambda: peak_memory(built), collect_garbage=collect)  # fmt: skip

    def tape_engine() -> Engine:
        if workload == "chain":
            args: tuple[Any, ...] = (start[0],)

            def make() -> al.Tape:
                return al.trace(lambda x: chain(x, length), *args)
        else:
            args = (start[:length], start[length:])

            def make() -> al.Tape:
                return al.trace(lambda a, b: dot(a, b, al.total), *args)

        def runner(tape: al.Tape) -> Callable[[], tuple[float, list[float]]]:
            def run() -> tuple[float, list[float]]:
                value, grads = tape.value_and_grad(*args)
                flat = [g for grad in grads for g in (grad if isinstance(grad, list) else [grad])]
                return value, flat

            return run

        def prepare() -> Callable[[], tuple[float, list[float]]]:
            run = runner(make())  # traced and compiled here, so the set-up time shows it
            run()
            return run

        tape = make()
        return Engine("autograd-lite tape", prepare, runner(tape),
                      graph_nodes=lambda: len(tape.nodes))  # fmt: skip

    def torch_leaf(v: float) -> Any:
        return torch.tensor(v, dtype=torch.float64, requires_grad=True)

    def torch_run() -> tuple[float, list[float]]:
        out, leaves = build(torch_leaf)
        out.backward()
        return float(out.item()), [v.grad.item() for v in leaves]

    engines = [
        graph_engine("micrograd 0.1.0", MicrogradValue),
        graph_engine("autograd-lite eager", al.Value),
    ]
    if workload == "dot":
        engines.append(graph_engine("autograd-lite eager, total()", al.Value, fused=True))
    engines += [
        tape_engine(),
        Engine("PyTorch 2.13, one 0-d tensor per scalar", lambda: torch_run, torch_run),
        Engine(
            "Python floats, by hand", lambda: floor, floor := float_floor(workload, start, length)
        ),
    ]
    if workload == "dot":
        engines.append(
            Engine("NumPy, by hand", lambda: numpy_dot, numpy_dot := numpy_floor(start, length))
        )
    return engines, floor()


def float_floor(
    workload: str, start: list[float], length: int
) -> Callable[[], tuple[float, list[float]]]:
    if workload == "chain":

        def run() -> tuple[float, list[float]]:
            values = [start[0]]
            for k in range(length):
                v = values[-1]
                values.append(v * FACTOR if k % 2 == 0 else (v if v > 0 else 0.0))
            grad = 1.0
            for k in range(length - 1, -1, -1):
                grad *= FACTOR if k % 2 == 0 else (1.0 if values[k] > 0 else 0.0)
            return values[-1], [grad]

        return run
    a, b = start[:length], start[length:]

    def run_dot() -> tuple[float, list[float]]:
        return sum(x * y for x, y in zip(a, b)), [*b, *a]

    return run_dot


def numpy_floor(start: list[float], length: int) -> Callable[[], tuple[float, list[float]]]:
    a, b = np.array(start[:length]), np.array(start[length:])

    def run() -> tuple[float, list[float]]:
        grads = np.concatenate([b, a])
        return float(a @ b), grads.tolist()

    return run
