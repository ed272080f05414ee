"""``Neuron``, ``Layer`` and ``MLP``: micrograd's three classes, with activations and init schemes.

Everything is made of Values, so a forward pass records a graph that ``backward()`` walks and that
can be drawn. ``parameters()`` keeps micrograd's order (layer by layer, neuron by neuron, each
neuron's weights then its bias), so weights copy between the two one-for-one.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

from autograd_lite import Value, linear

from .activations import activation_function
from .init import Seed, canonical_scheme, generator_for_children, initial_weights, random_source
from .module import Module

#: What a model accepts as one input: numbers or Values.
Input = Sequence[float | Value]


class Neuron(Module):
    """``activation(w . x + b)``: one weighted sum of the inputs, then a squashing function.

    ``bias`` is a number (a new bias Value starts there) or a Value, used as it is so that several
    neurons can share one bias. ``weights`` gives the starting weights explicitly; otherwise they
    are drawn with the ``init`` scheme (see :mod:`nn.init`) from ``seed``.

    micrograd's ``Neuron(nin, nonlin=True)`` works unchanged: ``nonlin=True`` is
    ``activation="relu"`` and ``nonlin=False`` is ``activation="linear"`` (also as the second
    positional argument). Giving both ``nonlin`` and an ``activation`` that means something else is
    a ValueError.

    Args:
        nin: the number of inputs, a positive int.
        activation: a name from :data:`nn.ACTIVATIONS` (default ``"relu"``), or micrograd's
            ``nonlin`` flag given positionally.
        nonlin: micrograd's flag: True for ReLU, False for linear.
        init: the initialisation scheme, a name from :data:`nn.SCHEMES` (default ``"uniform"``,
            micrograd's U(-1, 1)).
        seed: an int, a ``random.Random`` or None (fresh randomness) for the starting weights.
        fan_out: the layer's width, which the Xavier schemes read (default 1).
        weights: ``nin`` explicit starting weights instead of random ones.
        bias: the starting bias (a number), or a Value to share.
        bias_requires_grad: False freezes the bias.

    Raises:
        ValueError: if a count is not a positive int, the activation or ``init`` scheme is
            unknown, ``nonlin`` contradicts ``activation``, or explicit weights or biases have
            the wrong number of entries or are not finite.

    Example:
        >>> from nn import Neuron
        >>> n = Neuron(2, activation="tanh", weights=[0.5, -0.5], bias=0.1)
        >>> out = n([1.0, 1.0])
        >>> round(out.data, 6), len(n.parameters())
        (0.099668, 3)
    """

    def __init__(
        self,
        nin: int,
        activation: str | bool | None = None,
        *,
        nonlin: bool | None = None,
        init: str = "uniform",
        seed: Seed = None,
        fan_out: int = 1,
        weights: Sequence[float] | None = None,
        bias: float | Value = 0.0,
        bias_requires_grad: bool = True,
    ) -> None:
        _check_count(nin, "Neuron nin")
        activation = resolve_activation(activation, nonlin, "Neuron")
        self._activate = activation_function(activation)
        canonical_scheme(init)
        if weights is None:
            start = initial_weights(init, nin, fan_out, random_source(seed))
        else:
            start = _numbers(weights, nin, "Neuron weights")
        self.nin = nin
        self.activation = activation
        self.w: list[Value] = [Value(x) for x in start]
        if isinstance(bias, Value):
            self.b = bias
        else:
            self.b = Value(_numbers([bias], 1, "Neuron bias")[0], requires_grad=bias_requires_grad)

    @property
    def nonlin(self) -> bool:
        """micrograd's flag: True unless the neuron is linear."""
        return self.activation != "linear"

    def weighted_sum(self, x: Input) -> Value:
        """The net input ``b + w0*x0 + w1*x1 + ...``, summed in micrograd's order.

        It is one ``linear`` node of the graph rather than micrograd's chain of 2n products and
        sums: the same value and the same derivatives (d/dw_i = x_i, d/dx_i = w_i, d/db = 1),
        with a fraction of the nodes to build and walk.
        """
        return linear(self.w, x, self.b)

    def forward(self, x: Input) -> Value:
        if len(x) != self.nin:
            raise ValueError(f"Neuron expects {self.nin} inputs, got {len(x)}")
        out: Value = self._activate(self.weighted_sum(x))
        return out

    def config(self) -> dict[str, Any]:
        """The architecture (everything but the numbers), as ``nn.save`` writes it."""
        return {"nin": self.nin, "activation": self.activation}

    def extra_repr(self) -> str:
        return f"nin={self.nin}, activation={self.activation!r}"


class Layer(Module):
    """``nout`` neurons reading the same inputs; ``forward`` returns their outputs as a list.

    ``shared_bias=True`` gives the layer one bias Value that all its neurons use (the textbook
    2-2-2 network does this); it counts as one parameter. ``bias`` is the starting bias: one
    number, or one number per neuron. ``weights`` is one list of ``nin`` weights per neuron.
    micrograd's ``Layer(nin, nout, nonlin=False)`` works unchanged, as for :class:`Neuron`.

    Args:
        nin: the number of inputs of each neuron, a positive int.
        nout: the number of neurons, a positive int.
        activation: a name from :data:`nn.ACTIVATIONS` (default ``"relu"``), or micrograd's
            ``nonlin`` flag given positionally.
        nonlin: micrograd's flag: True for ReLU, False for linear.
        init: the initialisation scheme, a name from :data:`nn.SCHEMES`.
        seed: an int, a ``random.Random`` or None for the starting weights.
        weights: one list of ``nin`` starting weights per neuron.
        bias: the starting bias: one number, or one per neuron.
        shared_bias: one bias Value for all the layer's neurons.
        bias_requires_grad: False freezes the biases.

    Raises:
        ValueError: if a count is not a positive int, the activation or ``init`` scheme is
            unknown, ``nonlin`` contradicts ``activation``, or explicit weights or biases have
            the wrong number of entries or are not finite.

    Example:
        >>> from nn import Layer
        >>> layer = Layer(3, 2, activation="sigmoid", seed=0, shared_bias=True)
        >>> len(layer([1.0, 2.0, 3.0])), len(layer.parameters())
        (2, 7)
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | bool | None = None,
        *,
        nonlin: bool | None = None,
        init: str = "uniform",
        seed: Seed = None,
        weights: Sequence[Sequence[float]] | None = None,
        bias: float | Sequence[float] = 0.0,
        shared_bias: bool = False,
        bias_requires_grad: bool = True,
    ) -> None:
        _check_count(nin, "Layer nin")
        _check_count(nout, "Layer nout")
        activation = resolve_activation(activation, nonlin, "Layer")
        activation_function(activation)
        if weights is not None and len(weights) != nout:
            raise ValueError(f"Layer weights: expected one list per neuron ({nout}): {weights!r}")
        biases = _layer_biases(bias, nout, shared_bias)
        shared = Value(biases[0], requires_grad=bias_requires_grad) if shared_bias else None
        rng = generator_for_children(seed)
        self.nin = nin
        self.nout = nout
        self.activation = activation
        self.shared_bias = shared_bias
        self.bias_requires_grad = bias_requires_grad
        self.neurons: list[Neuron] = [
            Neuron(
                nin,
                activation,
                init=init,
                seed=rng,
                fan_out=nout,
                weights=None if weights is None else weights[i],
                bias=shared if shared is not None else biases[i],
                bias_requires_grad=bias_requires_grad,
            )
            for i in range(nout)
        ]

    def forward(self, x: Input) -> list[Value]:
        if len(x) != self.nin:
            raise ValueError(f"Layer expects {self.nin} inputs, got {len(x)}")
        return [neuron(x) for neuron in self.neurons]

    def config(self) -> dict[str, Any]:
        """The architecture (everything but the numbers), as ``nn.save`` writes it."""
        return {
            "nin": self.nin,
            "nout": self.nout,
            "activation": self.activation,
            "shared_bias": self.shared_bias,
            "bias_requires_grad": self.bias_requires_grad,
        }

    def extra_repr(self) -> str:
        return f"nin={self.nin}, nout={self.nout}, activation={self.activation!r}"

    def __repr__(self) -> str:  # one line: listing 16 identical neurons teaches nothing
        return f"Layer({self.extra_repr()})"


class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then one Layer per entry of ``nouts``.

    Hidden layers use ``activation``, the last layer ``output_activation``; the defaults (ReLU,
    then linear) are micrograd's. Calling the model on a list of ``nin`` numbers or Values
    returns one Value when the last layer has one neuron, else a list.

    Args:
        nin: the number of inputs, a positive int.
        nouts: the layer sizes, a non-empty list of positive ints (the last is the output).
        activation: the hidden layers' activation, a name from :data:`nn.ACTIVATIONS`
            (default ``"relu"``).
        output_activation: the last layer's activation (default ``"linear"``).
        init: the initialisation scheme, a name from :data:`nn.SCHEMES` (default
            ``"uniform"``).
        seed: an int, a ``random.Random`` or None for the starting weights.
        weights: ``weights[l][n]`` gives neuron ``n`` of layer ``l`` its weights explicitly.
        biases: ``biases[l]`` is layer ``l``'s starting bias (one number, or one per neuron).
        shared_bias: one bias Value per layer, shared by its neurons (the textbook 2-2-2 net).
        bias_requires_grad: False freezes every bias.

    Raises:
        ValueError: if ``nouts`` is empty or holds a size that is not a positive int, an
            activation or scheme is unknown, or ``weights``/``biases`` do not give one entry per
            layer (or per neuron, with finite numbers).

    Example:
        >>> import nn
        >>> model = nn.MLP(2, [16, 16, 1], seed=0)      # micrograd's two-moons network
        >>> len(model.parameters()), type(model([1.0, -1.0])).__name__
        (337, 'Value')
        >>> len(nn.MLP(2, [4, 3], seed=0)([1.0, -1.0]))   # several outputs: a list
        3
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        *,
        init: str = "uniform",
        seed: Seed = None,
        weights: Sequence[Sequence[Sequence[float]]] | None = None,
        biases: Sequence[float | Sequence[float]] | None = None,
        shared_bias: bool = False,
        bias_requires_grad: bool = True,
    ) -> None:
        _check_count(nin, "MLP nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(f"MLP nouts must be a non-empty list of layer sizes, got {nouts!r}")
        for n in nouts:
            _check_count(n, "MLP layer size")
        for name, given in (("weights", weights), ("biases", biases)):
            if given is not None and len(given) != len(nouts):
                raise ValueError(f"MLP {name}: expected one entry per layer ({len(nouts)})")
        sizes = [nin, *nouts]
        rng = generator_for_children(seed)
        last = len(nouts) - 1
        self.nin = nin
        self.nouts = list(nouts)
        self.activation = activation
        self.output_activation = output_activation
        self.shared_bias = shared_bias
        self.bias_requires_grad = bias_requires_grad
        self.layers: list[Layer] = [
            Layer(
                sizes[i],
                sizes[i + 1],
                output_activation if i == last else activation,
                init=init,
                seed=rng,
                weights=None if weights is None else weights[i],
                bias=0.0 if biases is None else biases[i],
                shared_bias=shared_bias,
                bias_requires_grad=bias_requires_grad,
            )
            for i in range(len(nouts))
        ]

    def forward(self, x: Input) -> Any:
        """The outputs for one input: a Value if the last layer has one neuron, else a list."""
        if isinstance(x, (str, bytes)) or not isinstance(x, Sequence):
            raise TypeError(f"MLP input must be a list of {self.nin} numbers, got {x!r}")
        if len(x) != self.nin:
            raise ValueError(f"MLP expects {self.nin} inputs, got {len(x)}: {list(x)!r}")
        out: list[Any] = list(x)
        for layer in self.layers:
            out = layer(out)
        return out[0] if len(out) == 1 else out

    def config(self) -> dict[str, Any]:
        """The architecture (everything but the weights), as ``nn.save`` writes it."""
        return {
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "output_activation": self.output_activation,
            "shared_bias": self.shared_bias,
            "bias_requires_grad": self.bias_requires_grad,
        }

    def extra_repr(self) -> str:
        return (
            f"nin={self.nin}, nouts={self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}, parameters={len(self.parameters())}"
        )


def resolve_activation(activation: str | bool | None, nonlin: object, caller: str) -> str:
    """One activation name from ``activation=`` and micrograd's ``nonlin=`` (ReLU or linear).

    Args:
        activation: An activation name, None (not given), or a bool: micrograd's ``nonlin``
            passed as the second positional argument, as in ``Neuron(3, False)``.
        nonlin: micrograd's flag (True: ``"relu"``, False: ``"linear"``), or None (not given).
        caller: The class name, for error messages.

    Returns:
        The activation name; ``"relu"`` when neither is given (micrograd's default too).

    Raises:
        TypeError: If ``nonlin`` is neither a bool nor None.
        ValueError: If ``nonlin`` and ``activation`` are both given and disagree.

    Example:
        >>> resolve_activation(None, False, "Neuron"), resolve_activation("tanh", None, "Neuron")
        ('linear', 'tanh')
    """
    if isinstance(activation, bool):
        if nonlin is not None and nonlin is not activation:
            raise ValueError(
                f"{caller}: nonlin given twice, as {activation} (positionally) and as {nonlin!r}"
            )
        activation, nonlin = None, activation
    if nonlin is None:
        return "relu" if activation is None else activation
    if not isinstance(nonlin, bool):
        raise TypeError(f"{caller}: nonlin must be True or False, got {nonlin!r}")
    implied = "relu" if nonlin else "linear"
    if activation is not None and activation != implied:
        raise ValueError(
            f"{caller}: nonlin={nonlin} means activation={implied!r} (micrograd's "
            f"{'ReLU' if nonlin else 'linear'} neuron), but activation={activation!r} was given "
            "too; pass only one of them"
        )
    return implied


def _check_count(n: object, what: str) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{what} must be a positive int, got {n!r}")


def _numbers(xs: object, count: int, what: str) -> list[float]:
    """``xs`` as ``count`` finite floats, or a ValueError naming ``what`` and the problem."""
    if isinstance(xs, (str, bytes)) or not isinstance(xs, Sequence) or len(xs) != count:
        raise ValueError(f"{what}: expected {count} numbers, got {xs!r}")
    out = []
    for x in xs:
        if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(x):
            raise ValueError(f"{what}: expected finite numbers, got {x!r}")
        out.append(float(x))
    return out


def _layer_biases(bias: float | Sequence[float], nout: int, shared: bool) -> list[float]:
    """The starting bias of each neuron (one entry when the layer shares a single bias)."""
    if isinstance(bias, Sequence) and not isinstance(bias, (str, bytes)):
        if shared:
            raise ValueError("Layer bias: a shared bias takes one number, not one per neuron")
        return _numbers(bias, nout, "Layer bias")
    value = _numbers([bias], 1, "Layer bias")[0]
    return [value] if shared else [value] * nout
