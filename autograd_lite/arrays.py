"""Array stand-ins: run an operation's own rules on NumPy arrays, a whole batch at once.

An :class:`ArrayStandIn` wraps an array and behaves like a number under ``+ - * / **``, unary
minus, ``abs``, comparisons, :func:`~autograd_lite.ops.where` and every
:class:`~autograd_lite.ops.Operation` (through the ``__apply_operation__`` protocol). Running an
operation's ``forward`` or ``local_grads`` on stand-ins therefore computes that rule for every
element at once. The vectorised replay writes most rules out as NumPy code from symbolic names
(:mod:`autograd_lite.array_code`); a ``local_grads`` that cannot run on names runs on stand-ins.

An operation whose float ``forward`` cannot run on arrays (it calls ``math.*`` or branches with a
Python ``if``) declares ``array_forward`` beside it in its definition; one that declares nothing
is run element by element (``numpy.vectorize``): always correct, only slower. The same holds for
a ``local_grads`` that branches in Python instead of using ``where``.

NumPy is imported by the caller and passed in, so this module costs nothing without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

Array = Any  # numpy.ndarray; Any keeps mypy happy without NumPy's stubs installed


class NotElementwiseError(Exception):
    """A rule looked at one value (``bool``, ``float``) where a whole array stands."""


class ArrayStandIn:
    """Many examples' values of one scalar, computed together.

    Args:
        array: The values (any shape; operations apply element by element).
        np: The NumPy module.

    Example:
        >>> import numpy as np
        >>> from autograd_lite import ops
        >>> x = ArrayStandIn(np.array([-1.0, 2.0]), np)
        >>> ops.relu(x).array.tolist(), ops.where(x > 0, x * 3, 0.0).array.tolist()
        ([0.0, 2.0], [0.0, 6.0])
    """

    __slots__ = ("array", "np")

    def __init__(self, array: Array, np: Any) -> None:
        self.array = array
        self.np = np

    def _new(self, array: Array) -> ArrayStandIn:
        return ArrayStandIn(array, self.np)

    def __add__(self, other: object) -> ArrayStandIn:
        return self._new(self.array + _raw(other))

    def __radd__(self, other: object) -> ArrayStandIn:
        return self._new(_raw(other) + self.array)

    def __sub__(self, other: object) -> ArrayStandIn:
        return self._new(self.array - _raw(other))

    def __rsub__(self, other: object) -> ArrayStandIn:
        return self._new(_raw(other) - self.array)

    def __mul__(self, other: object) -> ArrayStandIn:
        return self._new(self.array * _raw(other))

    def __rmul__(self, other: object) -> ArrayStandIn:
        return self._new(_raw(other) * self.array)

    def __truediv__(self, other: object) -> ArrayStandIn:
        return self._new(self.array / _raw(other))

    def __rtruediv__(self, other: object) -> ArrayStandIn:
        return self._new(_raw(other) / self.array)

    def __pow__(self, other: object) -> ArrayStandIn:
        return self._new(self.array ** _raw(other))

    def __rpow__(self, other: object) -> ArrayStandIn:
        return self._new(_raw(other) ** self.array)

    def __neg__(self) -> ArrayStandIn:
        return self._new(-self.array)

    def __pos__(self) -> ArrayStandIn:
        return self

    def __abs__(self) -> ArrayStandIn:
        return self._new(self.np.abs(self.array))

    def __lt__(self, other: object) -> ArrayStandIn:
        return self._new(self.array < _raw(other))

    def __le__(self, other: object) -> ArrayStandIn:
        return self._new(self.array <= _raw(other))

    def __gt__(self, other: object) -> ArrayStandIn:
        return self._new(self.array > _raw(other))

    def __ge__(self, other: object) -> ArrayStandIn:
        return self._new(self.array >= _raw(other))

    def __eq__(self, other: object) -> ArrayStandIn:  # type: ignore[override]
        return self._new(self.array == _raw(other))

    def __ne__(self, other: object) -> ArrayStandIn:  # type: ignore[override]
        return self._new(self.array != _raw(other))

    __hash__ = object.__hash__

    def __where__(self, if_true: object, if_false: object) -> ArrayStandIn:
        """``where(self, a, b)`` element by element (both branches are already computed)."""
        return self._new(self.np.where(self.array, _raw(if_true), _raw(if_false)))

    @staticmethod
    def __apply_operation__(operation: Any, inputs: Sequence[object]) -> ArrayStandIn:
        """An Operation on arrays: its declared ``array_forward``, else its ``forward``."""
        np = next(x.np for x in inputs if isinstance(x, ArrayStandIn))
        array_forward = getattr(operation, "array_forward", None)
        if array_forward is not None:
            return ArrayStandIn(array_forward(np, *map(_raw, inputs)), np)
        return ArrayStandIn(run_elementwise(operation.forward, inputs, np), np)

    def __bool__(self) -> bool:
        raise NotElementwiseError("a Python branch on an input: write it with where(...)")

    def __float__(self) -> float:
        raise NotElementwiseError("a conversion to float of a whole array")

    def __index__(self) -> int:
        raise NotElementwiseError("a conversion to int of a whole array")

    __int__ = __index__


def _raw(x: object) -> Any:
    return x.array if isinstance(x, ArrayStandIn) else x


def run_elementwise(rule: Callable[..., Any], inputs: Sequence[object], np: Any) -> Array:
    """``rule(*inputs)`` on arrays: on stand-ins if the rule allows, else element by element.

    Args:
        rule: A function of scalars returning one number (a ``forward``).
        inputs: Stand-ins or numbers, broadcastable together.
        np: The NumPy module.

    Returns:
        The result as an array of the inputs' broadcast shape.
    """
    stand_ins = [x if isinstance(x, ArrayStandIn) else ArrayStandIn(np.asarray(x), np)
                 for x in inputs]  # fmt: skip
    try:
        result = rule(*stand_ins)
    except Exception:  # the rule needs one number at a time
        elementwise = np.vectorize(rule, otypes=[float])
        return elementwise(*(s.array for s in stand_ins))
    return np.asarray(_raw(result), dtype=float)


def run_rule_elementwise(rule: Callable[..., Sequence[Any]], inputs: Sequence[ArrayStandIn],
                         count: int, np: Any) -> list[Array]:  # fmt: skip
    """``rule(*inputs)`` returning ``count`` numbers (a ``local_grads``), on arrays.

    Args:
        rule: A function of scalars returning a tuple of ``count`` numbers.
        inputs: Stand-ins (the operands, then the output).
        count: How many numbers the rule returns.
        np: The NumPy module.

    Returns:
        ``count`` arrays or numbers, broadcastable to the inputs' shape.

    Raises:
        ValueError: when the rule returns another number of results than ``count``.
    """
    try:
        results = list(rule(*inputs))
    except Exception:  # the rule needs one number at a time
        arrays = [s.array for s in inputs]
        if count == 1:
            results = [np.vectorize(lambda *xs: rule(*xs)[0], otypes=[float])(*arrays)]
        else:
            elementwise = np.vectorize(lambda *xs: tuple(rule(*xs)), otypes=[float] * count)
            results = list(elementwise(*arrays))
    if len(results) != count:
        raise ValueError(f"local_grads returned {len(results)} derivatives for {count} inputs; "
                         "return exactly one per input, in order")  # fmt: skip
    return [_raw(r) for r in results]
