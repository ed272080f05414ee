"""``compare_with_torch``: one model run here and in PyTorch, every number side by side.

The comparison runs in four small steps: check the inputs and pick the loss; run the model here
(forward, loss, ``backward()``) leaving the model's gradients as they were; run its export in
PyTorch float64; line the two up in a :class:`TorchComparison`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from autograd_lite import Value, enable_grad

from .. import losses
from ..layers import MLP
from .convert import _build_sequential, _check_mlp, _import_torch, _linear_positions, _slots


class Pair(NamedTuple):
    """One number computed by both engines.

    Attributes:
        ours: autograd-lite's number.
        torch: PyTorch's number (float64).
    """

    ours: float
    torch: float

    @property
    def difference(self) -> float:
        """``|ours - torch|`` (NaN when either is NaN)."""
        return abs(self.ours - self.torch)


class GradientRow(NamedTuple):
    """One parameter's gradient from both engines and how far apart they are.

    Attributes:
        name: the parameter's dotted name from ``named_parameters()``.
        ours: its gradient here.
        torch: the gradient PyTorch gives the entries it fills (summed when shared).
        difference: ``|ours - torch|``.
    """

    name: str
    ours: float
    torch: float
    difference: float


@dataclass(frozen=True)
class TorchComparison:
    """What :func:`compare_with_torch` found; ``print()`` it for a table.

    Attributes:
        outputs: one Pair per model output, input row by input row.
        loss: the loss Pair.
        gradients: one GradientRow per parameter, in ``parameters()`` order.
        max_difference: the largest absolute difference anywhere (NaN if either side made a NaN).
        loss_name: the loss's name in :data:`nn.LOSSES`, ``"custom"`` or ``"sum of outputs"``.
        output_names: a label per output, ``out[i]`` or ``out[i][k]``.

    Raises:
        Nothing: it is a record; :func:`compare_with_torch` raises for bad input.

    Example:
        >>> import nn
        >>> model = nn.MLP(1, [2, 1], seed=0)
        >>> report = nn.compare_with_torch(model, [[0.5]])
        >>> print(str(report).splitlines()[0].split())
        ['autograd-lite', 'PyTorch', '|difference|']
        >>> [row.name for row in report.gradients][:3]
        ['layers.0.neurons.0.w.0', 'layers.0.neurons.0.b', 'layers.0.neurons.1.w.0']
    """

    outputs: list[Pair]
    loss: Pair
    gradients: list[GradientRow]
    max_difference: float
    loss_name: str = "loss"
    output_names: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        width = max([len("gradient of loss"), *(len(n) for n in self.output_names),
                     *(len(row.name) for row in self.gradients)]) + 2
        lines = [f"{'':{width}}{'autograd-lite':>24}{'PyTorch':>24}{'|difference|':>14}"]

        def line(name: str, ours: float, theirs: float) -> str:
            diff = abs(ours - theirs)
            return f"{name:{width}}{ours!r:>24}{theirs!r:>24}{diff:>14.1e}"

        names = self.output_names or [f"out[{i}]" for i in range(len(self.outputs))]
        lines += [line(name, *pair) for name, pair in zip(names, self.outputs, strict=True)]
        lines.append(line(f"loss ({self.loss_name})", *self.loss))
        lines.append("gradient of loss")
        lines += [line(f"  {row.name}", row.ours, row.torch) for row in self.gradients]
        lines.append(f"largest difference: {self.max_difference:.3e}")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """A notebook shows the table when the report is a cell's last expression."""
        printer.text(str(self))


#: A loss given as a pair: ours on (predictions, targets) and torch's on (output, targets).
LossPair = tuple[Callable[[Any, Any], Value], Callable[[Any, Any], Any]]


class _Run(NamedTuple):
    """One engine's numbers: the outputs row by row, the loss and a gradient per parameter."""

    outputs: list[float]
    loss: float
    gradients: list[float]


def compare_with_torch(
    model: MLP,
    inputs: Sequence[Sequence[float]],
    loss: str | Callable[..., Value] | LossPair | None = None,
    targets: Sequence[Any] | None = None,
) -> TorchComparison:
    """Run ``model`` here and in PyTorch (float64) on ``inputs``; report every number side by side.

    Shared parameters get the sum of the torch gradients of the entries they fill; frozen ones
    have no gradient on either side (their rows show 0.0). The model is left as it was: each
    parameter's ``grad`` is restored afterwards.

    Args:
        model: the ``nn.MLP`` to compare (shared parameters allowed).
        inputs: a non-empty list of rows of ``model.nin`` finite numbers.
        loss: a name from :data:`nn.LOSSES` (``"mse"``, ``"cross_entropy"``...) or one of nn's
            loss functions (``nn.mse``), which then needs ``targets``; or a pair
            ``(ours, torch_loss)`` where ``ours(predictions, targets)`` returns a Value and
            ``torch_loss(output, targets)`` a tensor (``output`` has shape (rows,) for a
            one-output model, else (rows, outputs); ``targets`` arrives as a float64 tensor, or
            None). None (the default) differentiates the sum of all outputs.
        targets: one target per input row, as the loss takes them.

    Returns:
        A :class:`TorchComparison` with one Pair per output, the loss Pair, one GradientRow per
        parameter in ``parameters()`` order and the largest difference.

    Raises:
        ImportError: if PyTorch (the ``torch`` extra) is not installed.
        TypeError: if ``model`` is not an ``nn.MLP``, ``loss`` is of an unknown kind, or our loss
            does not return a Value.
        ValueError: if ``inputs`` are not rows of ``model.nin`` finite numbers, the loss name is
            unknown, or targets are missing for a loss (or given without one).

    Example:
        >>> import nn
        >>> model = nn.MLP(2, [3, 1], seed=0)
        >>> report = nn.compare_with_torch(model, [[0.5, -1.0], [2.0, 0.25]], "mse", [1.0, 0.0])
        >>> report.max_difference < 1e-12
        True
    """
    torch = _import_torch("compare_with_torch")
    mlp = _check_mlp(model, "compare_with_torch")
    rows = _check_inputs(inputs, mlp.nin)
    name, loss_entry = _resolve_loss(loss, targets)
    ours = _run_ours(mlp, rows, loss_entry.function, targets)
    theirs = _run_torch(torch, mlp, rows, loss_entry, targets, reshape=name != "custom")
    return _report(mlp, len(rows), name, ours, theirs)


def _run_ours(mlp: MLP, rows: list[list[float]], loss_fn: Callable[[Any, Any], Value],
              targets: Sequence[Any] | None) -> _Run:  # fmt: skip
    """Forward, loss and backward here; every parameter's ``grad`` is restored afterwards."""
    parameters = mlp.parameters()
    saved = [p.grad for p in parameters]
    try:
        for p in parameters:
            p.grad = 0.0
        with enable_grad():
            predictions = [mlp(row) for row in rows]
            value = loss_fn(predictions, None if targets is None else list(targets))
            if not isinstance(value, Value):
                raise TypeError(
                    f"nn.compare_with_torch: our loss returned {type(value).__name__}, not a Value"
                )
            if value.requires_grad:
                value.backward()
        gradients = [p.grad for p in parameters]
    finally:
        for p, grad in zip(parameters, saved, strict=True):
            p.grad = grad
    outputs = [x.data for p in predictions for x in (p if isinstance(p, list) else [p])]
    return _Run(outputs, value.data, gradients)


def _run_torch(torch: Any, mlp: MLP, rows: list[list[float]], loss_entry: losses.Loss,
               targets: Sequence[Any] | None, reshape: bool) -> _Run:  # fmt: skip
    """The model's float64 export in PyTorch: outputs, loss, and each parameter's gradient.

    Targets of a table loss are shaped like the output (a custom loss gets them as given).
    """
    sequential = _build_sequential(torch, mlp, torch.float64)
    with torch.enable_grad():
        out = sequential(torch.tensor(rows, dtype=torch.float64))
        shaped = out[:, 0] if out.shape[1] == 1 and not loss_entry.class_targets else out
        target_tensor = None if targets is None else torch.tensor(targets, dtype=torch.float64)
        if target_tensor is not None and reshape and not loss_entry.class_targets:
            target_tensor = target_tensor.reshape(shaped.shape)
        value = loss_entry.torch(shaped, target_tensor)
        value.backward()
    linears = [sequential[i] for i in _linear_positions(mlp)]
    slots = _slots(mlp)

    def gradient(parameter: Value) -> float:
        if not parameter.requires_grad:
            return 0.0
        tensors = [(getattr(linears[s.layer], s.tensor), s.position) for s in slots[parameter]]
        return sum(0.0 if t.grad is None else float(t.grad[at]) for t, at in tensors)

    return _Run(out.flatten().tolist(), float(value.detach()),
                [gradient(p) for p in mlp.parameters()])  # fmt: skip


def _report(mlp: MLP, n_rows: int, loss_name: str, ours: _Run, theirs: _Run) -> TorchComparison:
    """The two runs lined up, with the largest difference anywhere."""
    outputs = [Pair(a, b) for a, b in zip(ours.outputs, theirs.outputs, strict=True)]
    loss_pair = Pair(ours.loss, theirs.loss)
    gradients = [
        GradientRow(name, a, b, abs(a - b))
        for (name, _), a, b in zip(mlp.named_parameters(), ours.gradients, theirs.gradients,
                                   strict=True)
    ]  # fmt: skip
    differences = [pair.difference for pair in [*outputs, loss_pair]]
    differences += [row.difference for row in gradients]
    largest = math.nan if any(math.isnan(d) for d in differences) else max(differences)
    per_row = len(outputs) // n_rows
    output_names = [f"out[{i}]" if per_row == 1 else f"out[{i}][{k}]"
                    for i in range(n_rows) for k in range(per_row)]
    return TorchComparison(outputs, loss_pair, gradients, largest, loss_name, output_names)


# --- checking the arguments -----------------------------------------------------------------


def _sum_of_outputs(predictions: Any, targets: Any) -> Value:
    total = Value(0.0, requires_grad=False)
    for prediction in predictions:
        for value in prediction if isinstance(prediction, list) else [prediction]:
            total = total + value
    return total


def _torch_sum(output: Any, targets: Any) -> Any:
    return output.sum()


def _resolve_loss(
    loss: str | Callable[..., Value] | LossPair | None, targets: Any
) -> tuple[str, losses.Loss]:
    """The loss's name and its table entry (a made-up entry for a pair or for no loss)."""
    if loss is None:
        if targets is not None:
            raise ValueError("nn.compare_with_torch: targets given but no loss to use them")
        return "sum of outputs", losses.Loss(_sum_of_outputs, None, _torch_sum)
    if isinstance(loss, tuple):
        if len(loss) != 2 or not all(callable(f) for f in loss):
            raise TypeError(
                "nn.compare_with_torch: a loss pair must be two functions, (ours, torch's)"
            )
        return "custom", losses.Loss(loss[0], None, loss[1])
    by_function = {entry.function: name for name, entry in losses.LOSSES.items()}
    name = loss if isinstance(loss, str) else by_function.get(loss)
    if name is None:
        raise TypeError(
            f"nn.compare_with_torch: loss must be a name from nn.LOSSES, one of nn's loss "
            f"functions, or a pair (ours, torch's), got {loss!r}"
        )
    if name not in losses.LOSSES:
        raise ValueError(
            f"nn.compare_with_torch: unknown loss {name!r}; choose one of "
            f"{sorted(losses.LOSSES)} or pass a pair (ours, torch's)"
        )
    if targets is None:
        raise ValueError(f"nn.compare_with_torch: loss {name!r} needs targets=, one per input")
    return name, losses.LOSSES[name]


def _check_inputs(inputs: object, nin: int) -> list[list[float]]:
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence) or not inputs:
        raise ValueError(
            f"nn.compare_with_torch: inputs must be a non-empty list of rows of {nin} numbers, "
            f"got {inputs!r}"
        )
    rows = []
    for row in inputs:
        if (isinstance(row, (str, bytes)) or not isinstance(row, Sequence) or len(row) != nin
                or not all(_finite_number(x) for x in row)):
            raise ValueError(
                f"nn.compare_with_torch: each input must be {nin} finite numbers, got {row!r}"
            )
        rows.append([float(x) for x in row])
    return rows


def _finite_number(x: object) -> bool:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return False
    return math.isfinite(x)
