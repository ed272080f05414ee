"""One training step of micrograd's demo recipe, in autograd-lite and in micrograd, side by side.

The workload: an MLP 2-16-16-1 (ReLU hidden layers, linear output) on 100 two-moons points, the
max-margin loss plus 1e-4 L2, backward, and an SGD update. Both engines start from identical
weights and must produce the same loss before anything is timed. The engines then alternate,
round after round, in one process, so machine noise hits both alike; medians are reported.

    python benchmarks/training_step.py [--rounds 7] [--steps 3] [--markdown]
"""

from __future__ import annotations

import argparse
import gc
import itertools
import math
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from typing import Any

import autograd_lite

LAYER_SIZES = [2, 16, 16, 1]
ALPHA = 1e-4


def two_moons(n: int, noise: float, seed: int) -> tuple[list[list[float]], list[float]]:
    """Two interleaved half circles with labels -1 and +1 (what the max-margin loss expects)."""
    rng = random.Random(seed)
    points, labels = [], []
    for i in range(n):
        upper = i < n // 2
        t = math.pi * rng.random()
        x, y = (math.cos(t), math.sin(t)) if upper else (1 - math.cos(t), 0.5 - math.sin(t))
        points.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        labels.append(-1.0 if upper else 1.0)
    return points, labels


def initial_weights(seed: int) -> list[float]:
    """Weights uniform in (-1, 1), biases 0, in micrograd's parameter order."""
    rng = random.Random(seed)
    flat = []
    for nin, nout in itertools.pairwise(LAYER_SIZES):
        for _ in range(nout):
            flat += [rng.uniform(-1, 1) for _ in range(nin)] + [0.0]
    return flat


class Net:
    """The same MLP, written with whichever engine's Value class is passed in.

    ``fused=True`` (autograd-lite only) computes each neuron with the engine's ``linear``
    operation and the sums with ``total``: one node each instead of a chain.
    """

    def __init__(self, value_class: Any, flat: Sequence[float], fused: bool = False) -> None:
        self.fused = fused
        it = iter(flat)
        self.layers = [
            [
                ([value_class(next(it)) for _ in range(nin)], value_class(next(it)))
                for _ in range(nout)
            ]
            for nin, nout in itertools.pairwise(LAYER_SIZES)
        ]

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for w, b in layer for p in [*w, b]]

    def __call__(self, x: Sequence[Any]) -> Any:
        for depth, layer in enumerate(self.layers):
            last = depth == len(self.layers) - 1
            if self.fused:
                acts = [autograd_lite.linear(w, x, b) for w, b in layer]
            else:
                acts = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = acts if last else [a.relu() for a in acts]
        return x[0]


def loss_of(net: Net, points: list[list[float]], labels: list[float]) -> Any:
    scores = [net(p) for p in points]
    add_up: Callable[[Any], Any] = autograd_lite.total if net.fused else sum
    data_loss = add_up((1 + -y * s).relu() for y, s in zip(labels, scores)) * (1.0 / len(points))
    return data_loss + ALPHA * add_up(p * p for p in net.parameters())


def training_step(net: Net, points: list[list[float]], labels: list[float], lr: float) -> float:
    loss = loss_of(net, points, labels)
    for p in net.parameters():
        p.grad = 0.0
    loss.backward()
    for p in net.parameters():
        p.data -= lr * p.grad
    return float(loss.data)


def count_nodes(root: Any) -> int:
    seen, stack = {id(root)}, [root]
    while stack:
        node = stack.pop()
        for parent in getattr(node, "parents", None) or node._prev:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def peak_memory(
    make_net: Callable[[], Net], points: list[list[float]], labels: list[float]
) -> tuple[int, int]:
    """Peak bytes allocated (tracemalloc) while building one step's graph and running backward,
    and the number of nodes in that graph."""
    net = make_net()
    gc.collect()
    tracemalloc.start()
    loss = loss_of(net, points, labels)
    loss.backward()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, count_nodes(loss)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (default 7)")
    parser.add_argument("--steps", type=int, default=3, help="training steps per round (default 3)")
    parser.add_argument("--points", type=int, default=100, help="two-moons points (default 100)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)

    from micrograd.engine import Value as MicrogradValue

    points, labels = two_moons(args.points, noise=0.1, seed=1)
    flat = initial_weights(seed=1337)
    # name: (Value class, cyclic garbage collector on, fused operations)
    engines: dict[str, tuple[Any, bool, bool]] = {
        "autograd-lite, fused linear": (autograd_lite.Value, True, True),
        "autograd-lite, scalar ops": (autograd_lite.Value, True, False),
        "autograd-lite, scalar ops, gc disabled": (autograd_lite.Value, False, False),
        "micrograd 0.1.0": (MicrogradValue, True, False),
        "micrograd 0.1.0, gc disabled": (MicrogradValue, False, False),
    }

    # Same weights, same data: every engine's loss and gradients must match micrograd's first.
    reference = Net(MicrogradValue, flat)
    reference_loss = loss_of(reference, points, labels)
    reference_loss.backward()
    start_loss = reference_loss.data
    for name, (value_class, _, fused) in engines.items():
        net = Net(value_class, flat, fused)
        loss = loss_of(net, points, labels)
        loss.backward()
        assert abs(loss.data - start_loss) <= 1e-12 * abs(start_loss), f"{name}: loss differs"
        for p, q in zip(net.parameters(), reference.parameters(), strict=True):
            assert abs(p.grad - q.grad) <= 1e-9 * max(1.0, abs(q.grad)), f"{name}: grads differ"
    del reference, reference_loss, net, loss  # live graphs would slow every later collection

    nets = {name: Net(cls, flat, fused) for name, (cls, _, fused) in engines.items()}
    times: dict[str, list[float]] = {name: [] for name in engines}
    for round_index in range(args.rounds):
        for name, (_, collect, _) in engines.items():
            gc.collect()
            if not collect:
                gc.disable()
            try:
                for k in range(args.steps):
                    lr = 1.0 - 0.9 * (round_index * args.steps + k) / 100
                    start = time.perf_counter()
                    training_step(nets[name], points, labels, lr)
                    times[name].append(time.perf_counter() - start)
            finally:
                gc.enable()

    medians = {name: statistics.median(ts) for name, ts in times.items()}
    micrograd_median = medians["micrograd 0.1.0"]
    print(
        f"Python {sys.version.split()[0]}; {args.rounds} rounds x {args.steps} steps per engine, "
        f"alternating; loss at the start {start_loss:.12f} in every engine\n"
    )
    header = ("engine", "median step", "micrograd / this", "graph nodes", "peak MB", "bytes / node")
    rows = [header]
    for name, median in medians.items():
        value_class, _, fused = engines[name]
        peak, nodes = peak_memory(lambda c=value_class, f=fused: Net(c, flat, f), points, labels)
        rows.append(
            (
                name,
                f"{median * 1e3:.1f} ms",
                f"{micrograd_median / median:.1f}x",
                f"{nodes:,}",
                f"{peak / 1e6:.1f}",
                f"{peak / nodes:.0f}",
            )
        )
    if args.markdown:
        print("| " + " | ".join(header) + " |")
        print("|---|" + "---:|" * (len(header) - 1))
        for row in rows[1:]:
            print("| " + " | ".join(row) + " |")
    else:
        for row in rows:
            print(f"{row[0]:<40}" + "".join(f"{cell:>17}" for cell in row[1:]))


if __name__ == "__main__":
    main()
