"""Guards: the decisions a traced function took by looking at data.

A tape replays the operations a function recorded once. If the function's Python control flow
looked at a number (``if x > 0:``), another input could take another path, and replaying the old
path would give a wrong answer. While a function is being traced, every comparison of Values and
every conversion of a Value to a float is noted as a guard (through the engine's hook,
:mod:`autograd_lite.hooks`); the replay checks each guard and refuses (or re-traces) when one no
longer holds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, NamedTuple

from . import hooks

if TYPE_CHECKING:
    from .value import Value


class Guard(NamedTuple):
    """``left symbol right`` evaluated to ``outcome`` while tracing."""

    left: Value
    symbol: str  # one of < <= > >= ==
    right: Value
    outcome: bool


class _GuardRecorder(hooks.Observer):
    """Notes every comparison the engine reports."""

    def __init__(self) -> None:
        self.guards: list[Guard] = []

    def compared(self, left: Value, symbol: str, right: Value, outcome: bool) -> None:
        self.guards.append(Guard(left, symbol, right, outcome))


@contextmanager
def recording() -> Iterator[list[Guard]]:
    """Note the guards of the code run inside the block (in this thread) in the list it gives.

    Yields:
        The list the guards are appended to, in the order they were evaluated.

    Example:
        >>> from autograd_lite import Value
        >>> with recording() as found:
        ...     x = Value(2.0)
        ...     big = x > 1
        >>> [(guard.symbol, guard.outcome) for guard in found]
        [('>', True)]
    """
    recorder = _GuardRecorder()
    previous = hooks.install(recorder, instead_of=_GuardRecorder)
    try:
        yield recorder.guards
    finally:
        hooks.restore(previous)
