"""Grad mode: whether new operations record their operands.

Recording is what makes ``backward()`` possible, and it costs time and memory. Inside
``no_grad()`` results are plain constants without parents, exactly as in PyTorch. The switch is
thread-local, so one thread evaluating a model never stops another from training.

Reading thread-local state costs more than the rest of recording a node, so the engine first
reads :data:`unusual`, a process-wide count of the threads that are in an unusual state (inside a
``no_grad()`` or ``enable_grad()`` block, or watched by a tool through :mod:`autograd_lite.hooks`).
While it is 0, every thread records as usual and nothing thread-local needs to be read.
"""

from __future__ import annotations

import threading
from contextlib import ContextDecorator
from types import TracebackType


class _GradMode(threading.local):
    enabled: bool = True


_mode = _GradMode()


class _UnusualCount:
    """How many threads are in an unusual state; 0 means the engine may take its usual path."""

    __slots__ = ("count", "_lock")

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def enter(self) -> None:
        """A thread enters an unusual state (each ``enter`` is paired with one ``leave``)."""
        with self._lock:
            self.count += 1

    def leave(self) -> None:
        """A thread leaves the unusual state it entered."""
        with self._lock:
            self.count -= 1


#: The count the engine reads before any thread-local state.
unusual = _UnusualCount()


def is_grad_enabled() -> bool:
    """Whether new operations record their operands, in this thread (PyTorch's name).

    Returns:
        True by default; False inside ``no_grad()`` (unless an ``enable_grad()`` is nested).

    Raises:
        Nothing: it only reads the thread's mode.

    Example:
        >>> from autograd_lite import is_grad_enabled, no_grad
        >>> with no_grad():
        ...     print(is_grad_enabled())
        False
        >>> is_grad_enabled()
        True
    """
    return _mode.enabled


class _SetGradMode(ContextDecorator):
    """Set grad mode inside a ``with`` block (or a decorated function), then restore it."""

    _enabled: bool

    def __init__(self) -> None:
        self._saved: list[bool] = []  # a stack, so one instance may be entered re-entrantly

    def __enter__(self) -> None:
        self._saved.append(_mode.enabled)
        _mode.enabled = self._enabled
        unusual.enter()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _mode.enabled = self._saved.pop()
        unusual.leave()


class no_grad(_SetGradMode):  # noqa: N801 - named like torch.no_grad, which it mirrors
    """Operations inside record nothing: their results are constants with no parents.

    Use it for evaluation and for parameter updates, as ``torch.no_grad``. Blocks nest, and
    leaving one restores the mode in force before it, even when an exception passes through.
    Works as a decorator too. The mode is per thread.

    Raises:
        Nothing: entering and leaving never fail.

    Example:
        >>> from autograd_lite import Value, no_grad
        >>> w = Value(2.0)
        >>> with no_grad():
        ...     y = w * 3.0
        >>> y.data, y.requires_grad
        (6.0, False)
    """

    _enabled = False


class enable_grad(_SetGradMode):  # noqa: N801 - named like torch.enable_grad
    """Turn recording back on inside a ``no_grad()`` block (``torch.enable_grad``).

    Raises:
        Nothing: entering and leaving never fail.

    Example:
        >>> from autograd_lite import Value, enable_grad, no_grad
        >>> w = Value(2.0)
        >>> with no_grad(), enable_grad():
        ...     y = w * 3.0
        >>> y.requires_grad
        True
    """

    _enabled = True
