"""Accuracy of a batch of predictions against their targets: one share in [0, 1] per function.

Each function takes the model's predictions (Values or numbers) and the targets in the shapes
the matching loss takes, and returns the share of points predicted right. Which one fits which
loss is recorded in :data:`nn.LOSSES`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd_lite import Value


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def sign_accuracy(predictions: Sequence[Any], targets: Sequence[Any]) -> float:
    """Share of scores on the side of 0 that their label says.

    Args:
        predictions: one score per point (a Value or a number); positive means the positive class.
        targets: one label per point, -1/+1 or 0/1 (a label above 0.5 is positive).

    Returns:
        The share of points whose score's sign matches the label, a float in [0, 1].

    Raises:
        ValueError: if ``predictions`` and ``targets`` differ in length.
        ZeroDivisionError: if both are empty.

    Example:
        >>> sign_accuracy([0.3, -2.0, 1.5], [1, -1, -1])
        0.6666666666666666
    """
    pairs = zip(predictions, targets, strict=True)
    hits = sum((_data(p) > 0) == (_data(t) > 0.5) for p, t in pairs)
    return hits / len(targets)


def threshold_accuracy(predictions: Sequence[Any], targets: Sequence[Any]) -> float:
    """Share of probabilities on the side of 0.5 that their 0/1 label is on.

    Args:
        predictions: one probability per point (a Value or a number in [0, 1]).
        targets: one 0/1 label per point.

    Returns:
        The share of points with ``(p > 0.5) == (label > 0.5)``, a float in [0, 1].

    Raises:
        ValueError: if ``predictions`` and ``targets`` differ in length.
        ZeroDivisionError: if both are empty.

    Example:
        >>> threshold_accuracy([0.9, 0.2, 0.6, 0.4], [1, 0, 0, 0])
        0.75
    """
    hits = sum(
        (_data(p) > 0.5) == (_data(t) > 0.5) for p, t in zip(predictions, targets, strict=True)
    )
    return hits / len(targets)


def argmax_accuracy(predictions: Sequence[Any], targets: Sequence[Any]) -> float:
    """Share of rows whose largest score sits at the target class index.

    Args:
        predictions: one row of class scores (Values or numbers) per point.
        targets: one class index (an int from 0) per point.

    Returns:
        The share of rows whose first largest score is at the target index, a float in [0, 1].

    Raises:
        ValueError: if ``predictions`` and ``targets`` differ in length.
        ZeroDivisionError: if both are empty.

    Example:
        >>> argmax_accuracy([[0.1, 2.0, -1.0], [3.0, 0.0, 0.5]], [1, 2])
        0.5
    """
    hits = 0
    for row, k in zip(predictions, targets, strict=True):
        scores = [_data(z) for z in row]
        hits += scores.index(max(scores)) == k
    return hits / len(targets)
