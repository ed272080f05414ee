"""``autograd-lite render``: value, gradients and pictures, through a real process."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from autograd_lite import Value
from tests.cli_helpers import PNG_MAGIC, assert_one_line_error, run_cli
from tests.svg_helpers import all_texts, parse


def test_value_gradients_graph_and_stepper(tmp_path: Path) -> None:
    result = run_cli("render", "x * y + sin(x)", "--at", "x=1.5,y=-2", "-o", "graph.svg",
                     "--steps", "steps/stepper.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "f(x=1.5, y=-2.0) = x * y + sin(x)"
    assert f"value = {1.5 * -2.0 + math.sin(1.5)!r}" in lines
    assert f"  df/dx = {-2.0 + math.cos(1.5)!r}" in lines
    assert "  df/dy = 1.5" in lines
    assert "wrote graph.svg" in lines and "wrote steps/stepper.html" in lines

    texts = all_texts(parse((tmp_path / "graph.svg").read_text()))  # drawn by the real dot
    assert {"x", "y", "x * y + sin(x)", "sin", "*", "+"} <= set(texts)
    page = (tmp_path / "steps" / "stepper.html").read_text()
    assert page.lstrip().lower().startswith("<!doctype html") and "<svg" in page


def test_json_output_holds_exactly_the_engine_s_numbers(tmp_path: Path) -> None:
    result = run_cli("render", "tanh(x * w + b) ** 2", "--at", "x=0.5,w=-1.25", "--at", "b=0.1",
                     "--json", "-o", "g.svg", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    document = json.loads(result.stdout)
    x, w, b = Value(0.5), Value(-1.25), Value(0.1)
    out = (x * w + b).tanh() ** 2
    out.backward()
    assert document == {
        "expression": "tanh(x * w + b) ** 2",
        "at": {"x": 0.5, "w": -1.25, "b": 0.1},
        "value": out.data,
        "gradients": {"x": x.grad, "w": w.grad, "b": b.grad},
        "files": ["g.svg"],
    }


def test_quiet_prints_only_the_numbers(tmp_path: Path) -> None:
    result = run_cli("render", "x * x", "--at", "x=3", "--quiet", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["value = 9.0", "  df/dx = 6.0"]
    assert (tmp_path / "graph.svg").exists()  # the default picture


@pytest.mark.parametrize(
    ("args", "name", "check"),
    [
        (["--format", "png"], "graph.png", lambda data: data.startswith(PNG_MAGIC)),
        (["-o", "g.png"], "g.png", lambda data: data.startswith(PNG_MAGIC)),
        (["--format", "dot"], "graph.dot", lambda data: data.startswith(b"digraph")),
        (["-o", "g.gv"], "g.gv", lambda data: data.startswith(b"digraph")),
        (["-o", "g.pdf"], "g.pdf", lambda data: data.startswith(b"%PDF-")),
        (["--format", "pdf"], "graph.pdf", lambda data: data.startswith(b"%PDF-")),
        (["-o", "g.SVG"], "g.SVG", lambda data: b"<svg" in data),
        (["-o", "g.png", "--format", "png"], "g.png", lambda data: data.startswith(PNG_MAGIC)),
        (["-o", "graph", "--format", "png"], "graph", lambda data: data.startswith(PNG_MAGIC)),
        (["-o", "graph"], "graph", lambda data: b"<svg" in data),
    ],
)
def test_formats(tmp_path: Path, args: list[str], name: str, check: object) -> None:
    result = run_cli("render", "exp(-x)", "--at", "x=1", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert callable(check) and check((tmp_path / name).read_bytes())


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-o", "g.pdf", "--format", "svg"],
         ["--format svg contradicts", "'g.pdf'", ".pdf means pdf"]),
        (["-o", "a.svg", "--format", "png"], ["--format png contradicts", "'a.svg'", "*.png"]),
        (["-o", "g.svg", "--format", "dot"], ["--format dot contradicts", ".svg means svg"]),
        (["-o", "g.txt"], ["cannot tell the picture format", "'g.txt'", ".pdf", "--format"]),
    ],
)
def test_a_format_that_contradicts_the_suffix_is_a_usage_error(
    tmp_path: Path, args: list[str], words: list[str]
) -> None:
    result = run_cli("render", "exp(-x)", "--at", "x=1", *args, cwd=tmp_path)
    assert_one_line_error(result, *words, status=2)
    assert list(tmp_path.iterdir()) == []  # nothing written under a misleading name


@pytest.mark.parametrize("expression", ["-x", "-x**3", "-2*x", "-sin(x)"])
def test_an_expression_beginning_with_minus_without_dashes_gets_a_hint(
    tmp_path: Path, expression: str
) -> None:
    result = run_cli("render", expression, "--at", "x=2", cwd=tmp_path)
    assert result.returncode == 2
    hint = result.stderr.splitlines()[-1]
    assert hint.startswith(f"hint: {expression!r} begins with '-'"), result.stderr
    assert "autograd-lite render [OPTIONS] -- " in hint
    # the hint's advice works
    fixed = run_cli("render", "--at", "x=2", "-q", "--", expression, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stderr


def test_a_mistyped_option_gets_no_dash_hint(tmp_path: Path) -> None:
    result = run_cli("render", "x * 2", "--at", "x=1", "--bogus", cwd=tmp_path)
    assert result.returncode == 2 and "unrecognized arguments: --bogus" in result.stderr
    assert "hint" not in result.stderr


def test_an_expression_of_numbers_has_a_value_and_no_gradients(tmp_path: Path) -> None:
    result = run_cli("render", "2 * 3 + 1", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["value"], document["gradients"]) == (7.0, {})


def test_an_expression_beginning_with_minus(tmp_path: Path) -> None:
    result = run_cli("render", "--at", "x=2", "-q", "--", "-x**3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["value = -8.0", "  df/dx = -12.0"]


@pytest.mark.parametrize(
    ("expression", "at", "words"),
    [
        ("x * * y", "x=1,y=2", ["does not parse", "column 5"]),
        ("foo(x)", "x=1", ["unknown function 'foo'"]),
        ("x * 2", "x=1,z=3", ["unknown variable 'z'"]),
        ("x * y", "x=1", ["missing value for variable 'y'"]),
        ("log(x)", "x=-1", ["log", "-1.0"]),
        ("1 / (x - 1)", "x=1", ["divide"]),
        ("exp(x)", "x=1000", ["exp", "too large"]),
        ("sqrt(x)", "x=0", ["backward pass", "sqrt"]),
        ("__import__('os')", "x=1", ["unknown function '__import__'"]),
        ("__import__('os').system('touch pwned')", "x=1", ["only the functions"]),
        ("x.__class__", "x=1", ["attribute access"]),
        ("(lambda: 1)()", "x=1", ["only the functions"]),
        ("[x for x in (1, 2)]", "x=1", ["comprehension"]),
        ("9 ** 9 ** 9 ** 9", "x=1", ["unknown variable 'x'"]),
        ("x * 9 ** 9 ** 9 ** 9", "x=1", ["too large"]),
        ("-" * 300 + "x", "x=1", ["nested more than"]),
        ("(" * 300 + "x" + ")" * 300, "x=1", ["too many nested parentheses"]),
        ("x" * 1001, "x=1", ["limit is 1,000"]),
    ],
)
def test_errors_are_one_line_with_status_1_and_write_nothing(
    tmp_path: Path, expression: str, at: str, words: list[str]
) -> None:
    result = run_cli("render", "--at", at, "--steps", "s.html", "--", expression, cwd=tmp_path)
    assert_one_line_error(result, *words)
    assert list(tmp_path.iterdir()) == []  # no picture, no page, and no 'pwned'


def test_a_parse_error_shows_the_expression_and_a_caret(tmp_path: Path) -> None:
    result = run_cli("render", "x * (y +", "--at", "x=1,y=2", cwd=tmp_path)
    assert_one_line_error(result, "does not parse")
    assert result.stderr.splitlines()[1:] == ["  x * (y +", "      ^"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--at", "x"], "expected name=value"),
        (["--at", "x=one"], "not a number"),
        (["--at", "x=1,x=2"], "given twice"),
        (["--at", "x=1", "--format", "gif"], "invalid choice"),
        (["--at", "x=1", "--bogus"], "unrecognized arguments"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    result = run_cli("render", "x * 2", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr


def test_an_unwritable_output_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    result = run_cli("render", "x", "--at", "x=1", "-o", "taken/graph.svg", cwd=tmp_path)
    assert_one_line_error(result, "cannot write taken/graph.svg")
