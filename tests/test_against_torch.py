"""Random expression graphs with shared subexpressions, through autograd-lite and PyTorch (float64).

Hypothesis draws a small program: leaves, then steps that each apply an operation to earlier
results (so results are reused: fan-out and shared subexpressions arise naturally). The same
program runs in both engines; every node's data and every leaf's gradient must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch  # make test installs torch==2.13.0, the reference these tests compare against
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite import Value


def _positive(lib: Any, x: Any) -> Any:
    """A positive quantity built from any x, for operations with a restricted domain."""
    return x * x + 0.5


# Each step: name -> (arity, function(lib, *operands)). `lib` is a namespace of elementary
# functions, the same names in both engines, so one definition serves both.
STEPS: dict[str, tuple[int, Callable[..., Any]]] = {
    "add": (2, lambda lib, a, b: a + b),
    "sub": (2, lambda lib, a, b: a - b),
    "mul": (2, lambda lib, a, b: a * b),
    "div": (2, lambda lib, a, b: a / _positive(lib, b)),
    "rsub": (1, lambda lib, a: 2.5 - a),
    "rdiv": (1, lambda lib, a: 1.5 / _positive(lib, a)),
    "neg": (1, lambda lib, a: -a),
    "square": (1, lambda lib, a: a**2),
    "cube": (1, lambda lib, a: a**3),
    "pow_value": (2, lambda lib, a, b: _positive(lib, a) ** lib.tanh(b)),
    "rpow": (1, lambda lib, a: 2 ** lib.tanh(a)),
    "abs": (1, lambda lib, a: lib.abs(a)),
    "exp": (1, lambda lib, a: lib.exp(lib.tanh(a))),
    "log": (1, lambda lib, a: lib.log(_positive(lib, a))),
    "sqrt": (1, lambda lib, a: lib.sqrt(_positive(lib, a))),
    "sin": (1, lambda lib, a: lib.sin(a)),
    "cos": (1, lambda lib, a: lib.cos(a)),
    "tanh": (1, lambda lib, a: lib.tanh(a)),
    "sigmoid": (1, lambda lib, a: lib.sigmoid(a)),
    "relu": (1, lambda lib, a: lib.relu(a)),
    "leaky_relu": (1, lambda lib, a: lib.leaky_relu(a)),
    "softplus": (1, lambda lib, a: lib.softplus(lib.tanh(a))),
    "linear": (3, lambda lib, a, b, c: lib.linear([a, b], [c, a], b)),
    "total": (3, lambda lib, a, b, c: lib.total([a, b, c, a])),
}


class OursLib:
    abs = staticmethod(abs)
    exp = staticmethod(al.exp)
    log = staticmethod(al.log)
    sqrt = staticmethod(al.sqrt)
    sin = staticmethod(al.sin)
    cos = staticmethod(al.cos)
    tanh = staticmethod(al.tanh)
    sigmoid = staticmethod(al.sigmoid)
    relu = staticmethod(al.relu)
    softplus = staticmethod(al.softplus)
    linear = staticmethod(al.linear)
    total = staticmethod(al.total)

    @staticmethod
    def leaky_relu(x: Value) -> Value:
        return x.leaky_relu()


class TorchLib:
    abs = staticmethod(abs)
    exp = staticmethod(torch.exp)
    log = staticmethod(torch.log)
    sqrt = staticmethod(torch.sqrt)
    sin = staticmethod(torch.sin)
    cos = staticmethod(torch.cos)
    tanh = staticmethod(torch.tanh)
    sigmoid = staticmethod(torch.sigmoid)
    relu = staticmethod(torch.relu)
    leaky_relu = staticmethod(torch.nn.functional.leaky_relu)

    @staticmethod
    def linear(w: list[Any], x: list[Any], b: Any) -> Any:
        return torch.dot(torch.stack(w), torch.stack(x)) + b

    @staticmethod
    def total(xs: list[Any]) -> Any:
        return torch.stack(xs).sum()

    @staticmethod
    def softplus(x: Any) -> Any:
        # torch's softplus switches to x above a threshold; compare against the exact formula
        return torch.log1p(torch.exp(-x.abs())) + torch.clamp(x, min=0)


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[float], list[tuple[str, list[int]]]]:
    leaves = draw(st.lists(st.floats(-2, 2), min_size=1, max_size=4))
    steps = []
    available = len(leaves)
    for _ in range(draw(st.integers(1, 14))):
        name = draw(st.sampled_from(sorted(STEPS)))
        arity = STEPS[name][0]
        # favour recent results a little, but any earlier node may be reused
        operands = [draw(st.integers(0, available - 1)) for _ in range(arity)]
        steps.append((name, operands))
        available += 1
    return leaves, steps


def run(program: tuple[list[float], list[tuple[str, list[int]]]], make_leaf: Any, lib: Any) -> Any:
    leaves_data, steps = program
    leaves = [make_leaf(x) for x in leaves_data]
    nodes = list(leaves)
    for name, operands in steps:
        nodes.append(STEPS[name][1](lib, *(nodes[i] for i in operands)))
    # the root uses every node, so every leaf and result contributes
    root = nodes[0]
    for node in nodes[1:]:
        root = root + node
    return leaves, nodes, root


@settings(max_examples=150)
@given(programs())
def test_random_graphs_match_pytorch_in_float64(
    program: tuple[list[float], list[tuple[str, list[int]]]],
) -> None:
    ours_leaves, ours_nodes, ours_root = run(program, Value, OursLib)
    ours_root.backward()

    def torch_leaf(x: float) -> Any:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    torch_leaves, torch_nodes, torch_root = run(program, torch_leaf, TorchLib)
    torch_root.backward()

    for ours, theirs in zip(ours_nodes, torch_nodes, strict=True):
        assert ours.data == pytest.approx(theirs.item(), rel=1e-12, abs=1e-12)
    for ours, theirs in zip(ours_leaves, torch_leaves, strict=True):
        expected = theirs.grad.item()
        assert ours.grad == pytest.approx(expected, rel=1e-9, abs=1e-12), program


def test_second_backward_accumulates_like_pytorch() -> None:
    x = Value(0.7)
    y = (x * x).tanh() + x.sin()
    y.backward()
    y.backward()
    t = torch.tensor(0.7, dtype=torch.float64, requires_grad=True)
    u = torch.tanh(t * t) + torch.sin(t)
    u.backward(retain_graph=True)
    u.backward()
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-12)
