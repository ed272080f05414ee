"""A small, safe arithmetic language for the command line: parse, check, evaluate on Values.

    >>> expression = parse("x * y + sin(x)")
    >>> expression.variables
    ('x', 'y')
    >>> result = expression.evaluate({"x": 1.5, "y": -2.0})
    >>> result.root.backward()
    >>> round(result.inputs["y"].grad, 6)
    1.5

The language: numbers, named variables, ``+ - * / ** % //`` (``%`` and ``//`` as in Python: the
remainder takes the divisor's sign), unary ``-`` and ``+``, parentheses and calls of the
functions in :data:`FUNCTIONS`. Python's own parser reads the text
(``ast.parse(..., mode="eval")``), and every node of the tree it returns is checked against a
whitelist before anything is computed: no attribute access, no subscripts, no lambdas or
comprehensions, no calls but the listed functions, nothing is ever passed to ``eval``. The text
is at most :data:`MAX_LENGTH` characters of printable ASCII and the tree at most
:data:`MAX_DEPTH` levels deep, so neither the parser nor the evaluator can be driven into deep
recursion. Every arithmetic step is an engine Operation, so a result too large for a float or
an input outside a function's domain is a clear error, never ``inf`` or a hang.
"""

from __future__ import annotations

import ast
import math
import string
from collections.abc import Mapping
from dataclasses import dataclass

from autograd_lite import math_ops, ops
from autograd_lite.ops import Operation
from autograd_lite.value import Value

MAX_LENGTH = 1_000
MAX_DEPTH = 200

Number = float | Value

_PRINTABLE = set(string.printable) - set("\t\n\r\x0b\x0c")


@dataclass(frozen=True)
class Function:
    """A function the language may call: an engine Operation and how many arguments it takes.

    ``defaults`` fill in the trailing optional arguments (``leaky_relu(x)`` is
    ``leaky_relu(x, 0.01)``).
    """

    operation: Operation
    required: int = 1
    defaults: tuple[float, ...] = ()
    usage: str = ""  # how help shows a call with more than one argument, e.g. "atan2(y, x)"

    def arity(self) -> str:
        if not self.defaults:
            return f"{self.required} argument" + ("" if self.required == 1 else "s")
        return f"{self.required} to {self.required + len(self.defaults)} arguments"


#: The functions an expression may call, by name.
FUNCTIONS: dict[str, Function] = {
    "exp": Function(ops.exp),
    "log": Function(ops.log),
    "sqrt": Function(ops.sqrt),
    "sin": Function(ops.sin),
    "cos": Function(ops.cos),
    "tanh": Function(ops.tanh),
    "sigmoid": Function(ops.sigmoid),
    "relu": Function(ops.relu),
    "softplus": Function(ops.softplus),
    "abs": Function(ops.absolute),
    "leaky_relu": Function(ops.leaky_relu, defaults=(0.01,), usage="leaky_relu(x[, slope])"),
    **{
        name: Function(math_ops.OPERATIONS[name])
        for name in ("tan", "sinh", "cosh", "asin", "acos", "atan", "log1p", "expm1", "log2",
                     "log10", "sign", "floor", "ceil")
    },
    "atan2": Function(math_ops.atan2, required=2, usage="atan2(y, x)"),
    "hypot": Function(math_ops.hypot, required=2, usage="hypot(x, y)"),
    "maximum": Function(math_ops.maximum, required=2, usage="maximum(a, b)"),
    "minimum": Function(math_ops.minimum, required=2, usage="minimum(a, b)"),
    "clamp": Function(math_ops.clamp_both, required=3, usage="clamp(x, min, max)"),
}  # fmt: skip

#: The binary operators, as help and errors list them.
OPERATORS = "+ - * / ** % //"


def describe_functions() -> str:
    """The callable functions for help text: ``exp, log, ..., atan2(y, x), clamp(x, min, max)``."""
    return ", ".join(function.usage or name for name, function in FUNCTIONS.items())


_BINARY: dict[type[ast.operator], Operation] = {
    ast.Add: ops.add,
    ast.Sub: ops.sub,
    ast.Mult: ops.mul,
    ast.Div: ops.div,
    ast.Pow: ops.power,
    ast.Mod: math_ops.remainder,
    ast.FloorDiv: math_ops.floor_divide,
}

_OPERATOR_SYMBOLS: dict[type[ast.AST], str] = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
    ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&", ast.Invert: "~", ast.Not: "not",
}  # fmt: skip

_REFUSED: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access ('.')",
    ast.Subscript: "indexing ('[]')",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and' / 'or'",
    ast.IfExp: "'if ... else'",
    ast.NamedExpr: "an assignment (':=')",
    ast.List: "a list",
    ast.Tuple: "a tuple (a ',' outside a call)",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.JoinedStr: "a string",
    ast.Starred: "'*' unpacking",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "a slice",
}


class ExpressionError(ValueError):
    """An expression that cannot be read or computed; ``column`` (1-based) points at the cause."""

    def __init__(self, message: str, expression: str = "", column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.expression = expression
        self.column = column

    def __str__(self) -> str:
        return self.message if self.column is None else f"{self.message} (column {self.column})"

    def caret(self) -> str:
        """The expression and a ``^`` under the column, as two indented lines ("" if no column)."""
        if self.column is None or not self.expression:
            return ""
        shown = "".join(c if c.isprintable() else "?" for c in self.expression)
        return f"  {shown}\n  {' ' * (self.column - 1)}^"


class EvaluationError(ExpressionError):
    """A step of the computation failed: a domain error, a division by zero, an overflow."""


@dataclass(frozen=True)
class Evaluation:
    """The result of evaluating an expression: ``root`` and the input Value of each variable."""

    root: Value
    inputs: dict[str, Value]


@dataclass(frozen=True)
class Expression:
    """A checked expression: its text, its tree, and its variables in order of first use."""

    text: str
    tree: ast.Expression
    variables: tuple[str, ...]

    def evaluate(self, values: Mapping[str, float]) -> Evaluation:
        """Compute the expression on Values, one labelled input Value per variable.

        Every variable needs a value and every value must name a variable. The result is
        recorded in the graph when there is at least one variable; an expression of numbers
        alone gives a constant Value.
        """
        for name in values:
            if name not in self.variables:
                uses = ", ".join(self.variables) if self.variables else "no variables"
                raise ExpressionError(
                    f"unknown variable {name!r}: the expression uses {uses}", self.text
                )
        for name in self.variables:
            if name not in values:
                raise ExpressionError(
                    f"missing value for variable {name!r}: give one, as in --at {name}=1.0",
                    self.text,
                    _first_use(self.tree, name),
                )
        for name in self.variables:
            number = values[name]
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not (
                math.isfinite(number)
            ):
                raise ExpressionError(
                    f"the value of {name!r} must be a finite number, got {number!r}", self.text
                )
        inputs = {name: Value(float(values[name]), label=name) for name in self.variables}
        result = _evaluate(self.tree.body, inputs, self.text)
        root = result if isinstance(result, Value) else Value(result, requires_grad=False)
        return Evaluation(root, inputs)


def parse(text: str) -> Expression:
    """Read and check ``text``; :class:`ExpressionError` (with a column where there is one) for
    anything outside the language or its limits."""
    if not isinstance(text, str):
        raise ExpressionError(f"the expression must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is {len(text):,} characters long; the limit is {MAX_LENGTH:,}"
        )
    for index, char in enumerate(text):
        if char not in _PRINTABLE:
            raise ExpressionError(
                f"unexpected character {char!r}: write expressions on one line in plain ASCII",
                text,
                index + 1,
            )
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        column = error.offset if error.offset and 1 <= error.offset <= len(text) else len(text)
        raise ExpressionError(
            f"the expression does not parse: {error.msg}", text, column
        ) from None
    except (RecursionError, MemoryError):
        raise ExpressionError(
            f"the expression is nested too deeply (the limit is {MAX_DEPTH} levels)"
        ) from None
    _check_depth(tree, text)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    variables: list[str] = []
    for node in ast.walk(tree):
        if id(node) not in called:  # a called name is checked with its call
            _check_node(node, text, variables)
    # ast.walk is breadth-first; list the variables in reading order instead.
    positions = {name: _first_use(tree, name) or 0 for name in variables}
    return Expression(text, tree, tuple(sorted(variables, key=positions.__getitem__)))


def parse_assignments(text: str) -> dict[str, float]:
    """``"x=1.5,y=-2"`` as ``{"x": 1.5, "y": -2.0}``: names are identifiers, values finite."""
    values: dict[str, float] = {}
    for part in text.split(","):
        name, equals, number = (piece.strip() for piece in part.partition("="))
        if not equals:
            raise ValueError(f"expected name=value, got {part.strip()!r}")
        if not (name.isidentifier() and name.isascii()):
            raise ValueError(f"{name!r} is not a variable name (letters, digits and _)")
        if name in FUNCTIONS:
            raise ValueError(f"{name!r} is a function, not a variable")
        if name in values:
            raise ValueError(f"{name!r} is given twice")
        try:
            value = float(number)
        except ValueError:
            raise ValueError(f"{name}={number!r}: the value is not a number") from None
        if not math.isfinite(value):
            raise ValueError(f"{name}={number}: the value must be a finite number")
        values[name] = value
    return values


# --- checking ------------------------------------------------------------------------------


def _column(node: ast.AST) -> int | None:
    """1-based column of a node (the text is ASCII, so byte offsets are character offsets)."""
    offset = getattr(node, "col_offset", None)
    return None if offset is None else offset + 1


def _check_depth(tree: ast.AST, text: str) -> None:
    """Refuse trees deeper than MAX_DEPTH, walking with an explicit stack (no recursion)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ExpressionError(
                f"the expression is nested more than {MAX_DEPTH} levels deep (each operator "
                "or call is a level)",
                text,
                _column(node),
            )
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _check_node(node: ast.AST, text: str, variables: list[str]) -> None:
    """Refuse every node the language does not have, naming it and its column."""
    column = _column(node)
    if isinstance(node, (ast.Expression, ast.Load, ast.operator, ast.unaryop)):
        return  # operators are checked with their BinOp / UnaryOp
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise ExpressionError(
                f"the operator {symbol!r} is not allowed; the operators are {OPERATORS}",
                text,
                _operator_column(node, text) or column,
            )
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            symbol = _OPERATOR_SYMBOLS.get(type(node.op), type(node.op).__name__)
            raise ExpressionError(
                f"the operator {symbol!r} is not allowed; the operators are {OPERATORS}",
                text,
                column,
            )
        return
    if isinstance(node, ast.Constant):
        _number(node, text)
        return
    if isinstance(node, ast.Name):
        _check_name(node, text)
        if node.id in FUNCTIONS:
            raise ExpressionError(
                f"{node.id!r} is a function: call it, as in {node.id}(x)", text, column
            )
        if node.id not in variables:
            variables.append(node.id)
        return
    if isinstance(node, ast.Call):
        _check_call(node, text)
        return
    what = _REFUSED.get(type(node), type(node).__name__)
    raise ExpressionError(f"{what} is not allowed in an expression", text, column)


def _check_name(node: ast.Name, text: str) -> None:
    if node.id.startswith("__"):
        raise ExpressionError(
            f"{node.id!r} is not allowed: names may not begin with '__'", text, _column(node)
        )


def _check_call(node: ast.Call, text: str) -> None:
    column = _column(node)
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(
            f"only the functions {', '.join(FUNCTIONS)} can be called", text, column
        )
    name = node.func.id
    if name not in FUNCTIONS:
        raise ExpressionError(
            f"unknown function {name!r}; the functions are {', '.join(FUNCTIONS)}", text, column
        )
    if node.keywords:
        raise ExpressionError(
            f"{name}: keyword arguments are not allowed; pass the arguments in order",
            text,
            _column(node.keywords[0]) or column,
        )
    function = FUNCTIONS[name]
    if not function.required <= len(node.args) <= function.required + len(function.defaults):
        raise ExpressionError(
            f"{name} takes {function.arity()}, got {len(node.args)}", text, column
        )


def _number(node: ast.Constant, text: str) -> float:
    """A numeric literal as a finite float; anything else (strings, True, 1j) is refused."""
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ExpressionError(
            f"{value!r} is not a number; an expression holds numbers, variables and calls",
            text,
            _column(node),
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ExpressionError("the number is too large for a float", text, _column(node))
    return number


def _operator_column(node: ast.BinOp, text: str) -> int | None:
    """The column of a binary operator: the first non-space character after the left operand."""
    end = getattr(node.left, "end_col_offset", None)
    if end is None:
        return None
    index = end
    while index < len(text) and text[index] in " )":
        index += 1
    return index + 1 if index < len(text) else None


def _first_use(tree: ast.AST, name: str) -> int | None:
    """The column where variable ``name`` first appears (a variable is never a function name)."""
    names = [node for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == name]
    columns = [node.col_offset + 1 for node in names]
    return min(columns, default=None)


# --- evaluating ------------------------------------------------------------------------------


def _evaluate(node: ast.expr, inputs: dict[str, Value], text: str) -> Number:
    """The value of a checked node. Recursion is safe: the depth is at most MAX_DEPTH."""
    if isinstance(node, ast.Constant):
        return _number(node, text)
    if isinstance(node, ast.Name):
        return inputs[node.id]
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, inputs, text)
        return operand if isinstance(node.op, ast.UAdd) else _apply(ops.neg, [operand], node, text)
    if isinstance(node, ast.BinOp):
        left = _evaluate(node.left, inputs, text)
        right = _evaluate(node.right, inputs, text)
        return _apply(_BINARY[type(node.op)], [left, right], node, text)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        function = FUNCTIONS[node.func.id]
        args = [_evaluate(arg, inputs, text) for arg in node.args]
        missing = function.required + len(function.defaults) - len(args)
        defaults = list(function.defaults[len(function.defaults) - missing:]) if missing else []
        return _apply(function.operation, [*args, *defaults], node, text)
    raise AssertionError(f"unchecked node {type(node).__name__}")  # parse() refuses these


def _apply(operation: Operation, args: list[Number], node: ast.expr, text: str) -> Number:
    """One engine operation; its domain and overflow errors point at the node's column."""
    try:
        result: Number = operation(*args)
    except (ArithmeticError, ValueError) as error:
        raise EvaluationError(str(error), text, _error_column(node, text)) from None
    return result


def _error_column(node: ast.expr, text: str) -> int | None:
    if isinstance(node, ast.BinOp):
        return _operator_column(node, text) or _column(node)
    return _column(node)
