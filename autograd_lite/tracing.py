"""Tracing: call a function once on Values and keep what it recorded as a :class:`Program`.

Each number of the arguments becomes an input Value; the function's operations build the graph
as usual, and its comparisons of Values are noted as guards (:mod:`autograd_lite.guards`). The
result lists every node in the order code must compute it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from . import arguments, guards
from .codegen import Program, collector_paused
from .grad_mode import enable_grad
from .graph import topological_order
from .value import Value


class Recording(NamedTuple):
    """A traced call: the program, and how to shape arguments and aux outputs around it."""

    program: Program
    structures: tuple[arguments.Structure, ...]  # one per positional argument
    aux_structure: arguments.Structure  # None without has_aux


def record(function: Callable[..., Any], args: Sequence[Any], *, has_aux: bool) -> Recording:
    """Call ``function`` on Values made from ``args`` and record what it computes.

    Args:
        function: The function to trace.
        args: Example arguments: numbers or nested sequences of numbers.
        has_aux: Whether the function returns ``(value, aux)``.

    Returns:
        The recording.

    Raises:
        TypeError: for arguments that are not numbers or sequences, or a result that is not a
            Value (or, with ``has_aux``, not a pair whose aux holds Values).
    """
    structures = tuple(arguments.structure_of(arg, f"argument {i}") for i, arg in enumerate(args))
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(arguments.flatten(args))]
    # The collector is paused while the function runs once: see collector_paused.
    with guards.recording() as recorded, enable_grad(), collector_paused():
        result = function(*arguments.rebuild_all(structures, inputs))
    output, aux = split_result(result, has_aux)
    aux_values = arguments.flatten_items(aux) if has_aux else []
    guard_operands = [v for guard in recorded for v in (guard.left, guard.right)]
    with collector_paused():  # the walk allocates no cycles; see collector_paused
        # Guard operands first: each check then runs as soon as its numbers exist, before any
        # operation of the path it protects (which might fail on another path's numbers).
        nodes = topological_order(*guard_operands, output, *aux_values)
        input_set = set(inputs)
        leaves = [n for n in nodes if n.operation is None and n not in input_set]
    program = Program(nodes, inputs, leaves, output, aux_values, recorded)
    aux_structure = arguments.structure_of(aux, "the aux output") if has_aux else None
    return Recording(program, structures, aux_structure)


def split_result(result: Any, has_aux: bool) -> tuple[Value, Any]:
    """A traced function's result as (the Value to differentiate, its aux output).

    Raises:
        TypeError: when the result does not have the promised form.
    """
    if has_aux:
        if not (isinstance(result, (tuple, list)) and len(result) == 2):
            raise TypeError(
                "trace: with has_aux=True the function must return a pair (value, aux), "
                f"got {type(result).__name__}"
            )
        output, aux = result
        for item in arguments.flatten_items(aux):
            if not isinstance(item, Value):
                raise TypeError(
                    f"trace: aux must hold Values (nested lists allowed), got {type(item).__name__}"
                )
    else:
        output, aux = result, None
    if not isinstance(output, Value):
        raise TypeError(f"trace: the function must return a Value, got {type(output).__name__}")
    return output, aux
