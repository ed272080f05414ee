"""``autograd-lite render "EXPR" --at x=1.5,y=-2``: evaluate, differentiate and draw."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from autograd_lite import Value, backward_stepper, draw_dot

from .expression import (
    OPERATORS,
    Evaluation,
    ExpressionError,
    describe_functions,
    parse,
    parse_assignments,
)
from .output import (
    CommandError,
    Reporter,
    UsageError,
    graph_bytes,
    json_number,
    write_all,
)

FORMATS = ("svg", "png", "pdf", "dot")
#: File suffix -> the format written into such a file (``.gv`` is Graphviz's other DOT suffix).
SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}
_ROOT_LABEL_LIMIT = 30


def at_option(text: str) -> dict[str, float]:
    """argparse type for ``--at``: ``x=1.5,y=-2``."""
    try:
        return parse_assignments(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def picture_format(output: str | None, fmt: str | None) -> str:
    """The format to draw in: the one the suffix of ``output`` names, else ``fmt``, else svg.

    Raises:
        UsageError: ``fmt`` contradicts the suffix (``--format png -o a.svg``), or the suffix
            names no format and ``fmt`` is not given (``-o graph.txt``).
    """
    suffix = Path(output).suffix.lower() if output else ""
    implied = SUFFIXES.get(suffix)
    if implied is not None and fmt is not None and fmt != implied:
        raise UsageError(
            f"--format {fmt} contradicts the file name {output!r}, whose suffix {suffix} means "
            f"{implied}; drop --format, or name the file *.{_suffix_of(fmt)}"
        )
    if suffix and implied is None and fmt is None:
        raise UsageError(
            f"cannot tell the picture format from the file name {output!r}: use a name ending "
            f"in {', '.join(SUFFIXES)}, or give --format {{{','.join(FORMATS)}}}"
        )
    return implied or fmt or "svg"


def _suffix_of(fmt: str) -> str:
    return next(suffix for suffix, name in SUFFIXES.items() if name == fmt)[1:]


def evaluate_at(args: argparse.Namespace) -> Evaluation:
    """``args.expression`` evaluated at the ``--at`` values, or a CommandError with the caret.

    Raises:
        CommandError: a name given twice in ``--at``, or a parse or evaluation error.
    """
    values: dict[str, float] = {}
    for group in args.at or []:
        for name, value in group.items():
            if name in values:
                raise CommandError(f"--at gives {name!r} twice")
            values[name] = value
    try:
        return parse(args.expression).evaluate(values)
    except ExpressionError as error:
        raise CommandError(str(error), error.caret()) from None


def run(args: argparse.Namespace, out: Reporter) -> None:
    fmt = picture_format(args.output, args.format)
    evaluation = evaluate_at(args)
    root = evaluation.root
    if root not in evaluation.inputs.values() and len(args.expression) <= _ROOT_LABEL_LIMIT:
        root.label = args.expression.strip()
    if root.requires_grad:
        _backward(root, args.expression)

    graph_path = Path(args.output) if args.output else Path(f"graph.{fmt}")
    try:
        contents = [(graph_path, graph_bytes(draw_dot(root, format=fmt, color_by_grad=True), fmt))]
        if args.steps:
            contents.append((Path(args.steps), _stepper_page(root)))
    except ValueError as error:  # a graph too large to draw
        raise CommandError(str(error)) from None
    _report(args.expression, evaluation, write_all(contents), out)


def _backward(root: Value, text: str) -> None:
    try:
        root.backward()
    except (ArithmeticError, ValueError) as error:
        raise CommandError(f"the backward pass of {text!r} failed: {error}") from None


def _stepper_page(root: Value) -> bytes:
    if not root.requires_grad:
        raise CommandError("--steps: the expression has no variables, so there is no backward pass")
    page = backward_stepper(root).to_html(title=f"Backward pass of {root.label or 'f'}")
    return page.encode("utf-8")


def _report(text: str, evaluation: Evaluation, files: list[Path], out: Reporter) -> None:
    root, inputs = evaluation.root, evaluation.inputs
    at = ", ".join(f"{name}={value.data!r}" for name, value in inputs.items())
    out.detail(f"f({at}) = {text}" if at else f"f = {text}")
    out.result(f"value = {root.data!r}")
    if inputs:
        out.detail("gradients:")
    for name, value in inputs.items():
        out.result(f"  df/d{name} = {value.grad!r}")
    for path in files:
        out.detail(f"wrote {path}")
    document: dict[str, Any] = {
        "expression": text,
        "at": {name: value.data for name, value in inputs.items()},
        "value": json_number(root.data),
        "gradients": {name: json_number(value.grad) for name, value in inputs.items()},
        "files": [str(path) for path in files],
    }
    out.emit(document)


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "render",
        parents=[common],
        help="evaluate an expression, print its gradients and draw its graph",
        description=(
            "Evaluate an arithmetic expression at the given values, run backward, print each "
            "variable's gradient and draw the computation graph. The language: numbers, "
            f"variables, {OPERATORS}, unary minus, parentheses and the functions "
            f"{describe_functions()}. An expression that begins with '-' needs '--' before it: "
            "render -- \"-x * 2\" --at x=1."
        ),
    )
    parser.add_argument("expression", help='for example "x * y + sin(x)"')
    parser.add_argument(
        "--at", action="append", type=at_option, metavar="NAME=VALUE[,...]",
        help="the variables' values, e.g. --at x=1.5,y=-2 (may be repeated)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE",
        help="where to draw the graph; its suffix (.svg, .png, .pdf, .dot or .gv) sets the "
        "format (default graph.svg, or graph.FORMAT with --format)",
    )
    parser.add_argument(
        "--format", choices=FORMATS,
        help="picture format when -o has no suffix (default svg); dot writes DOT source. "
        "A --format that contradicts the suffix of -o is an error",
    )
    parser.add_argument(
        "--steps", metavar="FILE.html",
        help="also write the backward pass as a step-by-step web page",
    )
    parser.set_defaults(handler=run)
