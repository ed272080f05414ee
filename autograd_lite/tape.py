"""The tape: trace a function once, then replay it on new numbers without building a graph.

Tracing (:mod:`autograd_lite.tracing`) calls the function on Values and keeps the graph it builds
as a flat list of instructions in topological order (a Wengert list): ``t7 = t3 * w12``.
``print(tape)`` shows that list. From it the tape writes Python functions that compute the
forward pass and the whole backward pass on plain floats (``tape.source`` shows them;
:mod:`autograd_lite.codegen` writes them, deriving each operation's code from its own rules, and
writing a block repeated many times, such as one example of a batch, once as a loop), so a
replay creates no Value at all and runs at the speed of hand-written float code.

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

from . import arguments, codegen
from .arguments import Argument
from .codegen import GuardFailedError, Program
from .grad_mode import enable_grad
from .graph import backpropagate
from .listing import listing
from .tracing import record, split_result
from .value import Value


class TraceGuardError(RuntimeError):
    """A replay's arguments take a path through the function other than the traced one.

    Raised on replay by a tape traced with ``retrace=False`` when a recorded comparison (a
    guard) comes out the other way; the message names the comparison.

    Example:
        >>> from autograd_lite import TraceGuardError, trace
        >>> tape = trace(lambda x: x * 2 if x > 0 else -x, 1.0, retrace=False)
        >>> tape(3.0)
        6.0
        >>> try:
        ...     tape(-1.0)
        ... except TraceGuardError as error:
        ...     print(str(error)[:47])
        the traced function compared x0 > c0 and took t
    """


def trace(
    function: Callable[..., Any], *example_args: Argument, retrace: bool = True,
    has_aux: bool = False,
) -> Tape:  # fmt: skip
    """Record ``function(*example_args)`` as a :class:`Tape`.

    Each number in the arguments (which may be nested lists of numbers) becomes an input. The
    function must return a Value, or with ``has_aux=True`` a pair ``(value, aux)`` where ``aux``
    holds more Values (nested lists allowed) to report, not differentiate, as in JAX: a model's
    predictions beside its loss, say. The function runs once, with the cyclic garbage collector
    paused (``gc.isenabled()`` is then False), so that recording a large graph costs the same
    per node at any size; the collector's state is restored afterwards, also on an error, and
    cycles the function made are collected then.

    Args:
        function: The function to trace.
        *example_args: Arguments to trace it with: numbers or nested sequences of numbers.
        retrace: What a failed guard does on replay: trace again for the new arguments
            (default), or raise :class:`TraceGuardError`.
        has_aux: Whether the function returns ``(value, aux)``.

    Returns:
        The tape.

    Raises:
        TypeError: when ``function`` is not callable, an argument is not a number or a
            sequence of numbers, or the result does not have the promised form.

    Example:
        >>> from autograd_lite import Value
        >>> w = Value(3.0)
        >>> tape = trace(lambda x: x * w + 1.0, 2.0)
        >>> tape(5.0), tape.value_and_grad(5.0)
        (16.0, (16.0, (3.0,)))
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

    Attributes:
        function: The traced function.
        program: What the trace recorded (nodes, inputs, leaves, output, aux, guards).
        structures: The structure of each traced argument (see :mod:`autograd_lite.arguments`).
        nodes, inputs, leaves, parameters, output, aux, guards: Views of ``program``;
            ``parameters`` are the leaves that require grad.

    Raises:
        ValueError: on replay, when an argument does not have the traced shape (the message
            says which and what shape was traced).
        TypeError: as :func:`trace`, when tracing or tracing again.
        TraceGuardError: on replay, when a guard fails and the tape was traced with
            ``retrace=False`` (with ``retrace=True`` it traces again instead).

    Example:
        >>> from autograd_lite import Value, trace
        >>> w = Value(0.5, label="w")
        >>> tape = trace(lambda x: (w * x).tanh(), 2.0)
        >>> value, (dx,) = tape.value_and_grad(2.0)
        >>> round(value, 6), round(dx, 6)
        (0.761594, 0.209987)
        >>> round(tape.backward(2.0), 6), round(w.grad, 6)   # into the parameters' grad
        (0.761594, 0.839949)
    """

    def __init__(self, function: Callable[..., Any], example_args: Sequence[Argument], *,
                 retrace: bool = True, has_aux: bool = False) -> None:  # fmt: skip
        self.function = function
        self.retrace = retrace
        self.has_aux = has_aux
        self._record(tuple(example_args))

    def _record(self, args: tuple[Argument, ...]) -> None:
        recording = record(self.function, args, has_aux=self.has_aux)
        self.program: Program = recording.program
        self.structures = recording.structures
        self._aux_structure = recording.aux_structure
        self.nodes = list(self.program.nodes)
        self.inputs = list(self.program.inputs)
        self.leaves = list(self.program.leaves)
        self.parameters = [leaf for leaf in self.leaves if leaf.requires_grad]
        self.output = self.program.output
        self.aux = list(self.program.aux)
        self.guards = list(self.program.guards)
        self._names = codegen.node_names(self.program)
        self._generated: dict[str, codegen.GeneratedCode] = {}
        self._compiled: dict[str, Callable[..., Any]] = {}

    # --- replay -------------------------------------------------------------------------------

    def __call__(self, *args: Argument) -> Any:
        """The output's value for these arguments (forward only).

        Args:
            *args: Arguments shaped as the traced ones.

        Returns:
            The value, or ``(value, aux)`` with ``has_aux``.
        """
        out, aux = self._run(args, with_backward=False)
        return self._with_aux(out, aux)

    def value_and_grad(self, *args: Argument) -> tuple[Any, tuple[Argument, ...]]:
        """The output's value and its derivative with respect to each argument.

        Args:
            *args: Arguments shaped as the traced ones.

        Returns:
            ``(value, grads)``: one gradient per argument, shaped like it.
        """
        out, aux, input_grads, _ = self._run(args, with_backward=True)
        return self._with_aux(out, aux), tuple(arguments.rebuild_all(self.structures, input_grads))

    def backward(self, *args: Argument) -> Any:
        """Replay forward and backward; add each parameter's derivative into its ``grad``.

        Gradients accumulate, as with ``Value.backward()``: a second call adds again.

        Args:
            *args: Arguments shaped as the traced ones.

        Returns:
            The output's value (``(value, aux)`` with ``has_aux``).
        """
        out, aux, _, leaf_grads = self._run(args, with_backward=True)
        arguments.accumulate(self.leaves, leaf_grads)
        return self._with_aux(out, aux)

    def _with_aux(self, out: float, aux: tuple[float, ...]) -> Any:
        if not self.has_aux:
            return out
        return out, arguments.rebuild(self._aux_structure, iter(aux))

    def _run(self, args: tuple[Argument, ...], *, with_backward: bool,
             retraced: bool = False) -> Any:  # fmt: skip
        arguments.check(self.structures, args)
        flat = arguments.flatten(args)
        generated = self._function("forward_backward" if with_backward else "forward")
        try:
            result = generated(flat, [leaf.data for leaf in self.leaves])
            out = result[0]
            if not math.isfinite(out) and all(map(math.isfinite, flat)):
                raise OverflowError(f"the tape's output is {out}")
            return result
        except GuardFailedError as failed:
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
            self._explain(flat)
            # The function itself succeeds on these arguments: the tape holds a number the
            # function read from .data while tracing (invisible to guards), and it does not
            # suit these arguments. Trace again, as for a failed guard.
            if retraced:  # traced for these very arguments and still failing: not a stale number
                raise
            if not self.retrace:
                raise TraceGuardError(
                    f"the replay failed ({error}) where the function itself succeeds: it read a "
                    "number while tracing that these arguments change. Trace again, or use "
                    "retrace=True"
                ) from error
            self._record(args)
            return self._run(args, with_backward=with_backward, retraced=True)

    def _explain(self, flat: list[float]) -> None:
        """Run the function eagerly, so the engine, which checks every operation, says exactly
        what went wrong (every local derivative too, without touching any ``.grad``)."""
        with enable_grad():
            values = arguments.rebuild_all(self.structures, map(Value, flat))
            output, _ = split_result(self.function(*values), self.has_aux)
            for _ in backpropagate(output, 1.0):
                pass

    # --- the listing and the generated code ---------------------------------------------------

    def __str__(self) -> str:
        return listing(self.program, self._names)

    def draw(self, **options: Any) -> Any:
        """The traced graph as a ``graphviz.Digraph`` (``draw_dot`` options apply).

        Args:
            **options: Passed to :func:`autograd_lite.draw_dot`.

        Returns:
            The ``graphviz.Digraph``.
        """
        from .drawing import draw_dot

        return draw_dot(self.output, **options)

    def __repr__(self) -> str:
        return (
            f"<Tape of {getattr(self.function, '__name__', 'function')}: {len(self.nodes)} "
            f"nodes, {len(self.guards)} guards>"
        )

    @property
    def source(self) -> str:
        """The generated Python: ``forward`` and ``forward_backward`` on plain floats."""
        return "\n\n".join(self._code(name).source for name in ("forward", "forward_backward"))

    def _code(self, name: str) -> codegen.GeneratedCode:
        if name not in self._generated:
            backward = name == "forward_backward"
            self._generated[name] = codegen.generate(self.program, self._names, backward=backward)
        return self._generated[name]

    def _function(self, name: str) -> Callable[..., Any]:
        """Generate and compile one function on first use (compiling is the slow part)."""
        if name not in self._compiled:
            code = self._code(name)
            namespace = dict(code.namespace)
            exec(compile(code.source, f"<autograd_lite tape: {name}>", "exec"), namespace)
            self._compiled[name] = namespace[name]
        return self._compiled[name]
