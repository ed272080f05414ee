"""How a tape's set-up (tracing, generating and compiling its code) grows with the graph.

For a chain (W2's step repeated), a sum of products (W3's) and W1's training step over more and
more examples, the script times each phase of the set-up at sizes from about 10^3 to 10^5 nodes:
the trace (one eager forward and the topological order), generating the source, compiling it, and
the first replay. It prints microseconds per node: a flat column means linear growth. Each
figure is the median of three runs (``--rounds``), the garbage collector emptied before each.
Last, W1's set-up with 100 examples in eager steps (``nn.MLP`` and ``nn.SGD``, same process).

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
import nn


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


PHASES = ("trace", "generate", "compile", "first replay")


def set_up(make: Callable[[], tuple[Callable[..., Any], tuple[Any, ...]]],
           rounds: int) -> tuple[dict[str, float], int]:  # fmt: skip
    """Median seconds of each phase and of the whole set-up, and the tape's nodes."""
    times: dict[str, list[float]] = {phase: [] for phase in (*PHASES, "set-up")}
    nodes = 0
    for _ in range(rounds):
        function, args = make()
        gc.collect()
        start = time.perf_counter()
        tape = al.trace(function, *args)
        traced = time.perf_counter()
        tape._code("forward_backward")
        generated = time.perf_counter()
        tape._function("forward_backward")  # compiles the generated source
        compiled = time.perf_counter()
        tape.value_and_grad(*args)
        replayed = time.perf_counter()
        for phase, seconds in zip((*PHASES, "set-up"), (traced - start, generated - traced,
                                  compiled - generated, replayed - compiled, replayed - start)):
            times[phase].append(seconds)
        nodes = len(tape.nodes)
    return {phase: statistics.median(values) for phase, values in times.items()}, nodes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--tiny", action="store_true", help="small sizes: a quick check")
    parser.add_argument("--rounds", type=int, default=3, help="runs per size (default 3)")
    args = parser.parse_args(argv)
    rounds = 1 if args.tiny else args.rounds
    sizes = {  # about 10^3, 10^4 and 10^5 nodes each
        "chain": [300, 1_000] if args.tiny else [700, 7_000, 70_000],
        "sum of products": [300, 1_000] if args.tiny else [350, 3_500, 35_000],
        "W1 step, examples": [5, 10] if args.tiny else [10, 100, 1_000],
    }
    workloads = {"chain": chain, "sum of products": dot, "W1 step, examples": training_step}
    rows = []
    for name, sizes_of in sizes.items():
        for size in sizes_of:
            seconds, nodes = set_up(lambda w=workloads[name], s=size: w(s), rounds)
            rows.append((name, size, nodes, seconds))
    examples = 5 if args.tiny else 100
    set_up_seconds, eager_seconds = in_eager_steps(examples, rounds)
    per_node = [f"{phase} µs / node" for phase in PHASES]
    if args.markdown:
        print(f"| graph | size | nodes | set-up | set-up µs / node | {' | '.join(per_node)} |")
        print("|---|" + "---:|" * (4 + len(PHASES)))
    for name, size, nodes, seconds in rows:
        phases = [f"{seconds[phase] / nodes * 1e6:.2f}" for phase in PHASES]
        total = seconds["set-up"]
        if args.markdown:
            print(f"| {name} | {size:,} | {nodes:,} | {total * 1e3:.0f} ms | "
                  f"{total / nodes * 1e6:.2f} | {' | '.join(phases)} |")  # fmt: skip
        else:
            print(f"{name:20s} {size:>8,} {nodes:>9,} nodes {total * 1e3:9.1f} ms "
                  f"{total / nodes * 1e6:6.2f} µs/node ({', '.join(phases)})")  # fmt: skip
    print(f"\nW1 step, {examples} examples: set-up {set_up_seconds * 1e3:.1f} ms, eager step "
          f"{eager_seconds * 1e3:.1f} ms: {set_up_seconds / eager_seconds:.2f} eager steps")
    return 0


def in_eager_steps(examples: int, rounds: int) -> tuple[float, float]:
    """W1's tape set-up and its eager step (nn.MLP, nn.SGD), medians, in the same process."""
    points, labels = two_moons(examples, noise=0.1, seed=1)
    model = engines_w1.nn_model(initial_weights(seed=1337))
    optimizer = nn.SGD(model.parameters(), lr=engines_w1.LR)
    steps = []
    for _ in range(max(rounds, 3) + 2):
        gc.collect()
        start = time.perf_counter()
        optimizer.zero_grad()
        engines_w1.nn_loss(model, points, labels).backward()
        optimizer.step()
        steps.append(time.perf_counter() - start)
    seconds, _ = set_up(lambda: training_step(examples), rounds)
    return seconds["set-up"], statistics.median(steps)


if __name__ == "__main__":
    raise SystemExit(main())
