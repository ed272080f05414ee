"""Names for the nodes of a graph, and the local derivatives written in those names.

Every picture and every explanation speaks of a node by the name drawn in its box: the user's
label; else, for a result, the expression it computes from its operands' names when that is
short (``x1*w1``, ``tanh(n)``); else a short automatic name ``t1``, ``t2`` ... numbered in
topological order (an unlabelled parameter gets one too). An unlabelled constant is named by its
number.

:func:`local_formula` writes d consumer / d operand with the same names (``w5`` for the
derivative of ``w5*out_h1 + ...`` by ``out_h1``, ``out_o1·(1-out_o1)`` for a sigmoid), so a
caption can show the chain rule in symbols beside the numbers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .value import Value

#: An expression longer than this many characters is given an automatic name instead.
MAX_EXPRESSION = 12

_INFIX = {"+": "+", "-": "-", "*": "*", "/": "/", "**": "**", "%": "%", "//": "//"}
_WORD = re.compile(r"[A-Za-z_][\w.]*|-?\d+(\.\d+)?(e-?\d+)?")


def short_number(x: float) -> str:
    """``x`` as written by hand: ``2``, ``0.5``, ``-3.25``, at most 4 significant digits.

    Example:
        >>> short_number(2.0), short_number(0.05), short_number(1 / 3)
        ('2', '0.05', '0.3333')
    """
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0:
        return "0"
    return f"{x:.4g}"


def grouped(name: str) -> str:
    """``name`` in parentheses unless it is one word or one number, so ``∂(a+b)/∂a`` reads right.

    Example:
        >>> grouped("out_h1"), grouped("x1*w1"), grouped("-2"), grouped("tanh(a+b)")
        ('out_h1', '(x1*w1)', '-2', 'tanh(a+b)')
    """
    return name if _WORD.fullmatch(name) or _is_call(name) else f"({name})"


def _is_call(name: str) -> bool:
    """True for ``f(...)`` whose last parenthesis closes its first one, like ``tanh(a+b)``."""
    match = re.fullmatch(r"[A-Za-z_]\w*\((.*)\)", name)
    if match is None:
        return False
    depth = 0
    for char in match.group(1):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def node_names(
    order: Sequence[Value],
    max_expression: int = MAX_EXPRESSION,
    fallback: Mapping[Value, str] | None = None,
) -> dict[Value, str]:
    """The name of every node in ``order`` (a topological order, parents before results).

    Args:
        order: the nodes, each after its operands (as :func:`~autograd_lite.topological_order`
            lists them).
        max_expression: the longest expression used as a name; longer ones get ``t1``, ``t2`` ...
        fallback: names to use instead of new automatic ones (so a longer spelling of a graph
            keeps the drawing's ``t1``, ``t2`` ... where it cannot spell a node out).

    Returns:
        ``{node: name}``: the label, the short expression, the number of a constant, or an
        automatic name that no label in the graph already uses. An expression is built only
        from labels, numbers and other expressions, never from automatic names.

    Example:
        >>> from autograd_lite import Value, topological_order
        >>> x, w = Value(2.0, label="x1"), Value(-3.0, label="w1")
        >>> y = (x * w + 1.0).tanh()
        >>> names = node_names(topological_order(y))
        >>> names[y.parents[0].parents[0]], names[y.parents[0]], names[y]
        ('x1*w1', 'x1*w1+1', 't1')
    """
    taken = {node.label for node in order if node.label}
    names: dict[Value, str] = {}
    automatic: set[Value] = set()  # named t1, t2 ...: never part of another node's expression
    counter = 0
    for node in order:
        if node.label:
            names[node] = node.label
            continue
        if node.operation is None and not node.requires_grad:
            names[node] = short_number(node.data)  # a constant is its number
            continue
        operands = [names[p] for p in node.parents]
        text = None
        if node.operation is not None and not any(p in automatic for p in node.parents):
            text = expression(node.op, operands)
        if text is None or len(text) > max_expression:
            automatic.add(node)
            if fallback is not None and node in fallback:
                names[node] = fallback[node]
                continue
            counter += 1
            while f"t{counter}" in taken:
                counter += 1
            text = f"t{counter}"
        names[node] = text
    return names


def expression(op: str, operands: Sequence[str]) -> str | None:
    """The expression ``op`` computes from operands named ``operands`` (None when unknown).

    Example:
        >>> expression("*", ["x1", "w1"]), expression("tanh", ["n"]), expression("neg", ["a+b"])
        ('x1*w1', 'tanh(n)', '-(a+b)')
    """
    if op in _INFIX and len(operands) == 2:
        left, right = operands
        if op in ("*", "/", "**", "%", "//"):
            left, right = grouped(left), grouped(right)
        elif op == "-":
            right = grouped(right)
        return f"{left}{_INFIX[op]}{right}"
    if op == "neg" and len(operands) == 1:
        return f"-{grouped(operands[0])}"
    if op == "add_n":
        return "+".join(operands) if operands else None
    if op == "linear" and len(operands) % 2 == 1:
        n = len(operands) // 2
        terms = [f"{grouped(w)}*{grouped(x)}" for w, x in zip(operands[:n], operands[n:2 * n])]
        return "+".join([*terms, operands[-1]])
    if operands and re.fullmatch(r"[A-Za-z_]\w*", op):
        return f"{op}({','.join(operands)})"
    return None


def local_formula(consumer: Value, operand_index: int, names: Mapping[Value, str]) -> str | None:
    """d ``consumer`` / d its operand ``operand_index``, written with the nodes' names.

    Args:
        consumer: a result of an operation.
        operand_index: which operand (0-based) the derivative is taken by.
        names: the names of ``consumer`` and its operands (see :func:`node_names`).

    Returns:
        The formula as text (``"w5"``, ``"1"``, ``"out_o1·(1-out_o1)"``), or None for an
        operation whose rule is not known here (a user's own, for example): callers then write
        the derivative as ``∂consumer/∂operand``.

    Example:
        >>> from autograd_lite import Value, topological_order
        >>> a, b = Value(0.5, label="a"), Value(3.0, label="b")
        >>> c = (a * b).sigmoid()
        >>> names = node_names(topological_order(c))
        >>> local_formula(c, 0, names), local_formula(c.parents[0], 0, names)
        ('sigmoid(a*b)·(1-sigmoid(a*b))', 'b')
    """
    op = consumer.op
    args = [names[p] for p in consumer.parents]
    out = grouped(names[consumer])
    j = operand_index
    a = grouped(args[0]) if args else ""
    if op in ("+", "add_n"):
        return "1"
    if op == "-":
        return "1" if j == 0 else "-1"
    if op == "neg":
        return "-1"
    if op == "*":
        return args[1 - j]
    if op == "/":
        b = grouped(args[1])
        return f"1/{b}" if j == 0 else f"-{a}/{b}²"
    if op == "**":
        exponent = consumer.parents[1]
        if j == 1:
            return f"ln({args[0]})·{out}"
        if exponent.operation is None and not exponent.requires_grad:
            n = exponent.data
            if n == 2:
                return f"2·{a}"
            return f"{short_number(n)}·{a}^{short_number(n - 1)}"
        return f"{grouped(args[1])}·{a}^({args[1]}-1)"
    if op == "linear":
        n = len(args) // 2
        if j == len(args) - 1:
            return "1"
        return args[j + n] if j < n else args[j - n]
    unary = {
        "exp": out,
        "log": f"1/{a}",
        "sqrt": f"1/(2·{out})",
        "sin": f"cos({args[0]})" if args else "",
        "cos": f"-sin({args[0]})" if args else "",
        "tanh": f"1-{out}²",
        "sigmoid": f"{out}·(1-{out})",
        "softplus": f"sigmoid({args[0]})" if args else "",
        "abs": f"sign({args[0]})" if args else "",
        "relu": f"step({args[0]})" if args else "",
    }
    if op in unary and len(args) == 1:
        return unary[op]
    return _more_formulas(op, j, [grouped(arg) for arg in args], out)


def _more_formulas(op: str, j: int, args: Sequence[str], out: str) -> str | None:
    """The rules of :mod:`autograd_lite.math_ops`, written out (``[p]`` is 1 where p holds).

    Example:
        >>> _more_formulas("atan2", 0, ["y", "x"], "t")
        'x/(x²+y²)'
        >>> _more_formulas("maximum", 1, ["a", "b"], "t")
        '[b>a]+½[b=a]'
    """
    if len(args) == 1:
        a = args[0]
        unary = {
            "tan": f"1+{out}²", "sinh": f"cosh({a})", "cosh": f"sinh({a})",
            "asin": f"1/√(1-{a}²)", "acos": f"-1/√(1-{a}²)", "atan": f"1/(1+{a}²)",
            "log1p": f"1/(1+{a})", "expm1": f"exp({a})", "log2": f"1/({a}·ln 2)",
            "log10": f"1/({a}·ln 10)", "sign": "0", "floor": "0", "ceil": "0",
        }  # fmt: skip
        return unary.get(op)
    if len(args) == 2:
        a, b = args if j == 0 else args[::-1]  # a: the operand differentiated by
        y, x = args
        binary = {
            "atan2": f"{x}/({x}²+{y}²)" if j == 0 else f"-{y}/({x}²+{y}²)",
            "hypot": f"{a}/{out}",
            "maximum": f"[{a}>{b}]+½[{a}={b}]",
            "minimum": f"[{a}<{b}]+½[{a}={b}]",
            "clamp_min": f"[{y}≥{x}]" if j == 0 else f"[{y}<{x}]",
            "clamp_max": f"[{y}≤{x}]" if j == 0 else f"[{y}>{x}]",
            "%": "1" if j == 0 else f"-floor({y}/{x})",
            "//": "0",
        }
        return binary.get(op)
    if len(args) == 3 and op == "clamp":
        x, low, high = args
        return (f"[{low}≤{x}≤{high}]", f"[{x}<{low}<{high}]", f"[{x}>{high} or {high}<{low}]")[j]
    return None


def partial(numerator: str, denominator: str) -> str:
    """``∂numerator/∂denominator`` with each name grouped.

    Example:
        >>> partial("E", "out_h1"), partial("E", "x1*w1")
        ('∂E/∂out_h1', '∂E/∂(x1*w1)')
    """
    return f"∂{grouped(numerator)}/∂{grouped(denominator)}"


def decimal(x: float, places: int = 6, *, strip: bool = False) -> str:
    """``x`` with ``places`` decimals, as a hand derivation prints it.

    A number that needs no more decimals is written as it is (``0.4``, ``1``); a very small or
    very large one in scientific notation with ``places`` significant digits. ``strip`` drops
    trailing zeros (``0.741365070`` becomes ``0.74136507``).

    Example:
        >>> decimal(0.4), decimal(0.036350306), decimal(0.7413650695523157, 9, strip=True)
        ('0.4', '0.036350', '0.74136507')
    """
    if math.isnan(x) or math.isinf(x):
        return str(x)
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    short = repr(x)
    if "e" not in short and len(short.split(".")[1]) <= places:
        return short
    if abs(x) < 10.0 ** -(places // 2 + 1) or abs(x) >= 1e6:
        return f"{x:.{places}g}"
    text = f"{x:.{places}f}"
    return text.rstrip("0").rstrip(".") if strip else text


def signed(text: str) -> str:
    """A number's text in parentheses when negative, for use inside a product: ``(-0.038098)``.

    Example:
        >>> signed("0.4"), signed("-0.038098")
        ('0.4', '(-0.038098)')
    """
    return f"({text})" if text.startswith("-") else text


def as_factor(formula: str) -> str:
    """``formula`` ready to multiply: in parentheses when it is a sum or difference at its top.

    Example:
        >>> as_factor("w5"), as_factor("1-y²"), as_factor("out·(1-out)"), as_factor("-x")
        ('w5', '(1-y²)', 'out·(1-out)', '-x')
    """
    depth = 0
    for i, char in enumerate(formula):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and char in "+-" and i > 0 and formula[i - 1] not in "e(":
            return f"({formula})"
    return formula
