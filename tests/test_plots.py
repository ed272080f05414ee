"""nn.plots: each plot writes a real PNG through matplotlib's non-interactive Agg backend."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # non-interactive; the plots never need pyplot anyway

from matplotlib.collections import PathCollection
from matplotlib.image import imread

from autograd_lite import Value
from nn.plots import (
    gradient_norms,
    plot_decision_boundary,
    plot_gradient_norms,
    plot_history,
)
from tests.stand_ins import random_mlp, seed_loss, seed_network

PNG = b"\x89PNG\r\n\x1a\n"


def check_png(path: Path) -> None:
    assert path.read_bytes()[:8] == PNG
    pixels = imread(path)
    assert pixels.shape[0] > 200 and pixels.shape[1] > 200
    assert pixels.std() > 0.05  # something is drawn, not a blank canvas


def test_history_plot_has_loss_and_accuracy(tmp_path: Path) -> None:
    history = {
        "loss": [1.0 / (e + 1) for e in range(20)],
        "accuracy": [min(1.0, 0.5 + e / 30) for e in range(20)],
        "test_loss": [1.2 / (e + 1) for e in range(20)],
        "test_accuracy": [min(1.0, 0.45 + e / 30) for e in range(20)],
    }
    figure = plot_history(history, tmp_path / "history.png")
    check_png(tmp_path / "history.png")
    loss_axes, acc_axes = figure.axes[:2]
    assert loss_axes.get_title() == "loss" and acc_axes.get_title() == "accuracy"
    assert list(loss_axes.lines[0].get_ydata()) == history["loss"]
    assert list(loss_axes.lines[1].get_ydata()) == history["test_loss"]
    assert list(acc_axes.lines[1].get_ydata()) == history["test_accuracy"]
    assert loss_axes.get_yscale() == "log"


def test_history_as_an_object_with_only_loss(tmp_path: Path) -> None:
    class History:
        def __init__(self) -> None:
            self.loss = [3.0, -1.0, 0.5]  # a negative loss: linear scale

    figure = plot_history(History(), tmp_path / "h.png")
    check_png(tmp_path / "h.png")
    assert len(figure.axes) == 1 and figure.axes[0].get_yscale() == "linear"
    with pytest.raises(ValueError, match="no 'loss'"):
        plot_history({"accuracy": [0.5]})
    with pytest.raises(TypeError, match=r"history\['loss'\]\[1\] must be a number, got str"):
        plot_history({"loss": [1.0, "x"]})


def test_decision_boundary_shades_the_score_and_draws_the_boundary(tmp_path: Path) -> None:
    points = [[-1.0, -1.0], [1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [0.2, 0.1]]
    y = [-1.0, 1.0, -1.0, 1.0, 1.0]
    calls = []

    def predict(point: list[float]) -> Value:
        calls.append(point)
        return Value(point[0]) * 2.0 - 0.5  # boundary x0 = 0.25; returned as a Value

    figure = plot_decision_boundary(predict, points, y, tmp_path / "boundary.png", resolution=25)
    check_png(tmp_path / "boundary.png")
    assert len(calls) == 25 * 25
    axes = figure.axes[0]
    [boundary] = [c for c in axes.collections if getattr(c, "levels", None) is not None
                  and list(c.levels) == [0.0]]
    xs = [x for path in boundary.get_paths() for x, _ in path.vertices]
    assert xs and all(abs(x - 0.25) < 1e-9 for x in xs)
    scatter = [c for c in axes.collections if isinstance(c, PathCollection)]
    offsets = sorted(tuple(p) for c in scatter for p in c.get_offsets())
    assert offsets == sorted(tuple(p) for p in points)


def test_decision_boundary_rejects_bad_data() -> None:
    with pytest.raises(ValueError, match="2-D points"):
        plot_decision_boundary(lambda p: 0.0, [[1.0, 2.0, 3.0]], [1.0])
    with pytest.raises(ValueError, match="2 points but 1 labels"):
        plot_decision_boundary(lambda p: 0.0, [[1.0, 2.0], [0.0, 0.0]], [1.0])
    with pytest.raises(TypeError, match="must return a number or a Value, got str"):
        plot_decision_boundary(lambda p: "yes", [[1.0, 2.0]], [1.0])  # type: ignore[arg-type,return-value]


def test_decision_boundary_of_a_small_model(tmp_path: Path) -> None:
    model = random_mlp(2, [8, 1], seed=4)
    points = [[math.cos(t / 3), math.sin(t / 3)] for t in range(12)]
    y = [1.0 if x[0] > 0 else -1.0 for x in points]
    plot_decision_boundary(lambda p: model(p)[0], points, y, tmp_path / "mlp.png", resolution=20)
    check_png(tmp_path / "mlp.png")
    assert all(p.grad == 0.0 for p in model.parameters())  # evaluated under no_grad


def test_gradient_norms_per_layer_and_their_plot(tmp_path: Path) -> None:
    model = seed_network()
    seed_loss(model).backward()
    norms = gradient_norms(model)
    assert list(norms) == ["layers.0", "layers.1"]
    hidden = model.layers[0]
    unique = {id(p): p for n in hidden.neurons for p in (*n.w, n.b)}  # b1 is shared: once
    assert len(unique) == 5
    assert norms["layers.0"] == pytest.approx(math.sqrt(sum(p.grad**2 for p in unique.values())))
    series = {"layers.0": [1e-3, 5e-4, 2e-4], "layers.1": [0.1, 0.08, 0.05]}
    figure = plot_gradient_norms(series, tmp_path / "norms.png")
    check_png(tmp_path / "norms.png")
    axes = figure.axes[0]
    assert [line.get_label() for line in axes.lines] == ["layers.0", "layers.1"]
    assert axes.get_yscale() == "log"
    with pytest.raises(ValueError, match="no gradient norms"):
        plot_gradient_norms({})
    with pytest.raises(TypeError, match="expected a model"):
        gradient_norms(object())


def test_plots_save_svg_too(tmp_path: Path) -> None:
    plot_history({"loss": [1.0, 0.5]}, tmp_path / "h.svg")
    assert (tmp_path / "h.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize("epochs", [1, 2, 3, 7, 10, 20, 137])
def test_epoch_and_step_ticks_are_whole_numbers(tmp_path: Path, epochs: int) -> None:
    history = {"loss": [1.0 / (e + 1) for e in range(epochs)],
               "accuracy": [0.5] * epochs}
    figure = plot_history(history, tmp_path / "h.png")
    norms = plot_gradient_norms({"layers.0": [1.0 + e for e in range(epochs)]})
    for axes in [*figure.axes[:2], norms.axes[0]]:
        low, high = axes.get_xlim()
        ticks = [t for t in axes.get_xticks() if low <= t <= high]
        assert ticks and all(float(t).is_integer() for t in ticks), ticks
