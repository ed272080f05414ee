"""Symbolic stand-ins: run an operation's own rules on names, and get Python source back.

An :class:`Expression` behaves like a number under ``+ - * / **``, unary minus, ``abs``,
comparisons, :func:`~autograd_lite.ops.where` and every :class:`~autograd_lite.ops.Operation`
(through the ``__apply_operation__`` protocol), but instead of computing it remembers what was
asked. Running ``forward`` or ``local_grads`` on Expressions named ``x0``, ``w3``... therefore
writes that rule out as code, exactly as it would compute on floats: this is how the tape's
generated code is derived from the operations themselves.

Where a rule cannot run on names (it converts to ``float``, calls ``math.*``, or branches with a
Python ``if`` on an input), :class:`NotSymbolicError` is raised and the caller falls back to calling
the rule's float function by reference (:class:`Call`), which is always correct, just slower.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import Any

# Binding strength of Python's operators, weakest first: a child binding more weakly than its
# parent needs parentheses.
SELECT, COMPARE, ADD, MUL, UNARY, POWER, ATOM = 1, 5, 10, 20, 30, 40, 50
#: A spilled temporary is introduced once a subexpression is this deep: Python's compiler recurses
#: once per nested operator, and a sum of 10^5 terms in one statement would exhaust it.
MAX_DEPTH = 48


class NotSymbolicError(Exception):
    """A rule looked at a value (``bool``, ``float``, ``math.*``) that is only a name here."""


class Expression:
    """A symbolic scalar: a node of an expression tree that renders as Python source.

    Args:
        kind: ``"atom"`` (a name or literal), ``"binary"``, ``"unary"``, ``"compare"``,
            ``"select"`` or ``"call"``.
        text: The atom's source, the operator's symbol, or (for a call) unused.
        operands: The sub-expressions, in evaluation order.
        precedence: How tightly the rendered expression binds (``ATOM`` ... ``SELECT``).
        function: For a call, the Python function called.

    Example:
        >>> x, y = Expression.name("x"), Expression.name("y")
        >>> render_expression(2 * x + y / x)
        '2 * x + y / x'
    """

    __slots__ = ("kind", "text", "operands", "precedence", "function")

    def __init__(self, kind: str, text: str, operands: tuple[Expression, ...], precedence: int,
                 function: Callable[..., Any] | None = None) -> None:  # fmt: skip
        self.kind = kind
        self.text = text
        self.operands = operands
        self.precedence = precedence
        self.function = function

    @staticmethod
    def name(text: str) -> Expression:
        """An atom: a variable's name (or any source that needs no parentheses)."""
        return Expression("atom", text, (), ATOM)

    # --- what the rules may do with a number ----------------------------------------------------

    def __add__(self, other: object) -> Expression:
        return _binary("+", ADD, self, other)

    def __radd__(self, other: object) -> Expression:
        return _binary("+", ADD, other, self)

    def __sub__(self, other: object) -> Expression:
        return _binary("-", ADD, self, other)

    def __rsub__(self, other: object) -> Expression:
        return _binary("-", ADD, other, self)

    def __mul__(self, other: object) -> Expression:
        return _binary("*", MUL, self, other)

    def __rmul__(self, other: object) -> Expression:
        return _binary("*", MUL, other, self)

    def __truediv__(self, other: object) -> Expression:
        return _binary("/", MUL, self, other)

    def __rtruediv__(self, other: object) -> Expression:
        return _binary("/", MUL, other, self)

    def __pow__(self, other: object) -> Expression:
        return _binary("**", POWER, self, other)

    def __rpow__(self, other: object) -> Expression:
        return _binary("**", POWER, other, self)

    def __neg__(self) -> Expression:
        return Expression("unary", "-", (self,), UNARY)

    def __pos__(self) -> Expression:
        return self

    def __abs__(self) -> Expression:
        return Expression("call", "abs", (self,), ATOM, abs)

    def __lt__(self, other: object) -> Expression:
        return _binary("<", COMPARE, self, other)

    def __le__(self, other: object) -> Expression:
        return _binary("<=", COMPARE, self, other)

    def __gt__(self, other: object) -> Expression:
        return _binary(">", COMPARE, self, other)

    def __ge__(self, other: object) -> Expression:
        return _binary(">=", COMPARE, self, other)

    def __eq__(self, other: object) -> Expression:  # type: ignore[override]
        return _binary("==", COMPARE, self, other)

    def __ne__(self, other: object) -> Expression:  # type: ignore[override]
        return _binary("!=", COMPARE, self, other)

    __hash__ = object.__hash__

    def __where__(self, if_true: object, if_false: object) -> Expression:
        """``where(self, a, b)``: Python's conditional expression, which evaluates one branch."""
        return Expression("select", "", (as_expression(if_true), self, as_expression(if_false)),
                          SELECT)  # fmt: skip

    @staticmethod
    def __apply_operation__(operation: Any, inputs: Sequence[object]) -> Expression:
        """An Operation applied to Expressions: its forward inlined, or a call to it."""
        return apply_symbolically(operation.forward, inputs)

    # --- what only a number can do ----------------------------------------------------------------

    def __bool__(self) -> bool:
        raise NotSymbolicError("a Python branch on a value that is only a name here")

    def __float__(self) -> float:
        raise NotSymbolicError("a conversion to float of a value that is only a name here")

    def __index__(self) -> int:
        raise NotSymbolicError("a conversion to int of a value that is only a name here")

    __int__ = __index__

    def __repr__(self) -> str:
        return f"Expression({render_expression(self)!r})"


def as_expression(x: object) -> Expression:
    """``x`` as an Expression: Expressions as they are, numbers as literals.

    Args:
        x: An Expression or a real number (``inf`` and ``nan`` become ``_inf`` and ``_nan``).

    Returns:
        The Expression.

    Raises:
        NotSymbolicError: for anything else (a bool, a string...).

    Example:
        >>> render_expression(as_expression(-2.5))
        '-2.5'
    """
    if isinstance(x, Expression):
        return x
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise NotSymbolicError(f"a {type(x).__name__} where a number was expected")
    if isinstance(x, float) and not math.isfinite(x):
        text = "_nan" if math.isnan(x) else ("_inf" if x > 0 else "-_inf")
    else:
        text = repr(x)
    return Expression("atom", text, (), UNARY if text.startswith("-") else ATOM)


def _binary(symbol: str, precedence: int, left: object, right: object) -> Expression:
    return Expression("binary" if precedence != COMPARE else "compare", symbol,
                      (as_expression(left), as_expression(right)), precedence)  # fmt: skip


def apply_symbolically(function: Callable[..., Any], inputs: Sequence[object]) -> Expression:
    """``function(*inputs)`` run on Expressions, or, if it cannot run on names, a call to it.

    Args:
        function: A rule written for floats (an operation's ``forward``).
        inputs: Expressions or numbers.

    Returns:
        The inlined expression, or a :class:`Call`-kind Expression that calls ``function``.

    Example:
        >>> import math
        >>> x = Expression.name("x")
        >>> render_expression(apply_symbolically(lambda v: v * v + 1, [x]))
        'x * x + 1'
        >>> apply_symbolically(math.exp, [x]).kind
        'call'
    """
    operands = tuple(as_expression(x) for x in inputs)
    try:
        result = function(*operands)
        return as_expression(result)
    except Exception:  # the rule needs numbers: call it on them at run time
        return Expression("call", "", operands, ATOM, function)


def multiply(local: object, upstream: Expression) -> Expression:
    """``local * upstream`` as the engine computes it, without a multiplication by exactly 1.0.

    ``1.0 * g`` is ``g`` and ``-1.0 * g`` is ``-g`` bit for bit (NaN and infinities included), so
    the identity and the negation are written without a product; nothing else is simplified.

    Args:
        local: A local derivative: an Expression or a number.
        upstream: The gradient arriving at the node.

    Returns:
        The contribution to the operand's gradient.

    Example:
        >>> g = Expression.name("g")
        >>> [render_expression(multiply(d, g)) for d in (1.0, -1.0, 0.5)]
        ['g', '-g', '0.5 * g']
    """
    if isinstance(local, (int, float)) and not isinstance(local, bool):
        if local == 1:
            return upstream
        if local == -1:
            return -upstream
    return as_expression(local) * upstream


# --- rendering ----------------------------------------------------------------------------------


def render(roots: Sequence[Expression], function_name: Callable[[Callable[..., Any]], str],
           temporary: Callable[[], str]) -> tuple[list[str], list[tuple[str, int]]]:  # fmt: skip
    """Render expressions that may share subexpressions, iteratively (any depth works).

    A subexpression used more than once is computed once into a temporary (as the rule computed
    it once), and one nested more than ``MAX_DEPTH`` deep is split off into a temporary, so that
    Python's compiler can take it.

    Args:
        roots: The expressions to render.
        function_name: The name under which a called function is reachable in the generated
            module (the caller keeps the namespace).
        temporary: A fresh variable name each time it is called.

    Returns:
        The statements to run first, and for each root its source and precedence.
    """
    uses: dict[int, int] = {}
    for node in _walk(roots):
        for operand in node.operands:
            uses[id(operand)] = uses.get(id(operand), 0) + 1
    statements: list[str] = []
    done: dict[int, tuple[str, int, int]] = {}  # id -> (text, precedence, depth)
    stack: list[tuple[Expression, bool]] = [(root, False) for root in reversed(roots)]
    while stack:
        node, ready = stack.pop()
        if id(node) in done:
            continue
        if not ready:
            stack.append((node, True))
            stack.extend((operand, False) for operand in reversed(node.operands))
            continue
        text, precedence, depth = _render_node(node, [done[id(o)] for o in node.operands],
                                               function_name)  # fmt: skip
        shared = uses.get(id(node), 0) > 1 and node.kind != "atom"
        if shared or depth >= MAX_DEPTH:
            name = temporary()
            statements.append(f"{name} = {text}")
            text, precedence, depth = name, ATOM, 0
        done[id(node)] = (text, precedence, depth)
    return statements, [done[id(root)][:2] for root in roots]


def render_expression(expression: Expression) -> str:
    """One expression's source (statements, if any are needed, joined by ``; ``).

    Args:
        expression: The expression.

    Returns:
        Its Python source, with as few parentheses as Python's precedence allows.

    Example:
        >>> a, b = Expression.name("a"), Expression.name("b")
        >>> render_expression(a - (b - a) * b)
        'a - (b - a) * b'
        >>> d = a - b  # used twice: computed once
        >>> render_expression(d - d ** 2)
        '_s0 = a - b; _s0 - _s0 ** 2'
    """
    counter = iter(range(1 << 62))
    statements, [(text, _)] = render(
        [expression], lambda f: getattr(f, "__name__", "f"), lambda: f"_s{next(counter)}"
    )
    return "; ".join([*statements, text])


def _walk(roots: Sequence[Expression]) -> Iterator[Expression]:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(node.operands)


def _wrap(part: tuple[str, int, int], needed: int) -> str:
    return f"({part[0]})" if part[1] < needed else part[0]


def _render_node(
    node: Expression, parts: list[tuple[str, int, int]],
    function_name: Callable[[Callable[..., Any]], str],
) -> tuple[str, int, int]:  # fmt: skip
    depth = 1 + max((p[2] for p in parts), default=-1)
    kind, p = node.kind, node.precedence
    if kind == "atom":
        return node.text, p, 0
    if kind == "unary":
        return f"-{_wrap(parts[0], UNARY)}", UNARY, depth
    if kind in ("binary", "compare"):
        if node.text == "**":  # right-associative, and tighter than a unary minus on its left
            left, right = _wrap(parts[0], ATOM), _wrap(parts[1], UNARY)
        elif kind == "compare":
            left, right = _wrap(parts[0], ADD), _wrap(parts[1], ADD)
        else:  # left-associative: an equal-strength right operand keeps its parentheses
            left, right = _wrap(parts[0], p), _wrap(parts[1], p + 1)
        return f"{left} {node.text} {right}", p, depth
    if kind == "select":
        if_true, condition, if_false = (_wrap(part, SELECT + 1) for part in parts)
        return f"{if_true} if {condition} else {if_false}", SELECT, depth
    assert node.function is not None
    name = "abs" if node.function is abs else function_name(node.function)
    return f"{name}({', '.join(part[0] for part in parts)})", ATOM, depth
