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
    """The shared part of every optimizer: the parameters, the learning rate and ``zero_grad()``.

    Subclasses implement ``_update()``; ``step()`` checks the gradients first, so a NaN or an
    infinity never reaches the weights.

    Args:
        parameters: the Values to update (``model.parameters()``); repeats are kept once.
        lr: the learning rate, a finite number >= 0.

    Raises:
        TypeError: if a parameter is not a Value.
        ValueError: if there are no parameters or ``lr`` is negative or not finite; ``step()``
            raises ValueError naming the parameter when a gradient is not finite.

    Example:
        >>> from autograd_lite import Value
        >>> w = Value(1.0)
        >>> opt = SGD([w], lr=0.1)
        >>> (w * w).backward(); opt.step(); opt.zero_grad()
        >>> w.data, w.grad
        (0.8, 0.0)
    """

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
        """The parameters that ``step()`` updates: those that require grad.

        Returns:
            A list of Values, in the order the optimizer was given them.
        """
        return [p for p in self.parameters if p.requires_grad]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 (gradients accumulate until this is called)."""
        for p in self.parameters:
            p.grad = 0.0

    def step(self) -> None:
        """Apply one update from the current gradients to every trainable parameter.

        Raises:
            ValueError: if a gradient is NaN or infinite; no parameter is changed then.
        """
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
    """Stochastic gradient descent with PyTorch's momentum, Nesterov momentum and weight decay.

    The update, step by step, exactly as ``torch.optim.SGD`` computes it::

        g = p.grad + weight_decay * p.data
        if momentum:
            buf = g                      at the first step
            buf = momentum * buf + g     afterwards
            g = g + momentum * buf       with nesterov=True, else g = buf
        p.data -= lr * g

    Nesterov momentum follows Sutskever, Martens, Dahl and Hinton, "On the importance of
    initialization and momentum in deep learning" (ICML 2013), in PyTorch's formulation.

    Args:
        parameters: the Values to update (``model.parameters()``).
        lr: the learning rate (default 0.01).
        momentum: the momentum factor, >= 0 (default 0: plain SGD).
        nesterov: use Nesterov momentum (needs ``momentum > 0``).
        weight_decay: an L2 penalty added to each gradient, >= 0.

    Raises:
        TypeError: if a parameter is not a Value.
        ValueError: if an argument is negative or not finite, there are no parameters, or
            ``nesterov`` is set without momentum; ``step()`` raises ValueError on a NaN or
            infinite gradient.

    Example:
        A training loop::

            opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
            for x, y in data:
                opt.zero_grad()
                loss = (model(x) - y) ** 2
                loss.backward()
                opt.step()

        One step by hand:

        >>> from autograd_lite import Value
        >>> w = Value(2.0)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).backward(); opt.step()
        >>> round(w.data, 6)                      # 2 - 0.1 * 4
        1.6
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
    """Adam: steps scaled by running averages of the gradient (m) and of its square (v).

    At step t, exactly as ``torch.optim.Adam`` computes it::

        g = p.grad + weight_decay * p.data
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        p.data -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps)

    Source: Kingma and Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015),
    Algorithm 1, with eps added after the bias correction of v as PyTorch does.

    Args:
        parameters: the Values to update (``model.parameters()``).
        lr: the learning rate (default 0.001).
        betas: (b1, b2), each in [0, 1) (default (0.9, 0.999)).
        eps: added to the denominator for stability, >= 0 (default 1e-8).
        weight_decay: an L2 penalty added to each gradient, >= 0 (not AdamW's decoupled decay).

    Raises:
        TypeError: if a parameter is not a Value.
        ValueError: if a beta is outside [0, 1), another argument is negative or not finite,
            or there are no parameters; ``step()`` raises ValueError on a NaN or infinite
            gradient.

    Example:
        >>> from autograd_lite import Value
        >>> w = Value(2.0)
        >>> opt = Adam([w], lr=0.1)
        >>> (w * w).backward(); opt.step()
        >>> round(w.data, 6)                      # the first step moves by about lr
        1.9
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
