"""How a tape's set-up (tracing, generating and compiling its code) grows with the graph.

For a chain (W2's step repeated), a sum of products (W3's) and W1's training step over more and
more examples, the script times the trace and the first replay (which generates and compiles the
code) at several sizes and prints milliseconds per node: a flat column means linear growth.
Each figure is the median of three runs, the garbage collector emptied before each.

    .venv/bin/python benchmarks/tape_setup.py --markdown
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script from anywhere

import engines_chain
import engines_w1
from training_step import initial_weights, two_moons

import autograd_lite as al


def chain(length: int) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    return (lambda x: engines_chain.chain(x, length)), (0.5,)


def dot(length: int) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    rng = random.Random(7)
    a = [rng.uniform(-1, 1) for _ in range(length)]
    b = [rng.uniform(-1, 1) for _ in range(length)]
    return (lambda xs, ys: engines_chain.dot(xs, ys, al.total)), (a, b)


def training_step(examples: int) -> tuple[Callable[..., Any], tuple[Any, ...]]:
    points, labels = two_moons(examples, noise=0.1, seed=1)
    model = engines_w1.nn_model(initial_weights(seed=1337))
    return (lambda xs, ys: engines_w1.nn_loss(model, xs, ys)), (points, labels)


def set_up(make: Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]]) -> tuple[float, int]:
    """Seconds to trace and to run the first replay (generating and compiling), and the nodes."""
    times, nodes = [], 0
    for _ in range(3):
        function, args = make()
        gc.collect()
        start = time.perf_counter()
        tape = al.trace(function, *args)
        tape.value_and_grad(*args)
        times.append(time.perf_counter() - start)
        nodes = len(tape.nodes)
    return statistics.median(times), nodes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--tiny", action="store_true", help="small sizes: a quick check")
    args = parser.parse_args(argv)
    sizes = {
        "chain": [300, 1_000] if args.tiny else [10_000, 30_000, 100_000],
        "sum of products": [300, 1_000] if args.tiny else [10_000, 30_000, 100_000],
        "W1 step, examples": [5, 10] if args.tiny else [25, 100, 400],
    }
    workloads = {"chain": chain, "sum of products": dot, "W1 step, examples": training_step}
    rows = []
    for name, sizes_of in sizes.items():
        for size in sizes_of:
            seconds, nodes = set_up(lambda w=workloads[name], s=size: w(s))
            rows.append((name, size, nodes, seconds))
    if args.markdown:
        print("| graph | size | nodes | set-up | µs / node |")
        print("|---|---:|---:|---:|---:|")
    for name, size, nodes, seconds in rows:
        if args.markdown:
            print(f"| {name} | {size:,} | {nodes:,} | {seconds * 1e3:.0f} ms | "
                  f"{seconds / nodes * 1e6:.2f} |")  # fmt: skip
        else:
            print(f"{name:20s} {size:>8,} {nodes:>9,} nodes {seconds * 1e3:9.1f} ms "
                  f"{seconds / nodes * 1e6:6.2f} µs/node")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
