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
    """The same MLP, written with whichever engine's Value class is passed in."""

    def __init__(self, value_class: Any, flat: Sequence[float]) -> None:
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
            acts = [sum((wi * xi for wi, xi in zip(w, x)), b) for w, b in layer]
            x = acts if last else [a.relu() for a in acts]
        return x[0]


def loss_of(net: Net, points: list[list[float]], labels: list[float]) -> Any:
    scores = [net(p) for p in points]
    data_loss = sum((1 + -y * s).relu() for y, s in zip(labels, scores)) * (1.0 / len(points))
    return data_loss + ALPHA * sum(p * p for p in net.parameters())


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


def bytes_per_node(
    make_net: Callable[[], Net], points: list[list[float]], labels: list[float]
) -> tuple[float, int]:
    net = make_net()
    gc.collect()
    tracemalloc.start()
    loss = loss_of(net, points, labels)
    loss.backward()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / count_nodes(loss), count_nodes(loss)


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
    engines: dict[str, tuple[Any, bool]] = {
        "autograd-lite": (autograd_lite.Value, True),
        "autograd-lite, gc disabled": (autograd_lite.Value, False),
        "micrograd 0.1.0": (MicrogradValue, True),
        "micrograd 0.1.0, gc disabled": (MicrogradValue, False),
    }

    # Same weights, same data: the first loss and every gradient must agree before timing.
    reference = Net(autograd_lite.Value, flat)
    ref_loss = loss_of(reference, points, labels)
    ref_loss.backward()
    other = Net(MicrogradValue, flat)
    other_loss = loss_of(other, points, labels)
    other_loss.backward()
    assert abs(ref_loss.data - other_loss.data) <= 1e-12 * max(1.0, abs(ref_loss.data)), (
        "losses differ"
    )
    for p, q in zip(reference.parameters(), other.parameters()):
        assert abs(p.grad - q.grad) <= 1e-9 * max(1.0, abs(q.grad)), "gradients differ"
    start_loss = ref_loss.data
    del reference, ref_loss, other, other_loss  # live graphs would slow every later collection

    nets = {name: Net(value_class, flat) for name, (value_class, _) in engines.items()}
    times: dict[str, list[float]] = {name: [] for name in engines}
    for round_index in range(args.rounds):
        for name, (_, collect) in engines.items():
            net = nets[name]
            gc.collect()
            if not collect:
                gc.disable()
            try:
                for k in range(args.steps):
                    lr = 1.0 - 0.9 * (round_index * args.steps + k) / 100
                    start = time.perf_counter()
                    training_step(net, points, labels, lr)
                    times[name].append(time.perf_counter() - start)
            finally:
                gc.enable()

    medians = {name: statistics.median(ts) for name, ts in times.items()}
    memory = {
        "autograd-lite": bytes_per_node(lambda: Net(autograd_lite.Value, flat), points, labels),
        "micrograd 0.1.0": bytes_per_node(lambda: Net(MicrogradValue, flat), points, labels),
    }
    memory["micrograd 0.1.0, gc disabled"] = memory["micrograd 0.1.0"]
    memory["autograd-lite, gc disabled"] = memory["autograd-lite"]
    ours = medians["autograd-lite"]
    print(
        f"Python {sys.version.split()[0]}; {args.rounds} rounds x {args.steps} steps; "
        f"loss at the start {start_loss:.12f} in both engines\n"
    )
    rows = [("engine", "median step", "speed-up of autograd-lite", "nodes", "peak bytes / node")]
    for name, median in medians.items():
        per_node, nodes = memory[name]
        rows.append(
            (
                name,
                f"{median * 1e3:.1f} ms",
                f"{median / ours:.1f}x",
                f"{nodes:,}",
                f"{per_node:.0f}",
            )
        )
    if args.markdown:
        print("| " + " | ".join(rows[0]) + " |")
        print("|" + "---|" * len(rows[0]))
        for row in rows[1:]:
            print("| " + " | ".join(row) + " |")
    else:
        for row in rows:
            print(f"{row[0]:<30} {row[1]:>12} {row[2]:>26} {row[3]:>8} {row[4]:>18}")


if __name__ == "__main__":
    main()
