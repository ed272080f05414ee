"""fit: history, mini-batches, callbacks, early stopping, the progress bar, micrograd's recipe."""

from __future__ import annotations

import pytest

import nn
from autograd_lite import Value
from nn import datasets


def _xor() -> tuple[list[list[float]], list[int]]:
    return datasets.xor(n_samples=16, noise=0.05, seed=0)


def test_fit_is_the_hand_written_loop() -> None:
    xs, y = _xor()
    targets = datasets.signed_labels(y)
    a, b = nn.MLP(2, [4, 1], seed=1), nn.MLP(2, [4, 1], seed=1)
    history = nn.fit(a, xs, targets, loss="hinge", lr=0.1, epochs=3, l2=1e-3, progress=False)
    losses = []
    for _ in range(3):
        scores = [b(x) for x in xs]
        total = nn.hinge_loss(scores, targets) + nn.l2_regularization(b.parameters(), 1e-3)
        b.zero_grad()
        total.backward()
        for p in b.parameters():
            p.data -= 0.1 * p.grad
        losses.append(total.data)
    assert history.loss == losses
    assert a.state_dict() == b.state_dict()


def test_history_has_one_entry_per_epoch_and_test_metrics() -> None:
    xs, y = datasets.blobs(n_samples=60, centers=3, std=0.5, seed=2)
    xs_train, xs_test, ys_train, ys_test = datasets.train_test_split(xs, y, test_size=0.25, seed=0)
    model = nn.MLP(2, [8, 3], activation="tanh", init="xavier_uniform", seed=0)
    history = nn.fit(model, xs_train, ys_train, loss="cross_entropy",
                     optimizer=nn.Adam(model.parameters(), lr=0.05), epochs=15, batch_size=16,
                     X_test=xs_test, y_test=ys_test, progress=False)
    assert history.epochs == 15
    for key in ("loss", "accuracy", "test_loss", "test_accuracy", "lr"):
        assert len(history[key]) == 15
    assert history.loss[-1] < history.loss[0]
    assert history.test_accuracy[-1] >= 0.9
    assert history.to_dict()["accuracy"] is history.accuracy
    with pytest.raises(KeyError, match="no 'recall'"):
        history["recall"]


def test_regression_has_no_accuracy() -> None:
    xs, y = datasets.regression_1d(n_samples=20, seed=0)
    history = nn.fit(nn.MLP(1, [8, 1], activation="tanh", seed=0), xs, y, loss="mse",
                     lr=0.05, epochs=5, progress=False)
    assert len(history.loss) == 5 and history.accuracy == [] and history.test_loss == []


def test_mini_batches_and_the_step_callback_see_the_gradients() -> None:
    xs, y = _xor()
    seen: list[nn.StepInfo] = []
    norms: list[float] = []

    def on_step(info: nn.StepInfo) -> None:
        seen.append(info)
        norms.append(sum(p.grad**2 for p in info.model.parameters()) ** 0.5)

    nn.fit(nn.MLP(2, [4, 1], seed=0), xs, y, loss="bce_with_logits", lr=0.1, epochs=2,
           batch_size=5, on_step=on_step, progress=False)
    assert [(s.epoch, s.step) for s in seen] == [(e, e * 4 + k + 1) for e in range(2)
                                                 for k in range(4)]  # ceil(16 / 5) = 4
    assert all(n > 0 for n in norms)


def test_early_stopping_on_a_target_loss_and_from_the_epoch_callback() -> None:
    xs, y = _xor()
    model = nn.MLP(2, [8, 1], activation="tanh", seed=0)
    history = nn.fit(model, xs, datasets.signed_labels(y), loss="hinge",
                     optimizer=nn.Adam(model.parameters(), lr=0.05), epochs=500,
                     target_loss=0.05, progress=False)
    assert history.stopped_early and history.loss[-1] <= 0.05 < min(history.loss[:-1])
    calls: list[int] = []
    stopped = nn.fit(nn.MLP(2, [2, 1], seed=0), xs, y, loss="bce_with_logits", epochs=50,
                     on_epoch=lambda epoch, h: calls.append(epoch) or epoch == 2,
                     progress=False)
    assert calls == [0, 1, 2] and stopped.epochs == 3 and stopped.stopped_early


def test_the_progress_bar_shows_the_running_loss_and_can_be_quiet(
    capsys: pytest.CaptureFixture[str],
) -> None:
    xs, y = _xor()
    nn.fit(nn.MLP(2, [2, 1], seed=0), xs, y, loss="bce_with_logits", epochs=3)
    err = capsys.readouterr().err
    assert "epoch 3/3" in err and "loss=" in err and "acc=" in err
    nn.fit(nn.MLP(2, [2, 1], seed=0), xs, y, loss="bce_with_logits", epochs=3, progress=False)
    assert capsys.readouterr().err == ""


def test_a_custom_loss_and_accuracy() -> None:
    xs, y = _xor()

    def loss(predictions: list[Value], targets: list[int]) -> Value:
        return nn.mse(predictions, targets)

    history = nn.fit(nn.MLP(2, [3, 1], seed=0), xs, y, loss=loss, epochs=2, progress=False,
                     accuracy=lambda p, t: 0.5)
    assert history.accuracy == [0.5, 0.5]


def test_bad_arguments_are_named() -> None:
    xs, y = _xor()
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="unknown loss 'hinge2'"):
        nn.fit(model, xs, y, loss="hinge2", progress=False)
    with pytest.raises(ValueError, match="16 points but 3 labels"):
        nn.fit(model, xs, y[:3], progress=False)
    with pytest.raises(ValueError, match="epochs"):
        nn.fit(model, xs, y, epochs=0, progress=False)
    with pytest.raises(ValueError, match="X_test and y_test"):
        nn.fit(model, xs, y, X_test=xs, progress=False)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_micrograds_demo_recipe_reaches_97_percent(seed: int) -> None:
    """MLP 2-16-16-1, 100 moons, max-margin loss, L2 1e-4, lr 1.0 - 0.9 k / 100, 100 steps."""
    xs, y = datasets.moons(n_samples=100, noise=0.1, seed=seed)
    model = nn.MLP(2, [16, 16, 1], seed=seed)
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    schedule = nn.LinearDecayLR(optimizer, end_lr=0.1, total_steps=100)
    history = nn.fit(model, xs, datasets.signed_labels(y), loss="max_margin", optimizer=optimizer,
                     schedule=schedule, epochs=100, l2=1e-4, progress=False)
    assert history.lr == [1.0 - 0.9 * k / 100 for k in range(100)]
    _, accuracy = nn.evaluate(model, xs, datasets.signed_labels(y), loss="hinge")
    assert accuracy is not None and accuracy >= 0.97
