"""``autograd-lite predict --model FILE x1 x2 ...``: a saved model's predicted class, row by row.

How the outputs become a class follows the model's last layer, as ``autograd-lite train`` builds
it: one output through a sigmoid is the probability of class 1; one output otherwise is a
margin (or logit) whose sign decides (positive: class 1); several outputs are one score per class,
the largest wins and the softmax of the scores gives its probability.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import nn
from autograd_lite import Value, no_grad

from .output import CommandError, Reporter


def load_model(path: Path) -> nn.Module:
    """``nn.load`` with its failures as one-line command errors."""
    try:
        return nn.load(path)
    except FileNotFoundError:
        raise CommandError(f"model file {path} does not exist") from None
    except IsADirectoryError:
        raise CommandError(f"model file {path} is a directory") from None
    except OSError as error:
        raise CommandError(f"cannot read model file {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise CommandError(f"{error}") from None


def parse_row(fields: list[str], where: str) -> list[float]:
    """Numbers from text fields; a clear error naming the row and the field that is not one."""
    row = []
    for field in fields:
        try:
            x = float(field)
        except ValueError:
            raise CommandError(f"{where}: {field!r} is not a number") from None
        if not math.isfinite(x):
            raise CommandError(f"{where}: {field!r} is not a finite number")
        row.append(x)
    return row


def read_rows(args: argparse.Namespace) -> list[list[float]]:
    """The command-line numbers as one row, else one row per non-empty line of standard input."""
    if args.inputs:
        return [parse_row(args.inputs, "the inputs")]
    if sys.stdin is None or sys.stdin.isatty():
        raise CommandError(
            "no inputs: give them as arguments (predict --model FILE 0.5 -1.2) or as rows on "
            "standard input"
        )
    rows = []
    for number, line in enumerate(sys.stdin, start=1):
        fields = line.replace(",", " ").split()
        if fields:
            rows.append(parse_row(fields, f"line {number} of standard input"))
    if not rows:
        raise CommandError("standard input holds no rows of numbers")
    return rows


def _outputs(result: Any) -> list[float]:
    values = result if isinstance(result, list) else [result]
    return [v.data if isinstance(v, Value) else float(v) for v in values]


def _output_activation(model: nn.Module) -> str:
    config = getattr(model, "config", None)
    found = config().get("output_activation", config().get("activation")) if callable(config) \
        else None
    return found if isinstance(found, str) else "linear"


def describe(outputs: list[float], output_activation: str) -> dict[str, Any]:
    """The predicted class of one row of outputs, with its probability or margin.

    Args:
        outputs: the model's outputs for one input row.
        output_activation: the activation of the model's last layer.

    Returns:
        ``{"class": k, "probability": p}`` (a sigmoid output, or several outputs: the softmax
        of the scores) or ``{"class": k, "margin": z}`` (one output without a sigmoid: class 1
        when ``z > 0``).

    Example:
        >>> describe([2.0], "linear")
        {'class': 1, 'margin': 2.0}
        >>> describe([0.25], "sigmoid")
        {'class': 0, 'probability': 0.75}
        >>> describe([0.0, 0.0, 1.0], "linear")["class"]
        2
    """
    if len(outputs) == 1:
        (z,) = outputs
        if output_activation == "sigmoid":
            return {"class": int(z >= 0.5), "probability": z if z >= 0.5 else 1.0 - z}
        return {"class": int(z > 0), "margin": z}
    best = max(range(len(outputs)), key=outputs.__getitem__)
    shifted = [math.exp(z - outputs[best]) for z in outputs]
    return {"class": best, "probability": shifted[best] / math.fsum(shifted)}


def in_words(prediction: dict[str, Any]) -> str:
    """``class 1 (probability 0.873)`` or ``class 0 (margin -1.25)``."""
    if "probability" in prediction:
        return f"class {prediction['class']} (probability {prediction['probability']:.4g})"
    return f"class {prediction['class']} (margin {prediction['margin']:+.6g})"


_RULES = {
    "sigmoid": "one output, the probability of class 1 (class 1 from 0.5 on)",
    "margin": "one output, a margin: class 1 when it is positive, class 0 otherwise",
    "scores": "{n} outputs, one score per class: the largest wins, and the softmax of the "
              "scores is its probability",
}


def run(args: argparse.Namespace, out: Reporter) -> None:
    path = Path(args.model)
    model = load_model(path)
    rows = read_rows(args)
    expected = _input_count(model)
    outputs = []
    with no_grad():
        for index, row in enumerate(rows, start=1):
            if expected is not None and len(row) != expected:
                where = "the inputs" if args.inputs else f"row {index}"
                raise CommandError(
                    f"{where}: the model in {path} takes {expected} inputs, got {len(row)}"
                )
            try:
                outputs.append(_outputs(model(row)))
            except (ArithmeticError, ValueError) as error:
                where = "the inputs" if args.inputs else f"row {index}"
                raise CommandError(f"{where}: {error}") from None
    activation = _output_activation(model)
    predictions = [describe(row_outputs, activation) for row_outputs in outputs]
    width = len(outputs[0])
    rule = "scores" if width > 1 else "sigmoid" if activation == "sigmoid" else "margin"
    out.detail(f"The model has {_RULES[rule].format(n=width)}.")
    for prediction in predictions:
        out.result(in_words(prediction))
    out.emit({"model": str(path), "inputs": rows, "outputs": outputs,
              "predictions": predictions})


def _input_count(model: nn.Module) -> int | None:
    config = getattr(model, "config", None)
    nin = config().get("nin") if callable(config) else None
    return nin if isinstance(nin, int) else None


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "predict",
        parents=[common],
        help="a saved model's predicted class for some inputs",
        description=(
            "Load a model saved by 'autograd-lite train' (or nn.save) and print the class it "
            "predicts, with its probability or margin: for the numbers on the command line, or "
            "for each row of numbers (separated by spaces or commas) on standard input, one "
            "line per row. One output through a sigmoid is the probability of class 1; one "
            "output otherwise is a margin, class 1 when positive; several outputs are one "
            "score per class, the largest wins, with its softmax probability. --json also "
            "gives the raw outputs."
        ),
    )
    parser.add_argument("--model", required=True, metavar="FILE", help="the model's JSON file")
    parser.add_argument("inputs", nargs="*", metavar="x", help="one row of inputs")
    parser.set_defaults(handler=run)
