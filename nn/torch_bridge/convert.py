"""Export to and import from PyTorch: ``to_torch`` and ``from_torch``.

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
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from autograd_lite import Value

from ..activations import LEAKY_RELU_SLOPE
from ..layers import MLP

if TYPE_CHECKING:
    import torch
    from torch.nn import Sequential as TorchSequential


#: ``torch.nn.Softplus`` returns x itself above ``threshold``; log(1 + e^x) differs from x by
#: e^-x, which is below float64's resolution of x once x > 37. At 40 the switch is invisible.
SOFTPLUS_THRESHOLD = 40.0

#: The smallest threshold ``from_torch`` accepts (PyTorch's default): there the switch changes
#: softplus by at most e^-20 = 2.1e-9.
SMALLEST_SOFTPLUS_THRESHOLD = 20.0


class UnsupportedLayerError(ValueError, TypeError):
    """A torch module that ``from_torch`` cannot turn into part of an ``nn.MLP``.

    Both a ValueError (the Sequential's contents are wrong) and a TypeError (a module of the wrong
    type), so either ``except`` clause catches it. The message names the module and its index.

    Example:
        >>> import nn
        >>> issubclass(nn.UnsupportedLayerError, ValueError)
        True
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
    Frozen weights or biases give tensors with ``requires_grad=False``. The user's torch random
    state is left untouched (no random initialisation runs).

    Args:
        model: the ``nn.MLP`` to export.
        dtype: a floating-point ``torch.dtype``; None means torch.float64, which holds every
            weight exactly.

    Returns:
        A ``torch.nn.Sequential`` computing the same function.

    Raises:
        ImportError: if PyTorch (the ``torch`` extra) is not installed.
        TypeError: if ``model`` is not an ``nn.MLP``.
        ValueError: if ``dtype`` is not a floating-point dtype, the model shares parameters
            (``shared_bias=True``: a ``Linear`` cannot share one bias between neurons), a
            layer mixes activations, or a layer has some frozen and some trainable weights.

    Example:
        >>> import nn, torch
        >>> model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
        >>> net = nn.to_torch(model)
        >>> out = net(torch.tensor([[0.5, -1.0]], dtype=torch.float64))
        >>> abs(out.item() - model([0.5, -1.0]).data) < 1e-15
        True
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

    Args:
        module: a ``torch.nn.Sequential`` of ``Linear`` and activation modules.

    Returns:
        An ``nn.MLP`` with the same weights (float64 copies) and activations.

    Raises:
        ImportError: if PyTorch (the ``torch`` extra) is not installed.
        TypeError: if ``module`` is not a ``Sequential``.
        UnsupportedLayerError: for any other module, or an activation that does not follow a
            ``Linear``, naming it and its index.
        ValueError: if the Sequential has no ``Linear``, consecutive sizes do not match, hidden
            layers use different activations, or a weight is not finite.

    Example:
        >>> import nn, torch
        >>> _ = torch.manual_seed(0)
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
        >>> model = nn.from_torch(net)
        >>> model.nouts, model.activation
        ([4, 1], 'tanh')
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
