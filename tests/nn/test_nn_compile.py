"""fit(compile=True) replays each step from a tape and gives the eager numbers."""

from __future__ import annotations

from typing import Any

import pytest

import nn
from nn import datasets


def train(compile_: bool, **options: Any) -> tuple[nn.History, list[float]]:
    model = nn.MLP(2, options.pop("nouts", [8, 8, 1]), seed=3,
                   output_activation=options.pop("output_activation", "linear"))  # fmt: skip
    optimizer = nn.SGD(model.parameters(), lr=options.pop("lr", 0.05), momentum=0.9)
    history = nn.fit(model, optimizer=optimizer, progress=False, compile=compile_, **options)
    return history, [p.data for p in model.parameters()]


def assert_same_training(**options: Any) -> None:
    eager, eager_weights = train(False, **dict(options))
    compiled, compiled_weights = train(True, **dict(options))
    assert compiled.loss == pytest.approx(eager.loss, rel=1e-9, abs=1e-12)
    assert compiled.accuracy == eager.accuracy
    assert compiled_weights == pytest.approx(eager_weights, rel=1e-9, abs=1e-12)


def test_full_batch_max_margin_with_l2_over_50_steps() -> None:
    points, y = datasets.moons(n_samples=40, noise=0.1, seed=0)
    labels = datasets.signed_labels(y)
    assert_same_training(X=points, y=labels, loss="max_margin", l2=1e-4, epochs=50)


def test_shuffled_mini_batches_with_a_short_last_batch() -> None:
    points, y = datasets.circles(n_samples=30, noise=0.05, seed=1)
    assert_same_training(X=points, y=[float(v) for v in y], loss="bce_with_logits", epochs=10,
                         batch_size=8, seed=5)  # fmt: skip


def test_class_indices_shape_the_graph_and_still_train_the_same() -> None:
    points, y = datasets.blobs(n_samples=24, centers=3, seed=2)
    assert_same_training(X=points, y=y, loss="cross_entropy", nouts=[8, 3], epochs=10,
                         batch_size=12, seed=1, lr=0.1)  # fmt: skip


def test_the_compiled_step_builds_the_model_graph_only_when_tracing(monkeypatch: Any) -> None:
    calls = []
    original = nn.MLP.forward

    def counting(self: nn.MLP, x: Any) -> Any:
        calls.append(1)
        return original(self, x)

    monkeypatch.setattr(nn.MLP, "forward", counting)
    points, y = datasets.moons(n_samples=20, noise=0.1, seed=0)
    model = nn.MLP(2, [4, 1], seed=0)
    nn.fit(model, points, datasets.signed_labels(y), loss="max_margin", epochs=30, progress=False,
           compile=True)  # fmt: skip
    # one eager check of the labels (20 points) and one trace (20 points), not 30 x 20 calls
    assert len(calls) == 40
