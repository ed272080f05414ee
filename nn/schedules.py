"""Learning-rate schedules: set ``optimizer.lr`` from the number of ``step()`` calls so far.

Create one after the optimizer (it records the optimizer's lr as the starting rate) and call
``step()`` once per epoch, after ``optimizer.step()``, as in PyTorch.
"""

from __future__ import annotations

from .optim import Optimizer


class LRSchedule:
    """The shared part of every schedule: the starting rate, the step count, writing the rate.

    Subclasses implement ``lr_at(step)``; creating a schedule writes ``lr_at(0)`` into the
    optimizer at once.

    Args:
        optimizer: the nn optimizer whose ``lr`` the schedule sets; its current ``lr`` becomes
            ``base_lr``.

    Raises:
        TypeError: if ``optimizer`` is not an nn optimizer.

    Example:
        >>> from autograd_lite import Value
        >>> from nn import SGD
        >>> opt = SGD([Value(0.0)], lr=1.0)
        >>> schedule = StepLR(opt, step_size=2, gamma=0.5)
        >>> for _ in range(4):
        ...     schedule.step()
        >>> opt.lr
        0.25
    """

    def __init__(self, optimizer: Optimizer) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"{type(self).__name__}: expected an nn optimizer, got {type(optimizer).__name__}"
            )
        self.optimizer = optimizer
        self.base_lr = optimizer.lr
        self.last_step = 0
        optimizer.lr = self.lr_at(0)

    def lr_at(self, step: int) -> float:
        """The learning rate after ``step`` calls of ``step()``."""
        raise NotImplementedError

    def step(self) -> None:
        """Advance one step and write the new rate into the optimizer."""
        self.last_step += 1
        self.optimizer.lr = self.lr_at(self.last_step)

    @property
    def lr(self) -> float:
        """The rate in force now."""
        return self.optimizer.lr


class StepLR(LRSchedule):
    """Multiply the rate by ``gamma`` every ``step_size`` steps: lr = base * gamma**(k // size).

    PyTorch's ``torch.optim.lr_scheduler.StepLR``.

    Args:
        optimizer: the nn optimizer to schedule.
        step_size: how many ``step()`` calls between decays, a positive int.
        gamma: the factor, > 0 (default 0.1).

    Raises:
        TypeError: if ``optimizer`` is not an nn optimizer.
        ValueError: if ``step_size`` is not a positive int or ``gamma`` is not > 0.

    Example:
        >>> from autograd_lite import Value
        >>> from nn import SGD
        >>> schedule = StepLR(SGD([Value(0.0)], lr=0.1), step_size=10)
        >>> schedule.lr_at(9), round(schedule.lr_at(10), 12)
        (0.1, 0.01)
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if isinstance(step_size, bool) or not isinstance(step_size, int) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        if not gamma > 0:
            raise ValueError(f"StepLR: gamma must be > 0, got {gamma!r}")
        self.step_size = step_size
        self.gamma = float(gamma)
        super().__init__(optimizer)

    def lr_at(self, step: int) -> float:
        return self.base_lr * self.gamma ** (step // self.step_size)


class LinearDecayLR(LRSchedule):
    """Go in a straight line from the starting rate to ``end_lr`` over ``total_steps``, then stay.

    lr = base - (base - end_lr) * k / total_steps: micrograd's demo uses base 1.0, end 0.1 and
    100 steps, i.e. 1.0 - 0.9 * k / 100.

    Args:
        optimizer: the nn optimizer to schedule.
        end_lr: the final rate, >= 0.
        total_steps: how many ``step()`` calls the decay takes, a positive int.

    Raises:
        TypeError: if ``optimizer`` is not an nn optimizer.
        ValueError: if ``total_steps`` is not a positive int or ``end_lr`` is negative.

    Example:
        >>> from autograd_lite import Value
        >>> from nn import SGD
        >>> schedule = LinearDecayLR(SGD([Value(0.0)], lr=1.0), end_lr=0.1, total_steps=100)
        >>> round(schedule.lr_at(50), 6), round(schedule.lr_at(500), 6)
        (0.55, 0.1)
    """

    def __init__(self, optimizer: Optimizer, end_lr: float, total_steps: int) -> None:
        if isinstance(total_steps, bool) or not isinstance(total_steps, int) or total_steps < 1:
            raise ValueError(
                f"LinearDecayLR: total_steps must be a positive int, got {total_steps!r}"
            )
        if not end_lr >= 0:
            raise ValueError(f"LinearDecayLR: end_lr must be >= 0, got {end_lr!r}")
        self.end_lr = float(end_lr)
        self.total_steps = total_steps
        super().__init__(optimizer)

    def lr_at(self, step: int) -> float:
        k = min(step, self.total_steps)
        return self.base_lr - (self.base_lr - self.end_lr) * k / self.total_steps
