"""``autograd-lite explain "EXPR" --at x=1.5,y=-2 --wrt x``: the chain rule, written out."""

from __future__ import annotations

import argparse
from typing import Any

from autograd_lite import explain

from .output import CommandError, Reporter, json_number
from .render import at_option, evaluate_at


def run(args: argparse.Namespace, out: Reporter) -> None:
    evaluation = evaluate_at(args)
    inputs = evaluation.inputs
    wrt = args.wrt
    if wrt is None:
        if len(inputs) != 1:
            names = ", ".join(inputs) or "none"
            raise CommandError(f"say which variable to differentiate by: --wrt NAME (the "
                               f"expression's variables: {names})")
        wrt = next(iter(inputs))
    if wrt not in inputs:
        names = ", ".join(inputs) or "none"
        raise CommandError(f"--wrt {wrt!r} is not a variable of the expression (its variables: "
                           f"{names})")
    root = evaluation.root
    if root is inputs[wrt]:
        root = root * 1.0  # the expression is the variable itself: give it a node of its own
    root.label = args.name
    try:
        explanation = explain(root, inputs[wrt], max_steps=args.max_steps)
    except (ArithmeticError, ValueError) as error:  # too long, or a derivative that is infinite
        raise CommandError(str(error)) from None
    out.result(explanation.to_latex() if args.latex else str(explanation))
    out.emit({
        "expression": args.expression,
        "at": {name: value.data for name, value in inputs.items()},
        "wrt": wrt,
        "value": json_number(explanation.value),
        "text": str(explanation),
        "latex": explanation.to_latex(),
    })


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got {text!r}")
    return number


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "explain",
        parents=[common],
        help="write out the chain rule for one derivative of an expression",
        description=(
            "Evaluate an expression at the given values and write the derivative with respect "
            "to one variable as reverse mode computes it: each intermediate result by the name "
            "the drawings give it (such as x*y), each chain-rule product and sum with its "
            "numbers, then the local derivatives in symbols. The expression language is "
            "render's. An expression that begins with '-' needs '--' before it."
        ),
    )
    parser.add_argument("expression", help='for example "x * y + sin(x)"')
    parser.add_argument(
        "--at", action="append", type=at_option, metavar="NAME=VALUE[,...]",
        help="the variables' values, e.g. --at x=1.5,y=-2 (may be repeated)",
    )
    parser.add_argument("--wrt", metavar="NAME",
                        help="the variable to differentiate by (default: the only variable)")
    parser.add_argument("--name", default="f",
                        help="what to call the expression's value (default f)")
    parser.add_argument("--latex", action="store_true",
                        help="print LaTeX (an aligned block for $$ ... $$) instead of text")
    parser.add_argument("--max-steps", type=_positive, default=40, metavar="N",
                        help="refuse derivations longer than N steps (default 40)")
    parser.set_defaults(handler=run)
