"""Optimizers and schedules against torch.optim on the same problem (20 steps, to 1e-9)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import torch

import nn
from autograd_lite import Value

POINTS = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.1, 0.1], [-1.2, -0.4]]
TARGETS = [0.3, -0.5, 0.9, 0.0, -0.2]


def _our_loss(model: nn.MLP) -> Value:
    return nn.mse([model(x) for x in POINTS], TARGETS)


def _torch_loss(model: nn.MLP, tensors: list[torch.Tensor]) -> torch.Tensor:
    """The same MLP (tanh hidden, linear output) written with one scalar tensor per parameter."""
    table = dict(zip([id(p) for p in model.parameters()], tensors, strict=True))
    total = torch.zeros((), dtype=torch.float64)
    for x, t in zip(POINTS, TARGETS, strict=True):
        h: list[Any] = x
        for i, layer in enumerate(model.layers):
            outs = []
            for n in layer.neurons:
                net = table[id(n.b)] + sum(table[id(w)] * xi for w, xi in zip(n.w, h, strict=True))
                outs.append(torch.tanh(net) if i < len(model.layers) - 1 else net)
            h = outs
        total = total + (h[0] - t) ** 2
    return total / len(POINTS)


def _run_both(
    ours_factory: Callable[[list[Value]], nn.Optimizer],
    torch_factory: Callable[[list[torch.Tensor]], torch.optim.Optimizer],
    steps: int = 20,
) -> None:
    model = nn.MLP(2, [4, 1], activation="tanh", seed=4)
    tensors = [torch.tensor(p.data, dtype=torch.float64, requires_grad=True)
               for p in model.parameters()]
    ours, theirs = ours_factory(model.parameters()), torch_factory(tensors)
    for _ in range(steps):
        ours.zero_grad()
        _our_loss(model).backward()
        ours.step()
        theirs.zero_grad()
        _torch_loss(model, tensors).backward()
        theirs.step()
    moved = [p.data for p in model.parameters()]
    assert moved == pytest.approx([t.item() for t in tensors], abs=1e-9, rel=0)
    assert _our_loss(model).data < 1.0


@pytest.mark.parametrize(
    "options",
    [
        {"lr": 0.1},
        {"lr": 0.05, "momentum": 0.9},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True},
        {"lr": 0.1, "weight_decay": 0.01},
        {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.02},
    ],
)
def test_sgd_matches_torch(options: dict[str, Any]) -> None:
    _run_both(lambda ps: nn.SGD(ps, **options), lambda ts: torch.optim.SGD(ts, **options))


@pytest.mark.parametrize(
    "options",
    [
        {"lr": 0.01},
        {"lr": 0.05, "betas": (0.8, 0.99), "eps": 1e-6},
        {"lr": 0.02, "weight_decay": 0.1},
    ],
)
def test_adam_matches_torch(options: dict[str, Any]) -> None:
    _run_both(lambda ps: nn.Adam(ps, **options), lambda ts: torch.optim.Adam(ts, **options))


def test_step_lr_matches_torch() -> None:
    ours = nn.SGD([Value(1.0)], lr=0.5)
    our_schedule = nn.StepLR(ours, step_size=3, gamma=0.5)
    theirs = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    their_schedule = torch.optim.lr_scheduler.StepLR(theirs, step_size=3, gamma=0.5)
    for _ in range(10):
        assert ours.lr == pytest.approx(theirs.param_groups[0]["lr"], rel=1e-15)
        theirs.step()
        our_schedule.step()
        their_schedule.step()


def test_linear_decay_is_micrograds_schedule_exactly() -> None:
    opt = nn.SGD([Value(1.0)], lr=1.0)
    schedule = nn.LinearDecayLR(opt, end_lr=0.1, total_steps=100)
    seen = []
    for _ in range(100):
        seen.append(opt.lr)
        schedule.step()
    assert seen == [1.0 - 0.9 * k / 100 for k in range(100)]
    for _ in range(10):
        schedule.step()
    assert opt.lr == pytest.approx(0.1)


def test_frozen_parameters_are_not_updated() -> None:
    a, frozen = Value(1.0), Value(2.0, requires_grad=False)
    loss = a * frozen
    loss.backward()
    for opt in (nn.SGD([a, frozen], lr=0.1, momentum=0.9), nn.Adam([a, frozen], lr=0.1)):
        opt.step()
    assert frozen.data == 2.0 and a.data < 1.0


def test_zero_grad_and_bad_arguments() -> None:
    p = Value(1.0)
    p.grad = 3.0
    opt = nn.SGD([p, p], lr=0.1)
    assert opt.parameters == [p]  # listed once, so never updated twice
    opt.zero_grad()
    assert p.grad == 0.0
    with pytest.raises(ValueError, match="empty"):
        nn.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="lr must be"):
        nn.SGD([p], lr=-1.0)
    with pytest.raises(ValueError, match="Nesterov"):
        nn.SGD([p], nesterov=True)
    with pytest.raises(ValueError, match=r"betas\[1\]"):
        nn.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(TypeError, match="must be Values"):
        nn.SGD([1.0], lr=0.1)  # type: ignore[list-item]


def test_a_non_finite_gradient_stops_the_step_before_any_change() -> None:
    good, bad = Value(1.0), Value(1.0)
    good.grad, bad.grad = 1.0, float("nan")
    with pytest.raises(ValueError, match="gradient is nan"):
        nn.SGD([good, bad], lr=0.1).step()
    assert good.data == 1.0
