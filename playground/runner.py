"""The playground's Python side: what the page asks of the real ``autograd_lite``, as JSON.

The browser runs this file in Pyodide (CPython in WebAssembly) inside a Web Worker; the same
file runs under ordinary CPython in the test suite. It only calls the project's own code: the
command line's expression language (its safe parser and its messages), ``backward()``, the
backward stepper's frames and captions, the drawing's DOT source, and ``autograd-lite explain``.

    >>> import json
    >>> answer = json.loads(run("x * y", "x=2,y=-3"))
    >>> answer["value"], answer["gradients"]["x"]["repr"]
    ('-6.0', '-3.0')
    >>> json.loads(run("x ^ 2", "x=1"))["error"]["message"]
    "the operator '^' is not allowed; the operators are + - * / ** % // (column 3)"
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

from autograd_lite import backward_stepper
from autograd_lite.cli.expression import (
    FUNCTIONS,
    OPERATORS,
    ExpressionError,
    parse,
    parse_assignments,
)
from autograd_lite.cli.main import main
from autograd_lite.drawing import format_number, value_graph

#: The expression's value is called this in the graph, the captions and ``explain``, as the
#: command line's ``explain`` calls it by default.
ROOT_NAME = "f"

#: The expression, values and variables of the last result :func:`run` gave, for :func:`explain`.
_last: dict[str, Any] = {}


def run(expression: str, at: str) -> str:
    """Evaluate ``expression`` at the values ``at`` (``"x=2,w=-3"``), run backward, step it.

    Args:
        expression: Text in the command line's expression language.
        at: The variables' values as ``--at`` takes them: ``name=value`` separated by commas
            (empty when the expression has no variables).

    Returns:
        A JSON object. On success: ``value`` (the result's ``repr``) and ``short`` (as the
        graph rounds it), ``lines`` (what ``autograd-lite render`` prints), ``variables``,
        ``gradients`` (per variable: the gradient's ``repr`` and short form, the value's short
        form), ``dot`` (the graph's DOT source, gradients drawn in), ``nodes`` (how many Values
        it draws) and ``frames`` (the backward stepper's frames: node id, gradient text,
        caption, the flow of the step). On bad input: ``error`` with ``message``, ``caret`` (the
        expression and a ``^`` under the column, or "") and ``column``, worded as the command
        line words them.
    """
    _last.clear()
    try:
        values = parse_assignments(at) if at.strip() else {}
    except ValueError as error:
        return _error(f"values: {error}")
    try:
        parsed = parse(expression)
        evaluation = parsed.evaluate(values)
    except ExpressionError as error:
        return _error(str(error), error.caret(), error.column)
    root, inputs = evaluation.root, evaluation.inputs
    if root not in inputs.values():
        root.label = ROOT_NAME
    answer: dict[str, Any] = {
        "value": repr(root.data),
        "short": format_number(root.data),
        "variables": list(inputs),
        "gradients": {},
        "frames": [],
    }
    at_text = ", ".join(f"{name}={value.data!r}" for name, value in inputs.items())
    lines = [f"f({at_text}) = {expression}" if at_text else f"f = {expression}"]
    lines.append(f"value = {root.data!r}")
    if root.requires_grad:
        try:
            stepper = backward_stepper(root)
            root.backward()
        except (ArithmeticError, ValueError) as error:
            return _error(f"the backward pass of {expression!r} failed: {error}")
        answer["frames"] = [stepper._frame_data(frame) for frame in stepper.frames]
        grads = {frame.node: frame.grad for frame in stepper.frames}
        order = stepper.order
        _last.update(expression=expression, at=at, variables=list(inputs))
    else:
        grads, order = {}, [root]
    lines.append("gradients:" if inputs else "(no variables, so no gradients)")
    for name, value in inputs.items():
        lines.append(f"  df/d{name} = {value.grad!r}")
        answer["gradients"][name] = {
            "repr": repr(value.grad),
            "short": format_number(value.grad),
            "data": format_number(value.data),
        }
    answer["lines"] = lines
    all_grads = {node: grads.get(node, 0.0) for node in order}
    answer["dot"] = value_graph(order, all_grads, rankdir="LR", hide_constants=False).source
    answer["nodes"] = len(order)
    return json.dumps(answer)


def explain(wrt: str) -> str:
    """What ``autograd-lite explain`` prints for the last result and the variable ``wrt``.

    The command line itself runs (``autograd_lite.explain`` behind it), so the derivation, its
    names (the expression's value is ``f``), its step limit and its messages are the command's.

    Args:
        wrt: The name of a variable of the last expression :func:`run` computed.

    Returns:
        A JSON object with ``text`` (the derivation in plain text) or ``error``.
    """
    if wrt not in _last.get("variables", ()):
        return json.dumps({"error": f"no variable {wrt!r} in the last expression"})
    argv = ["explain", "--wrt", wrt, "--at=" + _last["at"], "--", _last["expression"]]
    printed, failed = io.StringIO(), io.StringIO()
    with redirect_stdout(printed), redirect_stderr(failed):
        try:
            status = main(argv)
        except SystemExit as error:  # argparse's usage errors
            status = error.code if isinstance(error.code, int) else 2
    if status != 0:
        return json.dumps({"error": failed.getvalue().strip().removeprefix("autograd-lite: ")})
    return json.dumps({"text": printed.getvalue().rstrip("\n")})


def language() -> str:
    """The expression language's operators and functions, as JSON, for the page's hint.

    Returns:
        A JSON object: ``operators`` (a string such as ``"+ - * / **"``) and ``functions``
        (the names an expression may call, in the command line's order).
    """
    return json.dumps({"operators": OPERATORS, "functions": list(FUNCTIONS)})


def _error(message: str, caret: str = "", column: int | None = None) -> str:
    return json.dumps({"error": {"message": message, "caret": caret, "column": column}})
