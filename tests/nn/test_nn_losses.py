"""Losses against PyTorch in float64 (value and gradient), and their stable forms."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - PyTorch's own convention
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd_lite import Value

finite = st.floats(-30, 30, allow_nan=False, allow_infinity=False)


def _ours(values: list[float]) -> list[Value]:
    return [Value(v) for v in values]


def _theirs(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64, requires_grad=True)


def _compare(
    loss: Callable[..., Value],
    torch_loss: Callable[..., torch.Tensor],
    predictions: list[float],
    targets: list[float],
) -> None:
    ours = _ours(predictions)
    value = loss(ours, targets)
    value.backward()
    theirs = _theirs(predictions)
    expected = torch_loss(theirs, torch.tensor(targets, dtype=torch.float64))
    expected.backward()
    assert theirs.grad is not None
    assert value.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-12)
    assert [p.grad for p in ours] == pytest.approx(theirs.grad.tolist(), rel=1e-10, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=8))
def test_mse_matches_torch(pairs: list[tuple[float, float]]) -> None:
    _compare(nn.mse, F.mse_loss, [p for p, _ in pairs], [t for _, t in pairs])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=8))
def test_half_sum_squared_error_is_half_torchs_summed_mse(pairs: list[tuple[float, float]]) -> None:
    _compare(
        nn.half_sum_squared_error,
        lambda p, t: 0.5 * F.mse_loss(p, t, reduction="sum"),
        [p for p, _ in pairs],
        [t for _, t in pairs],
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-200, 200), st.sampled_from([0.0, 1.0, 0.3])),
                min_size=1, max_size=8))
def test_bce_with_logits_matches_torch_even_for_large_logits(
    pairs: list[tuple[float, float]],
) -> None:
    _compare(nn.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits,
             [p for p, _ in pairs], [t for _, t in pairs])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0.001, 0.999), st.sampled_from([0.0, 1.0, 0.25])),
                min_size=1, max_size=8))
def test_bce_from_probabilities_matches_torch(pairs: list[tuple[float, float]]) -> None:
    _compare(nn.binary_cross_entropy, F.binary_cross_entropy,
             [p for p, _ in pairs], [t for _, t in pairs])


def test_bce_from_probabilities_clamps_the_log_like_torch() -> None:
    ours = nn.binary_cross_entropy([Value(0.0), Value(1.0)], [1.0, 1.0])
    theirs = F.binary_cross_entropy(torch.tensor([0.0, 1.0], dtype=torch.float64),
                                    torch.tensor([1.0, 1.0], dtype=torch.float64))
    assert ours.data == pytest.approx(theirs.item()) == 50.0
    with pytest.raises(ValueError, match=r"outside \[0, 1\]"):
        nn.binary_cross_entropy([Value(1.5)], [1.0])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(finite, st.sampled_from([-1.0, 1.0])), min_size=1, max_size=8))
def test_hinge_loss_matches_its_torch_formula(pairs: list[tuple[float, float]]) -> None:
    _compare(nn.hinge_loss, lambda s, y: torch.relu(1 - y * s).mean(),
             [p for p, _ in pairs], [t for _, t in pairs])
    assert nn.max_margin_loss is nn.hinge_loss


def test_hinge_loss_wants_signed_labels() -> None:
    with pytest.raises(ValueError, match="-1 or \\+1"):
        nn.hinge_loss([Value(0.3)], [0])


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 5).flatmap(lambda k: st.tuples(
    st.lists(st.lists(st.floats(-500, 500), min_size=k, max_size=k), min_size=1, max_size=4),
    st.lists(st.integers(0, k - 1), min_size=4, max_size=4),
)))
def test_softmax_cross_entropy_matches_torch_even_for_huge_logits(
    case: tuple[list[list[float]], list[int]],
) -> None:
    rows, classes = case
    targets = classes[: len(rows)]
    ours = [_ours(row) for row in rows]
    value = nn.softmax_cross_entropy(ours, targets)
    value.backward()
    theirs = torch.tensor(rows, dtype=torch.float64, requires_grad=True)
    expected = F.cross_entropy(theirs, torch.tensor(targets))
    expected.backward()
    assert theirs.grad is not None
    assert value.data == pytest.approx(expected.item(), rel=1e-12, abs=1e-12)
    for row, grads in zip(ours, theirs.grad.tolist(), strict=True):
        assert [p.grad for p in row] == pytest.approx(grads, rel=1e-9, abs=1e-12)


def test_softmax_cross_entropy_single_row_and_bad_targets() -> None:
    logits = _ours([1.0, 2.0, 3.0])
    expected = math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 2.0
    assert nn.softmax_cross_entropy(logits, 1).data == pytest.approx(expected)
    with pytest.raises(ValueError, match="not a class index"):
        nn.softmax_cross_entropy(logits, 3)
    probabilities = nn.softmax(_ours([1000.0, 1000.0]))
    assert [p.data for p in probabilities] == pytest.approx([0.5, 0.5])


def test_l2_regularization_is_alpha_times_the_sum_of_squares() -> None:
    params = _ours([1.0, -2.0, 3.0])
    penalty = nn.l2_regularization(params, alpha=0.5)
    penalty.backward()
    assert penalty.data == 0.5 * 14
    assert [p.grad for p in params] == [1.0, -2.0, 3.0]  # d/dp alpha p**2 = 2 alpha p


def test_mismatched_lengths_are_named() -> None:
    with pytest.raises(ValueError, match="mse: 2 predictions but 3 targets"):
        nn.mse(_ours([1.0, 2.0]), [1.0, 2.0, 3.0])


def test_batched_several_outputs_are_flattened() -> None:
    batch = [_ours([1.0, 2.0]), _ours([3.0, 5.0])]
    assert nn.mse(batch, [[1.0, 1.0], [3.0, 3.0]]).data == (0 + 1 + 0 + 4) / 4
