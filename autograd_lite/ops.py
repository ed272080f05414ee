"""Every differentiable operation, each in one place: its forward value and its local derivatives.

An :class:`Operation` pairs two small functions:

* ``forward(*inputs) -> float`` computes the result from plain floats;
* ``local_grads(*inputs, out) -> tuple`` returns d out / d input for each input, in order.

``local_grads`` is written once with arithmetic that works on floats *and* on Values. During an
ordinary ``backward()`` it receives floats and runs at the speed of plain maths; when a graph of the
derivative is wanted (higher-order derivatives) it receives the Values themselves, so the
derivative is recorded like any other computation and can be differentiated again.

Operations are callables that work on both kinds of input: ``cos(0.5)`` is a float,
``cos(Value(0.5))`` is a Value with ``cos`` recorded in the graph. That is what lets the
derivative of ``sin`` be written simply as ``cos(x)``.

A user's own operation is defined the same way as the built-ins below::

    swish = Operation("swish",
                      forward=lambda x: x * sigmoid(x),
                      local_grads=lambda x, out: (sigmoid(x) * (1 + x * (1 - sigmoid(x))),))

One definition serves every way of running it
---------------------------------------------
The tape (:mod:`autograd_lite.tape`) and its vectorised replay (:mod:`autograd_lite.vectorized`)
keep no rules of their own: they run ``forward`` and ``local_grads`` themselves on stand-ins,
symbolic names that write the rule out as Python source (:mod:`autograd_lite.symbolic`) and
NumPy arrays that compute it for a whole batch (:mod:`autograd_lite.arrays`). For a rule to run
on them, write it as it reads in maths:

* arithmetic (``+ - * / **``, unary minus, ``abs``) and other Operations (``cos(x)``);
* a conditional as ``where(condition, if_true, if_false)`` with ``condition`` a comparison
  (``<``, ``<=``, ``>``, ``>=``), never a Python ``if`` on an input, and never ``==`` (between
  Values ``==`` compares identity): relu's derivative is ``where(x > 0, 1.0, 0.0)``. ``where``
  picks one of two values that are both computed, so neither may fail: guard a branch's own
  input as well, as in ``out * log(where(a > 0, a, 1.0))``;
* where the float ``forward`` must call ``math.*`` or check its domain, declare
  ``array_forward=lambda np, *xs: ...`` in the same definition (``np.exp(x)``).

A rule that still branches in Python, or calls ``math.*``, works everywhere too: the tape then
calls it by reference and the vectorised replay runs it one element at a time, correctly but
more slowly.
"""

from __future__ import annotations

import inspect
import math
import numbers
import operator
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Union

if TYPE_CHECKING:  # for type hints only: at run time this module knows nothing of Value
    from .value import Value

#: A number or a graph node: what operations and local derivatives accept.
Scalar = Union[float, "Value"]


class _FromSignature:
    """The default ``arity``: the number of parameters of ``forward`` (None if it has ``*args``)."""

    def __repr__(self) -> str:
        return "FROM_SIGNATURE"


FROM_SIGNATURE: Any = _FromSignature()


class Operation:
    """A differentiable function of scalars: a name, a forward rule and its local derivatives.

    ``forward`` receives the inputs' data as floats and returns a float. It must raise a clear
    ``ValueError`` or ``ZeroDivisionError`` for inputs outside its domain (see the built-ins).

    ``local_grads`` receives the same inputs and the output (all floats, or all Values when a
    graph of the derivative is being built) and returns a tuple with one derivative per input.
    Write it with ``+ - * / **``, comparisons and other Operations, so that it works on both
    (``math.*`` would turn a Value into a float and silently lose higher derivatives). Check a new
    operation with ``gradcheck`` (first derivatives) and ``gradgradcheck`` (second).

    ``local_grads`` may instead be a tuple of functions, one per input, each
    ``(*inputs, out) -> derivative``: then the engine computes only the derivatives of the
    operands that require grad. Use this form when one input's derivative can fail or cost where
    another's is wanted: ``0 ** x`` needs no derivative in its base, and the base's
    ``b * a ** (b - 1)`` is not defined there. The tuple is kept as :attr:`partials`, and
    :attr:`local_grads` is then a function that calls them all.

    Calling an operation dispatches on its inputs' types: if an input's type defines
    ``__apply_operation__`` (a Value does, and so can any stand-in: a symbolic name, an array, a
    dual number), the first such type decides what happens, as
    ``type(x).__apply_operation__(operation, inputs)``; otherwise the inputs are plain numbers and
    the checked float forward runs. This module therefore needs nothing from the types that plug
    into it.

    Args:
        name: How the operation is shown in graphs, errors and listings.
        forward: ``forward(*inputs) -> float`` on plain floats.
        local_grads: ``local_grads(*inputs, out) -> tuple``: d out / d input for each input;
            or a tuple of functions ``(*inputs, out) -> derivative``, one per input.
        arity: How many inputs the operation takes, or None for any number (``linear``,
            ``add_n``). By default it is read from ``forward``'s signature.
        array_forward: Optional ``array_forward(np, *arrays)``: ``forward`` on NumPy arrays,
            element by element, for a ``forward`` that cannot run on arrays itself (it calls
            ``math.*`` or checks its domain with ``if``); the vectorised replay uses it (see
            the module's notes).

    Raises:
        ValueError: for an empty name, an arity below 1, or a tuple of derivative functions
            whose length is not the arity.
        TypeError: when ``forward`` or ``local_grads`` is not callable (or a tuple of
            callables), when ``arity`` is neither an int nor None, or when ``forward`` cannot
            take ``arity`` inputs.

    Example:
        >>> cube = Operation("cube", lambda x: x**3, lambda x, out: (3 * x * x,))
        >>> cube.arity, cube(2.0)
        (1, 8.0)
    """

    __slots__ = ("name", "forward", "local_grads", "partials", "arity", "array_forward")

    name: str
    #: ``forward(*inputs) -> float``; what a user's returns is checked (see checked_result).
    forward: Callable[..., Any]
    #: Every input's derivative at once: ``local_grads(*inputs, out) -> tuple``. The derivatives
    #: are of the inputs' kind: floats, Values, or a stand-in (a symbol, an array, a dual number).
    local_grads: Callable[..., tuple[Any, ...]]
    #: One derivative function per input, when the operation was defined with them (else None).
    partials: tuple[Callable[..., Any], ...] | None
    arity: int | None
    array_forward: Callable[..., Any] | None

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        local_grads: Callable[..., tuple[Scalar, ...]] | Sequence[Callable[..., Scalar]],
        arity: int | None = FROM_SIGNATURE,
        *,
        array_forward: Callable[..., Any] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"an Operation needs a non-empty name, got {name!r}")
        partials = tuple(local_grads) if isinstance(local_grads, (tuple, list)) else None
        rules = partials if partials is not None else (local_grads,)
        if not callable(forward) or not all(callable(rule) for rule in rules):
            raise TypeError(
                f"Operation {name!r}: forward and local_grads must be callables (local_grads "
                "may also be a tuple of callables, one per input)"
            )
        if array_forward is not None and not callable(array_forward):
            raise TypeError(f"Operation {name!r}: array_forward must be a callable or None")
        self.name = name
        self.forward = forward
        self.arity = _arity(name, forward, arity)
        self.array_forward = array_forward
        self.partials = partials
        if partials is None:
            self.local_grads = local_grads  # type: ignore[assignment]
        else:
            if len(partials) != self.arity:
                raise ValueError(
                    f"Operation {name!r}: {len(partials)} derivative functions for "
                    f"{self.arity if self.arity is not None else 'any number of'} inputs; give "
                    "one per input, in order"
                )
            self.local_grads = _all_of(partials)

    def __call__(self, *inputs: Any) -> Any:
        """Apply to numbers (returns a float) or to stand-ins such as Values (see the class)."""
        if self.arity is not None and len(inputs) != self.arity:
            raise TypeError(
                f"operation '{self.name}' takes {self.arity} input"
                f"{'' if self.arity == 1 else 's'}, got {len(inputs)}"
            )
        for x in inputs:
            apply_operation = getattr(type(x), "__apply_operation__", None)
            if apply_operation is not None:
                return apply_operation(self, inputs)
        return checked_forward(self, inputs)

    def local_grad(self, index: int, *inputs_and_out: Any) -> Any:
        """The derivative with respect to input ``index`` alone.

        Computed by that input's own function when the operation has :attr:`partials`, else
        taken from :attr:`local_grads`.

        Args:
            index: Which input, from 0.
            *inputs_and_out: The inputs, then the output (floats, or Values).

        Returns:
            d out / d input ``index``.

        Example:
            >>> power.local_grad(1, 0.0, 2.0, 0.0)  # d(0 ** b)/db at b = 2, without the base
            0.0
        """
        if self.partials is not None:
            return self.partials[index](*inputs_and_out)
        return self.local_grads(*inputs_and_out)[index]

    def needed_grads(self, needs: Sequence[bool], *inputs_and_out: Any) -> tuple[Any, ...]:
        """The local derivatives of the inputs marked in ``needs``; None for the others.

        An input that needs no gradient (a constant) gets None; with :attr:`partials` its
        derivative is not even computed. The engine's general reverse pass (higher-order
        derivatives, ``detect_anomaly()``) and the tools ask through here.

        Args:
            needs: One flag per input: does it require grad?
            *inputs_and_out: The inputs, then the output (floats, or Values).

        Returns:
            One entry per input, in order.

        Raises:
            ValueError: when ``local_grads`` does not return one derivative per input.

        Example:
            >>> mul.needed_grads([True, False], 3.0, 4.0, 12.0)
            (4.0, None)
        """
        if self.partials is not None and not all(needs):
            return tuple(
                rule(*inputs_and_out) if need else None
                for rule, need in zip(self.partials, needs, strict=True)
            )
        local = self.local_grads(*inputs_and_out)
        if len(local) != len(needs):
            raise LocalGradsCountError(
                f"operation '{self.name}': local_grads returned {len(local)} derivatives for "
                f"{len(needs)} inputs; return exactly one per input, in order"
            )
        return tuple(d if need else None for d, need in zip(local, needs))

    def __repr__(self) -> str:
        return f"Operation({self.name!r})"


class LocalGradsCountError(ValueError):
    """An operation's ``local_grads`` did not return exactly one derivative per input."""


def _all_of(partials: tuple[Callable[..., Scalar], ...]) -> Callable[..., tuple[Scalar, ...]]:
    """One ``local_grads`` function made of one derivative function per input."""

    def local_grads(*inputs_and_out: Any) -> tuple[Scalar, ...]:
        return tuple(rule(*inputs_and_out) for rule in partials)

    return local_grads


def _arity(name: str, forward: Callable[..., float], arity: object) -> int | None:
    """The validated arity: given, or counted from ``forward``'s parameters."""
    try:
        signature: inspect.Signature | None = inspect.signature(forward)
    except (TypeError, ValueError):  # some built-in functions do not describe themselves
        signature = None
    if arity is FROM_SIGNATURE:
        if signature is None:
            raise TypeError(
                f"Operation {name!r}: cannot read how many inputs forward takes; pass arity="
            )
        kinds = [p.kind for p in signature.parameters.values()]
        if inspect.Parameter.VAR_POSITIONAL in kinds:
            return None
        positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
        return sum(kind in positional for kind in kinds)
    if arity is None:
        return None
    if not isinstance(arity, int) or isinstance(arity, bool):
        raise TypeError(
            f"Operation {name!r}: arity must be an int or None, got {type(arity).__name__}"
        )
    if arity < 1:
        raise ValueError(f"Operation {name!r}: arity must be at least 1, got {arity}")
    if signature is not None:
        try:
            signature.bind(*range(arity))
        except TypeError:
            raise TypeError(
                f"Operation {name!r}: forward cannot take {arity} inputs {signature}"
            ) from None
    return arity


# --- numbers in, numbers out: the checks every float forward passes ----------------------------


def as_number(x: object, what: str) -> float:
    """``x`` as a float, or a TypeError that names ``what`` needed a number and what it got.

    Args:
        x: An int or a float (``bool`` is refused: ``True + 1`` is almost always a mistake).
        what: What needed the number, for the message (``"Value data"``).

    Returns:
        ``float(x)``.

    Raises:
        TypeError: when ``x`` is not a real number.

    Example:
        >>> as_number(3, "Value data")
        3.0
    """
    if type(x) is float:
        return x
    if not isinstance(x, bool) and isinstance(x, numbers.Real):
        return float(x)
    hint = ""
    if hasattr(type(x), "__apply_operation__"):
        hint = ": use .data for its number, or .detach() for a constant copy"
    raise TypeError(f"{what} must be a real number (int or float), got {type(x).__name__}{hint}")


def checked_forward(operation: Operation, inputs: Sequence[Any]) -> float:
    """Run ``operation.forward`` on plain numbers and check its result.

    Args:
        operation: The operation to run.
        inputs: Its inputs, ints or floats.

    Returns:
        The result as a float.

    Raises:
        TypeError: when an input or the result is not a real number.
        OverflowError: when finite inputs give an infinite or NaN result.

    Example:
        >>> checked_forward(mul, (2, 3.5))
        7.0
    """
    numbers_in = [as_number(x, f"an input to '{operation.name}'") for x in inputs]
    return checked_result(operation, numbers_in, operation.forward(*numbers_in))


def checked_result(operation: Operation, inputs: Sequence[float], out: object) -> float:
    """``out`` as a float; an infinite or NaN result from finite inputs is an overflow, not data.

    Args:
        operation: The operation that computed ``out`` (named in the error).
        inputs: Its inputs, as floats.
        out: What its forward returned.

    Returns:
        ``out`` as a float.

    Raises:
        TypeError: when ``out`` is not a real number.
        OverflowError: when ``out`` is not finite but every input is.

    Example:
        >>> checked_result(add, [1.0, 2.0], 3)
        3.0
    """
    try:
        result = as_number(out, f"the result of '{operation.name}'")
    except OverflowError:  # an int beyond a float's range
        result = math.inf
    if not math.isfinite(result) and all(math.isfinite(x) for x in inputs):
        raise OverflowError(
            f"{operation.name}: the result for inputs {list(inputs)} is {result}, outside the "
            "range of a float"
        )
    return result


# --- forward rules that need care: a clear error instead of a silently wrong number -----------


def _divide(a: float, b: float) -> float:
    if b == 0:
        raise ZeroDivisionError(f"division: cannot divide {a!r} by zero")
    return a / b


def _power(a: float, b: float) -> float:
    if a == 0 and b < 0:
        raise ZeroDivisionError(f"power: 0.0 cannot be raised to a negative power ({b!r})")
    if a < 0 and not float(b).is_integer():
        raise ValueError(
            f"power: a negative base ({a!r}) to a non-integer power ({b!r}) is not a real number"
        )
    try:
        return float(a**b)
    except OverflowError:
        raise OverflowError(f"power: {a!r} ** {b!r} is too large for a float") from None


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        raise OverflowError(
            f"exp: exp({x!r}) is too large for a float (it overflows above x = 709.78)"
        ) from None


def _log(x: float) -> float:
    if x <= 0:
        raise ValueError(f"log: the input must be positive, got {x!r}")
    return math.log(x)


def _sqrt(x: float) -> float:
    if x < 0:
        raise ValueError(f"sqrt: the input must not be negative, got {x!r}")
    return math.sqrt(x)


def _sigmoid(x: float) -> float:
    # Two algebraically equal forms, each used where exp cannot overflow.
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _array_sigmoid(np: Any, x: Any) -> Any:
    e = np.exp(-np.abs(x))  # the two forms of _sigmoid, chosen element by element
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _array_softplus(np: Any, x: Any) -> Any:
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _softplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|): never overflows, exact for large |x|.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def where(condition: Any, if_true: Any, if_false: Any) -> Any:
    """``if_true`` where ``condition`` holds, else ``if_false``: the conditional of rules.

    On numbers and Values the condition is a ``bool`` (a comparison) and one of the two values is
    returned as it is, so on Values the gradient flows into the chosen one only, as with
    ``torch.where``. A stand-in's comparison (a symbolic name, an array) is not a ``bool``: its
    type's ``__where__(condition, if_true, if_false)`` decides (a conditional expression in
    generated code, ``numpy.where`` on arrays). Both values are computed before the call, so
    neither may fail: see the module's notes.

    Args:
        condition: A comparison such as ``x > 0``.
        if_true: The value where it holds.
        if_false: The value where it does not.

    Returns:
        ``if_true`` or ``if_false`` (for stand-ins, their element-wise choice).

    Example:
        >>> where(2.0 > 0, 1.0, 0.0), where(-2.0 > 0, 1.0, 0.0)
        (1.0, 0.0)
    """
    if condition is True:
        return if_true
    if condition is False:
        return if_false
    select = getattr(type(condition), "__where__", None)
    if select is not None:
        return select(condition, if_true, if_false)
    return if_true if condition else if_false


def _sign(x: Scalar) -> Scalar:
    """The derivative of |x|: +1, -1, and 0 at zero (as PyTorch chooses)."""
    return where(x > 0, 1.0, where(x < 0, -1.0, 0.0))  # type: ignore[no-any-return]


def _power_base_grad(a: Scalar, b: Scalar, out: Scalar) -> Scalar:
    """d(a**b)/da = b * a**(b - 1), exact to every order wherever it exists.

    At b = 0 it is 0 for every a (a**0 = 1), even at a = 0, where a**(b - 1) does not exist: the
    constant 0 when the exponent is a constant (a number, or a Value that requires no grad),
    else ``b * out / a``, the same function, so that d/db gives the mixed derivative 1/a (0 at
    a = 0, where it does not exist, as in PyTorch). Every derivative of a polynomial steps its
    exponent down to such a 0, so x**3 has all its derivatives at 0. At a = 0 and 0 < b < 1 the
    derivative is infinite, and computing 0.0 ** (b - 1) raises.
    """
    if getattr(b, "requires_grad", False):  # a Value to differentiate again (not data: a flag)
        nonzero_a = where(a > 0, a, where(a < 0, a, 1.0))
        at_zero_exponent = where(a > 0, 1.0, where(a < 0, 1.0, 0.0)) * b * out / nonzero_a
    else:
        at_zero_exponent = 0.0
    general = b * where(b > 0, a, where(b < 0, a, 1.0)) ** (b - 1)  # a's power, not 0 ** -1
    return where(b > 0, general, where(b < 0, general, at_zero_exponent))  # type: ignore[no-any-return]


def _log_of_base(a: Scalar, out: Scalar) -> Scalar:
    """d(a**b)/db = a**b * log(a); at a = 0 the limit is 0, for a < 0 it does not exist (NaN)."""
    positive = a > 0
    return where(  # type: ignore[no-any-return]
        positive, out * log(where(positive, a, 1.0)), where(a < 0, math.nan, 0.0)
    )


# --- the operations -----------------------------------------------------------------------------
# Each line: name, forward on floats, local derivatives (inputs..., out) -> one per input.

add = Operation("+", operator.add, lambda a, b, out: (1.0, 1.0))
sub = Operation("-", operator.sub, lambda a, b, out: (1.0, -1.0))
mul = Operation("*", operator.mul, lambda a, b, out: (b, a))
div = Operation("/", _divide, (lambda a, b, out: 1 / b, lambda a, b, out: -out / b),
                array_forward=lambda np, a, b: a / b)
neg = Operation("neg", operator.neg, lambda a, out: (-1.0,))
power = Operation(
    "**", _power,
    (lambda a, b, out: _power_base_grad(a, b, out), lambda a, b, out: _log_of_base(a, out)),
    array_forward=lambda np, a, b: a**b,
)
absolute = Operation("abs", abs, lambda x, out: (_sign(x),))

exp = Operation("exp", _exp, lambda x, out: (out,), array_forward=lambda np, x: np.exp(x))
log = Operation("log", _log, lambda x, out: (1 / x,), array_forward=lambda np, x: np.log(x))
sqrt = Operation("sqrt", _sqrt, lambda x, out: (0.5 / out,),
                 array_forward=lambda np, x: np.sqrt(x))
cos: Operation = Operation("cos", math.cos, lambda x, out: (-sin(x),),
                           array_forward=lambda np, x: np.cos(x))
sin: Operation = Operation("sin", math.sin, lambda x, out: (cos(x),),
                           array_forward=lambda np, x: np.sin(x))

tanh = Operation("tanh", math.tanh, lambda x, out: (1 - out * out,),
                 array_forward=lambda np, x: np.tanh(x))
sigmoid = Operation("sigmoid", _sigmoid, lambda x, out: (out * (1 - out),),
                    array_forward=_array_sigmoid)
softplus = Operation("softplus", _softplus, lambda x, out: (sigmoid(x),),
                     array_forward=_array_softplus)
relu = Operation("relu", lambda x: where(x > 0, x, 0.0), lambda x, out: (where(x > 0, 1.0, 0.0),))
leaky_relu = Operation(
    "leaky_relu",
    lambda x, slope: where(x > 0, x, slope * x),
    lambda x, slope, out: (where(x > 0, 1.0, slope), where(x > 0, 0.0, x)),
)

# --- operations on many inputs: one node instead of a chain ------------------------------------
# A neuron's w1*x1 + ... + wn*xn + b as one node has exactly the same derivatives as the chain
# of 2n products and sums micrograd builds, with a fraction of the nodes to create and walk.


def _linear(*wxb: float) -> float:
    """w1*x1 + ... + wn*xn + b for inputs laid out as (w1..wn, x1..xn, b), summed from b."""
    n = len(wxb) // 2
    return sum(map(operator.mul, wxb[:n], wxb[n : 2 * n]), wxb[-1])


def _linear_grads(*args: Scalar) -> tuple[Scalar, ...]:
    """d/dw_i = x_i, d/dx_i = w_i, d/db = 1 (args are w1..wn, x1..xn, b, out)."""
    n = (len(args) - 2) // 2
    return (*args[n : 2 * n], *args[:n], 1.0)


def _array_linear(np: Any, *wxb: Any) -> Any:
    """``_linear`` on arrays: the n products summed in one contraction, then the bias added."""
    n = len(wxb) // 2
    if n == 0:
        return wxb[-1] + 0.0
    w, x = _array_stack(np, wxb[:n]), _array_stack(np, wxb[n : 2 * n])
    if w.ndim == 3 and x.ndim == 3 and w.shape[0] == 1 and x.shape[1] == 1:
        return wxb[-1] + x[:, 0, :] @ w[0].T  # one weight matrix, one input row per example
    return wxb[-1] + np.einsum("...i,...i->...", w, x)


def _array_add_n(np: Any, *xs: Any) -> Any:
    return _array_stack(np, (0.0, *xs)).sum(axis=-1)


def _array_stack(np: Any, arrays: Sequence[Any]) -> Any:
    """Arrays (or numbers) of broadcastable shapes, stacked on a new last axis."""
    shapes = {getattr(a, "shape", ()) for a in arrays}
    if len(shapes) == 1 and () not in shapes:
        return np.stack(arrays, axis=-1)
    stacked = np.empty((*np.broadcast_shapes(*shapes), len(arrays)))
    for j, array in enumerate(arrays):
        stacked[..., j] = array
    return stacked


linear = Operation("linear", _linear, _linear_grads, arity=None, array_forward=_array_linear)
add_n = Operation(
    "add_n", lambda *xs: sum(xs, 0.0), lambda *xs_out: (1.0,) * (len(xs_out) - 1), arity=None,
    array_forward=_array_add_n,
)  # fmt: skip

#: The built-in operations by name, for tools that list or look them up.
BUILTINS: dict[str, Operation] = {
    op.name: op
    for op in (add, sub, mul, div, neg, power, absolute, exp, log, sqrt, sin, cos,
               tanh, sigmoid, softplus, relu, leaky_relu, linear, add_n)
}  # fmt: skip
