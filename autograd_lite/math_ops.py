"""More of PyTorch's scalar maths, each an :class:`~autograd_lite.ops.Operation` like the core set.

Trigonometry and its inverses (``tan``, ``asin``, ``acos``, ``atan``, ``atan2``), hyperbolic
functions (``sinh``, ``cosh``), logarithms and exponentials made for small or other-base inputs
(``log1p``, ``expm1``, ``log2``, ``log10``), the Euclidean norm ``hypot``, the steps ``sign``,
``floor`` and ``ceil``, the piecewise ``maximum``, ``minimum`` and ``clamp``, and Python's
``%`` and ``//``. Names and conventions follow PyTorch; each is one definition below: its forward
on floats and its local derivatives, written with operations so that they work on floats and on
Values (derivatives of any order).

Piecewise rules are written with :func:`~autograd_lite.ops.where` and comparisons, never a
Python ``if``, and a ``forward`` that calls ``math.*`` declares its NumPy form beside it
(``array_forward``): so the tape's generated code and its vectorised replay are derived from
these very definitions. ``maximum`` splits its gradient evenly on a tie, as ``torch.maximum``
does; Python's built-in ``max()`` returns one of its operands, which then gets everything:

    >>> from autograd_lite import Value, maximum
    >>> a, b = Value(2.0), Value(2.0)
    >>> maximum(a, b).backward()
    >>> a.grad, b.grad
    (0.5, 0.5)
    >>> max(a, b) is a                   # Python's max() picks one operand: it gets everything
    True

Source: the conventions at ties, bounds and jumps are PyTorch's own derivative definitions
(``tools/autograd/derivatives.yaml`` and ``clamp_backward_min_max`` in PyTorch 2.13), checked
against it by the tests; where this module differs (atan2 and hypot at the origin) it says so.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .ops import Operation, exp, sqrt, where

if TYPE_CHECKING:
    from .ops import Scalar

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


# --- forward rules with a domain: a clear error instead of NaN or a bare "math domain error" ----


def _in_unit_interval(name: str, x: float) -> None:
    if not -1.0 <= x <= 1.0:
        raise ValueError(f"{name}: the input must be in [-1, 1], got {x!r}")


def _asin(x: float) -> float:
    _in_unit_interval("asin", x)
    return math.asin(x)


def _acos(x: float) -> float:
    _in_unit_interval("acos", x)
    return math.acos(x)


def _positive_log(name: str, function: Any) -> Any:
    def forward(x: float) -> float:
        if not x > 0:
            raise ValueError(f"{name}: the input must be positive, got {x!r}")
        return float(function(x))

    return forward


def _log1p(x: float) -> float:
    if not x > -1:
        raise ValueError(f"log1p: the input must be greater than -1, got {x!r}")
    return math.log1p(x)


def _overflow_checked(name: str, function: Any) -> Any:
    def forward(x: float) -> float:
        try:
            return float(function(x))
        except OverflowError:
            raise OverflowError(f"{name}: {name}({x!r}) is too large for a float") from None

    return forward


def _rounded(function: Any) -> Any:
    def forward(x: float) -> float:
        return float(function(x)) if math.isfinite(x) else x

    return forward


def _remainder(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(f"remainder: {a!r} % 0 is undefined (the divisor is zero)")
    return a % b


def _floor_divide(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(f"floor_divide: {a!r} // 0 is undefined (the divisor is zero)")
    return a // b


# --- rules in more than one line -------------------------------------------------------------


def _over_hypot(coordinate: Scalar, out: Scalar) -> Scalar:
    """d hypot / d coordinate = coordinate / hypot; at the origin (a cone's tip) 0 to every
    order, as |x| has at 0."""
    off_origin = out > 0
    r = where(off_origin, out, 1.0)  # never 0, so neither branch can fail
    return where(off_origin, coordinate / r, 0.0)  # type: ignore[no-any-return]


def _atan_grad(x: Scalar) -> Scalar:
    """1 / (1 + x^2), without squaring a huge x: with s = max(1, |x|), it is
    (1/s) / (s ((1/s)^2 + (x/s)^2)), which is exactly 1 / (1 + x^2) wherever |x| <= 1."""
    s = maximum(1.0, abs(x))
    one, u = 1 / s, x / s
    return one / (s * (one * one + u * u))  # type: ignore[no-any-return]


def _atan2_grad(numerator: Scalar, y: Scalar, x: Scalar) -> Scalar:
    """numerator / (x^2 + y^2) without squaring a huge x or y: with s = max(|x|, |y|) it is
    (numerator/s) / (s ((x/s)^2 + (y/s)^2)). At the origin atan2 is not continuous, so there is
    no derivative: dividing by s = 0 says so."""
    s = maximum(abs(x), abs(y))
    u, v = x / s, y / s
    return numerator / s / (s * (u * u + v * v))  # type: ignore[no-any-return]


# d atan2(y, x) / dy = x / (x^2 + y^2) and d/dx = -y / (x^2 + y^2), as PyTorch computes them.
_ATAN2_PARTIALS = (
    lambda y, x, out: _atan2_grad(x, y, x),
    lambda y, x, out: _atan2_grad(-y, y, x),
)


def _tie_split(a: Scalar, b: Scalar) -> Scalar:
    """d maximum(a, b) / da: 1 where a > b, 0 where a < b, and half of it on a tie."""
    return where(a > b, 1.0, where(a < b, 0.0, 0.5))  # type: ignore[no-any-return]


def _clamp(x: Any, low: Any, high: Any) -> Any:
    """min(max(x, low), high): high wherever low > high, as torch.clamp."""
    raised = where(x < low, low, x)
    return where(raised > high, high, raised)


# PyTorch's clamp_backward: x where low <= x <= high (bounds included), low where x < low and
# low < high, high where x > high or high < low (then the result is high everywhere).
_CLAMP_PARTIALS = (
    lambda x, low, high, out: where(x < low, 0.0, where(x > high, 0.0, 1.0)),
    lambda x, low, high, out: where(x < low, where(low < high, 1.0, 0.0), 0.0),
    lambda x, low, high, out: where(x > high, 1.0, where(high < low, 1.0, 0.0)),
)


# --- the operations -----------------------------------------------------------------------------
# Each: name, forward on floats, local derivatives (inputs..., out) -> one per input, arity.

tan: Operation = Operation(
    "tan", math.tan, lambda x, out: (1 + out * out,), arity=1,
    array_forward=lambda np, x: np.tan(x),
)
sinh: Operation = Operation(
    "sinh", _overflow_checked("sinh", math.sinh), lambda x, out: (cosh(x),), arity=1,
    array_forward=lambda np, x: np.sinh(x),
)
cosh: Operation = Operation(
    "cosh", _overflow_checked("cosh", math.cosh), lambda x, out: (sinh(x),), arity=1,
    array_forward=lambda np, x: np.cosh(x),
)
asin = Operation(
    "asin", _asin, lambda x, out: (1 / sqrt((1 - x) * (1 + x)),), arity=1,
    array_forward=lambda np, x: np.arcsin(x),
)
acos = Operation(
    "acos", _acos, lambda x, out: (-1 / sqrt((1 - x) * (1 + x)),), arity=1,
    array_forward=lambda np, x: np.arccos(x),
)
atan = Operation(
    "atan", math.atan, lambda x, out: (_atan_grad(x),), arity=1,
    array_forward=lambda np, x: np.arctan(x),
)

log1p = Operation(
    "log1p", _log1p, lambda x, out: (1 / (1 + x),), arity=1,
    array_forward=lambda np, x: np.log1p(x),
)
expm1 = Operation(
    "expm1", _overflow_checked("expm1", math.expm1), lambda x, out: (exp(x),), arity=1,
    array_forward=lambda np, x: np.expm1(x),
)
log2 = Operation(
    "log2", _positive_log("log2", math.log2), lambda x, out: (1 / x / _LN2,), arity=1,
    array_forward=lambda np, x: np.log2(x),
)
log10 = Operation(
    "log10", _positive_log("log10", math.log10), lambda x, out: (1 / x / _LN10,), arity=1,
    array_forward=lambda np, x: np.log10(x),
)

sign = Operation(
    "sign", lambda x: where(x > 0, 1.0, where(x < 0, -1.0, 0.0)), lambda x, out: (0.0,), arity=1
)
floor = Operation(
    "floor", _rounded(math.floor), lambda x, out: (0.0,), arity=1,
    array_forward=lambda np, x: np.floor(x),
)
ceil = Operation(
    "ceil", _rounded(math.ceil), lambda x, out: (0.0,), arity=1,
    array_forward=lambda np, x: np.ceil(x),
)

hypot: Operation = Operation(
    "hypot", math.hypot,
    (lambda x, y, out: _over_hypot(x, out), lambda x, y, out: _over_hypot(y, out)),
    arity=2, array_forward=lambda np, x, y: np.hypot(x, y),
)
atan2 = Operation(
    "atan2", math.atan2, _ATAN2_PARTIALS, arity=2,
    array_forward=lambda np, y, x: np.arctan2(y, x),
)

maximum = Operation(
    "maximum",
    lambda a, b: where(a < b, b, a),
    (lambda a, b, out: _tie_split(a, b), lambda a, b, out: _tie_split(b, a)),
    arity=2,
)
minimum = Operation(
    "minimum",
    lambda a, b: where(b < a, b, a),
    (lambda a, b, out: _tie_split(b, a), lambda a, b, out: _tie_split(a, b)),
    arity=2,
)
clamp_min = Operation(
    "clamp_min",
    lambda x, low: where(x < low, low, x),
    (lambda x, low, out: where(x < low, 0.0, 1.0), lambda x, low, out: where(x < low, 1.0, 0.0)),
    arity=2,
)
clamp_max = Operation(
    "clamp_max",
    lambda x, high: where(x > high, high, x),
    (
        lambda x, high, out: where(x > high, 0.0, 1.0),
        lambda x, high, out: where(x > high, 1.0, 0.0),
    ),
    arity=2,
)
clamp_both = Operation("clamp", _clamp, _CLAMP_PARTIALS, arity=3)

floor_divide = Operation(
    "//", _floor_divide, lambda a, b, out: (0.0, 0.0), arity=2,
    array_forward=lambda np, a, b: np.floor_divide(a, b),
)
# a % b = a - b * (a // b), so d/db = -(a // b): floor(a / b) of the exact quotient, the one the
# remainder itself used (1.0 % 0.001 takes 999 of them; the rounded 1.0 / 0.001 is 1000).
remainder = Operation(
    "%", _remainder, (lambda a, b, out: 1.0, lambda a, b, out: -floor_divide(a, b)), arity=2,
    array_forward=lambda np, a, b: np.remainder(a, b),
)


def clamp(x: Any, min: Any = None, max: Any = None) -> Any:
    """``x`` limited to ``[min, max]``, with PyTorch's ``torch.clamp`` semantics.

    The result is ``minimum(maximum(x, min), max)`` as numbers; where ``min > max`` it is
    ``max`` everywhere. The derivative with respect to ``x`` is 1 where ``min <= x <= max`` (the
    bounds themselves included) and 0 outside; a bound given as a Value receives the gradient
    where it is the result (``min`` where ``x < min < max``, ``max`` where ``x > max`` or
    ``max < min``), exactly as PyTorch 2.13 does.

    Args:
        x: A number or a Value.
        min: The lower bound (a number or a Value), or None for no lower bound.
        max: The upper bound (a number or a Value), or None for no upper bound.

    Returns:
        A float when every input is a number, else a Value recorded in the graph.

    Raises:
        ValueError: If both bounds are None (PyTorch refuses this too).

    Example:
        >>> from autograd_lite import Value, clamp
        >>> clamp(1.7, min=0.0, max=1.0)
        1.0
        >>> x = Value(1.0)
        >>> y = clamp(x, min=0.0, max=1.0)   # at the boundary: the gradient passes
        >>> y.backward()
        >>> y.data, x.grad
        (1.0, 1.0)
    """
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    if max is None:
        return clamp_min(x, min)
    if min is None:
        return clamp_max(x, max)
    return clamp_both(x, min, max)


#: The operations this module adds, by name (the core set is :data:`autograd_lite.ops.BUILTINS`).
OPERATIONS: dict[str, Operation] = {
    op.name: op
    for op in (tan, sinh, cosh, asin, acos, atan, log1p, expm1, log2, log10, sign, floor, ceil,
               hypot, atan2, maximum, minimum, clamp_min, clamp_max, clamp_both, remainder,
               floor_divide)
}  # fmt: skip

__all__ = [
    "acos",
    "asin",
    "atan",
    "atan2",
    "ceil",
    "clamp",
    "clamp_both",
    "clamp_max",
    "clamp_min",
    "cosh",
    "expm1",
    "floor",
    "floor_divide",
    "hypot",
    "log1p",
    "log2",
    "log10",
    "maximum",
    "minimum",
    "remainder",
    "sign",
    "sinh",
    "tan",
]  # fmt: skip
