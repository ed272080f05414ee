"""Friendly front doors to the operations that take many inputs."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from . import ops
from .value import Value, apply


def linear(
    weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float = 0.0
) -> Value:
    """``w1*x1 + ... + wn*xn + bias`` as one node of the graph (what a neuron computes).

    The same value and derivatives as writing the sum out with ``*`` and ``+``, but one node
    instead of 2n, so building and walking the graph is several times faster. Its operands are
    laid out as (w1..wn, x1..xn, bias); d/dw_i = x_i, d/dx_i = w_i, d/dbias = 1.

    Args:
        weights: n Values or numbers.
        inputs: n Values or numbers, paired with ``weights`` in order.
        bias: a Value or a number (default 0.0).

    Returns:
        A Value (a constant when nothing requires grad or inside ``no_grad``).

    Raises:
        ValueError: if ``weights`` and ``inputs`` differ in length.
        TypeError: if an entry is neither a Value nor a real number.

    Example:
        >>> from autograd_lite import Value, linear
        >>> w1, w2 = Value(0.5), Value(-1.0)
        >>> y = linear([w1, w2], [2.0, 3.0], 0.25)
        >>> y.backward()
        >>> y.data, w1.grad, w2.grad
        (-1.75, 2.0, 3.0)
    """
    if len(weights) != len(inputs):
        raise ValueError(
            f"linear: {len(weights)} weights for {len(inputs)} inputs; they must pair up one to one"
        )
    out: Value = apply(ops.linear, (*weights, *inputs, bias))  # a Dual among the inputs: a Dual
    return out


def total(values: Iterable[Value | float]) -> Value:
    """The sum of ``values`` as one node of the graph (``sum()`` would build a chain of adds).

    Args:
        values: Values or numbers, any number of them (none gives 0.0).

    Returns:
        A Value whose derivative in each operand is 1.

    Raises:
        TypeError: if an entry is neither a Value nor a real number.

    Example:
        >>> from autograd_lite import Value, total
        >>> xs = [Value(float(i)) for i in range(4)]
        >>> s = total(xs)
        >>> s.backward()
        >>> s.data, [x.grad for x in xs]
        (6.0, [1.0, 1.0, 1.0, 1.0])
    """
    out: Value = apply(ops.add_n, tuple(values))
    return out
