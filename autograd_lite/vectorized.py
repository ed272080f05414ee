"""Vectorised replay: one traced example, run over a whole batch with NumPy.

A tape records the graph of *one* example. Every example of a batch runs the same graph on
different numbers, so each node becomes a column of a matrix ``V[batch, node]``. Nodes at the same
depth with the same operation do not depend on each other: they form a group, computed by one
NumPy expression for all examples and all nodes of the group at once (the sixteen neurons of a
layer, say, for a hundred examples). The backward pass walks the groups in reverse and scatters
``local derivative * gradient`` into the operands' columns, summing where several nodes share an
operand.

NumPy is an optional dependency (``pip install "autograd-lite[numpy]"``); the rest of the engine
never needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from . import arguments, ops
from .arrays import ArrayStandIn, run_elementwise, run_rule_elementwise
from .tape import Tape, TraceGuardError

if TYPE_CHECKING:
    from .value import Value

Array = Any  # numpy.ndarray; Any keeps mypy happy without NumPy's stubs installed


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - the tests install numpy
        raise ImportError(
            "vectorised replay needs NumPy: pip install 'autograd-lite[numpy]' (or numpy)"
        ) from None
    return numpy


class _Group:
    """Nodes of one operation at one depth: computed together, differentiated together."""

    def __init__(self, operation: ops.Operation, outputs: list[int], inputs: list[list[int]],
                 wanted: list[bool], np: Any) -> None:  # fmt: skip
        self.operation = operation
        self.np = np
        self.outputs = np.array(outputs)
        self.inputs = np.array(inputs)  # [nodes in group, arity]
        # Gradients flow only into operands that require grad (others may even get NaN, like
        # the derivative of a ** 3 with respect to its constant exponent at a negative base).
        self.wanted = np.flatnonzero(wanted)
        targets = self.inputs.ravel()[self.wanted]
        _, inverse, counts = np.unique(targets, return_inverse=True, return_counts=True)
        once = counts[inverse] == 1
        # Operands used once in the group take their contribution directly ...
        self.single = self.wanted[once]
        self.single_targets = targets[once]
        # ... shared ones (an input feeding sixteen neurons) must be summed, not overwritten:
        # a small 0/1 matrix adds each contribution into its operand's column.
        self.shared = self.wanted[~once]
        self.shared_targets = np.unique(targets[~once])
        shared_inverse = np.searchsorted(self.shared_targets, targets[~once])
        self.reduce = np.zeros((len(self.shared), len(self.shared_targets)))
        self.reduce[np.arange(len(self.shared)), shared_inverse] = 1.0


    def forward(self, x: Array) -> Array:
        """The operation's forward on operands ``x`` [batch, nodes, arity]: [batch, nodes]."""
        columns = [ArrayStandIn(x[..., i], self.np) for i in range(x.shape[-1])]
        array_forward = self.operation.array_forward
        if array_forward is not None:
            return array_forward(self.np, *(c.array for c in columns))
        return run_elementwise(self.operation.forward, columns, self.np)

    def local_grads(self, x: Array, out: Array) -> Array:
        """The local derivatives [batch, nodes, arity], from the operation's own rule."""
        np = self.np
        columns = [ArrayStandIn(x[..., i], np) for i in range(x.shape[-1])]
        local = run_rule_elementwise(self.operation.local_grads, [*columns, ArrayStandIn(out, np)],
                                     x.shape[-1], np)  # fmt: skip
        return np.stack(local, axis=-1)


class VectorizedTape:
    """A tape's graph replayed over a batch: ``values, grads = vtape.value_and_grad(*batch)``.

    Each batched argument has the shape of the traced argument with a leading batch dimension
    (numbers become arrays of shape ``[B]``, a list of two numbers ``[B, 2]``, and so on).
    """

    def __init__(self, tape: Tape) -> None:
        np = _numpy()
        self._np = np
        self.tape = tape
        if tape.guards:
            raise TraceGuardError(
                f"this tape has {len(tape.guards)} guards (its function looked at data); a "
                "vectorised replay runs one path for every example, so it needs a function "
                "without data-dependent Python control flow"
            )
        self.nodes = tape.nodes
        column = {node: i for i, node in enumerate(self.nodes)}
        self._input_columns = np.array([column[v] for v in tape.inputs], dtype=int)
        self._leaf_columns = np.array([column[v] for v in tape.leaves], dtype=int)
        self._trainable = np.array([leaf.requires_grad for leaf in tape.leaves], dtype=bool)
        self._output_column = column[tape.output]
        self.groups = self._schedule(column)

    def _schedule(self, column: dict[Value, int]) -> list[_Group]:
        depth: dict[Value, int] = {}
        members: dict[tuple[int, ops.Operation, int], list[Value]] = {}
        for node in self.nodes:
            if node.operation is None:
                depth[node] = 0
                continue
            depth[node] = 1 + max(depth[p] for p in node.parents)
            members.setdefault((depth[node], node.operation, len(node.parents)), []).append(node)
        return [
            _Group(operation, [column[n] for n in nodes],
                   [[column[p] for p in n.parents] for n in nodes],
                   [p.requires_grad for n in nodes for p in n.parents], self._np)
            for (_, operation, _), nodes in sorted(members.items(), key=lambda kv: kv[0][0])
        ]  # fmt: skip

    def _columns(self, batched_args: Sequence[Any]) -> Array:
        np = self._np
        structure = self.tape.structures
        if len(batched_args) != len(structure):
            raise TypeError(f"the tape was traced with {len(structure)} arguments, got "
                            f"{len(batched_args)}")  # fmt: skip
        blocks = []
        for i, arg in enumerate(batched_args):
            block = np.asarray(arg, dtype=float)
            size = arguments.count(structure[i])
            if block.ndim == 0 or block[0].size != size:
                raise ValueError(
                    f"batched argument {i} must have a leading batch dimension and "
                    f"{size} number(s) per example, got shape {block.shape}"
                )
            blocks.append(block.reshape(len(block), size))
        batch = {len(b) for b in blocks}
        if len(batch) > 1:
            raise ValueError(f"batched arguments disagree on the batch size: {sorted(batch)}")
        return np.concatenate(blocks, axis=1) if blocks else np.zeros((1, 0))

    def forward(self, *batched_args: Any) -> Array:
        """The output for every example: an array of shape ``[B]``."""
        return self._forward(self._columns(batched_args))[:, self._output_column]

    def _forward(self, inputs: Array) -> Array:
        np = self._np
        values = np.empty((len(inputs), len(self.nodes)))
        values[:, self._input_columns] = inputs
        values[:, self._leaf_columns] = [leaf.data for leaf in self.tape.leaves]
        with np.errstate(all="ignore"):
            for group in self.groups:
                values[:, group.outputs] = group.forward(values[:, group.inputs])
        if not np.isfinite(values).all():
            self._explain_non_finite(inputs, values)
        return values

    def per_example(self, *batched_args: Any) -> tuple[Array, Array, Array]:
        """For every example: the output ``[B]``, the derivatives with respect to the inputs
        ``[B, inputs]`` and with respect to the captured leaves ``[B, leaves]``."""
        np = self._np
        values = self._forward(self._columns(batched_args))
        grads = np.zeros_like(values)
        grads[:, self._output_column] = 1.0
        with np.errstate(all="ignore"):
            for group in reversed(self.groups):
                upstream = grads[:, group.outputs][:, :, None]
                local = group.local_grads(values[:, group.inputs], values[:, group.outputs])
                contribution = (local * upstream).reshape(len(values), -1)
                grads[:, group.single_targets] += contribution[:, group.single]
                if len(group.shared):
                    grads[:, group.shared_targets] += contribution[:, group.shared] @ group.reduce
        input_grads = grads[:, self._input_columns]
        leaf_grads = grads[:, self._leaf_columns]
        if not (
            np.isfinite(input_grads).all() and np.isfinite(leaf_grads[:, self._trainable]).all()
        ):
            raise FloatingPointError(
                "a gradient in the vectorised replay is infinite or NaN; replay the offending "
                "example eagerly under autograd_lite.detect_anomaly() to find the operation"
            )
        return values[:, self._output_column], input_grads, leaf_grads

    def value_and_grad(self, *batched_args: Any, reduce: str | None = "sum",
                       ) -> tuple[Array, Array]:  # fmt: skip
        """Outputs ``[B]`` and the derivatives with respect to the captured leaves.

        ``reduce="sum"`` (or ``"mean"``) gives one gradient per leaf, of the sum (or mean) of
        the outputs; ``reduce=None`` gives one row per example, ``[B, leaves]``.
        """
        if reduce not in ("sum", "mean", None):
            raise ValueError(f"reduce must be 'sum', 'mean' or None, got {reduce!r}")
        outputs, _, leaf_grads = self.per_example(*batched_args)
        if reduce is None:
            return outputs, leaf_grads
        total = leaf_grads.sum(axis=0)
        return outputs, (total / len(outputs) if reduce == "mean" else total)

    def backward(self, *batched_args: Any, reduce: str = "mean") -> float:
        """Add the derivative of the batch's mean (or sum) output into each parameter's grad.

        Returns that mean (or sum), like a loss.
        """
        outputs, grads = self.value_and_grad(*batched_args, reduce=reduce)
        arguments.accumulate(self.tape.leaves, grads.tolist())
        return float(outputs.mean() if reduce == "mean" else outputs.sum())

    def _explain_non_finite(self, inputs: Array, values: Array) -> None:
        np = self._np
        row = int(np.argwhere(~np.isfinite(values).all(axis=1))[0, 0])
        self.tape(*arguments.rebuild_all(self.tape.structures, inputs[row].tolist()))
        raise FloatingPointError(f"example {row} of the batch gives an infinite or NaN value")


def vectorize(tape: Tape) -> VectorizedTape:
    """A batched, NumPy replay of ``tape`` (see :class:`VectorizedTape`)."""
    return VectorizedTape(tape)


__all__ = ["VectorizedTape", "vectorize"]
