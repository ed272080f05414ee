"""Optimizers: read each parameter's ``grad``, write its ``data``. PyTorch's update rules, exactly.

An optimizer holds the parameters it updates; ``step()`` applies one update from the gradients
of the last ``backward()`` and ``zero_grad()`` clears them for the next. Parameters with
``requires_grad=False`` (frozen) are left alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from autograd_lite import Value


class Optimizer:
    """The shared part: the parameter list, the learning rate ``lr`` and ``zero_grad()``."""

    def __init__(self, parameters: Iterable[Value], lr: float) -> None:
        params: list[Value] = []
        seen: set[Value] = set()
        for p in parameters:
            if not isinstance(p, Value):
                raise TypeError(
                    f"{type(self).__name__}: parameters must be Values, got {type(p).__name__}"
                )
            if p not in seen:
                seen.add(p)
                params.append(p)
        if not params:
            raise ValueError(f"{type(self).__name__}: got an empty list of parameters")
        _check_non_negative(lr, "lr", self)
        self.parameters = params
        self.lr = float(lr)
        self.steps = 0

    def trainable(self) -> list[Value]:
        """The parameters that ``step()`` updates: those that require grad."""
        return [p for p in self.parameters if p.requires_grad]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0."""
        for p in self.parameters:
            p.grad = 0.0

    def step(self) -> None:
        """Apply one update from the current gradients."""
        for p in self.trainable():
            if not math.isfinite(p.grad):
                raise ValueError(
                    f"{type(self).__name__}.step: a gradient is {p.grad} (parameter {p!r}); "
                    "lower the learning rate or check the loss for log(0) or overflow"
                )
        self.steps += 1
        self._update()

    def _update(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, ``p -= lr * g``, with PyTorch's momentum and weight decay.

    g = grad + weight_decay * p; with momentum, buf = momentum * buf + g (buf = g at the first
    step) and g = buf, or g = g + momentum * buf for Nesterov momentum.
    """

    def __init__(
        self,
        parameters: Iterable[Value],
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(parameters, lr)
        _check_non_negative(momentum, "momentum", self)
        _check_non_negative(weight_decay, "weight_decay", self)
        if nesterov and momentum == 0:
            raise ValueError("SGD: Nesterov momentum needs momentum > 0")
        self.momentum = float(momentum)
        self.nesterov = nesterov
        self.weight_decay = float(weight_decay)
        self._velocity: dict[Value, float] = {}

    def _update(self) -> None:
        for p in self.trainable():
            g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            if self.momentum:
                previous = self._velocity.get(p)
                buf = g if previous is None else self.momentum * previous + g
                self._velocity[p] = buf
                g = g + self.momentum * buf if self.nesterov else buf
            p.data -= self.lr * g


class Adam(Optimizer):
    """Adam: steps scaled by running averages of the gradient (m) and its square (v).

    m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g**2, then
    p -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps), as PyTorch computes it.
    """

    def __init__(
        self,
        parameters: Iterable[Value],
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(parameters, lr)
        beta1, beta2 = betas
        for name, beta in (("betas[0]", beta1), ("betas[1]", beta2)):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Adam: {name} must be in [0, 1), got {beta!r}")
        _check_non_negative(eps, "eps", self)
        _check_non_negative(weight_decay, "weight_decay", self)
        self.betas = (float(beta1), float(beta2))
        self.eps = float(eps)
        self.weight_decay = float(weight_decay)
        self._m: dict[Value, float] = {}
        self._v: dict[Value, float] = {}

    def _update(self) -> None:
        beta1, beta2 = self.betas
        t = self.steps
        step_size = self.lr / (1 - beta1**t)
        root_correction = math.sqrt(1 - beta2**t)
        for p in self.trainable():
            g = p.grad + self.weight_decay * p.data if self.weight_decay else p.grad
            m = beta1 * self._m.get(p, 0.0) + (1 - beta1) * g
            v = beta2 * self._v.get(p, 0.0) + (1 - beta2) * g * g
            self._m[p], self._v[p] = m, v
            p.data -= step_size * m / (math.sqrt(v) / root_correction + self.eps)


def _check_non_negative(x: object, name: str, optimizer: object) -> None:
    if isinstance(x, bool) or not isinstance(x, (int, float)) or not x >= 0 or x == math.inf:
        raise ValueError(
            f"{type(optimizer).__name__}: {name} must be a finite number >= 0, got {x!r}"
        )
