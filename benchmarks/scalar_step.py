"""W4's graph engines alone, in a process that has not imported PyTorch or NumPy.

The suite runs every engine in one process, so the interpreter's heap holds PyTorch's and
NumPy's objects too. Under the default collector settings, a growing graph triggers full
collections, and a full collection walks that whole heap: the collector's cost to a scalar engine
depends on what else the program has imported. This script measures the same W4 step (micrograd's
``nn.py`` shape, 68,818 nodes) with nothing else loaded, as a small script would run it.

    python benchmarks/scalar_step.py [--rounds 5] [--steps 2] [--phases]
    PYTHONPATH=build/compiled python benchmarks/scalar_step.py  # the compiled engine

``--phases`` times the step's phases instead (building the graph, ``backward()``, freeing it) in
CPU time (``time.process_time``, the best of the rounds): on a shared machine, CPU time is
disturbed less than wall-clock time by other jobs.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script from anywhere

from harness import Engine, agree, measure, peak_memory, report
from micrograd.engine import Value as MicrogradValue
from training_step import Net, count_nodes, initial_weights, loss_of, training_step, two_moons

import autograd_lite as al

LR = 0.05
#: Which build of the engine runs (`make compiled`, then PYTHONPATH=build/compiled).
BUILD = " (compiled)" if al.is_compiled() else ""


def graph_engine(name: str, value_class: type, flat: list[float], points: list[list[float]],
                 labels: list[float], collect: bool = True) -> Engine:  # fmt: skip
    def prepare() -> Callable[[], Any]:
        net = Net(value_class, flat)
        return lambda: training_step(net, points, labels, LR)

    def check() -> tuple[float, list[float]]:
        net = Net(value_class, flat)
        loss = loss_of(net, points, labels)
        loss.backward()
        return float(loss.data), [float(p.grad) for p in net.parameters()]

    def build() -> Any:
        loss = loss_of(Net(value_class, flat), points, labels)
        loss.backward()
        return loss

    return Engine(name, prepare, check, graph_nodes=lambda: count_nodes(build()),
                  memory=lambda: peak_memory(build), collect_garbage=collect)  # fmt: skip


def phases(flat: list[float], points: list[list[float]], labels: list[float], rounds: int) -> None:
    """The best CPU time of each phase of a step, per engine, engines alternating."""
    rows = [("micrograd 0.1.0, gc disabled", MicrogradValue, False),
            (f"autograd-lite{BUILD} eager (default gc)", al.Value, True),
            (f"autograd-lite{BUILD} eager, gc disabled", al.Value, False)]  # fmt: skip
    nets = {name: Net(value_class, flat) for name, value_class, _ in rows}
    best: dict[str, list[float]] = {name: [1e9] * 4 for name, _, _ in rows}
    for _ in range(rounds):
        for name, _, collect in rows:
            gc.collect()
            if not collect:
                gc.disable()
            try:
                t0 = time.process_time()
                loss = loss_of(nets[name], points, labels)
                t1 = time.process_time()
                loss.backward()
                t2 = time.process_time()
                del loss
                t3 = time.process_time()
            finally:
                gc.enable()
            times = (t1 - t0, t2 - t1, t3 - t2, t3 - t0)
            best[name] = [min(b, t) for b, t in zip(best[name], times)]
    print("| engine | build the graph | backward() | free it | step |")
    print("|---|---:|---:|---:|---:|")
    for name, times in best.items():
        print(f"| {name} | " + " | ".join(f"{t * 1e3:.1f} ms" for t in times) + " |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--steps", type=int, default=2, help="timed runs per round (default 2)")
    parser.add_argument("--phases", action="store_true", help="CPU time per phase instead")
    args = parser.parse_args(argv)
    points, labels = two_moons(100, noise=0.1, seed=1)
    flat = initial_weights(seed=1337)
    if args.phases:
        phases(flat, points, labels, args.rounds)
        return 0
    engines = [
        graph_engine("micrograd 0.1.0", MicrogradValue, flat, points, labels),
        graph_engine("micrograd 0.1.0, gc disabled", MicrogradValue, flat, points, labels,
                     collect=False),
        graph_engine(f"autograd-lite{BUILD} eager (default gc)", al.Value, flat, points, labels),
        graph_engine(f"autograd-lite{BUILD} eager, gc disabled", al.Value, flat, points, labels,
                     collect=False),
    ]  # fmt: skip
    agree(engines, engines[0].check(), 1e-9)
    measure(engines, args.rounds, args.steps)
    assert "torch" not in sys.modules and "numpy" not in sys.modules
    print("\n".join(report(
        "W4 without PyTorch or NumPy in the process", engines,
        {"micrograd, gc disabled": "micrograd 0.1.0, gc disabled"},
    )))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
