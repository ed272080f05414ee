"""Groups of a vectorised replay: nodes of one operation at one depth, computed together.

Every example of a batch runs the same graph, so the values of one node over the batch form a
column of a matrix ``V[batch, column]``. Nodes at the same depth with the same operation do not
depend on each other: they form a :class:`Group`, whose forward and local derivatives are the
operation's own rules run once on array stand-ins (:mod:`autograd_lite.arrays`) for every
example and every node of the group.

Each operand position of a group is read in the cheapest shape that holds it:

* ``leaf``: every node reads a captured leaf (a parameter), the same for every example: shape
  ``[1, nodes]``, and its gradient is kept per example in ``GL[batch, leaf]``;
* ``shared``: every node reads the same column (a layer's input, read by each of its neurons):
  shape ``[batch, 1]``, and its gradients are summed over the group's nodes in one contraction;
* ``column``: each node reads a column of its own: shape ``[batch, nodes]``.

A group's results are stored in consecutive columns, so writing them is a slice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .arrays import ArrayStandIn, run_elementwise, run_rule_elementwise

if TYPE_CHECKING:
    from .ops import Operation

Array = Any  # numpy.ndarray


class Operands(NamedTuple):
    """The operand positions of a group that share one way of being read.

    Attributes:
        positions: Which operand positions (of the operation's inputs) these are.
        index: Where they are read: ``[nodes, positions]`` leaf numbers (``leaf``), one column
            per position (``shared``) or ``[nodes, positions]`` columns (``column``).
        targets: Where their gradients go, flattened in the order the contributions are (a
            slice when they are consecutive).
        reduce: None when the targets are distinct; else a 0/1 matrix that sums the
            contributions of repeated targets, and ``targets`` holds each target once.
    """

    positions: tuple[int, ...]
    index: Array
    targets: Array
    reduce: Array | None


class Group:
    """Nodes of one operation at one depth: computed together, differentiated together.

    Args:
        operation: The operation every node applies.
        start: The first of the group's consecutive output columns.
        size: How many nodes.
        leaf: The positions read from leaves (see the module's notes).
        shared: The positions read from one column by every node.
        column: The positions read from a column per node.
        wanted: Per position, whether any operand there needs a gradient.
        np: The NumPy module.
    """

    def __init__(self, operation: Operation, start: int, size: int, leaf: Operands,
                 shared: Operands, column: Operands, wanted: tuple[bool, ...],
                 np: Any) -> None:  # fmt: skip
        self.operation, self.start, self.size, self.np = operation, start, size, np
        self.leaf, self.shared, self.column, self.wanted = leaf, shared, column, wanted
        self.arity = len(wanted)

    def operands(self, values: Array, leaves: Array) -> list[ArrayStandIn]:
        """The group's operands as stand-ins, one per position, in the operation's order."""
        np = self.np
        found: list[Any] = [None] * self.arity
        if self.leaf.positions:
            block = leaves[self.leaf.index][None, :, :]  # [1, nodes, positions]
            for j, p in enumerate(self.leaf.positions):
                found[p] = ArrayStandIn(block[:, :, j], np)
        if self.shared.positions:
            block = values[:, self.shared.index]  # [batch, positions]
            for j, p in enumerate(self.shared.positions):
                found[p] = ArrayStandIn(block[:, j : j + 1], np)
        if self.column.positions:
            block = values[:, self.column.index]  # [batch, nodes, positions]
            for j, p in enumerate(self.column.positions):
                found[p] = ArrayStandIn(block[:, :, j], np)
        return found

    def forward(self, operands: Sequence[ArrayStandIn]) -> Array:
        """The operation's forward for every example and node: ``[batch or 1, nodes]``."""
        array_forward = self.operation.array_forward
        if array_forward is not None:
            return array_forward(self.np, *(x.array for x in operands))
        return run_elementwise(self.operation.forward, operands, self.np)

    def backward(self, operands: Sequence[ArrayStandIn], out: Array, upstream: Array,
                 grads: Array, leaf_grads: Array) -> None:  # fmt: skip
        """Add ``local * upstream`` into the operands' gradients (columns and leaves).

        ``leaf_grads`` has a row per example, or one row for the sum over the batch.
        """
        np = self.np
        inputs = [*operands, ArrayStandIn(out, np)]
        partials = getattr(self.operation, "partials", None)
        if partials is not None:  # one rule per input: an unwanted one is never run
            local = [run_elementwise(rule, inputs, np) if want else 0.0
                     for rule, want in zip(partials, self.wanted)]  # fmt: skip
        else:
            local = run_rule_elementwise(self.operation.local_grads, inputs, self.arity, np)
        batch = len(upstream)
        if self.leaf.positions:
            stacked = self._stack([local[p] for p in self.leaf.positions])
            if len(leaf_grads) == batch:
                contribution = (stacked * upstream[:, :, None]).reshape(batch, -1)
            elif stacked.shape[1] == 1:  # the same derivative for every node: a matrix product
                contribution = (upstream.T @ np.broadcast_to(stacked[:, 0, :], (batch,
                                stacked.shape[2]))).reshape(1, -1)  # fmt: skip
            else:
                contribution = np.einsum("bkp,bk->kp", np.broadcast_to(
                    stacked, (batch, *stacked.shape[1:])), upstream).reshape(1, -1)  # fmt: skip
            _add(np, leaf_grads, self.leaf, contribution)
        if self.shared.positions:
            stacked = self._stack([local[p] for p in self.shared.positions])
            if stacked.shape[0] == 1:  # the same local derivatives for every example
                contribution = upstream @ np.broadcast_to(stacked[0], (self.size, stacked.shape[2]))
            else:
                contribution = np.einsum("bkp,bk->bp", stacked, upstream)
            _add(np, grads, self.shared, contribution)
        if self.column.positions:
            stacked = self._stack([local[p] for p in self.column.positions])
            contribution = (stacked * upstream[:, :, None]).reshape(batch, -1)
            _add(np, grads, self.column, contribution)

    def _stack(self, arrays: list[Array]) -> Array:
        """Local derivatives of some positions as one ``[batch or 1, nodes or 1, positions]``
        array (a 1 where every example, or every node, has the same)."""
        shapes = [a.shape for a in arrays if getattr(a, "ndim", 0) == 2]
        rows = max([shape[0] for shape in shapes], default=1)
        columns = max([shape[1] for shape in shapes], default=1)  # 1: the same for every node
        stacked = self.np.empty((rows, columns, len(arrays)))
        for j, array in enumerate(arrays):
            stacked[..., j] = array
        return stacked


def _add(np: Any, target: Array, operands: Operands, contribution: Array) -> None:
    if operands.reduce is not None:
        contribution = contribution @ operands.reduce
    targets = operands.targets
    if isinstance(targets, slice):
        target[:, targets] += contribution  # consecutive columns: added in place
    else:
        target[:, targets] += contribution


def operands_of(np: Any, positions: list[int], index: Array, targets: list[int]) -> Operands:
    """An :class:`Operands`, with a summing matrix when some targets repeat.

    Args:
        np: The NumPy module.
        positions: The operand positions.
        index: Where they are read.
        targets: Where each contribution goes, in order.

    Returns:
        The operands; ``targets`` is a slice when they are consecutive columns.
    """
    flat = np.asarray(targets, dtype=int)
    unique, inverse = np.unique(flat, return_inverse=True)
    reduce = None
    if len(unique) != len(flat):
        reduce = np.zeros((len(flat), len(unique)))
        reduce[np.arange(len(flat)), inverse.ravel()] = 1.0
        flat = unique
    if len(flat) and (flat == np.arange(flat[0], flat[0] + len(flat))).all():
        return Operands(tuple(positions), index, slice(int(flat[0]), int(flat[0]) + len(flat)),
                        reduce)  # fmt: skip
    return Operands(tuple(positions), index, flat, reduce)
