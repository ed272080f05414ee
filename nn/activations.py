"""Activation functions by name: the squashing step a neuron applies to its weighted sum."""

from __future__ import annotations

from collections.abc import Callable

from autograd_lite import Value


def _linear(x: Value) -> Value:
    return x


ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": _linear,
    "relu": Value.relu,
    "leaky_relu": Value.leaky_relu,  # slope 0.01, as in PyTorch
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "softplus": Value.softplus,
}


def activation_function(name: str) -> Callable[[Value], Value]:
    """The function for an activation name, or a ValueError listing the names there are."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}"
        ) from None
