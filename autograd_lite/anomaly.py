"""Anomaly detection: stop at the first operation that produces a NaN or an infinity.

A NaN rarely announces itself where it is born: it flows on through every later operation and
surfaces as a NaN loss many steps away. Inside ``detect_anomaly()`` every operation checks its
result as it is computed, and the backward pass checks every gradient it sends to an operand. The
first non-finite number raises :class:`AnomalyError`, naming the operation, its inputs and the line
of your code that created the node.

The mode costs nothing when it is off: it watches the engine through the one hook tools own
(:mod:`autograd_lite.hooks`), which the engine reads as a single ``is None`` test. When it is on,
each new node also records where it was created, in a table
keyed by the node's ``id`` (Values have no ``__weakref__`` slot, and no per-node field is spent on
this). The table belongs to the outermost ``detect_anomaly()`` block and is cleared when that
block ends, so an ``id`` reused after a node is freed is overwritten by the new node's own site,
never misreported.
"""

from __future__ import annotations

import linecache
import math
import os
import sys
import threading
from collections.abc import Sequence
from contextlib import ContextDecorator
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

from . import hooks

if TYPE_CHECKING:
    from .ops import Operation
    from .value import Value

#: Frames from files in this folder are the engine's own, never "your code".
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


class AnomalyError(RuntimeError):
    """An operation or a gradient was NaN or infinite while ``detect_anomaly()`` was on.

    The message names the operation, its inputs and the line of user code that created the node.

    Example:
        >>> from autograd_lite import AnomalyError, Value, detect_anomaly
        >>> try:
        ...     with detect_anomaly():
        ...         x = Value(float("inf"))
        ...         y = x - x
        ... except AnomalyError as error:
        ...     print(str(error).splitlines()[0])
        detect_anomaly: operation '-' produced nan in the forward pass
    """


class _AnomalyMode(threading.local):
    enabled: bool = False
    depth: int = 0
    previous: hooks.Observer | None = None  # the observer installed before the outermost block

    def __init__(self) -> None:
        #: id(node) -> (file, line, function) of the user code that created the node.
        self.sites: dict[int, tuple[str, int, str]] = {}


_anomaly = _AnomalyMode()


def is_anomaly_enabled() -> bool:
    """Whether anomaly detection is on in this thread (``torch.is_anomaly_enabled``).

    Returns:
        True inside a ``detect_anomaly()`` block, else False.

    Raises:
        Nothing: it only reads the thread's mode.

    Example:
        >>> from autograd_lite import detect_anomaly, is_anomaly_enabled
        >>> with detect_anomaly():
        ...     print(is_anomaly_enabled())
        True
        >>> is_anomaly_enabled()
        False
    """
    return _anomaly.enabled


class detect_anomaly(ContextDecorator):  # noqa: N801 - named like torch.autograd.detect_anomaly
    """Raise :class:`AnomalyError` at the first NaN or infinite value or gradient.

    Build the graph *and* run the backward pass inside the block: the line that created a node is
    only known for nodes created while the mode is on. Blocks nest; works as a decorator too.
    Named after PyTorch's ``torch.autograd.detect_anomaly``; it slows every operation down, so
    use it to find a NaN, not while training normally.

    Raises:
        AnomalyError: inside the block, at the first operation whose result is NaN or infinite,
            or the first gradient sent back to an operand that is.

    Example:
        >>> from autograd_lite import AnomalyError, Value, detect_anomaly
        >>> big = Value(float("inf"))
        >>> try:
        ...     with detect_anomaly():
        ...         y = big * 0.0
        ... except AnomalyError as error:
        ...     print(str(error).splitlines()[1].strip())
        inputs: [inf, 0.0]
    """

    def __enter__(self) -> None:
        _anomaly.depth += 1
        if _anomaly.depth == 1:
            _anomaly.enabled = True
            _anomaly.previous = hooks.install(_AnomalyObserver())

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        _anomaly.depth -= 1
        if _anomaly.depth == 0:
            hooks.restore(_anomaly.previous)
            _anomaly.enabled = False
            _anomaly.sites.clear()


class _AnomalyObserver(hooks.Observer):
    """What ``detect_anomaly()`` installs in the engine's hook while it is on."""

    def recorded(self, operation: Operation, parents: Sequence[Value], out: Value) -> None:
        check_forward(operation, parents, out)

    def sent(self, node: Value, local: Sequence[Any], node_grad: Any) -> None:
        check_backward(node, local, node_grad)

    def describe(self, node: Value) -> str:
        return _describe_site(_anomaly.sites.get(id(node)))


# --- the two checks, called through the engine's hook while the mode is on ---------------------


def check_forward(operation: Operation, parents: Sequence[Value], out: Value) -> None:
    """Remember where ``out`` was created; raise if its value is NaN or infinite."""
    site = _user_site()
    if site is not None:
        _anomaly.sites[id(out)] = site
    if not math.isfinite(out.data):
        raise AnomalyError(
            f"detect_anomaly: operation '{operation.name}' produced {out.data} in the forward "
            f"pass\n  inputs: {[p.data for p in parents]}\n{_describe_site(site)}"
        )


def check_backward(node: Value, local: Sequence[Any], node_grad: Any) -> None:
    """Raise if a gradient that ``node``'s operation sends to one of its operands is not finite.

    ``local`` holds the operation's local derivatives (None for an operand that needs none) and
    ``node_grad`` the gradient arriving at ``node`` (floats, or Values when a graph of the
    derivative is being built).
    """
    operation = node.operation
    assert operation is not None  # only operation nodes pass gradients on
    for position, (parent, local_grad) in enumerate(zip(node.parents, local, strict=True)):
        if local_grad is None or not parent.requires_grad:  # nothing flows into a constant
            continue
        sent = float(local_grad) * float(node_grad)
        if math.isfinite(sent):
            continue
        raise AnomalyError(
            f"detect_anomaly: the backward pass through '{operation.name}' produced {sent} for "
            f"its input {position + 1} of {len(node.parents)}\n"
            f"  inputs: {[p.data for p in node.parents]} (output {node.data})\n"
            f"  local derivative: {float(local_grad)}, gradient arriving: {float(node_grad)}\n"
            f"{_describe_site(_anomaly.sites.get(id(node)))}"
        )


# --- where a node was created --------------------------------------------------------------------


def _user_site() -> tuple[str, int, str] | None:
    """The innermost stack frame outside this package: the line that asked for the operation."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame = frame.f_back
    if frame is None:
        return None
    return frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name


def _describe_site(site: tuple[str, int, str] | None) -> str:
    if site is None:
        return (
            "  created at: unknown (the node was created outside detect_anomaly(); build the "
            "graph inside the block to see where)"
        )
    filename, line, function = site
    source = linecache.getline(filename, line).strip()
    return f"  created at: {filename}:{line}, in {function}\n      {source}"
