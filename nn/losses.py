"""Loss functions: one Value that measures how wrong the predictions are, ready for backward().

Each takes predictions (Values or numbers; one, a list, or a list of lists for several outputs)
and targets of the same shape, and returns the mean over all pairs unless its name says sum.
The formulas are written in forms that never overflow, because a training run meets large
logits sooner or later.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from autograd_lite import Value, softplus, total

from .metrics import argmax_accuracy, sign_accuracy, threshold_accuracy

#: A prediction or target: a number or a Value.
Scalar = float | Value


def mse(predictions: Any, targets: Any) -> Value:
    """Mean squared error: the mean of (prediction - target)**2 over all pairs.

    The same number as PyTorch's ``torch.nn.functional.mse_loss`` (reduction "mean").

    Args:
        predictions: one prediction (Value or number), a list of them, or a list of lists
            (several outputs per point).
        targets: numbers (or Values) in the same shape.

    Returns:
        A Value: the mean squared error, ready for ``backward()``.

    Raises:
        ValueError: if predictions and targets differ in count, or there are none.
        TypeError: if a target is not a number.

    Example:
        >>> from autograd_lite import Value
        >>> p = Value(2.0)
        >>> loss = mse([p, 0.5], [1.0, 0.5])
        >>> loss.data, round(p.grad, 1)
        (0.5, 0.0)
        >>> loss.backward(); p.grad      # d/dp of (p - 1)**2 / 2 at p = 2
        1.0
    """
    pairs = _pairs(predictions, targets, "mse")
    return _mean([(p - t) ** 2 for p, t in pairs])


def half_sum_squared_error(predictions: Any, targets: Any) -> Value:
    """E = sum of 1/2 (target - output)**2: the textbook error whose derivative is output - target.

    The worked 2-2-2 example uses it (Mazur, "A Step by Step Backpropagation Example", 2015): the
    1/2 cancels the 2 that differentiation brings down.

    Args:
        predictions: one output (Value or number), a list, or a list of lists.
        targets: numbers (or Values) in the same shape.

    Returns:
        A Value: the sum (not the mean) of the halved squared errors.

    Raises:
        ValueError: if predictions and targets differ in count, or there are none.
        TypeError: if a target is not a number.

    Example:
        >>> from autograd_lite import Value
        >>> out = Value(0.75136507)
        >>> E = half_sum_squared_error([out], [0.01])
        >>> E.backward()
        >>> round(E.data, 9), round(out.grad, 8)
        (0.274811084, 0.74136507)
    """
    pairs = _pairs(predictions, targets, "half_sum_squared_error")
    return _sum([0.5 * (t - p) ** 2 for p, t in pairs])


def binary_cross_entropy_with_logits(logits: Any, targets: Any) -> Value:
    """Binary cross-entropy from a logit z and a label t in [0, 1]: mean of softplus(z) - t*z.

    Equal to -[t log sigmoid(z) + (1-t) log(1 - sigmoid(z))], but never takes the log of a
    probability that rounded to 0 or 1, so it is exact for any z (PyTorch's
    ``binary_cross_entropy_with_logits``). Its gradient is sigmoid(z) - t.

    Args:
        logits: one logit (Value or number), a list, or a list of lists.
        targets: labels in [0, 1] in the same shape.

    Returns:
        A Value: the mean over all pairs.

    Raises:
        ValueError: if logits and targets differ in count, or there are none.
        TypeError: if a target is not a number.

    Example:
        >>> from autograd_lite import Value
        >>> z = Value(0.0)
        >>> loss = binary_cross_entropy_with_logits([z], [1.0])
        >>> loss.backward()
        >>> round(loss.data, 6), z.grad          # log 2, and sigmoid(0) - 1
        (0.693147, -0.5)
    """
    pairs = _pairs(logits, targets, "binary_cross_entropy_with_logits")
    return _mean([softplus(z) - t * z for z, t in pairs])


#: Like PyTorch, each log is clamped at -100 so a probability of exactly 0 or 1 gives a finite loss.
_LOG_FLOOR = -100.0


def binary_cross_entropy(probabilities: Any, targets: Any) -> Value:
    """Binary cross-entropy from probabilities p in [0, 1]: mean of -[t log p + (1-t) log(1-p)].

    Each log is clamped at -100 as PyTorch's ``binary_cross_entropy`` does; prefer
    :func:`binary_cross_entropy_with_logits`, which needs no clamp.

    Args:
        probabilities: one probability (Value or number), a list, or a list of lists.
        targets: labels in [0, 1] in the same shape.

    Returns:
        A Value: the mean over all pairs.

    Raises:
        ValueError: if a probability is outside [0, 1], the counts differ, or there are none.
        TypeError: if a target is not a number.

    Example:
        >>> round(binary_cross_entropy([0.8, 0.4], [1, 0]).data, 6)
        0.366985
    """
    pairs = _pairs(probabilities, targets, "binary_cross_entropy")
    terms = []
    for p, t in pairs:
        pv = p.data if isinstance(p, Value) else p
        if not 0.0 <= pv <= 1.0:
            raise ValueError(f"binary_cross_entropy: probability {pv!r} is outside [0, 1]")
        terms.append(-(t * _clamped_log(p) + (1 - t) * _clamped_log(1 - p)))
    return _mean(terms)


def _clamped_log(p: Scalar) -> Scalar:
    value = p.data if isinstance(p, Value) else p
    if value <= 0 or math.log(value) < _LOG_FLOOR:
        return _LOG_FLOOR
    return p.log() if isinstance(p, Value) else math.log(p)


def hinge_loss(scores: Any, targets: Any) -> Value:
    """Max-margin (hinge) loss for labels -1/+1: mean of max(0, 1 - y * score).

    Zero once every point is on its correct side by a margin of 1; micrograd's demo trains on it
    (``max_margin_loss`` is the same function).

    Args:
        scores: one score per point (Values or numbers).
        targets: one label per point, -1 or +1.

    Returns:
        A Value: the mean hinge loss.

    Raises:
        ValueError: if a label is not -1 or +1, the counts differ, or there are none.
        TypeError: if a label is not a number.

    Example:
        >>> hinge_loss([2.0, 0.5, -0.5], [1, 1, 1]).data     # (0 + 0.5 + 1.5) / 3
        0.6666666666666666
    """
    pairs = _pairs(scores, targets, "hinge_loss")
    for _, y in pairs:
        if (y.data if isinstance(y, Value) else y) not in (-1, 1):
            raise ValueError(f"hinge_loss: labels must be -1 or +1, got {y!r}")
    return _mean([(1 - y * _as_value(s)).relu() for s, y in pairs])


#: micrograd's name for the hinge loss.
max_margin_loss = hinge_loss


def log_softmax(logits: Sequence[Scalar]) -> list[Value]:
    """log softmax(z)_i = z_i - logsumexp(z), computed stably (see :func:`logsumexp`).

    Args:
        logits: one row of class scores (Values or numbers).

    Returns:
        A list of Values, one log-probability per class.

    Raises:
        ValueError: if ``logits`` is empty.

    Example:
        >>> [round(v.data, 4) for v in log_softmax([1.0, 2.0, 3.0])]
        [-2.4076, -1.4076, -0.4076]
    """
    lse = logsumexp(logits)
    return [z - lse for z in logits]


def softmax(logits: Sequence[Scalar]) -> list[Value]:
    """Probabilities exp(z_i) / sum_j exp(z_j), computed without overflow.

    Args:
        logits: one row of class scores (Values or numbers).

    Returns:
        A list of Values in (0, 1) that sum to 1.

    Raises:
        ValueError: if ``logits`` is empty.

    Example:
        >>> [round(v.data, 4) for v in softmax([1000.0, 1000.0])]    # no overflow
        [0.5, 0.5]
    """
    return [v.exp() for v in log_softmax(logits)]


def logsumexp(logits: Sequence[Scalar]) -> Value:
    """log(sum exp(z_i)) = m + log(sum exp(z_i - m)) with m = max z: no exp can overflow.

    m is a plain number: shifting by any constant leaves the value and its gradient unchanged.

    Args:
        logits: one row of scores (Values or numbers).

    Returns:
        A Value; its gradient with respect to each logit is that logit's softmax probability.

    Raises:
        ValueError: if ``logits`` is empty.

    Example:
        >>> round(logsumexp([1000.0, 1000.0]).data, 6)       # 1000 + log 2
        1000.693147
    """
    if len(logits) == 0:
        raise ValueError("logsumexp: needs at least one logit")
    m = max(z.data if isinstance(z, Value) else float(z) for z in logits)
    shifted = [_as_value(z) - m for z in logits]
    return _sum([s.exp() for s in shifted]).log() + m


def softmax_cross_entropy(logits: Any, targets: Any) -> Value:
    """Cross-entropy of softmax(logits) against class indices (PyTorch's ``cross_entropy``).

    ``logits`` is one list of class scores with an int target, or a list of such lists with a
    list of int targets (the mean over the batch). Each term is logsumexp(z) - z[target].
    A target may also be a row of class probabilities p (as PyTorch allows): the term is then
    sum_j p_j (logsumexp(z) - z_j), the same number for a one-hot row.

    Args:
        logits: one row of class scores, or a list of rows.
        targets: one class index (an int in 0..classes-1) per row, or a probability row each.

    Returns:
        A Value: the mean cross-entropy over the rows.

    Raises:
        ValueError: if a target is not a class index of its row, a probability row has the wrong
            length, or the number of targets differs from the number of rows.

    Example:
        >>> round(softmax_cross_entropy([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], [0, 2]).data, 6)
        0.669079
    """
    if logits and not isinstance(logits[0], Sequence):
        logits, targets = [logits], [targets]
    if isinstance(targets, (int, str)) or len(logits) != len(targets):
        raise ValueError(
            f"softmax_cross_entropy: expected one class index per row of logits "
            f"({len(logits)}), got {targets!r}"
        )
    terms = []
    for row, k in zip(logits, targets, strict=True):
        if isinstance(k, Sequence) and not isinstance(k, str):
            if len(k) != len(row):
                raise ValueError(
                    f"softmax_cross_entropy: a probability target needs {len(row)} entries, "
                    f"got {len(k)}"
                )
            lse = logsumexp(row)
            terms.append(total([p * (lse - z) for p, z in zip(k, row, strict=True)]))
            continue
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or not 0 <= int(k) < len(row):
            raise ValueError(
                f"softmax_cross_entropy: target {k!r} is not a class index in 0..{len(row) - 1}"
            )
        terms.append(logsumexp(row) - row[k])
    return _mean(terms)


#: PyTorch's name for the same loss.
cross_entropy = softmax_cross_entropy


def l2_regularization(parameters: Iterable[Value], alpha: float = 1e-4) -> Value:
    """alpha * sum of p**2: a penalty that pulls weights toward zero (weight decay of 2*alpha).

    Args:
        parameters: the Values to penalise (usually ``model.parameters()``).
        alpha: the penalty's strength (default 1e-4).

    Returns:
        A Value to add to the loss.

    Raises:
        ValueError: if ``parameters`` is empty.

    Example:
        >>> from autograd_lite import Value
        >>> w = Value(3.0)
        >>> penalty = l2_regularization([w, Value(-1.0)], alpha=0.5)
        >>> penalty.backward()
        >>> penalty.data, w.grad                    # 0.5 * (9 + 1), 2 * 0.5 * 3
        (5.0, 3.0)
    """
    squares = [p * p for p in parameters]
    return alpha * _sum(squares)


# --- the loss table: each loss with its accuracy and its PyTorch counterpart ----------------


class Loss(NamedTuple):
    """One entry of :data:`LOSSES`: a loss, the accuracy that fits it, and PyTorch's version.

    Attributes:
        function: ``(predictions, targets) -> Value``, one of this module's losses.
        accuracy: ``(predictions, targets) -> float`` in [0, 1], or None for regression.
        torch: ``(output, targets) -> tensor``, the same loss in PyTorch: ``output`` is a float64
            tensor of shape (rows,) for one output per row, else (rows, outputs); ``targets`` a
            float64 tensor of the targets' shape. torch is imported only when it runs.
        class_targets: True when targets are class indices (one per row of scores).
    """

    function: Callable[[Any, Any], Value]
    accuracy: Callable[[Sequence[Any], Sequence[Any]], float] | None
    torch: Callable[[Any, Any], Any]
    class_targets: bool = False


def _torch_functional() -> Any:
    import torch.nn.functional

    return torch.nn.functional


def _torch_mse(output: Any, targets: Any) -> Any:
    return _torch_functional().mse_loss(output, targets)


def _torch_half_sse(output: Any, targets: Any) -> Any:
    return 0.5 * ((targets - output) ** 2).sum()


def _torch_hinge(scores: Any, labels: Any) -> Any:
    return _torch_functional().relu(1 - labels * scores).mean()


def _torch_bce_with_logits(logits: Any, targets: Any) -> Any:
    return _torch_functional().binary_cross_entropy_with_logits(logits, targets)


def _torch_bce(probabilities: Any, targets: Any) -> Any:
    return _torch_functional().binary_cross_entropy(probabilities, targets)


def _torch_cross_entropy(logits: Any, targets: Any) -> Any:
    classes = targets.long() if targets.dim() < logits.dim() else targets  # else probabilities
    return _torch_functional().cross_entropy(logits, classes)


#: Losses by name (for ``fit(loss="mse")``, the command line and ``compare_with_torch``).
LOSSES: dict[str, Loss] = {
    "mse": Loss(mse, None, _torch_mse),
    "half_sse": Loss(half_sum_squared_error, None, _torch_half_sse),
    "hinge": Loss(hinge_loss, sign_accuracy, _torch_hinge),
    "max_margin": Loss(max_margin_loss, sign_accuracy, _torch_hinge),
    "bce_with_logits": Loss(binary_cross_entropy_with_logits, sign_accuracy,
                            _torch_bce_with_logits),
    "bce": Loss(binary_cross_entropy, threshold_accuracy, _torch_bce),
    "cross_entropy": Loss(softmax_cross_entropy, argmax_accuracy, _torch_cross_entropy,
                          class_targets=True),
}  # fmt: skip


# --- shapes ---------------------------------------------------------------------------------


def _flatten(x: Any) -> list[Any]:
    """One level of nesting removed: a batch of outputs becomes one list of scalars."""
    if isinstance(x, (Value, numbers.Real)):
        return [x]
    out: list[Any] = []
    for item in x:
        out.extend(item if isinstance(item, Sequence) and not isinstance(item, str) else [item])
    return out


def _pairs(predictions: Any, targets: Any, loss: str) -> list[tuple[Any, Any]]:
    ps, ts = _flatten(predictions), _flatten(targets)
    if len(ps) != len(ts):
        raise ValueError(f"{loss}: {len(ps)} predictions but {len(ts)} targets")
    if not ps:
        raise ValueError(f"{loss}: no predictions")
    for t in ts:
        if isinstance(t, bool) or not isinstance(t, (numbers.Real, Value)):
            raise TypeError(f"{loss}: targets must be numbers, got {type(t).__name__}")
    return list(zip(ps, ts, strict=True))


def _as_value(x: Scalar) -> Value:
    return x if isinstance(x, Value) else Value(float(x), requires_grad=False)


def _sum(terms: Sequence[Scalar]) -> Value:
    """The terms' sum as one ``total`` node (a chain of ``+`` would give the same numbers).

    One term is its own sum: no node that adds nothing is drawn or stepped through.
    """
    return total(terms) if len(terms) != 1 else _as_value(terms[0])


def _mean(terms: Sequence[Scalar]) -> Value:
    return _sum(terms) / len(terms) if len(terms) > 1 else _as_value(terms[0])
