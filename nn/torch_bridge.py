"""The bridge to PyTorch: ``to_torch``, ``from_torch`` and ``compare_with_torch``.

An ``nn.MLP`` is a ``torch.nn.Sequential`` in disguise: layer ``i`` is a ``Linear`` whose weight
row ``j`` holds ``layers[i].neurons[j].w`` and whose bias entry ``j`` holds that neuron's ``b``,
followed by the layer's activation module (none for ``"linear"``). The numbers are copied as
float64, which holds a Python float exactly, so a round trip keeps every weight bit for bit.

PyTorch is optional (the ``torch`` extra), so torch is imported inside these functions and never
when ``nn`` is imported.

Two things a Value model can say that a ``Linear`` cannot:

- **Shared parameters** (``shared_bias=True``: one bias Value for a whole layer). A ``Linear``
  keeps one bias per neuron, so training an export would untie them; ``to_torch`` refuses such a
  model. ``compare_with_torch`` handles it exactly: the gradient of a shared Value is the sum of
  the gradients of the entries it fills.
- **Freezing** (``requires_grad=False``) is per Value here and per tensor in torch: a layer's
  weights (or biases) must be all frozen or all trainable to export; the tensor gets the same
  ``requires_grad``. ``from_torch`` reads a ``Linear`` without bias as a bias frozen at 0.
"""

from __future__ import annotations

import itertools
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from autograd_lite import Value, enable_grad

from . import losses
from .layers import MLP

if TYPE_CHECKING:
    import torch
    from torch.nn import Sequential as TorchSequential

#: The slope of nn's ``"leaky_relu"`` (``Value.leaky_relu``'s default, as in PyTorch).
LEAKY_RELU_SLOPE = 0.01

#: ``torch.nn.Softplus`` returns x itself above ``threshold``; log(1 + e^x) differs from x by
#: e^-x, which is below float64's resolution of x once x > 37. At 40 the switch is invisible.
SOFTPLUS_THRESHOLD = 40.0

#: The smallest threshold ``from_torch`` accepts (PyTorch's default): there the switch changes
#: softplus by at most e^-20 = 2.1e-9.
SMALLEST_SOFTPLUS_THRESHOLD = 20.0


class UnsupportedLayerError(ValueError, TypeError):
    """A torch module that ``from_torch`` cannot turn into part of an ``nn.MLP``.

    Both a ValueError (the Sequential's contents are wrong) and a TypeError (a module of the wrong
    type), so either ``except`` clause catches it.
    """


# --- PyTorch, imported only when a bridge function runs -------------------------------------


def _import_torch(caller: str) -> Any:
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            f"nn.{caller} needs PyTorch, which is optional: install the 'torch' extra "
            "(pip install 'autograd-lite[torch]', which pins torch==2.13.0)"
        ) from error
    return torch


def _float_dtype(torch: Any, dtype: Any, caller: str) -> Any:
    if dtype is None:
        return torch.float64
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise ValueError(
            f"nn.{caller}: dtype must be a floating-point torch.dtype such as torch.float64, "
            f"got {dtype!r}"
        )
    return dtype


def _check_mlp(model: object, caller: str) -> MLP:
    if not isinstance(model, MLP):
        raise TypeError(f"nn.{caller}: expected an nn.MLP, got {type(model).__name__}")
    return model


# --- ours to torch --------------------------------------------------------------------------


def to_torch(model: MLP, dtype: torch.dtype | None = None) -> torch.nn.Sequential:
    """``model`` as a ``torch.nn.Sequential`` of ``Linear`` and activation modules.

    Same weights, same function: layer ``i`` becomes ``Linear(nin, nout)`` (weight row ``j`` =
    neuron ``j``'s weights, bias entry ``j`` = its bias) followed by ``ReLU``, ``LeakyReLU(0.01)``,
    ``Tanh``, ``Sigmoid`` or ``Softplus(beta=1, threshold=40)`` (nothing for ``"linear"``).
    ``dtype`` defaults to torch.float64, which holds every weight exactly. Frozen weights or biases
    give tensors with ``requires_grad=False``. A model with shared parameters (``shared_bias``)
    raises ValueError: ``Linear`` cannot share one bias between neurons.
    """
    torch = _import_torch("to_torch")
    dtype = _float_dtype(torch, dtype, "to_torch")
    mlp = _check_mlp(model, "to_torch")
    _refuse_shared_parameters(mlp)
    sequential: TorchSequential = _build_sequential(torch, mlp, dtype)
    positions = _linear_positions(mlp)
    for index, layer in enumerate(mlp.layers):
        linear = sequential[positions[index]]
        for kind, values in (
            ("weights", [w for neuron in layer.neurons for w in neuron.w]),
            ("biases", [neuron.b for neuron in layer.neurons]),
        ):
            flags = {v.requires_grad for v in values}
            if len(flags) > 1:
                raise ValueError(
                    f"nn.to_torch: layer {index} has some frozen and some trainable {kind}; "
                    f"torch freezes a whole tensor, so freeze all of the layer's {kind} or none"
                )
            tensor = linear.weight if kind == "weights" else linear.bias
            tensor.requires_grad_(flags.pop())
    return sequential


def _torch_activation(torch: Any, name: str) -> Any | None:
    """The torch module for one of nn's activation names (None for ``"linear"``)."""
    modules: dict[str, Callable[[], Any]] = {
        "relu": torch.nn.ReLU,
        "leaky_relu": lambda: torch.nn.LeakyReLU(negative_slope=LEAKY_RELU_SLOPE),
        "tanh": torch.nn.Tanh,
        "sigmoid": torch.nn.Sigmoid,
        "softplus": lambda: torch.nn.Softplus(beta=1.0, threshold=SOFTPLUS_THRESHOLD),
    }
    if name == "linear":
        return None
    if name not in modules:
        raise ValueError(f"nn.to_torch: no PyTorch module is known for activation {name!r}")
    return modules[name]()


def _layer_activation(layer: Any, index: int) -> str:
    names = {neuron.activation for neuron in layer.neurons}
    if len(names) != 1:
        raise ValueError(
            f"nn.to_torch: the neurons of layer {index} use different activations "
            f"{sorted(names)}; a torch layer applies one"
        )
    return str(names.pop())


def _linear_positions(model: MLP) -> list[int]:
    """Where each layer's ``Linear`` sits in the Sequential (activations take slots too)."""
    positions, at = [], 0
    for index, layer in enumerate(model.layers):
        positions.append(at)
        at += 1 if _layer_activation(layer, index) == "linear" else 2
    return positions


def _build_sequential(torch: Any, model: MLP, dtype: Any) -> Any:
    """The Sequential with the model's numbers, every tensor trainable (sharing not checked)."""
    modules: list[Any] = []
    for index, layer in enumerate(model.layers):
        # skip_init: no random initialisation, so the user's torch RNG is left untouched.
        linear = torch.nn.utils.skip_init(torch.nn.Linear, layer.nin, layer.nout, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(
                torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64)
            )
            linear.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
        modules.append(linear)
        activation = _torch_activation(torch, _layer_activation(layer, index))
        if activation is not None:
            modules.append(activation)
    return torch.nn.Sequential(*modules)


class _Slot(NamedTuple):
    """Where one parameter Value sits in the torch model: layer, "weight"/"bias", index."""

    layer: int
    tensor: str
    position: tuple[int, ...]


def _slots(model: MLP) -> dict[Value, list[_Slot]]:
    """Every parameter Value with the torch entries it fills (several when it is shared)."""
    slots: dict[Value, list[_Slot]] = {}
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                slots.setdefault(w, []).append(_Slot(i, "weight", (j, k)))
            slots.setdefault(neuron.b, []).append(_Slot(i, "bias", (j,)))
    return slots


def _refuse_shared_parameters(model: MLP) -> None:
    names = {value: name for name, value in model.named_parameters()}
    for value, places in _slots(model).items():
        if len(places) > 1:
            where = ", ".join(
                f"layer {s.layer} {s.tensor}{list(s.position)}" for s in places[:4]
            ) + (" ..." if len(places) > 4 else "")
            hint = " (the model was built with shared_bias=True)" if model.shared_bias else ""
            raise ValueError(
                f"nn.to_torch: parameter '{names.get(value, '?')}' is one Value used in "
                f"{len(places)} places ({where}){hint}; a torch.nn.Linear keeps each weight and "
                "bias separate, so training the export would untie them. Export a model without "
                "shared parameters (shared_bias=False); compare_with_torch does handle them."
            )


# --- torch to ours --------------------------------------------------------------------------


def from_torch(module: torch.nn.Sequential) -> MLP:
    """An ``nn.MLP`` with the weights of a ``Sequential`` of ``Linear`` and activation modules.

    Each ``Linear`` may be followed by one of ``ReLU``, ``LeakyReLU(negative_slope=0.01)``,
    ``Tanh``, ``Sigmoid``, ``Softplus(beta=1)`` with ``threshold`` >= 20 (nn's softplus never
    switches to x; the two differ by under e^-threshold); ``Identity`` is skipped. All hidden
    layers must share one activation, as in ``nn.MLP``. Tensors with ``requires_grad=False``
    become frozen Values, and a ``Linear`` without bias gets a bias frozen at 0.
    Any other module raises :class:`UnsupportedLayerError` naming it.
    """
    torch = _import_torch("from_torch")
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(
            f"nn.from_torch: expected a torch.nn.Sequential of Linear and activation modules, "
            f"got {type(module).__name__}"
        )
    layers = _linear_layers(torch, module)
    for (a, _, at_a), (b, _, at_b) in itertools.pairwise(layers):
        if b.in_features != a.out_features:
            raise ValueError(
                f"nn.from_torch: Linear at index {at_b} takes {b.in_features} inputs but the "
                f"Linear at index {at_a} gives {a.out_features}"
            )
    hidden = {name for _, name, _ in layers[:-1]}
    if len(hidden) > 1:
        found = ", ".join(f"{name} after index {at}" for _, name, at in layers[:-1])
        raise ValueError(
            f"nn.from_torch: nn.MLP uses one activation for every hidden layer, but this "
            f"Sequential has {found}"
        )
    weights = [[_finite_row(row, at, "weight") for row in linear.weight.tolist()]
               for linear, _, at in layers]
    biases = [
        _finite_row(linear.bias.tolist(), at, "bias") if linear.bias is not None
        else [0.0] * linear.out_features
        for linear, _, at in layers
    ]
    frozen_bias = [linear.bias is None or not linear.bias.requires_grad for linear, _, _ in layers]
    model = MLP(
        layers[0][0].in_features,
        [linear.out_features for linear, _, _ in layers],
        activation=hidden.pop() if hidden else "relu",  # one layer: no hidden ones, the default
        output_activation=layers[-1][1],
        weights=weights,
        biases=biases,
        bias_requires_grad=not all(frozen_bias),
    )
    for layer, (linear, _, _), frozen in zip(model.layers, layers, frozen_bias, strict=True):
        layer.bias_requires_grad = not frozen
        for neuron in layer.neurons:
            neuron.b.requires_grad = not frozen
            for w in neuron.w:
                w.requires_grad = bool(linear.weight.requires_grad)
    return model


def _linear_layers(torch: Any, module: Any) -> list[tuple[Any, str, int]]:
    """``(Linear, activation name, its index)`` per layer, or an error naming the bad module."""
    layers: list[tuple[Any, str, int]] = []
    pending: tuple[Any, int] | None = None
    for index, child in enumerate(module):
        if type(child) is torch.nn.Linear:
            if not child.weight.is_floating_point():
                raise UnsupportedLayerError(
                    f"nn.from_torch: Linear at index {index} has {child.weight.dtype} weights; "
                    "only floating-point weights can become Values"
                )
            if pending is not None:
                layers.append((pending[0], "linear", pending[1]))
            pending = (child, index)
            continue
        name = _activation_name(torch, child, index)
        if name == "linear":  # Identity: nothing to apply
            continue
        if pending is None:
            raise UnsupportedLayerError(
                f"nn.from_torch: {child!r} at index {index} does not follow a Linear; nn.MLP "
                "applies exactly one activation after each Linear"
            )
        layers.append((pending[0], name, pending[1]))
        pending = None
    if pending is not None:
        layers.append((pending[0], "linear", pending[1]))
    if not layers:
        raise ValueError("nn.from_torch: the Sequential has no Linear layer")
    return layers


def _activation_name(torch: Any, child: Any, index: int) -> str:
    """nn's name for a torch activation module, or UnsupportedLayerError naming it."""
    kind = type(child)
    simple = {torch.nn.ReLU: "relu", torch.nn.Tanh: "tanh", torch.nn.Sigmoid: "sigmoid",
              torch.nn.Identity: "linear"}
    if kind in simple:
        return simple[kind]
    reason = ""
    if kind is torch.nn.LeakyReLU:
        if child.negative_slope == LEAKY_RELU_SLOPE:
            return "leaky_relu"
        reason = f"nn's leaky_relu has slope {LEAKY_RELU_SLOPE}; "
    elif kind is torch.nn.Softplus:
        if child.beta == 1 and child.threshold >= SMALLEST_SOFTPLUS_THRESHOLD:
            return "softplus"
        reason = (f"nn's softplus is log(1 + e^x), i.e. beta=1 with threshold >= "
                  f"{SMALLEST_SOFTPLUS_THRESHOLD:g}; ")
    raise UnsupportedLayerError(
        f"nn.from_torch: unsupported layer {kind.__name__} at index {index} ({child!r}); "
        f"{reason}an nn.MLP is built from Linear, ReLU, LeakyReLU(negative_slope="
        f"{LEAKY_RELU_SLOPE}), Tanh, Sigmoid, Softplus(beta=1) and Identity"
    )


def _finite_row(row: list[float], index: int, what: str) -> list[float]:
    for x in row:
        if not math.isfinite(x):
            raise ValueError(f"nn.from_torch: Linear at index {index} has a {what} of {x}")
    return row


# --- side by side ---------------------------------------------------------------------------


class Pair(NamedTuple):
    """One number computed by both engines."""

    ours: float
    torch: float

    @property
    def difference(self) -> float:
        return abs(self.ours - self.torch)


class GradientRow(NamedTuple):
    """One parameter's gradient from both engines and how far apart they are."""

    name: str
    ours: float
    torch: float
    difference: float


@dataclass(frozen=True)
class TorchComparison:
    """What :func:`compare_with_torch` found; ``print()`` it for a table.

    ``outputs`` holds one Pair per model output, input by input (``output_names`` labels them
    ``out[i]`` or ``out[i][k]``); ``loss`` is the loss Pair; ``gradients`` has one row per
    parameter in ``parameters()`` order; ``max_difference`` is the largest absolute difference
    anywhere (NaN if either side produced a NaN).
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


def _torch_losses(torch: Any) -> dict[str, Callable[[Any, Any], Any]]:
    """PyTorch's version of each loss in ``nn.LOSSES``, taking (predictions, targets)."""
    functional = torch.nn.functional

    def hinge(scores: Any, labels: Any) -> Any:
        return torch.relu(1 - labels * scores).mean()

    return {
        "mse": functional.mse_loss,
        "half_sse": lambda p, t: 0.5 * ((t - p) ** 2).sum(),
        "hinge": hinge,
        "max_margin": hinge,
        "bce_with_logits": functional.binary_cross_entropy_with_logits,
        "bce": functional.binary_cross_entropy,
        "cross_entropy": functional.cross_entropy,
    }


def _loss_names() -> dict[Any, str]:
    """nn's loss functions by identity, so ``loss=nn.mse`` works as well as ``loss="mse"``."""
    return {
        losses.mse: "mse",
        losses.half_sum_squared_error: "half_sse",
        losses.hinge_loss: "hinge",
        losses.binary_cross_entropy_with_logits: "bce_with_logits",
        losses.binary_cross_entropy: "bce",
        losses.softmax_cross_entropy: "cross_entropy",
    }


def _sum_of_outputs(predictions: Any, targets: Any) -> Value:
    total = Value(0.0, requires_grad=False)
    for prediction in predictions:
        for value in prediction if isinstance(prediction, list) else [prediction]:
            total = total + value
    return total


def _resolve_loss(
    torch: Any, loss: str | Callable[..., Value] | LossPair | None, targets: Any
) -> tuple[str, Callable[[Any, Any], Value], Callable[[Any, Any], Any]]:
    from .training import LOSSES

    if loss is None:
        if targets is not None:
            raise ValueError("nn.compare_with_torch: targets given but no loss to use them")
        return "sum of outputs", _sum_of_outputs, lambda out, _: out.sum()
    if isinstance(loss, tuple):
        if len(loss) != 2 or not all(callable(f) for f in loss):
            raise TypeError(
                "nn.compare_with_torch: a loss pair must be two functions, (ours, torch's)"
            )
        return "custom", loss[0], loss[1]
    name = loss if isinstance(loss, str) else _loss_names().get(loss)
    if name is None:
        raise TypeError(
            f"nn.compare_with_torch: loss must be a name from nn.LOSSES, one of nn's loss "
            f"functions, or a pair (ours, torch's), got {loss!r}"
        )
    torch_losses = _torch_losses(torch)
    if name not in LOSSES or name not in torch_losses:
        raise ValueError(
            f"nn.compare_with_torch: unknown loss {name!r}; choose one of "
            f"{sorted(set(LOSSES) & set(torch_losses))} or pass a pair (ours, torch's)"
        )
    if targets is None:
        raise ValueError(f"nn.compare_with_torch: loss {name!r} needs targets=, one per input")
    return name, LOSSES[name][0], torch_losses[name]


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


def _targets_tensor(torch: Any, name: str, targets: Any, like: Any) -> Any:
    if targets is None:
        return None
    if name == "cross_entropy":
        return torch.tensor(targets, dtype=torch.long)
    tensor = torch.tensor(targets, dtype=torch.float64)
    return tensor.reshape(like.shape) if name != "custom" else tensor


def compare_with_torch(
    model: MLP,
    inputs: Sequence[Sequence[float]],
    loss: str | Callable[..., Value] | LossPair | None = None,
    targets: Sequence[Any] | None = None,
) -> TorchComparison:
    """Run ``model`` here and in PyTorch (float64) on ``inputs``; report every number side by side.

    ``loss`` is a name from ``nn.LOSSES`` (``"mse"``, ``"cross_entropy"``...) or one of nn's loss
    functions (``nn.mse``), which then needs ``targets`` (one per input row); or a pair
    ``(ours, torch_loss)`` where ``ours(predictions, targets)`` returns a Value and
    ``torch_loss(output, targets)`` a tensor (``output`` has shape (rows,) for a one-output model,
    else (rows, outputs); ``targets`` arrives as a float64 tensor, or None). Without a loss the
    sum of all outputs is differentiated. Shared parameters get the sum of the torch gradients
    of the entries they fill; frozen ones have no gradient on either side (rows show 0.0).

    The model is left as it was: each parameter's ``grad`` is restored afterwards.
    """
    torch = _import_torch("compare_with_torch")
    mlp = _check_mlp(model, "compare_with_torch")
    rows = _check_inputs(inputs, mlp.nin)
    name, ours_loss, torch_loss = _resolve_loss(torch, loss, targets)
    ours_target = None if targets is None else list(targets)

    named = mlp.named_parameters()
    saved = [p.grad for _, p in named]
    try:
        for _, p in named:
            p.grad = 0.0
        with enable_grad():
            predictions = [mlp(row) for row in rows]
            ours_value = ours_loss(predictions, ours_target)
            if not isinstance(ours_value, Value):
                raise TypeError(
                    f"nn.compare_with_torch: our loss returned {type(ours_value).__name__}, "
                    "not a Value"
                )
            if ours_value.requires_grad:
                ours_value.backward()
        ours_grads = [p.grad for _, p in named]
    finally:
        for (_, p), grad in zip(named, saved, strict=True):
            p.grad = grad

    sequential = _build_sequential(torch, mlp, torch.float64)
    with torch.enable_grad():
        out = sequential(torch.tensor(rows, dtype=torch.float64))
        shaped = out[:, 0] if out.shape[1] == 1 and name != "cross_entropy" else out
        torch_value = torch_loss(shaped, _targets_tensor(torch, name, targets, shaped))
        torch_value.backward()
    linears = [sequential[i] for i in _linear_positions(mlp)]
    slots = _slots(mlp)

    def torch_grad(value: Value) -> float:
        if not value.requires_grad:
            return 0.0
        total = 0.0
        for slot in slots[value]:
            tensor = getattr(linears[slot.layer], slot.tensor)
            total += 0.0 if tensor.grad is None else float(tensor.grad[slot.position])
        return total

    ours_outputs = [x.data for p in predictions for x in (p if isinstance(p, list) else [p])]
    outputs = [Pair(a, b) for a, b in zip(ours_outputs, out.flatten().tolist(), strict=True)]
    gradients = []
    for (param_name, p), ours_grad in zip(named, ours_grads, strict=True):
        theirs = torch_grad(p)
        gradients.append(GradientRow(param_name, ours_grad, theirs, abs(ours_grad - theirs)))
    loss_pair = Pair(ours_value.data, float(torch_value.detach()))
    differences = [pair.difference for pair in [*outputs, loss_pair]]
    differences += [row.difference for row in gradients]
    largest = math.nan if any(math.isnan(d) for d in differences) else max(differences)
    per_row = len(outputs) // len(rows)
    output_names = [f"out[{i}]" if per_row == 1 else f"out[{i}][{k}]"
                    for i in range(len(rows)) for k in range(per_row)]
    return TorchComparison(outputs, loss_pair, gradients, largest, name, output_names)
