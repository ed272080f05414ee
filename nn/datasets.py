"""Small synthetic data sets, made deterministically from a seed (no scikit-learn needed).

Every generator returns ``(X, y)`` as plain lists: ``X`` one ``[x1, x2, ...]`` list of floats per
point, ``y`` one label per point, in a shuffled order fixed by ``seed``.

Labels: the classification sets (``xor``, ``moons``, ``circles``, ``spirals``, ``blobs``) use
class indices ``0, 1, ...`` (ints). For the max-margin (hinge) loss, which wants -1/+1, convert
with :func:`signed_labels`. ``regression_1d`` returns float targets.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
Points = list[list[float]]


def xor(n_samples: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[Points, list[int]]:
    """Points near the four corners of the unit square, labelled ``x1 XOR x2`` (0 or 1).

    The corners are used in turn, so the classes are balanced; with ``n_samples=4`` and
    ``noise=0`` it is the truth table itself (shuffled, like every set here).

    Args:
        n_samples: how many points, a positive int (default 100).
        noise: the spread of the Gaussian noise added to each coordinate, >= 0 (default 0.1).
        seed: the random seed (default 0).

    Returns:
        ``(X, y)``: ``n_samples`` rows ``[x1, x2]`` and as many 0/1 labels.

    Raises:
        ValueError: if ``n_samples`` is not a positive int or ``noise`` is negative or not
            finite.

    Example:
        >>> X, y = xor(4, noise=0.0)
        >>> sorted((tuple(p), label) for p, label in zip(X, y))
        [((0.0, 0.0), 0), ((0.0, 1.0), 1), ((1.0, 0.0), 1), ((1.0, 1.0), 0)]
    """
    _check(n_samples, noise)
    rng = random.Random(seed)
    corners = [(0, 0), (0, 1), (1, 0), (1, 1)]
    points, y = [], []
    for i in range(n_samples):
        a, b = corners[i % 4]
        points.append([a + rng.gauss(0.0, noise), b + rng.gauss(0.0, noise)])
        y.append(a ^ b)
    return _shuffled(points, y, rng)


def moons(n_samples: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[Points, list[int]]:
    """Two interleaving half circles (the shape of scikit-learn's ``make_moons``).

    Class 0 is the upper arc (cos t, sin t), class 1 the lower one (1 - cos t, 0.5 - sin t),
    for t evenly spaced in [0, pi], plus Gaussian noise of spread ``noise``.

    Args:
        n_samples: how many points, a positive int (default 100); class 0 gets the odd one.
        noise: the spread of the Gaussian noise, >= 0 (default 0.1).
        seed: the random seed (default 0).

    Returns:
        ``(X, y)``: rows ``[x1, x2]`` and 0/1 labels.

    Raises:
        ValueError: if ``n_samples`` is not a positive int or ``noise`` is negative or not
            finite.

    Example:
        >>> X, y = moons(10, seed=1)
        >>> len(X), sum(y)
        (10, 5)
    """
    _check(n_samples, noise)
    rng = random.Random(seed)
    n_upper = n_samples // 2 + n_samples % 2
    n_lower = n_samples // 2
    points, y = [], []
    for label, count in ((0, n_upper), (1, n_lower)):
        for t in _linspace(0.0, math.pi, count):
            if label == 0:
                point = [math.cos(t), math.sin(t)]
            else:
                point = [1.0 - math.cos(t), 0.5 - math.sin(t)]
            points.append([c + rng.gauss(0.0, noise) for c in point])
            y.append(label)
    return _shuffled(points, y, rng)


def circles(
    n_samples: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int = 0
) -> tuple[Points, list[int]]:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (in (0, 1)).

    Args:
        n_samples: how many points, a positive int (default 100).
        noise: the spread of the Gaussian noise, >= 0 (default 0.05).
        factor: the inner radius, in (0, 1) (default 0.5).
        seed: the random seed (default 0).

    Returns:
        ``(X, y)``: rows ``[x1, x2]`` and 0/1 labels (1 inside).

    Raises:
        ValueError: if ``factor`` is outside (0, 1), ``n_samples`` is not a positive int or
            ``noise`` is negative.

    Example:
        >>> X, y = circles(8, noise=0.0)
        >>> [round(x1 * x1 + x2 * x2, 6) for (x1, x2), label in zip(X, y) if label == 1]
        [0.25, 0.25, 0.25, 0.25]
    """
    _check(n_samples, noise)
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor must be between 0 and 1, got {factor!r}")
    rng = random.Random(seed)
    n_outer = n_samples // 2 + n_samples % 2
    points, y = [], []
    for label, count, radius in ((0, n_outer, 1.0), (1, n_samples - n_outer, factor)):
        for i in range(count):
            t = 2 * math.pi * i / count
            points.append([radius * math.cos(t) + rng.gauss(0.0, noise),
                      radius * math.sin(t) + rng.gauss(0.0, noise)])
            y.append(label)
    return _shuffled(points, y, rng)


def spirals(
    n_samples: int = 150, n_classes: int = 3, noise: float = 0.2, seed: int = 0
) -> tuple[Points, list[int]]:
    """``n_classes`` arms winding out from the centre (CS231n's spiral data), classes 0..k-1.

    Arm k has radius r from 0 to 1 and angle 4k + 4r + noise; counts differ by at most one.

    Args:
        n_samples: how many points, a positive int (default 150).
        n_classes: how many arms, an int >= 2 (default 3).
        noise: the spread of the Gaussian noise on the angle, >= 0 (default 0.2).
        seed: the random seed (default 0).

    Returns:
        ``(X, y)``: rows ``[x1, x2]`` and class indices 0..n_classes-1.

    Raises:
        ValueError: if ``n_classes`` < 2, ``n_samples`` is not a positive int or ``noise`` is
            negative.

    Example:
        >>> X, y = spirals(9, n_classes=3)
        >>> sorted(set(y)), [y.count(k) for k in range(3)]
        ([0, 1, 2], [3, 3, 3])
    """
    _check(n_samples, noise)
    _check_count(n_classes, "spirals: n_classes", minimum=2)
    rng = random.Random(seed)
    points, y = [], []
    for label, count in enumerate(_split_evenly(n_samples, n_classes)):
        for r in _linspace(0.0, 1.0, count):
            t = 4.0 * label + 4.0 * r + rng.gauss(0.0, noise)
            points.append([r * math.sin(t), r * math.cos(t)])
            y.append(label)
    return _shuffled(points, y, rng)


def blobs(
    n_samples: int = 100,
    centers: int | Sequence[Sequence[float]] = 3,
    std: float = 1.0,
    n_features: int = 2,
    seed: int = 0,
) -> tuple[Points, list[int]]:
    """Gaussian clouds of spread ``std``, one class per centre; counts differ by at most one.

    Args:
        n_samples: how many points, a positive int (default 100).
        centers: a list of points, or a number of centres drawn uniformly in [-10, 10]
            (default 3).
        std: the spread of each cloud, >= 0 (default 1.0).
        n_features: the dimension when ``centers`` is a number (default 2).
        seed: the random seed (default 0).

    Returns:
        ``(X, y)``: rows of ``n_features`` numbers and class indices, one class per centre.

    Raises:
        ValueError: if the centres are empty or of mixed dimensions, a count is not a positive
            int, or ``std`` is negative.

    Example:
        >>> X, y = blobs(6, centers=[[0.0, 0.0], [5.0, 5.0]], std=0.0)
        >>> sorted({tuple(p) for p in X})
        [(0.0, 0.0), (5.0, 5.0)]
    """
    _check(n_samples, std)
    rng = random.Random(seed)
    if isinstance(centers, int):
        _check_count(centers, "blobs: centers", minimum=1)
        _check_count(n_features, "blobs: n_features", minimum=1)
        centres = [[rng.uniform(-10.0, 10.0) for _ in range(n_features)] for _ in range(centers)]
    else:
        centres = [[float(c) for c in centre] for centre in centers]
        if not centres or len({len(c) for c in centres}) != 1:
            raise ValueError("blobs: centers must be a non-empty list of points of one dimension")
    points, y = [], []
    for label, count in enumerate(_split_evenly(n_samples, len(centres))):
        for _ in range(count):
            points.append([c + rng.gauss(0.0, std) for c in centres[label]])
            y.append(label)
    return _shuffled(points, y, rng)


def regression_1d(
    n_samples: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[Points, list[float]]:
    """A curve to fit: x uniform in [-1, 1], y = sin(3x) + 0.5x + Gaussian noise.

    Args:
        n_samples: how many points, a positive int (default 100).
        noise: the spread of the Gaussian noise on y, >= 0 (default 0.1).
        seed: the random seed (default 0).

    Returns:
        ``(X, y)``: rows ``[x]`` and float targets.

    Raises:
        ValueError: if ``n_samples`` is not a positive int or ``noise`` is negative or not
            finite.

    Example:
        >>> X, y = regression_1d(3, noise=0.0)
        >>> import math
        >>> all(abs(t - (math.sin(3 * x) + 0.5 * x)) < 1e-12 for (x,), t in zip(X, y))
        True
    """
    _check(n_samples, noise)
    rng = random.Random(seed)
    xs = [rng.uniform(-1.0, 1.0) for _ in range(n_samples)]
    return [[x] for x in xs], [math.sin(3 * x) + 0.5 * x + rng.gauss(0.0, noise) for x in xs]


def signed_labels(y: Sequence[int]) -> list[int]:
    """0/1 labels as -1/+1 (for the hinge loss): 0 -> -1, 1 -> +1.

    Args:
        y: labels, each 0 or 1.

    Returns:
        A new list of -1/+1 labels.

    Raises:
        ValueError: naming the first label that is not 0 or 1.

    Example:
        >>> signed_labels([0, 1, 1])
        [-1, 1, 1]
    """
    bad = [label for label in y if label not in (0, 1)]
    if bad:
        raise ValueError(f"signed_labels: expected 0/1 labels, got {bad[0]!r}")
    return [2 * label - 1 for label in y]


def train_test_split(
    X: Sequence[T],  # noqa: N803 - X and y, as in scikit-learn
    y: Sequence[object],
    test_size: float = 0.25,
    seed: int = 0,
) -> tuple[list[T], list[T], list[object], list[object]]:
    """``X_train, X_test, y_train, y_test`` after a seeded shuffle (scikit-learn's order).

    Args:
        X: the points.
        y: one label per point.
        test_size: the test fraction, in (0, 1) (default 0.25); the test part has
            ceil(test_size * n) points.
        seed: the random seed of the shuffle (default 0).

    Returns:
        ``(X_train, X_test, y_train, y_test)`` as new lists.

    Raises:
        ValueError: if ``X`` and ``y`` differ in length, ``test_size`` is outside (0, 1), or
            the data is too small for two non-empty parts.

    Example:
        >>> X_train, X_test, y_train, y_test = train_test_split(list(range(8)), [0] * 8)
        >>> len(X_train), len(X_test)
        (6, 2)
    """
    if len(X) != len(y):
        raise ValueError(f"train_test_split: {len(X)} points but {len(y)} labels")
    if not 0 < test_size < 1:
        raise ValueError(f"train_test_split: test_size must be in (0, 1), got {test_size!r}")
    n_test = math.ceil(test_size * len(X))
    if not 0 < n_test < len(X):
        raise ValueError(
            f"train_test_split: {len(X)} points cannot give both a train and a test part"
        )
    order = list(range(len(X)))
    random.Random(seed).shuffle(order)
    test, train = order[:n_test], order[n_test:]
    return [X[i] for i in train], [X[i] for i in test], [y[i] for i in train], [y[i] for i in test]


# --- helpers --------------------------------------------------------------------------------


def _linspace(start: float, stop: float, count: int) -> list[float]:
    if count == 1:
        return [start]
    return [start + (stop - start) * i / (count - 1) for i in range(count)]


def _split_evenly(n: int, parts: int) -> list[int]:
    return [n // parts + (1 if i < n % parts else 0) for i in range(parts)]


def _shuffled(points: Points, y: list[int], rng: random.Random) -> tuple[Points, list[int]]:
    order = list(range(len(points)))
    rng.shuffle(order)
    return [points[i] for i in order], [y[i] for i in order]


def _check(n_samples: int, noise: float) -> None:
    _check_count(n_samples, "n_samples", minimum=1)
    if not (isinstance(noise, (int, float)) and 0 <= noise < math.inf):
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")


def _check_count(n: object, what: str, minimum: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
        raise ValueError(f"{what} must be an int >= {minimum}, got {n!r}")
