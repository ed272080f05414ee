"""Derivatives of every order from this engine and from PyTorch 2.13 (float64), side by side.

``nested_grads``/``torch_grads`` give [f', f'', ...] of a one-variable function;
``our_partials``/``torch_partials`` every partial derivative of each order, flattened in the
same order (for each derivative of the previous order, its partials in each input).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from autograd_lite import Value, grad, gradients

REL, ABS = 1e-10, 1e-12


def close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL, abs_tol=ABS)


def nested_grads(f: Callable[..., Any], x: float, order: int) -> list[float]:
    """[f'(x), f''(x), ...] from grad(grad(...(f)))."""
    results, derivative = [], f
    for _ in range(order):
        derivative = grad(derivative)
        results.append(derivative(x))
    return results


def torch_grads(f: Callable[..., Any], x: float, order: int) -> list[float]:
    """The same derivatives from torch.autograd.grad(create_graph=True) in float64."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y, results = f(t), []
    for _ in range(order):
        if not y.requires_grad:  # a constant derivative: every later one is 0
            results.append(0.0)
            continue
        (y,) = torch.autograd.grad(y, t, create_graph=True)
        results.append(y.item())
    return results


def our_partials(f: Callable[..., Any], point: tuple[float, ...], order: int) -> list[list[float]]:
    """All partial derivatives of order 1..order, flattened per order, via gradients()."""
    xs = [Value(p) for p in point]
    level, results = [f(*xs)], []
    for _ in range(order):
        nxt: list[Value] = []
        for y in level:
            if y.requires_grad:
                nxt.extend(gradients(y, xs, create_graph=True))
            else:
                nxt.extend(Value(0.0, requires_grad=False) for _ in xs)
        level = nxt
        results.append([v.data for v in level])
    return results


def torch_partials(
    f: Callable[..., Any], point: tuple[float, ...], order: int
) -> list[list[float]]:
    xs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
    level, results = [f(*xs)], []
    for _ in range(order):
        nxt: list[Any] = []
        for y in level:
            if y.requires_grad:
                nxt.extend(torch.autograd.grad(y, xs, create_graph=True, allow_unused=True,
                                               materialize_grads=True))
            else:
                nxt.extend(torch.zeros((), dtype=torch.float64) for _ in xs)
        level = nxt
        results.append([t.item() for t in level])
    return results
