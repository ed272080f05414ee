"""Activation functions by name: the squashing step a neuron applies to its weighted sum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd_lite import leaky_relu, relu, sigmoid, softplus, tanh

#: leaky_relu's slope for x < 0, PyTorch's default (``Value.leaky_relu``'s too).
LEAKY_RELU_SLOPE = 0.01


def _linear(x: Any) -> Any:
    return x


def _leaky_relu(x: Any) -> Any:
    return leaky_relu(x, LEAKY_RELU_SLOPE)


#: Activation functions by name. Each is an operation that works on whatever it is given: a
#: float gives a float (a picture's forward pass), a Value records a node, and forward mode's
#: dual numbers carry their tangents through (``jvp`` through a model).
ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "linear": _linear,
    "relu": relu,
    "leaky_relu": _leaky_relu,
    "tanh": tanh,
    "sigmoid": sigmoid,
    "softplus": softplus,
}


def activation_function(name: str) -> Callable[[Any], Any]:
    """The function for an activation name, or a ValueError listing the names there are."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}"
        ) from None
