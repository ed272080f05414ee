"""Initialisation schemes: where the weights start, chosen by name and reproducible with a seed.

The scale matters. With ``n`` inputs of unit size, a weighted sum with weights of spread ``s`` has
spread ``s * sqrt(n)``: standard-normal weights push a logistic or tanh unit far into its flat
tails, where its derivative is nearly zero and learning stalls (saturation). Xavier/Glorot scales
the spread by ``sqrt(2 / (fan_in + fan_out))`` to keep it steady through tanh-like layers; He
(Kaiming) by ``sqrt(2 / fan_in)``, which suits ReLU layers that zero half their inputs.

================  ==============================================  ========================
scheme            weight drawn from                               aliases
================  ==============================================  ========================
uniform           U(-1, 1) (micrograd's default)                  micrograd
xavier_uniform    U(-a, a), a = sqrt(6 / (fan_in + fan_out))      glorot_uniform
xavier_normal     N(0, 2 / (fan_in + fan_out))                    glorot_normal
he_uniform        U(-a, a), a = sqrt(6 / fan_in)                  kaiming_uniform
he_normal         N(0, 2 / fan_in)                                he, kaiming_normal
normal            N(0, 1) (saturates: shown for teaching)         standard_normal
================  ==============================================  ========================

Explicit weights are given to ``Neuron``, ``Layer`` or ``MLP`` with ``weights=``.

Sources: Glorot and Bengio, "Understanding the difficulty of training deep feedforward neural
networks" (AISTATS 2010) for the Xavier schemes and for saturation under standard-normal
initialisation; He, Zhang, Ren and Sun, "Delving Deep into Rectifiers" (ICCV 2015) for the He
schemes. The formulas match PyTorch's ``torch.nn.init`` with gain 1 (Xavier) and the ReLU gain
sqrt(2) (He, fan_in mode).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from typing import Protocol


class RandomSource(Protocol):
    """What the schemes draw from: ``random.Random(seed)``, or the ``random`` module itself."""

    def uniform(self, a: float, b: float) -> float: ...

    def gauss(self, mu: float, sigma: float) -> float: ...


#: A seed (int), a generator to draw from, or None for the global ``random`` module (micrograd's).
Seed = int | random.Random | None


def random_source(seed: Seed) -> RandomSource:
    """A generator for ``seed``: ``None`` draws from the global ``random`` module, like micrograd,
    so ``random.seed(1337)`` before building gives micrograd's very weights."""
    if seed is None:
        return random
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}")
    return random.Random(seed)


def _uniform(bound: float) -> Callable[[RandomSource], float]:
    return lambda rng: rng.uniform(-bound, bound)


def _normal(std: float) -> Callable[[RandomSource], float]:
    return lambda rng: rng.gauss(0.0, std)


_SCHEMES: dict[str, Callable[[int, int], Callable[[RandomSource], float]]] = {
    "uniform": lambda fan_in, fan_out: _uniform(1.0),
    "xavier_uniform": lambda fan_in, fan_out: _uniform(math.sqrt(6.0 / (fan_in + fan_out))),
    "xavier_normal": lambda fan_in, fan_out: _normal(math.sqrt(2.0 / (fan_in + fan_out))),
    "he_uniform": lambda fan_in, fan_out: _uniform(math.sqrt(6.0 / fan_in)),
    "he_normal": lambda fan_in, fan_out: _normal(math.sqrt(2.0 / fan_in)),
    "normal": lambda fan_in, fan_out: _normal(1.0),
}

_ALIASES = {
    "micrograd": "uniform",
    "glorot_uniform": "xavier_uniform",
    "glorot_normal": "xavier_normal",
    "kaiming_uniform": "he_uniform",
    "kaiming_normal": "he_normal",
    "he": "he_normal",
    "standard_normal": "normal",
}

#: Every accepted scheme name, aliases included.
SCHEMES: tuple[str, ...] = tuple(sorted([*_SCHEMES, *_ALIASES]))


def canonical_scheme(name: str) -> str:
    """The scheme's main name (``"glorot_uniform"`` -> ``"xavier_uniform"``), or a ValueError."""
    if not isinstance(name, str) or (name not in _SCHEMES and name not in _ALIASES):
        raise ValueError(f"unknown initialisation scheme {name!r}; choose one of {list(SCHEMES)}")
    return _ALIASES.get(name, name)


def initial_weights(scheme: str, fan_in: int, fan_out: int, rng: RandomSource) -> list[float]:
    """``fan_in`` weights for one neuron of a layer with ``fan_out`` neurons, drawn in order."""
    draw = _SCHEMES[canonical_scheme(scheme)](fan_in, fan_out)
    return [draw(rng) for _ in range(fan_in)]


def generator_for_children(seed: Seed) -> Seed:
    """One generator that a layer's neurons share, so together they draw one reproducible stream
    (None stays None: the global ``random`` module, in micrograd's order)."""
    if seed is None or isinstance(seed, random.Random):
        return seed
    random_source(seed)  # a clear TypeError for anything but an int
    return random.Random(seed)
