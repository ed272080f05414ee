"""The tape: trace a function once, then replay it on new numbers without building a graph.

Tracing calls the function on Values and keeps the graph it builds as a flat list of
instructions in topological order (a Wengert list): ``t7 = t3 * w12``. ``print(tape)`` shows that
list. From it the tape writes one straight-line Python function that computes the forward pass
and the whole backward pass on plain floats (``tape.source`` shows it), so a replay creates no
Value at all and runs at the speed of hand-written float code.

A replay reads the function's *inputs* from its arguments, and every other leaf of the graph
(the parameters and constants the function captured) from that leaf's current ``data``, so a
parameter updated by an optimizer is seen by the next replay.

Control flow that looked at data while tracing (``if x > 0:``) is recorded as a guard
(:mod:`autograd_lite.guards`). A replay checks every guard; when one fails, the tape traces the
function again for the new arguments (or, with ``retrace=False``, raises
:class:`TraceGuardError`). It never returns the numbers of a path the arguments did not take.
Reading ``value.data`` directly is invisible to the tape: compare Values instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from . import guards, ops
from .grad_mode import enable_grad
from .graph import backpropagate, topological_order
from .value import Value

#: An argument of a traced function: a number, or a (nested) sequence of numbers.
Argument = Any
_Structure = Any  # None for a number, a tuple of sub-structures for a sequence


class TraceGuardError(RuntimeError):
    """A replay's arguments take a path through the function other than the traced one."""


class _GuardFailedError(Exception):
    """Raised inside generated code; carries the index of the guard that no longer holds."""


def trace(
    function: Callable[..., Any], *example_args: Argument, retrace: bool = True,
    has_aux: bool = False,
) -> Tape:  # fmt: skip
    """Record ``function(*example_args)`` as a :class:`Tape`.

    Each number in the arguments (which may be nested lists of numbers) becomes an input. The
    function must return a Value, or with ``has_aux=True`` a pair ``(value, aux)`` where ``aux``
    holds more Values (nested lists allowed) to report, not differentiate, as in JAX: a model's
    predictions beside its loss, say. ``retrace`` chooses what a failed guard does on replay:
    trace again for the new arguments (default), or raise :class:`TraceGuardError`.
    """
    if not callable(function):
        raise TypeError(f"trace: the function must be callable, got {type(function).__name__}")
    return Tape(function, example_args, retrace=retrace, has_aux=has_aux)


class Tape:
    """A traced computation that replays forward and backward on plain floats.

    ``tape(*args)`` gives the output's value; ``tape.value_and_grad(*args)`` also the derivative
    with respect to each argument (shaped like the argument); ``tape.backward(*args)`` adds the
    derivatives with respect to the captured parameters into their ``grad``, like
    ``Value.backward()``, and returns the output's value. With ``has_aux``, each of them gives
    ``(value, aux)`` where it gave the value, ``aux`` shaped as the function returned it.
    """

    def __init__(self, function: Callable[..., Any], example_args: Sequence[Argument], *,
                 retrace: bool = True, has_aux: bool = False) -> None:  # fmt: skip
        self.function = function
        self.retrace = retrace
        self.has_aux = has_aux
        self._record(tuple(example_args))

    # --- recording --------------------------------------------------------------------------

    def _record(self, args: tuple[Argument, ...]) -> None:
        self._structure = tuple(_structure_of(arg, f"argument {i}") for i, arg in enumerate(args))
        self.inputs = [Value(x, label=f"x{i}") for i, x in enumerate(_flatten(args))]
        with guards.recording() as recorded, enable_grad():
            result = self.function(*_rebuild(self._structure, iter(self.inputs)))
        output, aux = self._split(result)
        self.output = output
        self._aux_structure = _structure_of(aux, "the aux output") if self.has_aux else None
        self.aux = [v for v in _flatten_values(aux)] if self.has_aux else []
        self.guards = recorded
        guard_operands = [v for guard in recorded for v in (guard.left, guard.right)]
        # Guard operands first: each check then runs as soon as its numbers exist, before any
        # operation of the path it protects (which might fail on another path's numbers).
        self.nodes = topological_order(*guard_operands, output, *self.aux)
        input_set = set(self.inputs)
        self.leaves = [n for n in self.nodes if n.operation is None and n not in input_set]
        self.parameters = [leaf for leaf in self.leaves if leaf.requires_grad]
        self._names = self._name_nodes()
        self._sources = self._generate_sources()
        self._compiled: dict[str, Callable[..., Any]] = {}

    def _split(self, result: Any) -> tuple[Value, Any]:
        """The traced function's result as (the Value to differentiate, its aux output)."""
        if self.has_aux:
            if not (isinstance(result, (tuple, list)) and len(result) == 2):
                raise TypeError(
                    "trace: with has_aux=True the function must return a pair (value, aux), "
                    f"got {type(result).__name__}"
                )
            output, aux = result
            for item in _flatten_values(aux):
                if not isinstance(item, Value):
                    raise TypeError(
                        f"trace: aux must hold Values (nested lists allowed), got "
                        f"{type(item).__name__}"
                    )
        else:
            output, aux = result, None
        if not isinstance(output, Value):
            raise TypeError(f"trace: the function must return a Value, got {type(output).__name__}")
        return output, aux

    def _name_nodes(self) -> dict[Value, str]:
        names = {node: f"x{i}" for i, node in enumerate(self.inputs)}
        params = consts = temps = 0
        for node in self.nodes:
            if node in names:
                continue
            if node.operation is not None:
                names[node], temps = f"t{temps}", temps + 1
            elif node.requires_grad:
                names[node], params = f"w{params}", params + 1
            else:
                names[node], consts = f"c{consts}", consts + 1
        return names

    # --- replay -------------------------------------------------------------------------------

    def __call__(self, *args: Argument) -> Any:
        """The output's value for these arguments (forward only)."""
        out, aux = self._run(args, with_backward=False)
        return self._with_aux(out, aux)

    def value_and_grad(self, *args: Argument) -> tuple[Any, tuple[Argument, ...]]:
        """The output's value and its derivative with respect to each argument."""
        out, aux, input_grads, _ = self._run(args, with_backward=True)
        return self._with_aux(out, aux), tuple(_rebuild(self._structure, iter(input_grads)))

    def backward(self, *args: Argument) -> Any:
        """Replay forward and backward; add each parameter's derivative into its ``grad``."""
        out, aux, _, leaf_grads = self._run(args, with_backward=True)
        for leaf, grad in zip(self.leaves, leaf_grads):
            if leaf.requires_grad:
                leaf.grad += grad
        return self._with_aux(out, aux)

    def _with_aux(self, out: float, aux: tuple[float, ...]) -> Any:
        if not self.has_aux:
            return out
        return out, _rebuild(self._aux_structure, iter(aux))

    def _run(self, args: tuple[Argument, ...], *, with_backward: bool) -> Any:
        flat = self._flat_arguments(args)
        generated = self._function("forward_backward" if with_backward else "forward")
        try:
            result = generated(flat, [leaf.data for leaf in self.leaves])
            out = result[0]
            if not math.isfinite(out) and all(map(math.isfinite, flat)):
                raise OverflowError(f"the tape's output is {out}")
            return result
        except _GuardFailedError as failed:
            guard = self.guards[failed.args[0]]
            if not self.retrace:
                left, right = self._names[guard.left], self._names[guard.right]
                raise TraceGuardError(
                    f"the traced function compared {left} {guard.symbol} {right} and took the "
                    f"{guard.outcome} branch; for these arguments it is {not guard.outcome}, so "
                    "the tape's path does not apply. Trace again with these arguments, or use "
                    "retrace=True"
                ) from None
            self._record(args)
            return self._run(args, with_backward=with_backward)
        except (ArithmeticError, ValueError) as error:
            # Let the engine, which checks every operation, say exactly what went wrong.
            with enable_grad():
                result = self.function(*_rebuild(self._structure, iter(map(Value, flat))))
                for _ in backpropagate(self._split(result)[0], 1.0):
                    pass  # every local derivative, without touching any .grad
            # The function itself succeeds on these arguments: the tape holds a number the
            # function read from .data while tracing (invisible to guards), and it does not
            # suit these arguments. Trace again, as for a failed guard.
            if not self.retrace:
                raise TraceGuardError(
                    f"the replay failed ({error}) where the function itself succeeds: it read a "
                    "number while tracing that these arguments change. Trace again, or use "
                    "retrace=True"
                ) from error
            self._record(args)
            return self._run(args, with_backward=with_backward)

    def _flat_arguments(self, args: tuple[Argument, ...]) -> list[float]:
        if len(args) != len(self._structure):
            raise TypeError(
                f"the tape was traced with {len(self._structure)} arguments, got {len(args)}"
            )
        for i, (arg, structure) in enumerate(zip(args, self._structure)):
            if _structure_of(arg, f"argument {i}") != structure:
                raise ValueError(
                    f"argument {i} does not have the shape the tape was traced with "
                    f"({_describe(structure)})"
                )
        return _flatten(args)

    # --- the listing and the generated code ---------------------------------------------------

    def __str__(self) -> str:
        lines = [
            f"# tape: {len(self.inputs)} inputs, {len(self.parameters)} parameters, "
            f"{len(self.leaves) - len(self.parameters)} constants, "
            f"{len(self.nodes) - len(self.inputs) - len(self.leaves)} operations"
        ]
        inputs = set(self.inputs)
        for node in [*self.inputs, *(n for n in self.nodes if n not in inputs)]:
            name = self._names[node]
            note = f"  # {node.label}" if node.label and node.label != name else ""
            if node in inputs:
                lines.append(f"{name} = input{note}")
            elif node.operation is None:
                kind = "parameter" if node.requires_grad else "constant"
                lines.append(f"{name} = {kind} {node.data!r}{note}")
            else:
                lines.append(f"{name} = {_three_address(node, self._names)}{note}")
        for guard in self.guards:
            lines.append(
                f"guard {self._names[guard.left]} {guard.symbol} {self._names[guard.right]}"
                f" is {guard.outcome}"
            )
        lines.append(f"return {self._names[self.output]}")
        return "\n".join(lines)

    def draw(self, **options: Any) -> Any:
        """The traced graph as a ``graphviz.Digraph`` (``draw_dot`` options apply)."""
        from .drawing import draw_dot

        return draw_dot(self.output, **options)

    def __repr__(self) -> str:
        return (
            f"<Tape of {getattr(self.function, '__name__', 'function')}: {len(self.nodes)} "
            f"nodes, {len(self.guards)} guards>"
        )

    def _operations(self) -> list[ops.Operation]:
        seen: dict[ops.Operation, None] = {}
        for node in self.nodes:
            if node.operation is not None and node.operation not in _INLINE:
                seen.setdefault(node.operation)
        return list(seen)

    def _namespace(self) -> dict[str, Any]:
        namespace: dict[str, Any] = {"_GuardFailedError": _GuardFailedError}
        for k, operation in enumerate(self._operations()):
            namespace[f"forward_{k}"] = operation.forward
            namespace[f"local_grads_{k}"] = operation.local_grads
        return namespace

    @property
    def source(self) -> str:
        """The generated Python: ``forward`` and ``forward_backward``, straight-line code."""
        return "\n\n".join(self._sources.values())

    def _function(self, name: str) -> Callable[..., Any]:
        """Compile one generated function on first use (compiling is the slow part of a trace)."""
        if name not in self._compiled:
            namespace = self._namespace()
            exec(compile(self._sources[name], f"<autograd_lite tape: {name}>", "exec"), namespace)
            self._compiled[name] = namespace[name]
        return self._compiled[name]

    def _generate_sources(self) -> dict[str, str]:
        """Two straight-line functions: ``forward`` and ``forward_backward``."""
        names = self._names
        op_index = {operation: k for k, operation in enumerate(self._operations())}
        guard_after: dict[Value, list[int]] = {}
        position = {node: i for i, node in enumerate(self.nodes)}
        for k, guard in enumerate(self.guards):
            last = max(guard.left, guard.right, key=position.__getitem__)
            guard_after.setdefault(last, []).append(k)

        body = [
            f"    {_unpack([names[n] for n in self.inputs])} = inputs",
            f"    {_unpack([names[n] for n in self.leaves])} = leaves",
        ]
        for node in self.nodes:
            if node.operation is not None:
                args = [names[p] for p in node.parents]
                inline = _INLINE.get(node.operation)
                if inline is None:
                    call = f"forward_{op_index[node.operation]}({', '.join(args)})"
                    body.append(f"    {names[node]} = {call}")
                else:
                    body += _assign_sum(names[node], inline[0](args))
            for k in guard_after.get(node, []):
                guard = self.guards[k]
                test = f"{names[guard.left]} {guard.symbol} {names[guard.right]}"
                broken = f"not ({test})" if guard.outcome else f"({test})"
                body.append(f"    if {broken}: raise _GuardFailedError({k})")
        aux = _tuple([names[n] for n in self.aux])
        forward = ["def forward(inputs, leaves):", *body, f"    return {names[self.output]}, {aux}"]

        backward = self._backward_lines(op_index)
        grads = {node: f"g_{names[node]}" for node in self._assigned}
        input_grads = _tuple([grads.get(n, "0.0") for n in self.inputs])
        leaf_grads = _tuple([grads.get(n, "0.0") for n in self.leaves])
        both = [
            "def forward_backward(inputs, leaves):",
            *body,
            *backward,
            f"    return {names[self.output]}, {aux}, {input_grads}, {leaf_grads}",
        ]
        return {"forward": "\n".join(forward) + "\n", "forward_backward": "\n".join(both) + "\n"}

    def _backward_lines(self, op_index: dict[ops.Operation, int]) -> list[str]:
        """The reverse pass, in exactly the order ``Value.backward`` accumulates."""
        names = self._names
        self._assigned: set[Value] = {self.output}
        lines = [f"    g_{names[self.output]} = 1.0"]
        for node in reversed(topological_order(self.output)):
            if node not in self._assigned or node.operation is None:
                continue
            args = [names[p] for p in node.parents]
            g = f"g_{names[node]}"
            inline = _INLINE.get(node.operation)
            if inline:
                contributions = inline[1](args, names[node], g)
            else:
                lines.append(
                    f"    local = local_grads_{op_index[node.operation]}({', '.join(args)}, "
                    f"{names[node]})"
                )
                contributions = [f"local[{i}] * {g}" for i in range(len(args))]
            for parent, contribution in zip(node.parents, contributions):
                if not parent.requires_grad:
                    continue
                target = f"g_{names[parent]}"
                if parent in self._assigned:
                    lines.append(f"    {target} = {target} + {contribution}")
                else:
                    lines.append(f"    {target} = {contribution}")
                    self._assigned.add(parent)
        return lines


# --- operations whose rules are Python's own arithmetic are written inline --------------------
# Each entry: (forward expression, contributions to the operands' gradients). The contributions
# are written exactly as Value.backward computes them (local derivative * gradient), so a replay
# gives the same numbers as the eager engine, to the last bit.


def _linear_forward(a: list[str]) -> list[str]:
    n = (len(a) - 1) // 2
    return [a[-1], *(f"{w} * {x}" for w, x in zip(a[:n], a[n : 2 * n]))]


def _assign_sum(name: str, terms: list[str], per_line: int = 64) -> list[str]:
    """``name = t1 + t2 + ...``, summed left to right, at most ``per_line`` terms a statement
    (Python's compiler recurses once per ``+``, so one statement of 10^5 terms would fail)."""
    lines = [f"    {name} = {' + '.join(terms[:per_line])}"]
    for start in range(per_line, len(terms), per_line):
        lines.append(f"    {name} = {' + '.join([name, *terms[start : start + per_line]])}")
    return lines


def _linear_backward(a: list[str], out: str, g: str) -> list[str]:
    n = (len(a) - 1) // 2
    return [f"{x} * {g}" for x in a[n : 2 * n]] + [f"{w} * {g}" for w in a[:n]] + [g]


# The forward entry gives the terms of a left-to-right sum (one term for most operations).
_INLINE: dict[ops.Operation, tuple[Callable[[list[str]], list[str]], Callable[..., list[str]]]] = {
    ops.add: (lambda a: [f"{a[0]} + {a[1]}"], lambda a, out, g: [g, g]),
    ops.sub: (lambda a: [f"{a[0]} - {a[1]}"], lambda a, out, g: [g, f"-{g}"]),
    ops.mul: (lambda a: [f"{a[0]} * {a[1]}"], lambda a, out, g: [f"{a[1]} * {g}", f"{a[0]} * {g}"]),
    ops.div: (
        lambda a: [f"{a[0]} / {a[1]}"],
        lambda a, out, g: [f"(1 / {a[1]}) * {g}", f"(-{out} / {a[1]}) * {g}"],
    ),
    ops.neg: (lambda a: [f"-{a[0]}"], lambda a, out, g: [f"-{g}"]),
    ops.relu: (
        lambda a: [f"{a[0]} if {a[0]} > 0 else 0.0"],
        lambda a, out, g: [f"({g} if {a[0]} > 0 else 0.0 * {g})"],
    ),
    ops.linear: (_linear_forward, _linear_backward),
    ops.add_n: (lambda a: ["0.0", *a], lambda a, out, g: [g] * len(a)),
}

_SYMBOLS = {ops.add: "+", ops.sub: "-", ops.mul: "*", ops.div: "/"}


def _three_address(node: Value, names: dict[Value, str]) -> str:
    args = [names[p] for p in node.parents]
    assert node.operation is not None
    if node.operation in _SYMBOLS:
        return f"{args[0]} {_SYMBOLS[node.operation]} {args[1]}"
    if node.operation is ops.neg:
        return f"-{args[0]}"
    return f"{node.operation.name}({', '.join(args)})"


def _unpack(names: list[str]) -> str:
    return "_" if not names else ", ".join(names) + ","


def _tuple(items: list[str]) -> str:
    return "(" + "".join(f"{item}, " for item in items) + ")"


# --- arguments: numbers or nested sequences of numbers -----------------------------------------


def _structure_of(arg: Argument, where: str) -> _Structure:
    if isinstance(arg, Value):
        return None
    if isinstance(arg, (int, float)) and not isinstance(arg, bool):
        return None
    if isinstance(arg, Sequence) and not isinstance(arg, (str, bytes)):
        return tuple(_structure_of(item, where) for item in arg)
    raise TypeError(
        f"trace: {where} must be a number or a sequence of numbers, got {type(arg).__name__}"
    )


def _flatten_values(aux: Any) -> list[Any]:
    """The items of a (nested) list in order, whatever they are."""
    if not isinstance(aux, (list, tuple)):
        return [aux]
    return [item for part in aux for item in _flatten_values(part)]


def _flatten(args: Any) -> list[float]:
    flat: list[float] = []
    stack = [args]
    while stack:
        item = stack.pop()
        if isinstance(item, Value):
            flat.append(item.data)
        elif isinstance(item, (int, float)):
            flat.append(float(item))
        else:
            stack.extend(reversed(item))
    return flat


def _rebuild(structure: _Structure, leaves: Any) -> Any:
    if structure is None:
        return next(leaves)
    return [_rebuild(sub, leaves) for sub in structure] if isinstance(structure, tuple) else None


def _describe(structure: _Structure) -> str:
    if structure is None:
        return "a number"
    return f"a sequence of {len(structure)}"
