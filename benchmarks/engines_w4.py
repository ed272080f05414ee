"""W4 in every engine: the code users actually write, micrograd's own ``nn.py`` shape.

Each neuron is ``sum((wi * xi for wi, xi in zip(w, x)), b)`` with ``relu``, and the loss is the
max-margin loss of micrograd's demo: the very same 68,818-node scalar graph in micrograd and in
autograd-lite (no ``linear`` or ``total`` node, nothing fused), so the rows compare the engines'
work per node. micrograd runs with its cyclic garbage collector on (as installed) and off;
autograd-lite always runs under the interpreter's default collector settings, as user code does,
with a second row that switches it off to show what the collector costs. PyTorch builds the
same graph from 0-d tensors; the float floor is W1's hand-written loop (the same arithmetic).
"""

from __future__ import annotations

from typing import Any

import engines_w1
from harness import Engine
from micrograd.engine import Value as MicrogradValue
from training_step import Net, initial_weights

import autograd_lite as al

#: Which build of the engine runs (`make compiled`, then PYTHONPATH=build/compiled).
BUILD = " (compiled)" if al.is_compiled() else ""


def engines(points: list[list[float]], labels: list[float]) -> tuple[list[Engine], Any]:
    flat = initial_weights(seed=1337)
    reference = engines_w1.graph_check(Net(MicrogradValue, flat), points, labels)

    def graph(name: str, value_class: Any, collect: bool = True) -> Engine:
        return engines_w1.graph_engine(
            name, lambda: Net(value_class, flat), points, labels, collect=collect
        )

    torch_engine = engines_w1.torch_scalar_engine(flat, points, labels)
    return [
        graph("micrograd 0.1.0", MicrogradValue),
        graph("micrograd 0.1.0, gc disabled", MicrogradValue, collect=False),
        graph(f"autograd-lite{BUILD} eager (default gc)", al.Value),
        graph(f"autograd-lite{BUILD} eager, gc disabled", al.Value, collect=False),
        torch_engine,
        engines_w1.float_floor_engine(flat, points, labels),
    ], reference

