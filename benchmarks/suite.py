"""The benchmark suite: three workloads, every engine, side by side in one process.

W1  one training step (forward, backward, SGD update) of an MLP 2-16-16-1 (ReLU hidden, linear
    output) on 100 two-moons points, max-margin loss plus 1e-4 L2 (micrograd's demo recipe);
W2  a chain of 10^5 operations (alternating * 0.9999 and relu) and its backward;
W3  the sum of 10^5 products and its backward;
W4  W1's step written as users write scalar code (micrograd's own nn.py: a sum of products per
    neuron, relu, the max-margin loss), the same 68,818-node graph in every graph engine.

Every engine starts from the same numbers, and before anything is timed the suite checks that all
give the same loss and gradients (1e-9). Engines then alternate round by round, so machine noise
hits them alike; each figure is a median. Run it with ``make bench`` (or ``--tiny`` for a quick
correctness pass, as the tests do).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script from anywhere

import engines_chain
import engines_w1
import engines_w4
from harness import agree, measure, report
from training_step import two_moons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--steps", type=int, default=2, help="timed runs per round (default 2)")
    parser.add_argument("--tiny", action="store_true", help="small sizes: a correctness check")
    parser.add_argument("--workloads", default="W1,W2,W3,W4", help="which workloads (default all)")
    args = parser.parse_args(argv)

    points_count, chain_length = (12, 300) if args.tiny else (100, 100_000)
    rounds, steps = (1, 1) if args.tiny else (args.rounds, args.steps)
    wanted = set(args.workloads.split(","))
    out = [
        f"Python {sys.version.split()[0]}; medians of {rounds} rounds x {steps} runs, engines "
        "alternating; every engine checked against micrograd's (or the float floor's) loss and "
        "gradients to 1e-9 before timing.",
        "",
    ]
    if "W1" in wanted:
        points, labels = two_moons(points_count, noise=0.1, seed=1)
        engines, reference = engines_w1.engines(points, labels)
        agree(engines, reference, 1e-9)
        measure(engines, rounds, steps)
        out += report(
            f"W1: one training step, MLP 2-16-16-1 on {points_count} two-moons points",
            engines,
            {"Python floats": "Python floats, by hand", "NumPy": "NumPy matrices, by hand"},
            eager="autograd-lite eager (nn.MLP, nn.SGD)",
        )
    for name, workload in (("W2", "chain"), ("W3", "dot")):
        if name not in wanted:
            continue
        engines, reference = engines_chain.engines(workload, chain_length)
        agree(engines, reference, 1e-9)
        measure(engines, rounds, steps)
        title = (
            f"W2: a chain of {chain_length:,} operations and its backward"
            if workload == "chain"
            else f"W3: the sum of {chain_length:,} products and its backward"
        )
        out += report(title, engines, {"Python floats": "Python floats, by hand"},
                      eager="autograd-lite eager")
    if "W4" in wanted:
        points, labels = two_moons(points_count, noise=0.1, seed=1)
        engines, reference = engines_w4.engines(points, labels)
        agree(engines, reference, 1e-9)
        measure(engines, rounds, steps)
        out += report(
            f"W4: W1's step as users write it (micrograd's nn.py), {points_count} two-moons points",
            engines,
            {"micrograd, gc disabled": "micrograd 0.1.0, gc disabled",
             "Python floats": "Python floats, by hand"},
            eager="autograd-lite eager (default gc)",
        )
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
