"""Code generation: a traced program, as the source of straight-line Python functions.

:func:`generate` is a pure function: from the recorded nodes it returns the source of one
function (``forward``, or ``forward_backward``) and the namespace that source needs. Each
operation's code is derived from its own ``forward`` and ``local_grads``, run once per operation
on symbolic names (:mod:`autograd_lite.symbolic`): ``x * w`` inlines as ``x0 * w3`` and its
derivatives as ``w3 * g_t7``; a rule that cannot run on names is called by reference. The
reverse pass adds ``local derivative * gradient`` into each operand in exactly the order
``Value.backward`` does, so a replay gives the eager engine's numbers to the last bit.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .graph import topological_order
from .symbolic import ADD, MUL, Expression, apply_symbolically, multiply, render

if TYPE_CHECKING:
    from .guards import Guard
    from .ops import Operation
    from .value import Value


class Program(NamedTuple):
    """What a trace recorded, in the order the generated code runs it.

    Attributes:
        nodes: Every node, each after its operands (guard operands first, so each check runs
            as soon as its numbers exist).
        inputs: The traced function's inputs, in argument order.
        leaves: The other leaves (captured parameters and constants), read from their ``data``
            on every replay.
        output: The Value to differentiate.
        aux: Further Values reported beside it.
        guards: The comparisons the function made while tracing.
    """

    nodes: Sequence[Value]
    inputs: Sequence[Value]
    leaves: Sequence[Value]
    output: Value
    aux: Sequence[Value]
    guards: Sequence[Guard]


class GeneratedCode(NamedTuple):
    """A generated function's source and the names it reads besides its arguments."""

    source: str
    namespace: dict[str, Any]


class GuardFailedError(Exception):
    """Raised inside generated code; carries the index of the guard that no longer holds."""


def node_names(program: Program) -> dict[Value, str]:
    """Short names for the listing and the code: ``x`` inputs, ``w`` parameters, ``c`` constants,
    ``t`` results of operations, each numbered in order.

    Args:
        program: The traced program.

    Returns:
        A name for every node.
    """
    names = {node: f"x{i}" for i, node in enumerate(program.inputs)}
    params = consts = temps = 0
    for node in program.nodes:
        if node in names:
            continue
        if node.operation is not None:
            names[node], temps = f"t{temps}", temps + 1
        elif node.requires_grad:
            names[node], params = f"w{params}", params + 1
        else:
            names[node], consts = f"c{consts}", consts + 1
    return names


def generate(program: Program, names: dict[Value, str], *, backward: bool) -> GeneratedCode:
    """The source of ``forward(inputs, leaves)`` or ``forward_backward(inputs, leaves)``.

    ``forward`` returns ``(output, aux)``; ``forward_backward`` returns ``(output, aux,
    input_grads, leaf_grads)``, each a tuple of floats in the program's order.

    Args:
        program: The traced program.
        names: A name for every node (:func:`node_names`).
        backward: Whether to generate ``forward_backward`` (else ``forward``).

    Returns:
        The source and its namespace.

    Raises:
        ValueError: when an operation's ``local_grads`` returns another number of derivatives
            than it has inputs (the eager engine's message).
    """
    writer = _Writer()
    body = [
        f"    {_unpack([names[n] for n in program.inputs])} = inputs",
        f"    {_unpack([names[n] for n in program.leaves])} = leaves",
        *_forward_lines(program, names, writer),
    ]
    aux = _tuple([names[n] for n in program.aux])
    out = names[program.output]
    if not backward:
        lines = ["def forward(inputs, leaves):", *body, f"    return {out}, {aux}"]
    else:
        reverse, assigned = _backward_lines(program, names, writer)
        grads = {node: f"g_{names[node]}" for node in assigned}
        input_grads = _tuple([grads.get(n, "0.0") for n in program.inputs])
        leaf_grads = _tuple([grads.get(n, "0.0") for n in program.leaves])
        lines = ["def forward_backward(inputs, leaves):", *body, *reverse,
                 f"    return {out}, {aux}, {input_grads}, {leaf_grads}"]  # fmt: skip
    return GeneratedCode("\n".join(lines) + "\n", writer.namespace)


# --- one template per operation, derived by running its rules on placeholder names -------------


class _Template(NamedTuple):
    statements: tuple[str, ...]  # format strings: {0}.. operands, {out}, {g}, {t} a unique prefix
    results: tuple[tuple[str, int], ...]  # (format string, precedence) per result


class _Writer:
    """The namespace of the generated code and the templates derived so far."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_GuardFailedError": GuardFailedError, "_nan": float("nan"), "_inf": float("inf"),
        }  # fmt: skip
        self._function_names: dict[int, str] = {}
        self._forward: dict[tuple[Operation, int], _Template] = {}
        self._backward: dict[tuple[Operation, tuple[bool, ...]], _Template] = {}

    def function_name(self, function: Callable[..., Any]) -> str:
        if id(function) not in self._function_names:
            base = "_" + (re.sub(r"\W", "", getattr(function, "__name__", "")).lstrip("_") or "f")
            name, k = base, 1
            while name in self.namespace or keyword.iskeyword(name):
                name, k = f"{base}_{k}", k + 1
            self.namespace[name] = function
            self._function_names[id(function)] = name
        return self._function_names[id(function)]

    def _render(self, roots: Sequence[Expression]) -> _Template:
        count = iter(range(1 << 62))
        statements, results = render(roots, self.function_name, lambda: f"{{t}}_{next(count)}")
        return _Template(tuple(statements), tuple(results))

    def forward(self, operation: Operation, arity: int) -> _Template:
        key = (operation, arity)
        if key not in self._forward:
            expression = apply_symbolically(operation.forward, _placeholders(arity))
            self._forward[key] = self._render([expression])
        return self._forward[key]

    def backward(self, operation: Operation, wanted: tuple[bool, ...]) -> _Template:
        """``local * g`` for each operand that wants a gradient."""
        key = (operation, wanted)
        if key not in self._backward:
            arity = len(wanted)
            inputs, out, g = _placeholders(arity), Expression.name("{out}"), Expression.name("{g}")
            try:
                local = tuple(operation.local_grads(*inputs, out))
            except Exception:  # the rule needs numbers: call it, then pick its results
                name = self.function_name(_counted(operation, arity))
                call_line = f"{{t}}_l = {name}({', '.join([*_slots(arity), '{out}'])})"
                results = tuple((f"{{t}}_l[{i}] * {{g}}", MUL) for i in range(arity) if wanted[i])
                self._backward[key] = _Template((call_line,), results)
                return self._backward[key]
            if len(local) != arity:
                raise ValueError(
                    f"operation '{operation.name}': local_grads returned {len(local)} "
                    f"derivatives for {arity} inputs; return exactly one per input, in order"
                )
            roots = [multiply(d, g) for d, want in zip(local, wanted) if want]
            self._backward[key] = self._render(roots)
        return self._backward[key]


def _counted(operation: Operation, arity: int) -> Callable[..., Any]:
    """``operation.local_grads``, checked for one derivative per input as the engine checks."""
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
    return [f"{{{i}}}" for i in range(arity)]


# --- the two passes -------------------------------------------------------------------------------


def _forward_lines(program: Program, names: dict[Value, str], writer: _Writer) -> list[str]:
    position = {node: i for i, node in enumerate(program.nodes)}
    guard_after: dict[Value, list[int]] = {}
    for k, guard in enumerate(program.guards):
        last = max(guard.left, guard.right, key=position.__getitem__)
        guard_after.setdefault(last, []).append(k)
    lines: list[str] = []
    for node in program.nodes:
        operation = node.operation
        if operation is not None:
            args = [names[p] for p in node.parents]
            name = names[node]
            template = writer.forward(operation, len(args))
            for statement in template.statements:
                lines.append("    " + statement.format(*args, t=name))
            lines.append(f"    {name} = {template.results[0][0].format(*args, t=name)}")
        for k in guard_after.get(node, ()):
            guard = program.guards[k]
            test = f"{names[guard.left]} {guard.symbol} {names[guard.right]}"
            broken = f"not ({test})" if guard.outcome else f"({test})"
            lines.append(f"    if {broken}: raise _GuardFailedError({k})")
    return lines


def _backward_lines(program: Program, names: dict[Value, str],
                    writer: _Writer) -> tuple[list[str], set[Value]]:  # fmt: skip
    """The reverse pass, in exactly the order ``Value.backward`` accumulates."""
    output = program.output
    assigned: set[Value] = {output}
    lines = [f"    g_{names[output]} = 1.0"]
    for node in reversed(topological_order(output)):
        operation = node.operation
        if operation is None or node not in assigned:
            continue
        parents = node.parents
        wanted = tuple(p.requires_grad for p in parents)
        if not any(wanted):
            continue
        args = [names[p] for p in parents]
        name, g = names[node], f"g_{names[node]}"
        template = writer.backward(operation, wanted)
        fields = {"out": name, "g": g, "t": f"d_{name}"}
        for statement in template.statements:
            lines.append("    " + statement.format(*args, **fields))
        results = iter(template.results)
        for parent, want in zip(parents, wanted):
            if not want:
                continue
            text, precedence = next(results)
            contribution = text.format(*args, **fields)
            target = f"g_{names[parent]}"
            if parent in assigned:
                if precedence <= ADD:
                    contribution = f"({contribution})"
                lines.append(f"    {target} = {target} + {contribution}")
            else:
                lines.append(f"    {target} = {contribution}")
                assigned.add(parent)
    return lines, assigned


def _unpack(names: list[str]) -> str:
    return "_" if not names else ", ".join(names) + ","


def _tuple(items: list[str]) -> str:
    return "(" + "".join(f"{item}, " for item in items) + ")"
