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
from .module import Module
from .optim import SGD, Optimizer
from .schedules import LRSchedule

LossFunction = Callable[[Any, Any], Value]
AccuracyFunction = Callable[[Sequence[Any], Sequence[Any]], float]


def _data(x: Any) -> float:
    return x.data if isinstance(x, Value) else float(x)


def sign_accuracy(predictions: Sequence[Any], targets: Sequence[Any]) -> float:
    """Share of scores on the side of 0 that their label says (-1/+1 or 0/1: positive is > 0.5)."""
    pairs = zip(predictions, targets, strict=True)
    hits = sum((_data(p) > 0) == (_data(t) > 0.5) for p, t in pairs)
    return hits / len(targets)


def threshold_accuracy(predictions: Sequence[Any], targets: Sequence[Any]) -> float:
    """Share of probabilities on the side of 0.5 their 0/1 label is on."""
    hits = sum(
        (_data(p) > 0.5) == (_data(t) > 0.5) for p, t in zip(predictions, targets, strict=True)
    )
    return hits / len(targets)


def argmax_accuracy(predictions: Sequence[Any], targets: Sequence[Any]) -> float:
    """Share of rows whose largest score is at the target class index."""
    hits = 0
    for row, k in zip(predictions, targets, strict=True):
        scores = [_data(z) for z in row]
        hits += scores.index(max(scores)) == k
    return hits / len(targets)


#: Losses by name, each with the accuracy that makes sense for it (None for regression).
LOSSES: dict[str, tuple[LossFunction, AccuracyFunction | None]] = {
    "mse": (losses.mse, None),
    "half_sse": (losses.half_sum_squared_error, None),
    "hinge": (losses.hinge_loss, sign_accuracy),
    "max_margin": (losses.hinge_loss, sign_accuracy),
    "bce_with_logits": (losses.binary_cross_entropy_with_logits, sign_accuracy),
    "bce": (losses.binary_cross_entropy, threshold_accuracy),
    "cross_entropy": (losses.softmax_cross_entropy, argmax_accuracy),
}


@dataclass
class History:
    """Per-epoch numbers: ``loss`` and ``accuracy`` on the training data (averaged over the
    epoch's batches, measured as each batch was trained, regularisation included in the loss),
    ``test_loss`` and ``test_accuracy`` after each epoch when test data is given, and ``lr``.

    Lists stay empty when they do not apply (no accuracy for regression, no test data).
    ``history["loss"]`` works too.
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
    """What ``on_step`` sees after ``backward()`` and before ``optimizer.step()``: the gradients
    of this batch are in ``p.grad`` (for gradient-norm plots and the like)."""

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

    ``loss`` is a name from :data:`LOSSES` (which also picks the accuracy) or a function
    ``(predictions, targets) -> Value``. Without ``optimizer``, plain SGD with ``lr`` is used.
    ``batch_size=None`` trains on all points at once; smaller batches are drawn in an order
    shuffled each epoch from ``seed``. ``l2`` adds ``l2 * sum(p**2)`` to each batch's loss.
    ``schedule`` is stepped once per epoch. Training stops early when an epoch's loss is at most
    ``target_loss``, or when ``on_epoch(epoch, history)`` returns True. The tqdm bar counts
    steps and shows the epoch's running loss and accuracy; ``progress=False`` turns it off.

    ``compile=True`` traces each step once as a tape (:func:`autograd_lite.trace`) and replays
    it as generated float code: the same numbers as the eager step, several times faster.
    """
    loss_fn, default_accuracy = _resolve_loss(loss)
    accuracy_fn = accuracy if accuracy is not None else default_accuracy
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
    parameters = model.parameters()
    opt = optimizer if optimizer is not None else SGD(parameters, lr=lr)
    rng = random.Random(seed)
    size = len(X) if batch_size is None else min(batch_size, len(X))
    batches_per_epoch = -(-len(X) // size)
    history = History()
    compiled = _CompiledStep(model, loss_fn, l2, parameters) if compile else None
    if compiled is not None:  # the loss's own checks of the labels, once, before any trace
        evaluate(model, X, y, loss=loss_fn)
    bar = _progress_bar(epochs * batches_per_epoch, progress)
    step = 0
    try:
        for epoch in range(epochs):
            bar.set_description(f"epoch {epoch + 1}/{epochs}", refresh=False)
            order = list(range(len(X)))
            if size < len(X):
                rng.shuffle(order)
            history.lr.append(opt.lr)
            loss_sum, hit_sum, seen = 0.0, 0.0, 0
            for start in range(0, len(order), size):
                batch = order[start : start + size]
                targets = [y[i] for i in batch]
                opt.zero_grad()
                if compiled is not None:
                    batch_loss, predictions = compiled.backward([X[i] for i in batch], targets)
                else:
                    predictions = [model(X[i]) for i in batch]
                    total = loss_fn(predictions, targets)
                    if l2:
                        total = total + losses.l2_regularization(parameters, l2)
                    total.backward()
                    batch_loss = total.data
                step += 1
                if on_step is not None:
                    on_step(StepInfo(epoch, step, batch_loss, model, opt))
                opt.step()
                seen += len(batch)
                loss_sum += batch_loss * len(batch)
                if accuracy_fn is not None:
                    hit_sum += accuracy_fn(predictions, targets) * len(batch)
                if seen < len(X):  # the running numbers of this epoch so far
                    bar.set_postfix(
                        _running(loss_sum / seen, hit_sum / seen, accuracy_fn), refresh=False
                    )
                    bar.update(1)
            if schedule is not None:
                schedule.step()
            history.loss.append(loss_sum / len(X))
            if accuracy_fn is not None:
                history.accuracy.append(hit_sum / len(X))
            if X_test is not None and y_test is not None:
                test_loss, test_accuracy = evaluate(
                    model, X_test, y_test, loss=loss_fn, accuracy=accuracy_fn
                )
                history.test_loss.append(test_loss)
                if test_accuracy is not None:
                    history.test_accuracy.append(test_accuracy)
            bar.set_postfix(_postfix(history), refresh=False)
            bar.update(1)
            stop = on_epoch(epoch, history) if on_epoch is not None else None
            if stop or (target_loss is not None and history.loss[-1] <= target_loss):
                history.stopped_early = epoch + 1 < epochs
                break
    finally:
        bar.close()
    return history


class _CompiledStep:
    """A training step's loss as a tape: traced once per batch size, then replayed.

    The batch's inputs and targets are the tape's inputs, so one tape serves every batch of a
    size. Class indices (cross-entropy) would choose which logit enters the loss, shaping the
    graph itself, so they are passed as one-hot rows, which give the same loss and gradients.
    """

    def __init__(self, model: Module, loss_fn: LossFunction, l2: float,
                 parameters: list[Value]) -> None:  # fmt: skip
        self.model, self.loss_fn, self.l2, self.parameters = model, loss_fn, l2, parameters
        self.tapes: dict[int, Tape] = {}

    def step_loss(self, xs: Sequence[Any], targets: Sequence[Any]) -> tuple[Value, list[Any]]:
        predictions = [self.model(x) for x in xs]
        total = self.loss_fn(predictions, targets)
        if self.l2:
            total = total + losses.l2_regularization(self.parameters, self.l2)
        return total, predictions

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

    The accuracy is None when the loss has none and none is given.
    """
    loss_fn, default_accuracy = _resolve_loss(loss)
    accuracy_fn = accuracy if accuracy is not None else default_accuracy
    _check_data(X, y, "evaluation")
    with no_grad():
        predictions = [model(x) for x in X]
        value = loss_fn(predictions, list(y)).data
    return value, (None if accuracy_fn is None else accuracy_fn(predictions, y))


def _resolve_loss(loss: str | LossFunction) -> tuple[LossFunction, AccuracyFunction | None]:
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose one of {sorted(LOSSES)}")
        return LOSSES[loss]
    if not callable(loss):
        raise TypeError(f"loss must be a name or a function, got {type(loss).__name__}")
    return loss, None


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
