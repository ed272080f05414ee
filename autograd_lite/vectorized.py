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

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from . import ops
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
        for node in tape.nodes:
            if node.operation is not None and node.operation not in _RULES:
                raise NotImplementedError(
                    f"vectorised replay has no NumPy rule for the operation "
                    f"'{node.operation.name}'; use the scalar tape or the eager engine"
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
        structure = self.tape._structure
        if len(batched_args) != len(structure):
            raise TypeError(f"the tape was traced with {len(structure)} arguments, got "
                            f"{len(batched_args)}")  # fmt: skip
        blocks = []
        for i, arg in enumerate(batched_args):
            block = np.asarray(arg, dtype=float)
            size = _count(structure[i])
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
                forward = _RULES[group.operation][0]
                values[:, group.outputs] = forward(np, values[:, group.inputs])
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
                local_grads = _RULES[group.operation][1]
                upstream = grads[:, group.outputs][:, :, None]
                local = local_grads(np, values[:, group.inputs], values[:, group.outputs])
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
        for leaf, grad in zip(self.tape.leaves, grads.tolist()):
            if leaf.requires_grad:
                leaf.grad += grad
        return float(outputs.mean() if reduce == "mean" else outputs.sum())

    def _explain_non_finite(self, inputs: Array, values: Array) -> None:
        np = self._np
        row = int(np.argwhere(~np.isfinite(values).all(axis=1))[0, 0])
        self.tape(*_rebuild_row(self.tape, inputs[row].tolist()))  # the engine names the op
        raise FloatingPointError(f"example {row} of the batch gives an infinite or NaN value")


def vectorize(tape: Tape) -> VectorizedTape:
    """A batched, NumPy replay of ``tape`` (see :class:`VectorizedTape`)."""
    return VectorizedTape(tape)


def _count(structure: Any) -> int:
    return 1 if structure is None else sum(_count(s) for s in structure)


def _rebuild_row(tape: Tape, flat: list[float]) -> list[Any]:
    from .tape import _rebuild

    return list(_rebuild(tape._structure, iter(flat)))


# --- the NumPy rules: forward and local derivatives of each operation over arrays -------------
# `x` holds the operands, shape [batch, nodes, arity]; `out` the results, [batch, nodes].
# Each rule mirrors the float rule of the same operation in ops.py; the tests check that
# the two agree on every operation.

Rule = tuple[Callable[[Any, Array], Array], Callable[[Any, Array, Array], Array]]


def _stack(np: Any, *columns: Array) -> Array:
    return np.stack(np.broadcast_arrays(*columns), axis=-1)


def _sigmoid(np: Any, x: Array) -> Array:
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _linear_forward(np: Any, x: Array) -> Array:
    n = (x.shape[-1] - 1) // 2
    return x[..., -1] + np.einsum("bgk,bgk->bg", x[..., :n], x[..., n : 2 * n])


def _linear_grads(np: Any, x: Array, out: Array) -> Array:
    n = (x.shape[-1] - 1) // 2
    return np.concatenate([x[..., n : 2 * n], x[..., :n], np.ones_like(x[..., -1:])], axis=-1)


def _power_grads(np: Any, x: Array, out: Array) -> Array:
    a, b = x[..., 0], x[..., 1]
    # As in ops.power: 0 where b = 0 (b * out / a away from a = 0), b * a ** (b - 1) elsewhere.
    d_base = np.where(b == 0, np.where(a == 0, 0.0, b * out / np.where(a == 0, 1.0, a)),
                      b * a ** (b - 1))
    d_exponent = np.where(a > 0, out * np.log(np.where(a > 0, a, 1.0)),
                          np.where(a == 0, 0.0, np.nan))  # fmt: skip
    return _stack(np, d_base, d_exponent)


_RULES: dict[ops.Operation, Rule] = {
    ops.add: (lambda np, x: x[..., 0] + x[..., 1], lambda np, x, out: np.ones_like(x)),
    ops.sub: (lambda np, x: x[..., 0] - x[..., 1],
              lambda np, x, out: _stack(np, np.ones_like(out), -np.ones_like(out))),
    ops.mul: (lambda np, x: x[..., 0] * x[..., 1], lambda np, x, out: x[..., ::-1]),
    ops.div: (lambda np, x: x[..., 0] / x[..., 1],
              lambda np, x, out: _stack(np, 1 / x[..., 1], -out / x[..., 1])),
    ops.neg: (lambda np, x: -x[..., 0], lambda np, x, out: -np.ones_like(x)),
    ops.power: (lambda np, x: x[..., 0] ** x[..., 1], _power_grads),
    ops.absolute: (lambda np, x: np.abs(x[..., 0]), lambda np, x, out: np.sign(x)),
    ops.exp: (lambda np, x: np.exp(x[..., 0]), lambda np, x, out: out[..., None]),
    ops.log: (lambda np, x: np.log(x[..., 0]), lambda np, x, out: 1 / x),
    ops.sqrt: (lambda np, x: np.sqrt(x[..., 0]), lambda np, x, out: 0.5 / out[..., None]),
    ops.sin: (lambda np, x: np.sin(x[..., 0]), lambda np, x, out: np.cos(x)),
    ops.cos: (lambda np, x: np.cos(x[..., 0]), lambda np, x, out: -np.sin(x)),
    ops.tanh: (lambda np, x: np.tanh(x[..., 0]), lambda np, x, out: (1 - out * out)[..., None]),
    ops.sigmoid: (lambda np, x: _sigmoid(np, x[..., 0]),
                  lambda np, x, out: (out * (1 - out))[..., None]),
    ops.softplus: (lambda np, x: np.maximum(x[..., 0], 0) + np.log1p(np.exp(-np.abs(x[..., 0]))),
                   lambda np, x, out: _sigmoid(np, x)),
    ops.relu: (lambda np, x: np.where(x[..., 0] > 0, x[..., 0], 0.0),
               lambda np, x, out: (x > 0).astype(float)),
    ops.leaky_relu: (
        lambda np, x: np.where(x[..., 0] > 0, x[..., 0], x[..., 1] * x[..., 0]),
        lambda np, x, out: _stack(np, np.where(x[..., 0] > 0, 1.0, x[..., 1]),
                                  np.where(x[..., 0] > 0, 0.0, x[..., 0])),
    ),
    ops.linear: (_linear_forward, _linear_grads),
    ops.add_n: (lambda np, x: x.sum(axis=-1), lambda np, x, out: np.ones_like(x)),
}  # fmt: skip

__all__ = ["VectorizedTape", "vectorize"]
