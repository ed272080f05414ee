"""Plots of training (matplotlib, from the ``plots`` extra): history, decision boundary, gradients.

Every function takes plain data (lists of numbers, a history mapping, a ``predict`` callable), so
it works with ``nn.fit``'s history and with numbers from anywhere else. Each returns a
``matplotlib.figure.Figure`` built without pyplot, so no window opens and no global backend
state changes; pass ``path`` to also save it (PNG, SVG or PDF, from the file name). A figure as
the last expression of a notebook cell shows inline.

Install with ``pip install "autograd-lite[plots]"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from autograd_lite import Value, no_grad

try:
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        "nn.plots needs matplotlib: pip install 'autograd-lite[plots]' (or pip install matplotlib)"
    ) from error

__all__ = ["gradient_norms", "plot_decision_boundary", "plot_gradient_norms", "plot_history"]

POSITIVE = "#2166ac"
NEGATIVE = "#b2182b"


def _series(history: Any, key: str) -> list[float]:
    """``history[key]`` (a mapping) or ``history.key`` (an object), as floats; [] when absent."""
    raw = history.get(key) if isinstance(history, Mapping) else getattr(history, key, None)
    if raw is None:
        return []
    values = []
    for i, x in enumerate(raw):
        try:
            values.append(float(x))
        except (TypeError, ValueError):
            raise TypeError(
                f"plot_history: history[{key!r}][{i}] must be a number, got {type(x).__name__}"
            ) from None
    return values


def _save(figure: Figure, path: str | Path | None) -> Figure:
    if path is not None:
        figure.savefig(Path(path), dpi=120, bbox_inches="tight")
    return figure


def plot_history(
    history: Any, path: str | Path | None = None, *, title: str = "", xlabel: str = "epoch"
) -> Figure:
    """Loss (left) and accuracy (right) per epoch (or per ``xlabel``), training and test.

    ``history`` is a mapping or an object with lists ``loss`` and optionally ``accuracy``,
    ``test_loss``, ``test_accuracy`` (what ``nn.fit`` returns).
    """
    loss = _series(history, "loss")
    if not loss:
        raise ValueError("plot_history: the history has no 'loss' values to plot")
    accuracy = _series(history, "accuracy")
    test_loss = _series(history, "test_loss")
    test_accuracy = _series(history, "test_accuracy")
    panels = 2 if accuracy or test_accuracy else 1
    figure = Figure(figsize=(5.5 * panels, 4), layout="constrained")
    axes = figure.subplots(1, panels, squeeze=False)[0]
    epochs = range(1, len(loss) + 1)
    loss_axes = axes[0]
    loss_axes.plot(epochs, loss, color=POSITIVE, label="training")
    if test_loss:
        loss_axes.plot(range(1, len(test_loss) + 1), test_loss, color=NEGATIVE, label="test")
    if all(x > 0 for x in loss + test_loss):
        loss_axes.set_yscale("log")
    loss_axes.set(title="loss", xlabel=xlabel, ylabel="loss")
    _whole_number_ticks(loss_axes, len(loss))
    loss_axes.grid(alpha=0.3)
    loss_axes.legend()
    if panels == 2:
        acc_axes = axes[1]
        if accuracy:
            acc_axes.plot(range(1, len(accuracy) + 1), accuracy, color=POSITIVE, label="training")
        if test_accuracy:
            acc_axes.plot(
                range(1, len(test_accuracy) + 1), test_accuracy, color=NEGATIVE, label="test"
            )
        acc_axes.set(title="accuracy", xlabel=xlabel, ylabel="accuracy", ylim=(-0.02, 1.02))
        _whole_number_ticks(acc_axes, len(loss))
        acc_axes.grid(alpha=0.3)
        acc_axes.legend()
    if title:
        figure.suptitle(title)
    return _save(figure, path)


def _whole_number_ticks(axes: Any, count: int) -> None:
    """Ticks only at whole epochs or steps (no epoch 2.5), even for a single one."""
    axes.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
    if count == 1:
        axes.set_xlim(0.5, 1.5)


def plot_decision_boundary(
    predict: Callable[[list[float]], float | Value],
    X: Sequence[Sequence[float]],  # noqa: N803 - the usual name for a data matrix
    y: Sequence[float],
    path: str | Path | None = None,
    *,
    resolution: int = 60,
    threshold: float = 0.0,
    margin: float = 0.5,
    title: str = "",
) -> Figure:
    """A classifier's score over the plane, its boundary ``score == threshold``, and the data.

    ``predict([x0, x1])`` returns a score (a float or a Value; evaluated under ``no_grad``):
    the shading shows it, blue above ``threshold`` and red below, and the black line is the
    decision boundary. The points of ``X`` are coloured by their label ``y`` (labels above
    ``threshold`` blue, the others red). ``resolution`` points per axis are evaluated, so the
    cost is ``resolution ** 2`` calls to ``predict``.
    """
    points = [[float(a) for a in p] for p in X]
    if not points or any(len(p) != 2 for p in points):
        raise ValueError("plot_decision_boundary: X must be a non-empty list of 2-D points")
    if len(y) != len(points):
        raise ValueError(f"plot_decision_boundary: {len(points)} points but {len(y)} labels")
    if resolution < 2:
        raise ValueError(f"plot_decision_boundary: resolution must be at least 2, got {resolution}")
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    grid_x = _linspace(min(xs) - margin, max(xs) + margin, resolution)
    grid_y = _linspace(min(ys) - margin, max(ys) + margin, resolution)
    with no_grad():
        scores = [[_score(predict, [gx, gy]) for gx in grid_x] for gy in grid_y]
    flat = [s for row in scores for s in row if math.isfinite(s)]
    low, high = min(flat, default=threshold), max(flat, default=threshold)
    spread = max(abs(low - threshold), abs(high - threshold), 1e-12)
    norm = TwoSlopeNorm(vcenter=threshold, vmin=threshold - spread, vmax=threshold + spread)

    figure = Figure(figsize=(5.5, 5), layout="constrained")
    axes = figure.subplots()
    shading = axes.contourf(grid_x, grid_y, scores, levels=20, cmap="RdBu", norm=norm, alpha=0.75)
    figure.colorbar(shading, ax=axes, label="score")
    if low < threshold < high:
        axes.contour(grid_x, grid_y, scores, levels=[threshold], colors="black", linewidths=1.5)
    above = [float(label) > threshold for label in y]
    for wanted, colour, name in ((True, POSITIVE, ">"), (False, NEGATIVE, "≤")):
        chosen = [p for p, a in zip(points, above, strict=True) if a == wanted]
        if chosen:
            axes.scatter(
                [p[0] for p in chosen], [p[1] for p in chosen], c=colour, s=18,
                edgecolors="white", linewidths=0.5, label=f"y {name} {threshold:g}",
            )
    axes.set(title=title or "decision boundary", xlabel="x[0]", ylabel="x[1]")
    axes.legend(loc="upper right", fontsize=8)
    return _save(figure, path)


def _score(predict: Callable[[list[float]], float | Value], point: list[float]) -> float:
    out = predict(point)
    if isinstance(out, Value):
        return out.data
    try:
        return float(out)
    except (TypeError, ValueError):
        raise TypeError(
            f"plot_decision_boundary: predict({point}) must return a number or a Value, got "
            f"{type(out).__name__}"
        ) from None


def _linspace(start: float, stop: float, count: int) -> list[float]:
    step = (stop - start) / (count - 1)
    return [start + i * step for i in range(count)]


def plot_gradient_norms(
    norms: Mapping[str, Sequence[float]],
    path: str | Path | None = None,
    *,
    xlabel: str = "step",
    title: str = "gradient norm per layer",
) -> Figure:
    """One line per layer: the norm of its gradients at each step (log scale when positive).

    Vanishing gradients show as lines that sink towards the input layers, exploding ones as
    lines that climb. Record ``gradient_norms(model)`` after each ``backward()`` to build
    ``norms``: ``{"layers.0": [...], "layers.1": [...]}``.
    """
    if not norms or not any(len(series) for series in norms.values()):
        raise ValueError("plot_gradient_norms: no gradient norms to plot")
    figure = Figure(figsize=(6.5, 4), layout="constrained")
    axes = figure.subplots()
    everything: list[float] = []
    for name, series in norms.items():
        values = [float(x) for x in series]
        everything += values
        axes.plot(range(1, len(values) + 1), values, label=name)
    if all(x > 0 for x in everything):
        axes.set_yscale("log")
    axes.set(title=title, xlabel=xlabel, ylabel="‖grad‖ (L2)")
    _whole_number_ticks(axes, max(len(series) for series in norms.values()))
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    return _save(figure, path)


def gradient_norms(model: Any) -> dict[str, float]:
    """The L2 norm of each layer's parameter gradients, keyed ``layers.0``, ``layers.1`` ...

    Reads ``model.layers[i].neurons[j].w`` and ``.b`` (as ``nn.MLP`` has them); a bias shared
    by several neurons counts once.
    """
    result = {}
    for i, layer in enumerate(getattr(model, "layers", ())):
        seen: dict[int, Value] = {}
        for neuron in layer.neurons:
            for p in (*neuron.w, neuron.b):
                seen[id(p)] = p
        result[f"layers.{i}"] = math.sqrt(math.fsum(p.grad * p.grad for p in seen.values()))
    if not result:
        raise TypeError(
            f"gradient_norms: expected a model with .layers[i].neurons[j].w and .b, got "
            f"{type(model).__name__}"
        )
    return result
