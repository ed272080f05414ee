"""``fit``: the training loop (epochs, mini-batches, a progress bar, a history, early stopping).

One step is the data flow of the whole project: ``model(x)`` for each point of a batch, the
loss, ``backward()``, ``optimizer.step()``. The history holds one number per epoch so a plot
can read it directly: ``plt.plot(history.loss)``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from autograd_lite import Tape, Value, no_grad, trace

from . import losses
from .metrics import argmax_accuracy as argmax_accuracy
from .metrics import sign_accuracy as sign_accuracy
from .metrics import threshold_accuracy as threshold_accuracy
from .module import Module
from .optim import SGD, Optimizer
from .schedules import LRSchedule

LossFunction = Callable[[Any, Any], Value]
AccuracyFunction = Callable[[Sequence[Any], Sequence[Any]], float]


#: Losses by name, each with the accuracy that fits it and its PyTorch counterpart.
LOSSES = losses.LOSSES


@dataclass
class History:
    """Per-epoch numbers from :func:`fit`, one list entry per epoch.

    Lists stay empty when they do not apply (no accuracy for regression, no test data);
    ``history["loss"]`` works too.

    Attributes:
        loss: the training loss, averaged over the epoch's batches as each batch was trained
            (regularisation included): a running mean, not a re-evaluation after the epoch.
        accuracy: the training accuracy, measured the same way.
        test_loss: the loss on the test data after each epoch.
        test_accuracy: the accuracy on the test data after each epoch.
        lr: the learning rate each epoch started with.
        stopped_early: True when ``target_loss`` or ``on_epoch`` ended training early.

    Raises:
        KeyError: ``history[key]`` for a name that is not one of the lists.

    Example:
        >>> h = History(loss=[0.9, 0.4])
        >>> h.epochs, h["loss"][-1]
        (2, 0.4)
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """How many epochs ran."""
        return len(self.loss)

    def __getitem__(self, key: str) -> list[float]:
        if key not in self.to_dict():
            raise KeyError(f"History has no {key!r}; it has {list(self.to_dict())}")
        return self.to_dict()[key]

    def to_dict(self) -> dict[str, list[float]]:
        """The per-epoch lists by name (for plots, pandas or JSON)."""
        return {
            "loss": self.loss,
            "accuracy": self.accuracy,
            "test_loss": self.test_loss,
            "test_accuracy": self.test_accuracy,
            "lr": self.lr,
        }


@dataclass
class StepInfo:
    """What ``fit``'s ``on_step`` sees after ``backward()`` and before ``optimizer.step()``.

    The gradients of this batch are in each ``p.grad`` (for gradient-norm plots and the like).

    Attributes:
        epoch: the epoch, counted from 0.
        step: the optimizer step, counted from 1 across epochs.
        loss: this batch's loss.
        model: the model being trained.
        optimizer: the optimizer about to step.

    Raises:
        Nothing: it is a plain record.

    Example:
        >>> import nn
        >>> model = nn.MLP(1, [1], seed=0)
        >>> norms = []
        >>> _ = nn.fit(model, [[0.0], [1.0]], [0.0, 1.0], epochs=2, progress=False,
        ...            on_step=lambda info: norms.append(abs(model.parameters()[0].grad)))
        >>> len(norms)
        2
    """

    epoch: int
    step: int
    loss: float
    model: Module
    optimizer: Optimizer


def fit(
    model: Module,
    X: Sequence[Sequence[float]],  # noqa: N803 - X and y, as in the maths
    y: Sequence[Any],
    *,
    loss: str | LossFunction = "mse",
    optimizer: Optimizer | None = None,
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: int | None = None,
    l2: float = 0.0,
    schedule: LRSchedule | None = None,
    X_test: Sequence[Sequence[float]] | None = None,  # noqa: N803 - X as in the maths
    y_test: Sequence[Any] | None = None,
    accuracy: AccuracyFunction | None = None,
    target_loss: float | None = None,
    progress: bool = True,
    seed: int = 0,
    on_step: Callable[[StepInfo], None] | None = None,
    on_epoch: Callable[[int, History], bool | None] | None = None,
    compile: bool = False,
) -> History:
    """Train ``model`` on ``(X, y)`` and return the per-epoch :class:`History`.

    Each step: ``zero_grad()``, the batch's predictions and loss, ``backward()``, ``on_step``,
    ``optimizer.step()``. The tqdm bar counts steps and shows the epoch's running loss and
    accuracy (``progress=False`` turns it off).

    Args:
        model: the module to train (its ``parameters()`` are updated in place).
        X: the training inputs, one row of numbers per point.
        y: one target per point, in the shape the loss takes.
        loss: a name from :data:`nn.LOSSES` (which also picks the accuracy) or a function
            ``(predictions, targets) -> Value`` (default ``"mse"``).
        optimizer: an nn optimizer; None uses plain ``SGD(model.parameters(), lr=lr)``.
        lr: the learning rate of that default SGD (default 0.1).
        epochs: passes over the data, a positive int (default 100).
        batch_size: points per step; None trains on all points at once. Smaller batches are
            drawn in an order shuffled each epoch from ``seed``.
        l2: adds ``l2 * sum(p**2)`` to each batch's loss (default 0).
        schedule: a learning-rate schedule, stepped once per epoch.
        X_test: test inputs, evaluated after each epoch (give ``y_test`` too).
        y_test: the test targets.
        accuracy: ``(predictions, targets) -> float``, overriding the loss's own accuracy.
        target_loss: stop once an epoch's loss is at most this.
        progress: show the progress bar (default True).
        seed: the random seed of the batch order (default 0).
        on_step: called with a :class:`StepInfo` after each ``backward()``.
        on_epoch: called as ``on_epoch(epoch, history)`` after each epoch; True stops training.
        compile: trace each step once as a tape (:func:`autograd_lite.trace`) and replay it as
            generated float code: the same numbers as the eager step, several times faster.

    Returns:
        A :class:`History` with one entry per epoch in each list that applies.

    Raises:
        ValueError: if the loss name is unknown, the data is empty or its labels do not match its
            points in number, only one of ``X_test``/``y_test`` is given, ``epochs``/``batch_size``
            is not a positive int; the loss's own errors (labels out of range) come from the
            first step. An optimizer's ValueError on a NaN gradient stops training there.
        TypeError: if ``loss`` is neither a name nor a function.

    Example:
        >>> import nn
        >>> X, y = nn.datasets.xor(n_samples=40, seed=0)
        >>> model = nn.MLP(2, [8, 1], activation="tanh", seed=0)
        >>> history = nn.fit(model, X, nn.datasets.signed_labels(y), loss="hinge",
        ...                  optimizer=nn.Adam(model.parameters(), lr=0.05), epochs=60,
        ...                  progress=False)
        >>> history.epochs, history.accuracy[-1] > 0.9
        (60, True)
    """
    loss_fn, accuracy_fn = _resolve_loss(loss, accuracy)
    _check_fit_data(X, y, X_test, y_test, epochs, batch_size)
    parameters = model.parameters()
    opt = optimizer if optimizer is not None else SGD(parameters, lr=lr)
    train_step = _CompiledStep(model, loss_fn, l2, parameters) if compile else _EagerStep(
        model, loss_fn, l2, parameters)
    if compile:  # the loss's own checks of the labels, once, before any trace
        evaluate(model, X, y, loss=loss_fn)
    batches = _Batches(len(X), batch_size, seed)
    history = History()
    bar = _progress_bar(epochs * batches.per_epoch, progress)
    step = 0
    try:
        for epoch in range(epochs):
            bar.set_description(f"epoch {epoch + 1}/{epochs}", refresh=False)
            history.lr.append(opt.lr)
            tally = _Tally(len(X), accuracy_fn)
            for batch in batches.epoch():
                targets = [y[i] for i in batch]
                opt.zero_grad()
                batch_loss, predictions = train_step.backward([X[i] for i in batch], targets)
                step += 1
                if on_step is not None:
                    on_step(StepInfo(epoch, step, batch_loss, model, opt))
                opt.step()
                tally.add(batch_loss, predictions, targets)
                if not tally.complete:
                    bar.set_postfix(tally.running(), refresh=False)
                    bar.update(1)
            if schedule is not None:
                schedule.step()
            _record_epoch(history, tally, model, (X_test, y_test), loss_fn, accuracy_fn)
            bar.set_postfix(_postfix(history), refresh=False)
            bar.update(1)
            stop = on_epoch(epoch, history) if on_epoch is not None else None
            if stop or (target_loss is not None and history.loss[-1] <= target_loss):
                history.stopped_early = epoch + 1 < epochs
                break
    finally:
        bar.close()
    return history


class _Batches:
    """The mini-batches of each epoch: indices in order, shuffled from ``seed`` when smaller
    than the data set (a full batch keeps the data's order)."""

    def __init__(self, n: int, batch_size: int | None, seed: int) -> None:
        self.n = n
        self.size = n if batch_size is None else min(batch_size, n)
        self.per_epoch = -(-n // self.size)
        self.rng = random.Random(seed)

    def epoch(self) -> list[list[int]]:
        order = list(range(self.n))
        if self.size < self.n:
            self.rng.shuffle(order)
        return [order[start : start + self.size] for start in range(0, self.n, self.size)]


class _Tally:
    """An epoch's running loss and accuracy, each weighted by its batch's size."""

    def __init__(self, n: int, accuracy_fn: AccuracyFunction | None) -> None:
        self.n, self.accuracy_fn = n, accuracy_fn
        self.seen, self.loss_sum, self.hit_sum = 0, 0.0, 0.0

    def add(self, batch_loss: float, predictions: Sequence[Any], targets: Sequence[Any]) -> None:
        self.seen += len(targets)
        self.loss_sum += batch_loss * len(targets)
        if self.accuracy_fn is not None:
            self.hit_sum += self.accuracy_fn(predictions, targets) * len(targets)

    @property
    def complete(self) -> bool:
        return self.seen >= self.n

    def running(self) -> dict[str, str]:
        """The numbers of this epoch so far, for the progress bar."""
        return _running(self.loss_sum / self.seen, self.hit_sum / self.seen, self.accuracy_fn)


def _record_epoch(
    history: History,
    tally: _Tally,
    model: Module,
    test: tuple[Sequence[Sequence[float]] | None, Sequence[Any] | None],
    loss_fn: LossFunction,
    accuracy_fn: AccuracyFunction | None,
) -> None:
    """Append the epoch's training numbers and, with test data, its test numbers."""
    history.loss.append(tally.loss_sum / tally.n)
    if accuracy_fn is not None:
        history.accuracy.append(tally.hit_sum / tally.n)
    X_test, y_test = test  # noqa: N806 - X as in the maths
    if X_test is not None and y_test is not None:
        test_loss, test_accuracy = evaluate(model, X_test, y_test, loss=loss_fn,
                                            accuracy=accuracy_fn)  # fmt: skip
        history.test_loss.append(test_loss)
        if test_accuracy is not None:
            history.test_accuracy.append(test_accuracy)


class _EagerStep:
    """A training step as the engine runs it: build the batch's graph, then ``backward()``."""

    def __init__(self, model: Module, loss_fn: LossFunction, l2: float,
                 parameters: list[Value]) -> None:  # fmt: skip
        self.model, self.loss_fn, self.l2, self.parameters = model, loss_fn, l2, parameters

    def step_loss(self, xs: Sequence[Any], targets: Sequence[Any]) -> tuple[Value, list[Any]]:
        """The batch's loss (with its L2 term) and the predictions it was computed from."""
        predictions = [self.model(x) for x in xs]
        total = self.loss_fn(predictions, targets)
        if self.l2:
            total = total + losses.l2_regularization(self.parameters, self.l2)
        return total, predictions

    def backward(self, xs: list[Any], targets: list[Any]) -> tuple[float, Any]:
        """Forward and backward for this batch; gradients go into the parameters."""
        total, predictions = self.step_loss(xs, targets)
        total.backward()
        return total.data, predictions


class _CompiledStep(_EagerStep):
    """A training step's loss as a tape: traced once per batch size, then replayed.

    The batch's inputs and targets are the tape's inputs, so one tape serves every batch of a
    size. Class indices (cross-entropy) would choose which logit enters the loss, shaping the
    graph itself, so they are passed as one-hot rows, which give the same loss and gradients.
    """

    def __init__(self, model: Module, loss_fn: LossFunction, l2: float,
                 parameters: list[Value]) -> None:  # fmt: skip
        super().__init__(model, loss_fn, l2, parameters)
        self.tapes: dict[int, Tape] = {}

    def backward(self, xs: list[Any], targets: list[Any]) -> tuple[float, Any]:
        """Replay forward and backward for this batch; gradients go into the parameters."""
        if self.loss_fn is losses.softmax_cross_entropy:
            with no_grad():
                classes = len(self.model(xs[0]))
            targets = [[1.0 if j == k else 0.0 for j in range(classes)] for k in targets]
        if len(xs) not in self.tapes:
            self.tapes[len(xs)] = trace(self.step_loss, xs, targets, has_aux=True)
        value, predictions = self.tapes[len(xs)].backward(xs, targets)
        return value, predictions


def evaluate(
    model: Module,
    X: Sequence[Sequence[float]],  # noqa: N803
    y: Sequence[Any],
    *,
    loss: str | LossFunction = "mse",
    accuracy: AccuracyFunction | None = None,
) -> tuple[float, float | None]:
    """``(loss, accuracy)`` of ``model`` on ``(X, y)``, computed under ``no_grad`` (no graph).

    Args:
        model: the module to evaluate.
        X: the inputs, one row per point.
        y: one target per point.
        loss: a name from :data:`nn.LOSSES` or a function (default ``"mse"``).
        accuracy: overrides the loss's own accuracy function.

    Returns:
        ``(loss, accuracy)``: two floats, the accuracy None when the loss has none and none is
        given.

    Raises:
        ValueError: if the loss name is unknown, or the data is empty or mismatched.
        TypeError: if ``loss`` is neither a name nor a function.

    Example:
        >>> import nn
        >>> model = nn.MLP(1, [1], seed=0)
        >>> loss, acc = nn.evaluate(model, [[1.0], [2.0]], [1, -1], loss="hinge")
        >>> acc in (0.0, 0.5, 1.0)
        True
    """
    loss_fn, accuracy_fn = _resolve_loss(loss, accuracy)
    _check_data(X, y, "evaluation")
    with no_grad():
        predictions = [model(x) for x in X]
        value = loss_fn(predictions, list(y)).data
    return value, (None if accuracy_fn is None else accuracy_fn(predictions, y))


def _resolve_loss(
    loss: str | LossFunction, accuracy: AccuracyFunction | None = None
) -> tuple[LossFunction, AccuracyFunction | None]:
    """The loss function and the accuracy to report: ``accuracy`` if given, else the loss's."""
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)}")
        entry = LOSSES[loss]
        return entry.function, accuracy if accuracy is not None else entry.accuracy
    if not callable(loss):
        raise TypeError(f"loss must be a name or a function, got {type(loss).__name__}")
    return loss, accuracy


def _check_fit_data(
    X: Sequence[Any],  # noqa: N803 - X as in the maths
    y: Sequence[Any],
    X_test: Sequence[Any] | None,  # noqa: N803
    y_test: Sequence[Any] | None,
    epochs: object,
    batch_size: object,
) -> None:
    """Every argument check of ``fit`` that can fail before training starts."""
    _check_data(X, y, "training")
    if (X_test is None) != (y_test is None):
        raise ValueError("fit: give both X_test and y_test, or neither")
    if X_test is not None and y_test is not None:
        _check_data(X_test, y_test, "test")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    if batch_size is not None and (
        isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1
    ):
        raise ValueError(f"fit: batch_size must be a positive int or None, got {batch_size!r}")


def _check_data(points: Sequence[Any], y: Sequence[Any], what: str) -> None:
    if len(points) != len(y):
        raise ValueError(f"fit: the {what} data has {len(points)} points but {len(y)} labels")
    if len(points) == 0:
        raise ValueError(f"fit: the {what} data is empty")


def _running(loss: float, accuracy: float, accuracy_fn: AccuracyFunction | None) -> dict[str, str]:
    shown = {"loss": f"{loss:.4f}"}
    if accuracy_fn is not None:
        shown["acc"] = f"{accuracy:.1%}"
    return shown


def _postfix(history: History) -> dict[str, str]:
    shown = {"loss": f"{history.loss[-1]:.4f}"}
    if history.accuracy:
        shown["acc"] = f"{history.accuracy[-1]:.1%}"
    if history.test_accuracy:
        shown["test_acc"] = f"{history.test_accuracy[-1]:.1%}"
    elif history.test_loss:
        shown["test_loss"] = f"{history.test_loss[-1]:.4f}"
    return shown


def _progress_bar(steps: int, enabled: bool) -> Any:
    """A tqdm bar over the training steps: a widget in a notebook that has ipywidgets, text
    elsewhere. tqdm is imported here, when training starts, so that a notebook is detected."""
    from tqdm.auto import tqdm  # type: ignore[import-untyped]

    return tqdm(
        total=steps,
        desc="training",
        unit="step",
        disable=not enabled,
        dynamic_ncols=True,
        leave=True,
    )
