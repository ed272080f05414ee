"""Templates: each operation's code, derived once by running its rules on placeholder names.

A template is a format string with ``{a0}``, ``{a1}``... for the operands, ``{out}`` for the
result, ``{g}`` for its gradient and ``{t}`` for a prefix that makes temporaries unique. The
forward template comes from ``forward``, the backward template (``local * g`` for each operand
that wants a gradient) from ``local_grads``; a rule that cannot run on names is called by
reference instead.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .symbolic import MUL, Expression, apply_symbolically, multiply, render

if TYPE_CHECKING:
    from .ops import Operation


class GuardFailedError(Exception):
    """Raised inside generated code; carries the index of the guard that no longer holds."""


class Template(NamedTuple):
    """An operation's code with its operands left blank.

    Attributes:
        statements: Lines to run first (shared or deep subexpressions), as format strings with
            the fields ``{a0}``, ``{a1}``... (operands), ``{out}``, ``{g}`` and ``{t}``.
        results: For each result (the forward value, or each wanted operand's contribution),
            its format string and how tightly it binds (a precedence of
            :mod:`autograd_lite.symbolic`).
    """

    statements: tuple[str, ...]
    results: tuple[tuple[str, int], ...]


class Writer:
    """The namespace of the generated code and the templates derived so far.

    Example:
        >>> from autograd_lite import ops
        >>> Writer().backward(ops.mul, (True, True)).results
        (('{a1} * {g}', 20), ('{a0} * {g}', 20))
    """

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_GuardFailedError": GuardFailedError, "_nan": float("nan"), "_inf": float("inf"),
        }  # fmt: skip
        self._function_names: dict[int, str] = {}
        self._forward: dict[tuple[Operation, int], Template] = {}
        self._backward: dict[tuple[Operation, tuple[bool, ...]], Template] = {}
        self._counted: dict[tuple[Operation, int], str] = {}

    def function_name(self, function: Callable[..., Any]) -> str:
        if id(function) not in self._function_names:
            base = "_" + (re.sub(r"\W", "", getattr(function, "__name__", "")).lstrip("_") or "f")
            name, k = base, 1
            while name in self.namespace or keyword.iskeyword(name):
                name, k = f"{base}_{k}", k + 1
            self.namespace[name] = function
            self._function_names[id(function)] = name
        return self._function_names[id(function)]

    def counted(self, operation: Operation, arity: int) -> str:
        """The name of ``operation.local_grads``, checked to return ``arity`` derivatives."""
        key = (operation, arity)
        if key not in self._counted:
            self._counted[key] = self.function_name(checked_local_grads(operation, arity))
        return self._counted[key]

    def _render(self, roots: Sequence[Expression]) -> Template:
        count = iter(range(1 << 62))
        statements, results = render(roots, self.function_name, lambda: f"{{t}}_{next(count)}")
        return Template(tuple(statements), tuple(results))

    def forward(self, operation: Operation, arity: int) -> Template:
        key = (operation, arity)
        if key not in self._forward:
            expression = apply_symbolically(operation.forward, _placeholders(arity))
            self._forward[key] = self._render([expression])
        return self._forward[key]

    def backward(self, operation: Operation, wanted: tuple[bool, ...]) -> Template:
        """``local * g`` for each operand that wants a gradient."""
        key = (operation, wanted)
        if key not in self._backward:
            arity = len(wanted)
            inputs, out, g = _placeholders(arity), Expression.name("{out}"), Expression.name("{g}")
            partials = getattr(operation, "partials", None)
            if partials is not None:  # one rule per input: only the wanted ones are written
                roots = [multiply(apply_symbolically(rule, [*inputs, out]), g)
                         for rule, want in zip(partials, wanted) if want]  # fmt: skip
                self._backward[key] = self._render(roots)
                return self._backward[key]
            try:
                local = tuple(operation.local_grads(*inputs, out))
            except Exception:  # the rule needs numbers: call it, then pick its results
                name = self.counted(operation, arity)
                call_line = f"{{t}}_l = {name}({', '.join([*_slots(arity), '{out}'])})"
                results = tuple((f"{{t}}_l[{i}] * {{g}}", MUL) for i in range(arity) if wanted[i])
                self._backward[key] = Template((call_line,), results)
                return self._backward[key]
            if len(local) != arity:
                raise ValueError(
                    f"operation '{operation.name}': local_grads returned {len(local)} "
                    f"derivatives for {arity} inputs; return exactly one per input, in order"
                )
            roots = [multiply(d, g) for d, want in zip(local, wanted) if want]
            self._backward[key] = self._render(roots)
        return self._backward[key]


def checked_local_grads(operation: Operation, arity: int) -> Callable[..., Any]:
    """``operation.local_grads``, checked for one derivative per input as the engine checks.

    Args:
        operation: The operation.
        arity: How many inputs its node has.

    Returns:
        A function like ``local_grads`` that raises ``ValueError`` naming the operation when
        the rule returns another number of derivatives.

    Example:
        >>> from autograd_lite.ops import Operation
        >>> bad = Operation("pair", lambda a, b: a * b, lambda a, b, out: (b,))
        >>> try:
        ...     checked_local_grads(bad, 2)(1.0, 2.0, 2.0)
        ... except ValueError as error:
        ...     print(str(error)[:56])
        operation 'pair': local_grads returned 1 derivatives for
    """
    rule = operation.local_grads

    def local_grads(*args: Any) -> Any:
        local = rule(*args)
        if len(local) != arity:
            raise ValueError(
                f"operation '{operation.name}': local_grads returned {len(local)} derivatives "
                f"for {arity} inputs; return exactly one per input, in order"
            )
        return local

    local_grads.__name__ = f"{operation.name}_local_grads"
    return local_grads


def _placeholders(arity: int) -> list[Expression]:
    return [Expression.name(slot) for slot in _slots(arity)]


def _slots(arity: int) -> list[str]:
    return [f"{{a{i}}}" for i in range(arity)]


class Fields(dict[str, str]):
    """The values of a template's fields: ``a0``, ``a1``... from ``args``, the rest by name.

    ``template.format_map(Fields(args, out=...))`` looks up only the fields the template has,
    so filling a template costs the same for an operation of three inputs or of 10^5.
    """

    def __init__(self, args: Sequence[str], **named: str) -> None:
        super().__init__(named)
        self.args = args

    def __missing__(self, key: str) -> str:
        return self.args[int(key[1:])]
