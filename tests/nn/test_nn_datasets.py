"""Datasets: deterministic from a seed, the right shapes, balanced classes, a clean split."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn import datasets

CLASSIFIERS: dict[str, tuple[Callable[..., Any], dict[str, Any], int]] = {
    "xor": (datasets.xor, {}, 2),
    "moons": (datasets.moons, {}, 2),
    "circles": (datasets.circles, {}, 2),
    "spirals": (datasets.spirals, {"n_classes": 4}, 4),
    "blobs": (datasets.blobs, {"centers": 3}, 3),
}


@pytest.mark.parametrize("name", sorted(CLASSIFIERS))
@settings(max_examples=15, deadline=None)
@given(n=st.integers(8, 120), seed=st.integers(0, 10**6))
def test_classification_sets_are_deterministic_shaped_and_balanced(
    name: str, n: int, seed: int
) -> None:
    make, options, k = CLASSIFIERS[name]
    xs, y = make(n_samples=n, seed=seed, **options)
    assert (xs, y) == make(n_samples=n, seed=seed, **options)
    assert make(n_samples=n, seed=seed + 1, **options)[0] != xs
    assert len(xs) == len(y) == n
    assert all(isinstance(p, list) and len(p) == 2 for p in xs)
    assert all(isinstance(c, float) and math.isfinite(c) for p in xs for c in p)
    assert all(type(label) is int for label in y)
    counts = Counter(y)
    assert set(counts) == set(range(k))
    assert max(counts.values()) - min(counts.values()) <= 1


def test_xor_without_noise_is_the_truth_table() -> None:
    xs, y = datasets.xor(n_samples=4, noise=0.0)
    assert sorted(zip(map(tuple, xs), y, strict=True)) == [
        ((0.0, 0.0), 0), ((0.0, 1.0), 1), ((1.0, 0.0), 1), ((1.0, 1.0), 0)
    ]


def test_moons_without_noise_lie_on_their_arcs() -> None:
    xs, y = datasets.moons(n_samples=50, noise=0.0)
    for (a, b), label in zip(xs, y, strict=True):
        centre = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.hypot(a - centre[0], b - centre[1]) == pytest.approx(1.0)
        assert (b >= -1e-12) if label == 0 else (b <= 0.5 + 1e-12)


def test_circles_radii() -> None:
    xs, y = datasets.circles(n_samples=40, noise=0.0, factor=0.3)
    for p, label in zip(xs, y, strict=True):
        assert math.hypot(*p) == pytest.approx(1.0 if label == 0 else 0.3)


def test_blobs_with_given_centres_gather_around_them() -> None:
    xs, y = datasets.blobs(n_samples=300, centers=[[5.0, 5.0, 5.0], [-5.0, 0.0, 5.0]], std=0.5)
    assert all(len(p) == 3 for p in xs)
    for label, centre in enumerate([[5.0, 5.0, 5.0], [-5.0, 0.0, 5.0]]):
        mine = [p for p, c in zip(xs, y, strict=True) if c == label]
        for axis in range(3):
            assert sum(p[axis] for p in mine) / len(mine) == pytest.approx(centre[axis], abs=0.2)


def test_regression_curve() -> None:
    xs, y = datasets.regression_1d(n_samples=30, noise=0.0, seed=3)
    assert all(len(p) == 1 and -1.0 <= p[0] <= 1.0 for p in xs)
    assert y == [math.sin(3 * p[0]) + 0.5 * p[0] for p in xs]
    assert datasets.regression_1d(30, seed=3) == datasets.regression_1d(30, seed=3)


def test_signed_labels() -> None:
    assert datasets.signed_labels([0, 1, 1, 0]) == [-1, 1, 1, -1]
    with pytest.raises(ValueError, match="0/1 labels"):
        datasets.signed_labels([0, 2])


def test_train_test_split_partitions_the_data_reproducibly() -> None:
    xs, y = datasets.moons(n_samples=40, seed=1)
    xs_train, xs_test, ys_train, ys_test = datasets.train_test_split(xs, y, test_size=0.25, seed=2)
    assert len(xs_test) == len(ys_test) == 10 and len(xs_train) == len(ys_train) == 30
    pairs = sorted(zip(map(tuple, xs_train + xs_test), ys_train + ys_test, strict=True))
    assert pairs == sorted(zip(map(tuple, xs), y, strict=True))
    assert datasets.train_test_split(xs, y, test_size=0.25, seed=2)[1] == xs_test
    with pytest.raises(ValueError, match="test_size"):
        datasets.train_test_split(xs, y, test_size=1.5)
    with pytest.raises(ValueError, match="40 points but 3 labels"):
        datasets.train_test_split(xs, y[:3])


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="n_samples"):
        datasets.moons(n_samples=0)
    with pytest.raises(ValueError, match="noise"):
        datasets.circles(noise=-1.0)
    with pytest.raises(ValueError, match="n_classes"):
        datasets.spirals(n_classes=1)
