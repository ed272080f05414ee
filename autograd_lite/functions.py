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
    instead of 2n, so building and walking the graph is several times faster.
    """
    if len(weights) != len(inputs):
        raise ValueError(
            f"linear: {len(weights)} weights for {len(inputs)} inputs; they must pair up one to one"
        )
    return apply(ops.linear, (*weights, *inputs, bias))


def total(values: Iterable[Value | float]) -> Value:
    """The sum of ``values`` as one node of the graph (``sum()`` would build a chain of adds)."""
    return apply(ops.add_n, tuple(values))
