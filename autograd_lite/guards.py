"""Guards: the decisions a traced function took by looking at data.

A tape replays the operations a function recorded once. If the function's Python control flow
looked at a number (``if x > 0:``), another input could take another path, and replaying the old
path would give a wrong answer. While a function is being traced, every comparison of Values and
every conversion of a Value to a float is noted here as a guard; the replay checks each guard and
refuses (or re-traces) when one no longer holds.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .value import Value


class Guard(NamedTuple):
    """``left symbol right`` evaluated to ``outcome`` while tracing."""

    left: Value
    symbol: str  # one of < <= > >= ==
    right: Value
    outcome: bool


class _GuardLog(threading.local):
    guards: list[Guard] | None = None  # a list only while a trace is being recorded


log = _GuardLog()
