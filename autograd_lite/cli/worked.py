"""``autograd-lite worked-example``: the textbook 2-2-2 network, figure by figure, and its pictures.

The network and its figures are those of Matt Mazur's "A Step by Step Backpropagation Example"
(2015), a walk-through of one step of backpropagation by hand.

The numbers and the table are ``nn.worked_example``'s; this module prints them, names the
update order asked for, and writes the network diagram and the backward stepper page.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from autograd_lite import backward_stepper
from nn import worked_example
from nn.views import draw_network
from nn.worked_example import GRADIENT_DESCENT, ORDERS, OUTPUT_LAYER_FIRST

from .output import Reporter, graph_bytes, write_all

ORDER_NAMES = {
    GRADIENT_DESCENT: "gradient descent (every gradient from the old weights)",
    OUTPUT_LAYER_FIRST: "the walk-through's order (w5..w8 updated first, then w1..w4 through "
    "the new w5..w8)",
}


def run(args: argparse.Namespace, out: Reporter) -> None:
    gradient_descent = worked_example.run(GRADIENT_DESCENT)
    output_layer_first = worked_example.run(OUTPUT_LAYER_FIRST)
    rows = worked_example.table_rows(gradient_descent, output_layer_first)
    chosen = output_layer_first if args.order == OUTPUT_LAYER_FIRST else gradient_descent
    out.detail("The 2-2-2 logistic network of Matt Mazur's \"A Step by Step Backpropagation "
               "Example\" (2015):")
    out.detail("each figure the walk-through prints beside the one the engine computes.")
    out.detail()
    out.detail(worked_example.format_table(rows))
    out.detail()
    out.detail(f"Updates in {ORDER_NAMES[chosen.order]}, learning rate "
               f"{worked_example.LEARNING_RATE}:")
    out.result(f"E_total after 1 update: {chosen.error_after_one_update:.9f}")
    out.result(f"E_total after {chosen.steps:,} updates: {chosen.error_after:.10f}")

    folder = Path(args.out)
    files = _pictures(folder)
    for path in files:
        out.detail(f"wrote {path}")
    out.emit({
        "order": chosen.order,
        "rows": [
            {"quantity": row.quantity, "published": row.published_figure,
             "computed": row.computed_figure, "matches": row.matches}
            for row in rows
        ],
        "error_before": chosen.e_total,
        "error_after_1_update": chosen.error_after_one_update,
        "steps": chosen.steps,
        "error_after_steps": chosen.error_after,
        "outputs_after_steps": list(chosen.outputs_after),
        "files": [str(path) for path in files],
    })


def _pictures(folder: Path) -> list[Path]:
    """The network diagram with the first pass's gradients, and the stepper page of E_total."""
    network, total = worked_example.first_pass()
    diagram = draw_network(network.model, names=network.params, input_names=["i1", "i2"],
                           inputs=list(worked_example.INPUTS), show_grads=True)
    page = backward_stepper(total, hide_constants=True).to_html(
        title="The worked example, backward"
    )
    return write_all([
        (folder / "worked_example_network.svg", graph_bytes(diagram, "svg")),
        (folder / "worked_example_stepper.html", page.encode("utf-8")),
    ])


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "worked-example",
        parents=[common],
        help="the textbook 2-2-2 network: its published figures beside the engine's, and "
        "its pictures",
        description=(
            "The 2-2-2 logistic network of Matt Mazur's \"A Step by Step Backpropagation "
            "Example\" (2015): inputs i1 = 0.05 and i2 = 0.10, targets 0.01 and 0.99, "
            "learning rate 0.5. Prints a table of every figure the walk-through publishes "
            "beside the one the engine computes, then the error after 1 and 10,000 updates. "
            "Writes the "
            "network diagram (worked_example_network.svg) and the backward pass as a "
            "step-by-step page (worked_example_stepper.html) to --out."
        ),
    )
    parser.add_argument(
        "--order", choices=ORDERS, default=GRADIENT_DESCENT,
        help="how the 1 and 10,000 updates are taken: gradient_descent (the default: every "
        "gradient from the old weights, then every update) or output_layer_first (w5..w8 "
        "updated first and the output deltas sent back through the new w5..w8, which "
        "reproduces the walk-through's later figures)",
    )
    parser.add_argument("--out", default="out", metavar="DIR",
                        help="where to write the pictures (default out)")
    parser.set_defaults(handler=run)
