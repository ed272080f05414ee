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

__all__ = [
    "class_colours",
    "gradient_norms",
    "plot_decision_boundary",
    "plot_gradient_norms",
    "plot_history",
]

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
    predict: Callable[[list[float]], Any],
    X: Sequence[Sequence[float]],  # noqa: N803 - the usual name for a data matrix
    y: Sequence[float],
    path: str | Path | None = None,
    *,
    resolution: int = 60,
    threshold: float = 0.0,
    margin: float = 0.5,
    title: str = "",
) -> Figure:
    """A classifier over the plane: its regions or score, its decision boundary, and the data.

    ``predict([x0, x1])`` is evaluated under ``no_grad`` on a grid of ``resolution ** 2``
    points. What it returns decides the picture:

    * one score (a float or a Value, or a list of one): the shading shows it, blue above
      ``threshold`` and red below, and the black line ``score == threshold`` is the boundary;
      points are coloured by whether their label ``y`` is above ``threshold``.
    * two scores ``[z0, z1]`` (two classes): the same picture for the margin ``z1 - z0``, with
      the boundary at ``threshold`` (0 by default: where the two scores tie).
    * ``k >= 3`` scores (one per class): each region takes the colour of its predicted class
      (the largest score), with a legend; points are coloured by their class ``y`` (0 to k-1).

    Args:
        predict: the model, or any function of a 2-D point as described above.
        X: the data's points, each ``[x0, x1]``.
        y: their labels: numbers compared with ``threshold``, or class indices for k classes.
        path: also save the figure here (PNG, SVG or PDF, from the suffix).
        resolution: grid points per axis (at least 2).
        threshold: the score on the boundary, for one or two scores.
        margin: how far the grid reaches beyond the data, on every side.
        title: the figure's title.

    Returns:
        The matplotlib Figure.

    Raises:
        ValueError: bad points, labels or resolution, or a class label outside 0 .. k-1.
        TypeError: ``predict`` returned something other than numbers or Values.

    Example:
        >>> figure = plot_decision_boundary(
        ...     lambda p: [p[0], p[1], -p[0] - p[1]], [[0, 1], [1, 0], [-1, -1]], [1, 0, 2],
        ...     resolution=10)
        >>> [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
        ['class 0', 'class 1', 'class 2']
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
        outputs = [[_scores(predict, [gx, gy]) for gx in grid_x] for gy in grid_y]
    classes = {len(o) for row in outputs for o in row}
    if len(classes) != 1:
        raise ValueError("plot_decision_boundary: predict returned different numbers of scores "
                         f"at different points ({sorted(classes)})")
    (k,) = classes
    figure = Figure(figsize=(5.5, 5), layout="constrained")
    axes = figure.subplots()
    if k >= 3:
        _class_regions(axes, grid_x, grid_y, outputs, points, y, k)
    else:
        scores = [[o[0] if k == 1 else o[1] - o[0] for o in row] for row in outputs]
        _score_shading(figure, axes, grid_x, grid_y, scores, points, y, threshold)
    axes.set(title=title or "decision boundary", xlabel="x[0]", ylabel="x[1]")
    return _save(figure, path)


#: One colour per class (matplotlib's tab10); more classes cycle through tab20.
CLASS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
REGION_ALPHA = 0.35


def class_colours(k: int) -> list[str]:
    """``k`` distinct colours, one per class (tab10, then tab20 for more than ten classes).

    Example:
        >>> class_colours(3)
        ['#1f77b4', '#ff7f0e', '#2ca02c']
    """
    if k <= len(CLASS_COLOURS):
        return list(CLASS_COLOURS[:k])
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    palette = colormaps["tab20"]
    return [to_hex(palette(i % 20 / 20)) for i in range(k)]


def _class_regions(axes: Any, grid_x: list[float], grid_y: list[float],
                   outputs: list[list[list[float]]], points: list[list[float]],
                   y: Sequence[float], k: int) -> None:
    """Each grid cell in its predicted class's colour; points in their true class's colour."""
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    labels = []
    for label in y:
        c = float(label)
        if not c.is_integer() or not 0 <= c < k:
            raise ValueError(f"plot_decision_boundary: class label {label!r} is not one of "
                             f"0 .. {k - 1} (predict gives {k} scores)")
        labels.append(int(c))
    colours = class_colours(k)
    predicted = [[max(range(k), key=o.__getitem__) for o in row] for row in outputs]
    step_x, step_y = grid_x[1] - grid_x[0], grid_y[1] - grid_y[0]
    axes.imshow(predicted, origin="lower", interpolation="nearest", alpha=REGION_ALPHA,
                cmap=ListedColormap(colours), vmin=-0.5, vmax=k - 0.5, aspect="auto",
                extent=(grid_x[0] - step_x / 2, grid_x[-1] + step_x / 2,
                        grid_y[0] - step_y / 2, grid_y[-1] + step_y / 2))
    for c in range(k):
        chosen = [p for p, label in zip(points, labels, strict=True) if label == c]
        if chosen:
            axes.scatter([p[0] for p in chosen], [p[1] for p in chosen], c=colours[c], s=18,
                         edgecolors="black", linewidths=0.4)
    handles = [Patch(facecolor=colours[c], edgecolor="black", linewidth=0.4,
                     label=f"class {c}") for c in range(k)]
    axes.legend(handles=handles, loc="upper right", fontsize=8, title="predicted / true",
                title_fontsize=8, framealpha=0.9)


def _score_shading(figure: Figure, axes: Any, grid_x: list[float], grid_y: list[float],
                   scores: list[list[float]], points: list[list[float]], y: Sequence[float],
                   threshold: float) -> None:
    """The score's shading around ``threshold``, the boundary line, and the labelled points."""
    flat = [s for row in scores for s in row if math.isfinite(s)]
    low, high = min(flat, default=threshold), max(flat, default=threshold)
    spread = max(abs(low - threshold), abs(high - threshold), 1e-12)
    norm = TwoSlopeNorm(vcenter=threshold, vmin=threshold - spread, vmax=threshold + spread)
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
    axes.legend(loc="upper right", fontsize=8)


def _scores(predict: Callable[[list[float]], Any], point: list[float]) -> list[float]:
    """``predict(point)`` as a list of floats: one score, or one per class."""
    out = predict(point)
    many = out if isinstance(out, (list, tuple)) else [out]
    if not many:
        raise TypeError(f"plot_decision_boundary: predict({point}) returned an empty sequence")
    return [_number(x, point) for x in many]


def _number(out: Any, point: list[float]) -> float:
    if isinstance(out, Value):
        return out.data
    try:
        return float(out)
    except (TypeError, ValueError):
        raise TypeError(
            f"plot_decision_boundary: predict({point}) must return a number, a Value or a list "
            f"of them, got {type(out).__name__}"
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
