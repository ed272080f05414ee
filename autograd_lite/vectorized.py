"""Vectorised replay: one traced example, run over a whole batch with NumPy.

A tape records the graph of *one* example. Every example of a batch runs the same graph on
different numbers, so each node becomes a column of a matrix ``V[batch, column]``. Nodes at the
same depth with the same operation do not depend on each other: they form a group
(:mod:`autograd_lite.batching`), computed for all examples and all nodes of the group at once
(the sixteen neurons of a layer, say, for a hundred examples). The replay is NumPy code written
once per tape from each operation's own rules (:mod:`autograd_lite.array_code`; ``source`` shows
it): the forward pass group by group, then the backward pass in reverse, adding ``local
derivative * gradient`` into the operands' columns and leaves, summed where several nodes share
an operand.

NumPy is an optional dependency (``pip install "autograd-lite[numpy]"``); the rest of the engine
never needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import arguments
from .array_code import generate
from .batching import Group, layout
from .tape import Tape, TraceGuardError

Array = Any  # numpy.ndarray; Any keeps mypy happy without NumPy's stubs installed


def _numpy() -> Any:
    try:
        import numpy
    except ImportError:  # pragma: no cover - the tests install numpy
        raise ImportError(
            "vectorised replay needs NumPy: pip install 'autograd-lite[numpy]' (or numpy)"
        ) from None
    return numpy


class VectorizedTape:
    """A tape's graph replayed over a batch: ``values, grads = vtape.value_and_grad(*batch)``.

    Each batched argument has the shape of the traced argument with a leading batch dimension
    (numbers become arrays of shape ``[B]``, a list of two numbers ``[B, 2]``, and so on). The
    captured leaves (parameters, constants) are read from their ``data`` on every call.

    Args:
        tape: The traced tape (without guards: one path serves every example).

    Attributes:
        tape: The traced tape.
        layout: Its groups and columns (:func:`autograd_lite.batching.layout`).
        source: The generated NumPy code.

    Raises:
        TraceGuardError: when the tape has guards.
        ValueError: when an operation's ``local_grads`` returns another number of derivatives
            than it has inputs.

    Example:
        >>> from autograd_lite import Value, trace
        >>> w = Value(2.0)
        >>> vtape = VectorizedTape(trace(lambda x: (x * w).relu(), 1.0))
        >>> outputs, grads = vtape.value_and_grad([1.0, -1.0, 3.0])
        >>> outputs.tolist(), grads.tolist()
        ([2.0, 0.0, 6.0], [4.0])
    """

    def __init__(self, tape: Tape) -> None:
        np = self._np = _numpy()
        self.tape = tape
        if tape.guards:
            raise TraceGuardError(
                f"this tape has {len(tape.guards)} guards (its function looked at data); a "
                "vectorised replay runs one path for every example, so it needs a function "
                "without data-dependent Python control flow"
            )
        self.nodes = tape.nodes
        self.layout = layout(tape.program)
        self.groups: list[Group] = self.layout.groups
        code = generate(self.layout, np, len(tape.leaves))
        self.source = code.source
        namespace = dict(code.namespace)
        exec(compile(code.source, "<autograd_lite vectorised replay>", "exec"), namespace)
        self._forward_code = namespace["forward"]
        self._backward_code = {True: namespace["backward_summed"],
                               False: namespace["backward_each"]}  # fmt: skip
        # The generated code keeps the leaves in its own order (a layer's side by side).
        self._kept_leaves = [tape.leaves[i] for i in code.leaf_order]
        slot = {leaf: k for k, leaf in enumerate(code.leaf_order)}
        self._leaf_columns = [(col, slot[i]) for col, i in self.layout.leaf_columns]
        self._tape_order = np.array([slot[i] for i in range(len(tape.leaves))], dtype=int)
        self._input_columns = np.array(self.layout.input_columns, dtype=int)
        self._trainable = np.array([leaf.requires_grad for leaf in tape.leaves], dtype=bool)
        self._all_trainable = bool(self._trainable.all())

    def _columns(self, batched_args: Sequence[Any]) -> Array:
        np = self._np
        structures = self.tape.structures
        if len(batched_args) != len(structures):
            raise TypeError(f"the tape was traced with {len(structures)} arguments, got "
                            f"{len(batched_args)}")  # fmt: skip
        blocks = []
        for i, arg in enumerate(batched_args):
            block = np.asarray(arg, dtype=float)
            size = arguments.count(structures[i])
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
        """The output for every example.

        Args:
            *batched_args: The arguments, each with a leading batch dimension.

        Returns:
            An array of shape ``[B]``.
        """
        with self._np.errstate(all="ignore"):
            values, _ = self._forward(self._columns(batched_args))
        return values[:, self.layout.output_column]

    def _forward(self, inputs: Array) -> tuple[Array, Array]:
        np = self._np
        values = np.empty((len(inputs), self.layout.width))
        values[:, self._input_columns] = inputs
        leaves = np.array([leaf.data for leaf in self._kept_leaves], dtype=float)
        for col, i in self._leaf_columns:
            values[:, col] = leaves[i]
        try:
            self._forward_code(values, leaves)
        except (ArithmeticError, ValueError):
            self._explain(inputs, range(len(inputs)))
            raise
        if not np.isfinite(values).all():
            rows = np.flatnonzero(~np.isfinite(values).all(axis=1))
            self._explain(inputs, rows.tolist())
            raise FloatingPointError(
                f"example {rows[0]} of the batch gives an infinite or NaN value"
            )
        return values, leaves

    def per_example(self, *batched_args: Any) -> tuple[Array, Array, Array]:
        """For every example: the output, and the derivatives with respect to the inputs and
        to the captured leaves.

        Args:
            *batched_args: The arguments, each with a leading batch dimension.

        Returns:
            ``(outputs [B], input_grads [B, inputs], leaf_grads [B, leaves])``.

        Raises:
            FloatingPointError: when a gradient is infinite or NaN.
        """
        return self._replay(batched_args, summed=False)

    def _replay(self, batched_args: Sequence[Any], *, summed: bool) -> tuple[Array, Any, Array]:
        """:meth:`per_example`, or with ``summed`` the leaf gradients summed over the batch
        (one row, which contracts the batch away as early as possible) and no input
        gradients (None)."""
        np = self._np
        with np.errstate(all="ignore"):  # a non-finite number is found and explained below
            values, leaves = self._forward(self._columns(batched_args))
            grads = np.zeros_like(values)
            grads[:, self.layout.output_column] = 1.0
            leaf_grads = np.zeros((1 if summed else len(values), len(leaves)))
            self._backward_code[summed](values, leaves, grads, leaf_grads)
        for col, i in self._leaf_columns:
            leaf_grads[:, i] += grads[:, col].sum() if summed else grads[:, col]
        leaf_grads = leaf_grads[:, self._tape_order]
        # Summed, only what flows into the leaves is computed: the inputs' gradients are not.
        input_grads = None if summed else grads[:, self._input_columns]
        trainable = leaf_grads if self._all_trainable else leaf_grads[:, self._trainable]
        if not (np.isfinite(trainable).all() and (summed or np.isfinite(input_grads).all())):
            raise FloatingPointError(
                "a gradient in the vectorised replay is infinite or NaN; replay the offending "
                "example eagerly under autograd_lite.detect_anomaly() to find the operation"
            )
        return values[:, self.layout.output_column], input_grads, leaf_grads

    def value_and_grad(self, *batched_args: Any, reduce: str | None = "sum",
                       ) -> tuple[Array, Array]:  # fmt: skip
        """Outputs ``[B]`` and the derivatives with respect to the captured leaves.

        Args:
            *batched_args: The arguments, each with a leading batch dimension.
            reduce: ``"sum"`` (or ``"mean"``) gives one gradient per leaf, of the sum (or mean)
                of the outputs; ``None`` gives one row per example, ``[B, leaves]``.

        Returns:
            ``(outputs, leaf_grads)``.

        Raises:
            ValueError: for another ``reduce``.
        """
        if reduce not in ("sum", "mean", None):
            raise ValueError(f"reduce must be 'sum', 'mean' or None, got {reduce!r}")
        if reduce is None:
            outputs, _, leaf_grads = self.per_example(*batched_args)
            return outputs, leaf_grads
        outputs, _, summed = self._replay(batched_args, summed=True)
        total = summed[0]
        return outputs, (total / len(outputs) if reduce == "mean" else total)

    def backward(self, *batched_args: Any, reduce: str = "mean") -> float:
        """Add the derivative of the batch's mean (or sum) output into each parameter's grad.

        Gradients accumulate, as with ``Value.backward()``.

        Args:
            *batched_args: The arguments, each with a leading batch dimension.
            reduce: ``"mean"`` or ``"sum"`` of the outputs.

        Returns:
            That mean (or sum), like a loss.
        """
        outputs, grads = self.value_and_grad(*batched_args, reduce=reduce)
        arguments.accumulate(self.tape.leaves, grads.tolist())
        return float(outputs.mean() if reduce == "mean" else outputs.sum())

    def _explain(self, inputs: Array, rows: Sequence[int]) -> None:
        """Replay the failing examples on the float tape: the engine names the operation."""
        for row in rows:
            self.tape(*arguments.rebuild_all(self.tape.structures, inputs[row].tolist()))


def vectorize(tape: Tape) -> VectorizedTape:
    """A batched, NumPy replay of ``tape`` (see :class:`VectorizedTape`).

    Args:
        tape: The traced tape.

    Returns:
        The vectorised tape.
    """
    return VectorizedTape(tape)


__all__ = ["VectorizedTape", "vectorize"]
