"""The harness every benchmark workload shares: engines, the agreement check, timing, reports."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Engine:
    """One way of running a workload: ``prepare()`` returns the function to time."""

    name: str
    prepare: Callable[[], Callable[[], Any]]
    check: Callable[[], tuple[float, list[float]]]  # (loss, gradients) from the start values
    graph_nodes: Callable[[], int | None] = lambda: None
    # Peak bytes (tracemalloc) while building the graph and running backward. Not measured for
    # tapes: tracemalloc looks up a line number per allocation, which is linear in the size of
    # the generated function, so it turns a replay quadratic. A replay holds one float per value
    # and per gradient (24 bytes each) and a frame slot (8 bytes) per name.
    memory: Callable[[], int | None] = lambda: None
    collect_garbage: bool = True
    times: list[float] = field(default_factory=list)
    setup_seconds: float = 0.0  # prepare(): tracing and compiling, for the tapes
    failure: str = ""


def agree(engines: list[Engine], reference: tuple[float, list[float]], tolerance: float) -> None:
    loss, grads = reference
    for engine in engines:
        if engine.failure:
            continue
        try:
            their_loss, their_grads = engine.check()
        except RecursionError:
            engine.failure = "RecursionError (recursive topological sort)"
            continue
        assert abs(their_loss - loss) <= tolerance * max(1.0, abs(loss)), (
            f"{engine.name}: loss {their_loss!r} differs from {loss!r}"
        )
        assert len(their_grads) == len(grads), f"{engine.name}: {len(their_grads)} gradients"
        worst = max((abs(a - b) / max(1.0, abs(b)) for a, b in zip(their_grads, grads)), default=0)
        assert worst <= tolerance, f"{engine.name}: gradients differ by {worst:.3g}"


def measure(engines: list[Engine], rounds: int, steps: int) -> None:
    runners = {}
    for engine in engines:
        if not engine.failure:
            gc.collect()  # each set-up starts from a collected heap, as each timed round does
            start = time.perf_counter()
            runners[engine.name] = engine.prepare()
            engine.setup_seconds = time.perf_counter() - start
    for _ in range(rounds):
        for engine in engines:
            if engine.failure:
                continue
            gc.collect()
            if not engine.collect_garbage:
                gc.disable()
            try:
                for _ in range(steps):
                    start = time.perf_counter()
                    runners[engine.name]()
                    engine.times.append(time.perf_counter() - start)
            finally:
                gc.enable()


def peak_memory(build: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    kept = build()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return peak


def report(title: str, engines: list[Engine], floors: dict[str, str],
           eager: str | None = None) -> list[str]:  # fmt: skip
    """A Markdown table; ``floors`` maps a column name to the engine each row is divided by.

    With ``eager`` (an engine's name), the set-up is also given in that engine's steps: how many
    eager steps a tape's tracing and compiling cost.
    """
    medians = {e.name: statistics.median(e.times) for e in engines if e.times}
    micrograd = medians.get("micrograd 0.1.0")
    lines = [f"### {title}", ""]
    header = ["engine", "median", "micrograd / this"]
    header += [f"this / {floor}" for floor in floors]
    header += ["graph nodes", "µs / node", "peak bytes / node", "set-up"]
    eager_step = medians.get(eager) if eager else None
    if eager_step:
        header.append("set-up in eager steps")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|---|" + "---:|" * (len(header) - 1))
    for engine in engines:
        if engine.failure:
            lines.append(f"| {engine.name} | fails: {engine.failure} |" + " |" * (len(header) - 2))
            continue
        median = medians[engine.name]
        nodes = engine.graph_nodes()
        memory = engine.memory()
        row = [engine.name, _duration(median)]
        row.append(f"{micrograd / median:.1f}x" if micrograd else "-")
        row += [
            f"{median / medians[floor]:.2f}x" if floor in medians else "-"
            for floor in floors.values()
        ]
        row.append(f"{nodes:,}" if nodes else "-")
        row.append(f"{median / nodes * 1e6:.3f}" if nodes else "-")
        row.append(f"{memory / nodes:.0f}" if nodes and memory else "-")
        row.append(_duration(engine.setup_seconds))
        if eager_step:  # tracing and compiling is what a tape pays before its first replay
            tape = "tape" in engine.name
            row.append(f"{engine.setup_seconds / eager_step:.2f}" if tape else "-")
        lines.append("| " + " | ".join(row) + " |")
    return [*lines, ""]


def _duration(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds < 1 else f"{seconds:.2f} s"
