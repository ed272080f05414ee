"""``autograd-lite predict --model FILE x1 x2 ...``: a saved model's outputs, row by row."""

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
    for row_outputs in outputs:
        out.result(" ".join(repr(x) for x in row_outputs))
    out.emit({"model": str(path), "inputs": rows, "outputs": outputs})


def _input_count(model: nn.Module) -> int | None:
    config = getattr(model, "config", None)
    nin = config().get("nin") if callable(config) else None
    return nin if isinstance(nin, int) else None


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "predict",
        parents=[common],
        help="a saved model's outputs for some inputs",
        description=(
            "Load a model saved by 'autograd-lite train' (or nn.save) and print its outputs: "
            "for the numbers on the command line, or for each row of numbers (separated by "
            "spaces or commas) on standard input. One line of outputs per row."
        ),
    )
    parser.add_argument("--model", required=True, metavar="FILE", help="the model's JSON file")
    parser.add_argument("inputs", nargs="*", metavar="x", help="one row of inputs")
    parser.set_defaults(handler=run)
