"""The Jacobian of f: R^n -> R^m by forward mode (jacfwd, n passes) and reverse mode (jacrev, m).

f is a small network: every output depends on every input through a shared hidden layer of
``--hidden`` tanh units, so each forward pass and each reverse pass walks the whole graph.
jacfwd pushes one tangent per input forward (n passes of dual numbers); jacrev records the graph
once and pulls one output back per pass (m reverse passes). For each (n, m) both run side by
side, alternating round by round, and the median times and their ratio are printed, with the
crossing: for each m, the smallest n at which reverse mode is the faster. Times are this
process's CPU time (``time.process_time``), so that other jobs on a shared machine, which take
the CPU away between instructions, do not land in one mode's samples.

    .venv/bin/python benchmarks/jacobian_modes.py            # the table in RESULTS.md
    .venv/bin/python benchmarks/jacobian_modes.py --tiny     # a smoke run
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import autograd_lite as al


def network(n: int, m: int, hidden: int, seed: int = 0) -> Callable[[list[Any]], list[Any]]:
    """f(x) = W2 tanh(W1 x + b1): n inputs, m outputs, every output depending on every input."""
    rng = random.Random(seed)
    w1 = [[rng.gauss(0, 1 / n**0.5) for _ in range(n)] for _ in range(hidden)]
    b1 = [rng.gauss(0, 0.1) for _ in range(hidden)]
    w2 = [[rng.gauss(0, 1 / hidden**0.5) for _ in range(hidden)] for _ in range(m)]

    def f(x: list[Any]) -> list[Any]:
        h = [al.ops.linear(*row, *x, b).tanh() for row, b in zip(w1, b1)]
        return [al.ops.linear(*row, *h, 0.0) for row in w2]

    return f


def time_both(n: int, m: int, hidden: int, rounds: int) -> tuple[float, float]:
    """Median seconds of jacfwd and of jacrev at one (n, m), after checking they agree."""
    f = network(n, m, hidden)
    x = [0.1 * (i % 7) - 0.3 for i in range(n)]
    forward, reverse = al.jacfwd(f), al.jacrev(f)
    a, b = forward(x), reverse(x)
    worst = max(abs(p - q) for row_a, row_b in zip(a, b) for p, q in zip(row_a, row_b))
    assert worst < 1e-12, f"jacfwd and jacrev differ by {worst} at n={n}, m={m}"
    start = time.process_time()
    forward(x)
    reverse(x)
    calls = max(1, int(0.004 / (time.process_time() - start)))  # samples of a few ms each
    times: dict[str, list[float]] = {"fwd": [], "rev": []}
    gc.collect()
    gc.disable()  # the collector's pauses would land on whichever mode runs at the time
    try:
        for _ in range(rounds):
            for name, jacobian in (("fwd", forward), ("rev", reverse)):
                start = time.process_time()
                for _ in range(calls):
                    jacobian(x)
                times[name].append((time.process_time() - start) / calls)
    finally:
        gc.enable()
    return statistics.median(times["fwd"]), statistics.median(times["rev"])


def crossing(ratios: dict[tuple[int, int], float], sizes: list[int]) -> dict[int, int | None]:
    """For each m, the smallest n from which jacrev stays faster (ratio fwd/rev > 1)."""
    found: dict[int, int | None] = {}
    for m in sizes:
        found[m] = None
        for n in reversed(sizes):
            if ratios[n, m] <= 1.0:
                break
            found[m] = n
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,2,4,8,16,32", help="values of n and of m")
    parser.add_argument("--hidden", type=int, default=8, help="width of the shared layer")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tiny", action="store_true", help="sizes 1,2,4 and 3 rounds")
    args = parser.parse_args()
    sizes = [1, 2, 4] if args.tiny else [int(s) for s in args.sizes.split(",")]
    rounds = 3 if args.tiny else args.rounds
    ratios: dict[tuple[int, int], float] = {}
    print(f"f: R^n -> R^m, a shared layer of {args.hidden} tanh units; median of {rounds} rounds")
    print("| n \\ m | " + " | ".join(str(m) for m in sizes) + " |")
    print("|---:|" + "---:|" * len(sizes))
    for n in sizes:
        cells = []
        for m in sizes:
            fwd, rev = time_both(n, m, args.hidden, rounds)
            ratios[n, m] = fwd / rev
            cells.append(f"{fwd * 1e3:.2f} / {rev * 1e3:.2f} ms ({fwd / rev:.2f}x)")
        print(f"| {n} | " + " | ".join(cells) + " |")
    print("\ncells: jacfwd / jacrev median time (jacfwd / jacrev ratio; above 1: reverse wins)")
    for m, n in crossing(ratios, sizes).items():
        where = f"from n = {n}" if n is not None else "at no n measured"
        print(f"m = {m}: jacrev is faster {where}")


if __name__ == "__main__":
    main()
