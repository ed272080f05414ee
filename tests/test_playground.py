"""The playground's Python side (playground/runner.py) under CPython: the browser runs the very
same file in Pyodide, so what it answers here is what the page shows."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import backward_stepper
from autograd_lite.cli.expression import parse
from autograd_lite.cli.main import main

RUNNER_PATH = Path(__file__).resolve().parent.parent / "playground" / "runner.py"


def _load_runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("playground_runner", RUNNER_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _load_runner()


def answer(expression: str, at: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(runner.run(expression, at))
    return result


def test_values_and_gradients_are_the_engines() -> None:
    got = answer("tanh(x*w+b)", "x=2,w=-3,b=6.88")
    t = math.tanh(2 * -3 + 6.88)
    assert float(got["value"]) == t
    assert float(got["gradients"]["x"]["repr"]) == pytest.approx(-3 * (1 - t * t), rel=1e-12)
    assert float(got["gradients"]["w"]["repr"]) == pytest.approx(2 * (1 - t * t), rel=1e-12)
    assert float(got["gradients"]["b"]["repr"]) == pytest.approx(1 - t * t, rel=1e-12)
    assert got["variables"] == ["x", "w", "b"]
    assert got["lines"][0] == "f(x=2.0, w=-3.0, b=6.88) = tanh(x*w+b)"


def test_result_lines_are_what_the_command_line_prints(capsys: pytest.CaptureFixture[str],
                                                        tmp_path: Path) -> None:
    expression, at = "x * y + sin(x)", "x=1.5,y=-2"
    assert main(["render", expression, "--at", at, "-o", str(tmp_path / "g.dot")]) == 0
    printed = capsys.readouterr().out.splitlines()
    lines = answer(expression, at)["lines"]
    assert lines == [line for line in printed if not line.startswith("wrote ")]


def test_frames_are_the_steppers_frames() -> None:
    got = answer("x*x + exp(y)", "x=0.5,y=-1")
    evaluation = parse("x*x + exp(y)").evaluate({"x": 0.5, "y": -1.0})
    evaluation.root.label = "f"
    stepper = backward_stepper(evaluation.root)
    assert got["frames"] == [stepper._frame_data(frame) for frame in stepper.frames]
    for frame in got["frames"]:  # every frame's node, edge and op is in the drawing
        assert f'id="{frame["node"]}"' in got["dot"] or f"id={frame['node']}" in got["dot"]


@pytest.mark.parametrize(
    ("expression", "at"),
    [
        ("tanh(x*w+)", "x=1,w=2"),
        ("x ^ 2", "x=1"),
        ("__import__('os')", ""),
        ("log(x)", "x=-1"),
        ("x/y", "x=1,y=0"),
        ("foo(x)", "x=1"),
        ("x*y", "x=1"),
        ("x" + "+x" * 600, "x=1"),
        ("(" * 300 + "x" + ")" * 300, "x=1"),
    ],
)
def test_bad_input_gets_the_command_lines_message_and_caret(
    expression: str, at: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["render", expression] + (["--at", at] if at else [])
    assert main(argv) == 1
    printed = capsys.readouterr().err.rstrip("\n").split("\n")
    error = answer(expression, at)["error"]
    assert printed[0] == f"autograd-lite: error: {error['message']}"
    assert printed[1:] == (error["caret"].split("\n") if error["caret"] else [])
    if error["caret"]:  # the caret stands under the column the message names
        column = error["column"]
        assert f"(column {column})" in error["message"]
        text_line, caret_line = error["caret"].split("\n")
        assert caret_line.index("^") == 2 + column - 1
        assert text_line[2:] == expression


def test_bad_values_are_named() -> None:
    assert answer("x*w", "x=2,w=abc")["error"]["message"] == (
        "values: w='abc': the value is not a number"
    )
    assert "missing value for variable 'w'" in answer("x*w", "x=2")["error"]["message"]


def test_an_expression_of_numbers_alone_has_no_backward_pass() -> None:
    got = answer("2 * 3", "")
    assert got["value"] == "6.0" and got["frames"] == [] and got["variables"] == []


def test_explain_is_what_the_command_line_prints(capsys: pytest.CaptureFixture[str]) -> None:
    for expression, at, wrt in [("tanh(x*w+b)", "x=2,w=-3,b=6.88", "w"),
                                ("-x * x", "x=0.5", "x"), ("x*y + x", "x=1,y=2", "x")]:
        answer(expression, at)
        got = json.loads(runner.explain(wrt))
        assert main(["explain", expression, "--at", at, "--wrt", wrt]) == 0
        assert got == {"text": capsys.readouterr().out.rstrip("\n")}
        assert got["text"].startswith(f"∂f/∂{wrt}, as reverse mode computes it")


def test_explain_refusals_are_the_command_lines(capsys: pytest.CaptureFixture[str]) -> None:
    long = "x" + "*x" * 60
    answer(long, "x=1.01")
    error = json.loads(runner.explain("x"))["error"]
    assert main(["explain", long, "--at", "x=1.01", "--wrt", "x"]) == 1
    assert f"autograd-lite: {error}" == capsys.readouterr().err.strip()
    assert error.startswith("error: explain: the derivation of ∂f/∂x has ")
    answer("x*y", "x=1,y=2")
    assert json.loads(runner.explain("z")) == {"error": "no variable 'z' in the last expression"}
    answer("x*", "x=1")  # a failed run leaves nothing to explain
    assert "error" in json.loads(runner.explain("x"))


@given(st.text(max_size=60), st.text(max_size=30))
def test_any_text_gets_an_answer_never_an_exception(expression: str, at: str) -> None:
    got = answer(expression, at)
    assert ("error" in got) != ("value" in got)
    if "error" in got:
        assert got["error"]["message"]


def test_the_language_the_page_lists_is_the_parsers() -> None:
    from autograd_lite.cli.expression import FUNCTIONS, OPERATORS

    assert json.loads(runner.language()) == {"operators": OPERATORS, "functions": list(FUNCTIONS)}


def test_the_runners_docstring_examples() -> None:
    import doctest

    assert doctest.testmod(runner).failed == 0
