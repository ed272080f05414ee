"""The command line's expression language: what it computes, and everything it refuses.

Values and gradients are checked against plain float arithmetic written beside each generated
expression and against central differences; the hostile set is refused with an
``ExpressionError`` before anything runs.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Value
from autograd_lite.cli import expression
from autograd_lite.cli.expression import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    EvaluationError,
    ExpressionError,
    parse,
    parse_assignments,
)

FloatFunction = Callable[[float, float], float]


def evaluate(text: str, **values: float) -> tuple[float, dict[str, float]]:
    result = parse(text).evaluate(values)
    if result.root.requires_grad:
        result.root.backward()
    return result.root.data, {name: v.grad for name, v in result.inputs.items()}


# --- what it computes ------------------------------------------------------------------------


def test_the_issue_example_value_and_gradients() -> None:
    value, grads = evaluate("x * y + sin(x)", x=1.5, y=-2.0)
    assert value == 1.5 * -2.0 + math.sin(1.5)
    assert grads == {"x": -2.0 + math.cos(1.5), "y": 1.5}


def test_the_same_graph_as_writing_it_with_values() -> None:
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    by_hand = (x * y).tanh() / (1 + y**2) - (-x).exp() + abs(y) ** 0.5
    by_hand.backward()
    value, grads = evaluate("tanh(x * y) / (1 + y ** 2) - exp(-x) + abs(y) ** 0.5", x=0.7, y=-1.3)
    assert value == by_hand.data
    assert grads == {"x": x.grad, "y": y.grad}


def test_variables_are_listed_in_reading_order_and_shared() -> None:
    parsed = parse("y * x + y")
    assert parsed.variables == ("y", "x")
    value, grads = evaluate("y * x + y", x=2.0, y=3.0)
    assert (value, grads) == (9.0, {"y": 3.0, "x": 3.0})  # both uses of y add up


@pytest.mark.parametrize(
    ("text", "x", "value", "grad"),
    [
        ("leaky_relu(x)", -2.0, -0.02, 0.01),
        ("leaky_relu(x, 0.2)", -2.0, -0.4, 0.2),
        ("leaky_relu(x)", 3.0, 3.0, 1.0),
        ("relu(x)", -1.0, 0.0, 0.0),
        ("abs(x)", -4.0, 4.0, -1.0),
        ("sqrt(x)", 4.0, 2.0, 0.25),
        ("log(x)", 2.0, math.log(2.0), 0.5),
        ("sigmoid(x)", 0.0, 0.5, 0.25),
        ("softplus(x)", 0.0, math.log(2.0), 0.5),
        ("cos(x)", 1.0, math.cos(1.0), -math.sin(1.0)),
        ("+x", 1.0, 1.0, 1.0),
        ("-x ** 2", 3.0, -9.0, -6.0),  # ** binds tighter than unary minus, as in Python
        ("2 ** x", 3.0, 8.0, 8.0 * math.log(2.0)),
        ("0x10 * x + 1_000", 1.0, 1016.0, 16.0),
        ("tan(x)", 0.5, math.tan(0.5), 1 + math.tan(0.5) ** 2),
        ("asin(x)", 0.6, math.asin(0.6), 1.25),
        ("log2(x)", 8.0, 3.0, 1 / (8.0 * math.log(2.0))),
        ("floor(x) + ceil(x) + sign(x)", 2.5, 6.0, 0.0),
        ("atan2(x, 1)", 1.0, math.pi / 4, 0.5),
        ("hypot(x, 4)", 3.0, 5.0, 0.6),
        ("maximum(x, 1) + minimum(x, 1)", 1.0, 2.0, 1.0),  # a tie: each gives half
        ("clamp(x, 0, 1)", 1.0, 1.0, 1.0),  # at a bound the gradient passes, as in PyTorch
        ("clamp(x, 2, 1)", 0.5, 1.0, 0.0),  # min > max: max everywhere
        ("x % 2", -5.5, 0.5, 1.0),  # the divisor's sign, as in Python
        ("7 % x", -2.0, -1.0, -(7.0 // -2.0)),  # d(a % b)/db = -floor(a / b)
        ("x // 2 + x", -5.5, -8.5, 1.0),
    ],
)
def test_each_function_and_operator(text: str, x: float, value: float, grad: float) -> None:
    got_value, grads = evaluate(text, x=x)
    assert got_value == pytest.approx(value, rel=1e-15, abs=1e-15)
    assert grads["x"] == pytest.approx(grad, rel=1e-15, abs=1e-15)


def test_every_listed_function_is_callable_from_the_language() -> None:
    for name, function in FUNCTIONS.items():
        args = ", ".join(["x", *["0.25"] * (function.required - 1)])
        value, grads = evaluate(f"{name}({args})", x=0.5)
        assert math.isfinite(value) and math.isfinite(grads["x"]), name
    assert "atan2(y, x)" in expression.describe_functions()


def test_numbers_alone_give_a_constant() -> None:
    result = parse("2 * 3 + 1").evaluate({})
    assert result.root.data == 7.0
    assert not result.root.requires_grad
    assert result.inputs == {}


# Random expressions over x and y, each generated with the float function it should compute, so
# the expected value is never obtained through the parser or the engine.
Generated = tuple[str, FloatFunction]

leaves: st.SearchStrategy[Generated] = st.one_of(
    st.sampled_from([("x", lambda x, y: x), ("y", lambda x, y: y)]),
    st.integers(-3, 3).map(lambda c: (str(c), lambda x, y, c=c: float(c))),
)


def _combine(children: st.SearchStrategy[Generated]) -> st.SearchStrategy[Generated]:
    def binary(
        template: str, apply: Callable[[float, float], float]
    ) -> st.SearchStrategy[Generated]:
        return st.tuples(children, children).map(
            lambda pair: (
                template.format(pair[0][0], pair[1][0]),
                lambda x, y: apply(pair[0][1](x, y), pair[1][1](x, y)),
            )
        )

    def unary(template: str, apply: Callable[[float], float]) -> st.SearchStrategy[Generated]:
        return children.map(
            lambda child: (template.format(child[0]), lambda x, y: apply(child[1](x, y)))
        )

    return st.one_of(
        binary("({} + {})", lambda a, b: a + b),
        binary("({} - {})", lambda a, b: a - b),
        binary("({} * {})", lambda a, b: a * b),
        binary("({} / (1 + ({}) ** 2))", lambda a, b: a / (1 + b * b)),
        unary("-({})", lambda a: -a),
        unary("sin({})", math.sin),
        unary("cos({})", math.cos),
        unary("tanh({})", math.tanh),
        unary("sigmoid({})", lambda a: 1 / (1 + math.exp(-a)) if a > -700 else 0.0),
        unary("exp(tanh({}))", lambda a: math.exp(math.tanh(a))),
        unary("log(1 + ({}) ** 2)", lambda a: math.log(1 + a * a)),
        unary("sqrt(1 + ({}) ** 2)", lambda a: math.sqrt(1 + a * a)),
        unary("atan({})", math.atan),
        unary("sinh(tanh({}))", lambda a: math.sinh(math.tanh(a))),
        unary("log1p(({}) ** 2)", lambda a: math.log1p(a * a)),
        binary("atan2({}, 2 + tanh({}))", lambda a, b: math.atan2(a, 2 + math.tanh(b))),
    )


generated_expressions = st.recursive(leaves, _combine, max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(
    generated_expressions,
    st.floats(-2.0, 2.0, allow_nan=False),
    st.floats(-2.0, 2.0, allow_nan=False),
)
def test_random_expressions_match_floats_and_central_differences(
    generated: Generated, x: float, y: float
) -> None:
    text, f = generated
    values = {name: v for name, v in (("x", x), ("y", y)) if name in parse(text).variables}
    value, grads = evaluate(text, **values)
    assert value == pytest.approx(f(x, y), rel=1e-12, abs=1e-12)
    h = 1e-6
    numeric = {
        "x": (f(x + h, y) - f(x - h, y)) / (2 * h),
        "y": (f(x, y + h) - f(x, y - h)) / (2 * h),
    }
    for name, grad in grads.items():
        assert grad == pytest.approx(numeric[name], rel=1e-4, abs=1e-5), (text, name)


# --- errors that point at their column -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("x * * y", 5, "does not parse"),
        ("(x + 1", 1, "never closed"),
        ("x @ 2", 3, "'@' is not allowed; the operators are + - * / ** % //"),
        ("x << 2", 3, "'<<' is not allowed"),
        ("clamp(x, 1)", 1, "clamp takes 3 arguments, got 2"),
        ("foo(x) + 1", 1, "unknown function 'foo'"),
        ("1 + exp", 5, "'exp' is a function"),
        ("exp(x, 2)", 1, "exp takes 1 argument, got 2"),
        ("leaky_relu(x, slope=0.1)", 15, "keyword arguments are not allowed"),
        ("x + 1e999", 5, "too large"),
    ],
)
def test_errors_name_the_problem_and_its_column(text: str, column: int, words: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    error = caught.value
    assert words in str(error)
    assert error.column == column
    line, caret = error.caret().splitlines()
    assert line == f"  {text}"
    assert caret == "  " + " " * (column - 1) + "^"


@pytest.mark.parametrize("bad", [math.nan, math.inf, "1.0", True])
def test_values_must_be_finite_numbers(bad: object) -> None:
    with pytest.raises(ExpressionError, match="'x' must be a finite number"):
        parse("x + 1").evaluate({"x": bad})  # type: ignore[dict-item]


def test_missing_and_unknown_variables() -> None:
    parsed = parse("x * y")
    with pytest.raises(ExpressionError, match="missing value for variable 'y'") as caught:
        parsed.evaluate({"x": 1.0})
    assert caught.value.column == 5
    with pytest.raises(ExpressionError, match="unknown variable 'z': the expression uses x, y"):
        parsed.evaluate({"x": 1.0, "y": 2.0, "z": 3.0})


@pytest.mark.parametrize(
    ("text", "x", "words", "column"),
    [
        ("log(x - 2)", 1.0, "log: the input must be positive, got -1.0", 1),
        ("sqrt(x)", -1.0, "sqrt", 1),
        ("1 / (x - 1)", 1.0, "cannot divide 1.0 by zero", 3),
        ("(x - 3) ** 0.5", 1.0, "not a real number", 9),
        ("exp(x * 1000)", 1.0, "exp(1000.0) is too large", 1),
        ("x ** 2 ** 2 ** 2 ** 2", 2.0, "too large for a float", 3),
    ],
)
def test_domain_errors_during_evaluation(text: str, x: float, words: str, column: int) -> None:
    with pytest.raises(EvaluationError) as caught:
        parse(text).evaluate({"x": x})
    assert words in str(caught.value)
    assert caught.value.column == column


# --- the hostile set -------------------------------------------------------------------------

HOSTILE = [
    "__import__('os')",
    "__import__('os').system('touch pwned')",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x.real",
    "__builtins__",
    "(lambda: 1)()",
    "lambda x: x",
    "[x for x in (1, 2)]",
    "{x for x in (1, 2)}",
    "{x: 1 for x in (1, 2)}",
    "sum(x for x in (1, 2))",
    "exec('1')",
    "eval('1')",
    "open('/etc/passwd')",
    "globals()",
    "getattr(x, 'real')",
    "x if x else 1",
    "x < 1",
    "x and 1",
    "not x",
    "~x",
    "x[0]",
    "x[1:2]",
    "'a' * 3",
    "b'x'",
    "f'{x}'",
    "(x := 1)",
    "[1, 2]",
    "(1, 2)",
    "{1: 2}",
    "*x",
    "True + x",
    "None",
    "...",
    "1j * x",
    "await x",
    "x; x",
    "x\ny",
    "x\x00",
    "ｘ + 1",  # a fullwidth x, which Python would quietly read as x
    "x = 1",
    "import os",
    "(" * 300 + "x" + ")" * 300,
    "-" * (MAX_DEPTH + 10) + "x",
    "+".join(["x"] * (MAX_DEPTH + 10)),
    "x" * (MAX_LENGTH + 1),
    "-" * 100_000 + "x",
    "",
    "   ",
]

HUGE = [
    "2 ** 10000",
    "9 ** 9 ** 9 ** 9",
    "2 ** 2 ** 2 ** 2 ** 2",
    "10 ** 400 * x",
    "exp(exp(exp(exp(x))))",
    "x ** 100000",
]


@pytest.mark.parametrize("text", HOSTILE, ids=lambda t: repr(t[:30]))
def test_hostile_expressions_are_refused_before_anything_runs(text: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text).evaluate({"x": 1.0, "y": 2.0})
    assert not isinstance(caught.value, EvaluationError)
    assert str(caught.value)


@pytest.mark.parametrize("text", HUGE)
def test_huge_results_are_refused_by_the_engine(text: str) -> None:
    parsed = parse(text)
    values = {"x": 3.0} if "x" in parsed.variables else {}
    with pytest.raises(EvaluationError, match="too large"):
        parsed.evaluate(values)


@pytest.mark.parametrize("text", ["-" * 5_000 + "x", "+" * 100_000 + "x", "(" * 5_000 + "x"])
def test_what_python_s_parser_cannot_handle_is_reported_too(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(expression, "MAX_LENGTH", 10**6)  # let the text reach ast.parse
    with pytest.raises(ExpressionError, match="nested|does not parse"):
        parse(text)


def test_nesting_up_to_the_limit_is_fine() -> None:
    value, grads = evaluate("-" * (MAX_DEPTH - 5) + "x", x=2.0)
    sign = -1.0 if (MAX_DEPTH - 5) % 2 else 1.0
    assert (value, grads["x"]) == (sign * 2.0, sign)


# --- --at ------------------------------------------------------------------------------------


def test_assignments() -> None:
    assert parse_assignments("x=1.5,y=-2") == {"x": 1.5, "y": -2.0}
    assert parse_assignments(" x = 1e-3 , w_1=4") == {"x": 0.001, "w_1": 4.0}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x", "expected name=value"),
        ("x=1,y", "expected name=value"),
        ("1x=2", "not a variable name"),
        ("x=abc", "not a number"),
        ("x=inf", "finite"),
        ("x=nan", "finite"),
        ("x=1,x=2", "given twice"),
        ("exp=1", "is a function"),
    ],
)
def test_bad_assignments(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_assignments(text)
