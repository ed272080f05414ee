"""The structure of a traced function's arguments: numbers, or nested sequences of numbers.

Both tapes (the float replay and the vectorised one) take their arguments shaped as the traced
function took them, run on a flat list of numbers, and give results shaped like the arguments
again. The four steps live here, once: describe a structure, check an argument against it,
flatten, rebuild, and add gradients into the leaves' ``grad``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from .value import Value

#: An argument of a traced function: a number, or a (nested) sequence of numbers.
Argument = Any
#: None for a number, a tuple of sub-structures for a sequence.
Structure = Any


def structure_of(arg: Argument, where: str) -> Structure:
    """The nesting of ``arg``: None for a number, a tuple of sub-structures for a sequence.

    Args:
        arg: A number (or Value), or a nested sequence of them.
        where: What ``arg`` is, for the error message (``"argument 0"``).

    Returns:
        The structure.

    Raises:
        TypeError: when something in ``arg`` is neither a number nor a sequence.

    Example:
        >>> structure_of([1.0, [2.0, 3.0]], "argument 0")
        (None, (None, None))
    """
    if isinstance(arg, Value):
        return None
    if isinstance(arg, (int, float)) and not isinstance(arg, bool):
        return None
    if isinstance(arg, Sequence) and not isinstance(arg, (str, bytes)):
        return tuple(structure_of(item, where) for item in arg)
    raise TypeError(
        f"trace: {where} must be a number or a sequence of numbers, got {type(arg).__name__}"
    )


def count(structure: Structure) -> int:
    """How many numbers an argument of this structure holds.

    Example:
        >>> count((None, (None, None)))
        3
    """
    if structure is None:
        return 1
    total, stack = 0, [structure]
    while stack:
        item = stack.pop()
        if item is None:
            total += 1
        else:
            stack.extend(item)
    return total


def describe(structure: Structure) -> str:
    """A structure in words, for error messages.

    Example:
        >>> describe(None), describe((None, None))
        ('a number', 'a sequence of 2')
    """
    return "a number" if structure is None else f"a sequence of {len(structure)}"


def check(structures: Sequence[Structure], args: Sequence[Argument]) -> None:
    """Check that ``args`` are shaped as the traced arguments were.

    Raises:
        TypeError: for another number of arguments.
        ValueError: naming the first argument whose shape differs.
    """
    if len(args) != len(structures):
        raise TypeError(f"the tape was traced with {len(structures)} arguments, got {len(args)}")
    for i, (arg, structure) in enumerate(zip(args, structures)):
        if _flat_floats(arg, structure):
            continue
        if structure_of(arg, f"argument {i}") != structure:
            raise ValueError(
                f"argument {i} does not have the shape the tape was traced with "
                f"({describe(structure)})"
            )


def _flat_floats(arg: Argument, structure: Structure) -> bool:
    """Whether ``arg`` is a list or tuple of exactly as many floats as a flat ``structure``
    (the common case, checked without walking the structure)."""
    return (
        type(arg) in (list, tuple)
        and isinstance(structure, tuple)
        and len(arg) == len(structure)
        and _all_floats(arg)
        and not any(structure)
    )


def _all_floats(items: Sequence[Any]) -> bool:
    return not items or set(map(type, items)) == {float}


def flatten(args: Any) -> list[float]:
    """Every number in ``args``, depth first, in order (Values give their data).

    Example:
        >>> flatten([1, [2.0, 3.0]])
        [1.0, 2.0, 3.0]
    """
    flat: list[float] = []
    if type(args) in (list, tuple):
        for arg in args:
            if type(arg) in (list, tuple) and _all_floats(arg):
                flat.extend(arg)  # a flat sequence of floats, the common case
            else:
                flat.extend(flatten_one(arg))
        return flat
    return flatten_one(args)


def flatten_one(args: Any) -> list[float]:
    """Every number in one (nested) argument, depth first (see :func:`flatten`)."""
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


def flatten_items(aux: Any) -> list[Any]:
    """The items of a (nested) list or tuple in order, whatever they are.

    Example:
        >>> flatten_items([1, (2, [3])])
        [1, 2, 3]
    """
    if not isinstance(aux, (list, tuple)):
        return [aux]
    return [item for part in aux for item in flatten_items(part)]


def rebuild(structure: Structure, items: Iterator[Any]) -> Any:
    """Consume ``items`` into the shape of ``structure`` (lists where it has sequences).

    Example:
        >>> rebuild((None, (None, None)), iter([1.0, 2.0, 3.0]))
        [1.0, [2.0, 3.0]]
    """
    if structure is None:
        return next(items)
    if not any(structure):  # a flat sequence of numbers
        return list(islice(items, len(structure)))
    return [rebuild(sub, items) for sub in structure]


def rebuild_all(structures: Sequence[Structure], items: Iterable[Any]) -> list[Any]:
    """Every argument rebuilt from one flat sequence (the inverse of :func:`flatten`).

    Example:
        >>> rebuild_all([None, (None, None)], [1.0, 2.0, 3.0])
        [1.0, [2.0, 3.0]]
    """
    flow = iter(items)
    return [rebuild(structure, flow) for structure in structures]


def accumulate(leaves: Sequence[Value], grads: Iterable[float]) -> None:
    """Add each gradient into its leaf's ``grad`` (leaves that require grad only), as
    ``Value.backward`` does: gradients accumulate until zeroed.

    Example:
        >>> w = Value(1.0)
        >>> accumulate([w, Value(2.0, requires_grad=False)], [0.5, 9.0])
        >>> accumulate([w], [0.25])
        >>> w.grad
        0.75
    """
    for leaf, grad in zip(leaves, grads):
        if leaf.requires_grad:
            leaf.grad += grad
