"""The one hook through which tools watch the engine: anomaly detection and tracing.

The engine never calls a tool by name. It reads one thread-local slot, :data:`slot`, whose
``observer`` is None unless a tool is watching; when it is set, the engine tells the observer
what happened (a result was recorded, two Values were compared, a node sent its derivatives to
its operands). ``detect_anomaly()`` and ``trace()`` each install an observer of their own for as
long as they run. Installing counts the thread as unusual (``grad_mode.unusual``), so while no
tool watches, recording a node does not even read the slot.

This module sits below ``value`` and ``graph``: it knows nodes only as type hints.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .grad_mode import unusual

if TYPE_CHECKING:  # type hints only
    from .ops import Operation
    from .value import Value


class Observer:
    """What the engine tells a watching tool; each method does nothing unless overridden.

    Example:
        >>> from autograd_lite import Value
        >>> class Counter(Observer):
        ...     count = 0
        ...     def recorded(self, operation, parents, out):
        ...         self.count += 1
        >>> counter = Counter()
        >>> previous = install(counter)
        >>> _ = Value(1.0) * 2 + 1
        >>> restore(previous)
        >>> counter.count
        2
    """

    def recorded(self, operation: Operation, parents: Sequence[Value], out: Value) -> None:
        """``operation`` computed ``out`` from ``parents`` (recorded in the graph or not)."""

    def compared(self, left: Value, symbol: str, right: Value, outcome: bool) -> None:
        """``left symbol right`` was evaluated on data (``==`` when a Value became a float)."""

    def sent(self, node: Value, local: Sequence[Any], node_grad: Any) -> None:
        """``node`` sends ``local[i] * node_grad`` to each operand ``i`` that needs a gradient.

        ``local[i]`` is None for an operand that needs no gradient.
        """

    def describe(self, node: Value) -> str:
        """A line to add to an error about ``node`` (where it was created), or ``""``."""
        return ""


class _All(Observer):
    """Several observers installed at once (a trace inside ``detect_anomaly()``, say)."""

    def __init__(self, members: tuple[Observer, ...]) -> None:
        self.members = members

    def recorded(self, operation: Operation, parents: Sequence[Value], out: Value) -> None:
        for member in self.members:
            member.recorded(operation, parents, out)

    def compared(self, left: Value, symbol: str, right: Value, outcome: bool) -> None:
        for member in self.members:
            member.compared(left, symbol, right, outcome)

    def sent(self, node: Value, local: Sequence[Any], node_grad: Any) -> None:
        for member in self.members:
            member.sent(node, local, node_grad)

    def describe(self, node: Value) -> str:
        return next((text for m in self.members if (text := m.describe(node))), "")


class _Slot(threading.local):
    observer: Observer | None = None  # None: nobody is watching (this thread)


#: The hook the engine reads. Set it through :func:`install` and :func:`restore`.
slot = _Slot()


def install(observer: Observer, *, instead_of: type[Observer] | None = None) -> Observer | None:
    """Start telling ``observer``, besides the observers already installed, in this thread.

    Args:
        observer: The tool's observer.
        instead_of: Observers of this class stop being told until :func:`restore` (a trace
            inside a traced function keeps its guards to itself).

    Returns:
        What was installed before: pass it to :func:`restore` when the tool stops watching.
    """
    previous = slot.observer
    members = previous.members if isinstance(previous, _All) else (previous,)
    kept = [m for m in members if m is not None and not (instead_of and isinstance(m, instead_of))]
    kept.append(observer)
    slot.observer = kept[0] if len(kept) == 1 else _All(tuple(kept))
    unusual.enter()
    return previous


def restore(previous: Observer | None) -> None:
    """Put back the observer :func:`install` returned (None: nobody watches any more)."""
    slot.observer = previous
    unusual.leave()
