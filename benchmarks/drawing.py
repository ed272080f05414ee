"""How fast draw_dot refuses a huge graph, and what drawing a real one costs.

The size guard must answer at once however large the graph is: it decides by counting up to
``max_nodes`` and counts a refused graph for its message only up to 250,000 nodes. This script
times it on chains of 100,000 and 1,000,000 Values and, for scale, times building and laying out
(with the real ``dot``) the graph of one sample through an MLP 2-16-16-1, and the backward
stepper's page for a small expression.

    python benchmarks/drawing.py [--repeats 5] [--markdown]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

from autograd_lite import Value, backward_stepper, draw_dot, topological_order


def chain(values: int) -> Value:
    """A graph of ``values`` Values: a leaf, then a constant and a product per step."""
    y = Value(1.0)
    for _ in range((values - 1) // 2):
        y = y * 1.0
    return y


def mlp_sample_loss(seed: int = 0) -> Value:
    """One sample through an MLP 2-16-16-1 (tanh hidden, linear out), squared error."""
    rng = random.Random(seed)
    x: list[Value] = [Value(0.5, requires_grad=False), Value(-1.0, requires_grad=False)]
    for nout, activation in ((16, "tanh"), (16, "tanh"), (1, "")):
        outs = []
        for _ in range(nout):
            net = Value(0.0)
            for xi in x:
                net = net + Value(rng.uniform(-1, 1)) * xi
            outs.append(net.tanh() if activation else net)
        x = outs
    loss = (x[0] - 1.0) ** 2
    loss.backward()
    return loss


def median_seconds(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def refused(root: Value) -> None:
    try:
        draw_dot(root)
    except ValueError:
        return
    raise AssertionError("the size guard let a huge graph through")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()

    rows: list[tuple[str, str, float]] = []
    for size in (100_001, 1_000_001):
        root = chain(size)
        seconds = median_seconds(lambda root=root: refused(root), args.repeats)  # type: ignore[misc]
        rows.append((f"size guard refuses a {size - 1:,}-node chain", f"{size:,}", seconds))
    loss = mlp_sample_loss()
    nodes = len(topological_order(loss))
    rows.append(
        (
            "draw_dot source, MLP 2-16-16-1 sample",
            f"{nodes:,}",
            median_seconds(lambda: draw_dot(loss).source, args.repeats),
        )
    )
    rows.append(
        (
            "draw_dot + dot layout to SVG, same graph",
            f"{nodes:,}",
            median_seconds(lambda: draw_dot(loss).pipe(format="svg"), 1),
        )
    )
    small = Value(0.5, label="x") * Value(2.0, label="w") + Value(0.1, label="b")
    rows.append(
        (
            "backward_stepper page, 3-operation expression",
            f"{len(topological_order(small))}",
            median_seconds(lambda: backward_stepper(small).to_html(), args.repeats),
        )
    )

    if args.markdown:
        print("| what | nodes | median |\n|---|---:|---:|")
        for what, count, seconds in rows:
            print(f"| {what} | {count} | {seconds * 1000:.1f} ms |")
    else:
        for what, count, seconds in rows:
            print(f"{what:<48} {count:>10} nodes {seconds * 1000:>10.1f} ms")


if __name__ == "__main__":
    main()
