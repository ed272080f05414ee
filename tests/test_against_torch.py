"""Random expression graphs with shared subexpressions, through autograd-lite and PyTorch (float64).

Hypothesis draws a small program: leaves, then steps that each apply an operation to earlier
results (so results are reused: fan-out and shared subexpressions arise naturally). The same
program runs in both engines; every node's data and every leaf's gradient must agree.
"""

from __future__ import annotations

from typing import Any

import pytest
import torch  # make test installs torch==2.13.0, the reference these tests compare against
from hypothesis import given, settings

from autograd_lite import Value
from tests.programs import OursLib, Program, programs, run


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
    tan, sinh, cosh = staticmethod(torch.tan), staticmethod(torch.sinh), staticmethod(torch.cosh)
    asin, acos, atan = staticmethod(torch.asin), staticmethod(torch.acos), staticmethod(torch.atan)
    atan2, hypot = staticmethod(torch.atan2), staticmethod(torch.hypot)
    log1p, expm1 = staticmethod(torch.log1p), staticmethod(torch.expm1)
    log2, log10 = staticmethod(torch.log2), staticmethod(torch.log10)
    maximum, minimum = staticmethod(torch.maximum), staticmethod(torch.minimum)
    clamp, floor = staticmethod(torch.clamp), staticmethod(torch.floor)
    sign = staticmethod(torch.sign)

    @staticmethod
    def linear(w: list[Any], x: list[Any], b: Any) -> Any:
        return torch.dot(torch.stack(w), torch.stack(x)) + b

    @staticmethod
    def total(xs: list[Any]) -> Any:
        return torch.stack(xs).sum()

    @staticmethod
    def softplus(x: Any) -> Any:
        # torch's softplus switches to x above a threshold; compare against the exact formula.
        # log(e**x + e**0) has the exact derivative sigmoid(x) everywhere, also at x = 0, where
        # the |x| and clamp form gets 1 instead of 0.5 from its kinks.
        return torch.logaddexp(x, torch.zeros_like(x))


@settings(max_examples=150)
@given(programs())
def test_random_graphs_match_pytorch_in_float64(
    program: Program,
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
