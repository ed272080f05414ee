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
    with pytest.raises(TypeError, match="must return a number, a Value or a list of them, got str"):
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


def region_colours_found(path: Path, k: int) -> list[float]:
    """For each class colour, the share of the PNG's pixels painted in its region's shade."""
    from matplotlib.colors import to_rgb

    from nn.plots import REGION_ALPHA, class_colours

    pixels = imread(path)[:, :, :3]
    total = pixels.shape[0] * pixels.shape[1]
    shares = []
    for colour in class_colours(k):
        shade = [REGION_ALPHA * c + (1 - REGION_ALPHA) for c in to_rgb(colour)]  # over white
        close = (abs(pixels - shade) < 0.02).all(axis=2)
        shares.append(float(close.sum()) / total)
    return shares


@pytest.mark.parametrize("k", [3, 4, 5])
def test_k_classes_get_k_region_colours_and_a_legend(tmp_path: Path, k: int) -> None:
    centres = [(math.cos(2 * math.pi * c / k), math.sin(2 * math.pi * c / k)) for c in range(k)]

    def predict(point: list[float]) -> list[Value]:  # nearest centre wins
        return [Value(-((point[0] - a) ** 2) - (point[1] - b) ** 2) for a, b in centres]

    points = [[a * r, b * r] for a, b in centres for r in (0.5, 1.0)]
    labels = [float(c) for c in range(k) for _ in (0.5, 1.0)]
    figure = plot_decision_boundary(predict, points, labels, tmp_path / "k.png", resolution=40)
    check_png(tmp_path / "k.png")
    shares = region_colours_found(tmp_path / "k.png", k)
    assert all(share > 0.02 for share in shares), shares  # every class has a visible region
    legend = figure.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [f"class {c}" for c in range(k)]
    with pytest.raises(ValueError, match=r"class label 7.0 is not one of 0 \.\. "):
        plot_decision_boundary(predict, points, [7.0] * len(points), resolution=5)


def test_two_scores_keep_the_margin_contour(tmp_path: Path) -> None:
    points = [[-1.0, 0.0], [1.0, 0.0]]

    def predict(point: list[float]) -> list[float]:
        return [-point[0], point[0] - 0.5]  # margin z1 - z0 = 2 x0 - 0.5: boundary x0 = 0.25

    figure = plot_decision_boundary(predict, points, [0.0, 1.0], tmp_path / "two.png",
                                    resolution=21)
    axes = figure.axes[0]
    [boundary] = [c for c in axes.collections if getattr(c, "levels", None) is not None
                  and list(c.levels) == [0.0]]
    xs = [x for path in boundary.get_paths() for x, _ in path.vertices]
    assert xs and all(abs(x - 0.25) < 1e-9 for x in xs)
    assert axes.get_legend() is not None and len(figure.axes) == 2  # the score's colour bar
    assert region_colours_found(tmp_path / "two.png", 3)[2] < 0.001  # no class regions


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
