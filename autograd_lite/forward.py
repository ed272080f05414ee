"""Forward mode: a dual number carries a tangent beside each value through the same operations.

A :class:`Dual` is ``primal + tangent * ε`` with ``ε * ε = 0``. Applying an operation to dual
numbers computes the operation on the primals, as usual, and the tangent of the result by the
chain rule read forwards: ``tangent_out = Σ local_grad_i * tangent_i``, with the very
``local_grads`` of the operation's definition that the reverse pass uses. One forward pass gives
the derivative of every output along one direction of the inputs, with no graph and no reverse
pass, so any depth works.

Primals and tangents may themselves be Values (so forward mode composes with reverse mode) or
dual numbers of an outer ``jvp`` (so forward mode composes with itself). Each ``jvp`` call tags
its dual numbers with a fresh ``level``; an operation works on the highest level among its
inputs and treats everything else, outer dual numbers included, as constants. Without the tags
two nested derivatives could mix their ε's ("perturbation confusion").

Sources: Baydin et al. 2018, "Automatic differentiation in machine learning: a survey" (JMLR),
section 3.1 (forward mode, dual numbers); Siskind & Pearlmutter 2005, "Perturbation confusion
and referential transparency" (tags).
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Sequence
from math import isfinite
from typing import TYPE_CHECKING, Any, SupportsFloat

from . import ops
from .math_methods import MathMethods

if TYPE_CHECKING:
    from .value import Value

#: One fresh tag per ``jvp`` call; a later (inner) call gets a higher one.
_levels = itertools.count(1)


def new_level() -> int:
    """A tag no dual number has yet, higher than every tag handed out before.

    Returns:
        The new level, an int.

    Example:
        >>> new_level() < new_level()
        True
    """
    return next(_levels)


class Dual(MathMethods):
    """A dual number ``primal + tangent * ε`` of one forward-mode pass (tagged by ``level``).

    Operations, Python's operators and a Value's named methods (``exp``, ``tan``, ``clamp``...)
    work on it as on a Value; inside ``jvp`` the arguments of ``f`` are dual numbers.
    Comparisons read the primal's number.

    Args:
        primal: The value: a number, a Value, or a Dual of a lower level.
        tangent: The derivative along the chosen direction, of the same kinds.
        level: The tag of the ``jvp`` this dual number belongs to (see :func:`new_level`).

    Raises:
        Nothing on construction; operations on it raise their own domain errors (``log`` of
        a negative primal, say), exactly as on floats and Values.

    Example:
        >>> x = Dual(3.0, 1.0, level=new_level())  # x = 3, dx = 1
        >>> y = x * x + x.sin()
        >>> round(y.primal, 6), round(y.tangent, 6)  # 9 + sin 3, 2*3 + cos 3
        (9.14112, 5.010008)
    """

    __slots__ = ("primal", "tangent", "level")

    def __init__(self, primal: Any, tangent: Any, level: int) -> None:
        self.primal = primal
        self.tangent = tangent
        self.level = level

    @classmethod
    def __apply_operation__(cls, operation: ops.Operation, inputs: Sequence[Any]) -> Dual:
        """``operation(*inputs)`` when an input is a dual number: value and tangent in one go.

        The innermost pass (the highest level among the inputs) is advanced: its dual numbers
        give their primals and tangents; every other input is a constant with tangent 0.

        Args:
            operation: The operation to apply.
            inputs: Its inputs: dual numbers, Values and numbers.

        Returns:
            ``Dual(operation(*primals), Σ local_grad_i * tangent_i, level)``.

        Raises:
            ValueError, ArithmeticError: when the operation or its local derivative is undefined
                at the inputs (the message names the operation and the inputs).
        """
        level = 0
        for x in inputs:
            if type(x) is Dual and x.level > level:
                level = x.level
        primals: list[Any] = []
        tangents: list[Any] = []  # None: a constant of this pass
        for x in inputs:
            if type(x) is Dual and x.level == level:
                primals.append(x.primal)
                tangents.append(x.tangent)
            else:
                primals.append(x)
                tangents.append(None)
        out = _forward(operation, primals)
        local: tuple[Any, ...]  # floats, Values or Duals of an outer pass: whatever the primals are
        try:
            local = operation.local_grads(*primals, out)
        except (ValueError, ArithmeticError) as error:
            raise type(error)(
                f"forward mode through '{operation.name}' with inputs "
                f"{[_number(p) for p in primals]}: its local derivative could not be computed "
                f"({error})"
            ) from error
        tangent: Any = None
        for t, local_grad in zip(tangents, local):
            if t is None or (type(t) is float and t == 0.0):  # contributes nothing
                continue
            term = local_grad * t
            tangent = term if tangent is None else tangent + term
        return Dual(out, 0.0 if tangent is None else tangent, level)

    # --- Python's operators: the same operations as a Value's ------------------------------

    def __add__(self, other: object) -> Any:
        return _binary(ops.add, self, other)

    def __radd__(self, other: object) -> Any:
        return _binary(ops.add, other, self)

    def __sub__(self, other: object) -> Any:
        return _binary(ops.sub, self, other)

    def __rsub__(self, other: object) -> Any:
        return _binary(ops.sub, other, self)

    def __mul__(self, other: object) -> Any:
        return _binary(ops.mul, self, other)

    def __rmul__(self, other: object) -> Any:
        return _binary(ops.mul, other, self)

    def __truediv__(self, other: object) -> Any:
        return _binary(ops.div, self, other)

    def __rtruediv__(self, other: object) -> Any:
        return _binary(ops.div, other, self)

    def __pow__(self, other: object) -> Any:
        return _binary(ops.power, self, other)

    def __rpow__(self, other: object) -> Any:
        return _binary(ops.power, other, self)

    def __neg__(self) -> Dual:
        return Dual.__apply_operation__(ops.neg, (self,))

    def __pos__(self) -> Dual:
        return self

    def __abs__(self) -> Dual:
        return Dual.__apply_operation__(ops.absolute, (self,))

    def abs(self) -> Dual:
        """|x|, as ``Value.abs``."""
        return Dual.__apply_operation__(ops.absolute, (self,))

    def leaky_relu(self, slope: SupportsFloat = 0.01) -> Dual:
        """x for x > 0, else slope * x, as ``Value.leaky_relu``."""
        return Dual.__apply_operation__(ops.leaky_relu, (self, slope))

    def __getattr__(self, name: str) -> Callable[..., Dual]:
        """``x.exp()``, ``x.tanh()``...: every named operation of ``autograd_lite.ops``.

        Raises:
            AttributeError: when ``ops`` has no operation of that name.
        """
        operation = getattr(ops, name, None)
        if not isinstance(operation, ops.Operation):
            raise AttributeError(f"'Dual' object has no attribute {name!r}")
        def method(*more: Any) -> Dual:
            return Dual.__apply_operation__(operation, (self, *more))

        return method

    # --- comparisons read the numbers, as a Value's do ---------------------------------------

    def __lt__(self, other: object) -> bool:
        return bool(innermost(self) < innermost(other))

    def __le__(self, other: object) -> bool:
        return bool(innermost(self) <= innermost(other))

    def __gt__(self, other: object) -> bool:
        return bool(innermost(self) > innermost(other))

    def __ge__(self, other: object) -> bool:
        return bool(innermost(self) >= innermost(other))

    @property
    def data(self) -> float:
        """The number at the bottom of the primals (as ``Value.data``)."""
        return _number(self)

    def __float__(self) -> float:
        """The number, as ``float(value)`` gives: the tangent is not in it (``math.exp(x)``
        makes a plain float, and the transformations then explain that ``f`` lost track)."""
        return _number(self)

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        """``copy``, ``deepcopy`` and ``pickle``, the same in the compiled build."""
        return (Dual, (self.primal, self.tangent, self.level))

    def __format__(self, spec: str) -> str:
        """``f"{x:.3f}"`` formats the number; an empty spec gives the repr."""
        return format(_number(self), spec) if spec else repr(self)


# Dual numbers hash by identity, as Values do (see the note after the Value class).
Dual.__hash__ = object.__hash__  # type: ignore[method-assign]


def _forward(operation: ops.Operation, primals: list[Any]) -> Any:
    """``operation(*primals)``; on plain floats straight to ``forward`` (checked if odd)."""
    for p in primals:
        if type(p) is not float:
            return operation(*primals)
    out = operation.forward(*primals)
    if type(out) is not float or not isfinite(out):
        return operation(*primals)  # the checked path converts, or says what went wrong
    return out


_PLAIN = (float, int, Dual)


def _binary(operation: ops.Operation, a: object, b: object) -> Any:
    for x in (a, b):
        if type(x) in _PLAIN or hasattr(type(x), "__apply_operation__"):
            continue
        if isinstance(x, bool) or not isinstance(x, numbers.Real):
            return NotImplemented  # Python then reports the unsupported operand type
    return Dual.__apply_operation__(operation, (a, b))


def _number(x: Any) -> float:
    inner = innermost(x)
    return float(getattr(inner, "data", inner))


def components(x: Any) -> list[Any]:
    """The numbers and Values a (possibly nested) dual number is made of; ``[x]`` otherwise.

    Args:
        x: A Dual, a Value or a number.

    Returns:
        The leaves of the tree of primals and tangents, primal side first.

    Example:
        >>> components(Dual(Dual(1.0, 2.0, level=1), 3.0, level=2))
        [1.0, 2.0, 3.0]
    """
    if type(x) is not Dual:
        return [x]
    return components(x.primal) + components(x.tangent)


def map_components(f: Callable[[Any], Any], x: Any) -> Any:
    """The dual number of the same levels whose every component ``c`` is replaced by ``f(c)``.

    Args:
        f: Applied to each number or Value inside ``x``.
        x: A Dual, a Value or a number (then the result is ``f(x)``).

    Returns:
        ``x`` rebuilt with ``f`` applied to its components.

    Example:
        >>> map_components(lambda c: c * 10, Dual(1.0, 2.0, level=1))
        Dual(primal=10.0, tangent=20.0)
    """
    if type(x) is not Dual:
        return f(x)
    return Dual(map_components(f, x.primal), map_components(f, x.tangent), x.level)


def replace_innermost(x: Any, new: Value) -> Any:
    """``x`` with its innermost primal replaced by ``new``; every tangent kept.

    A dual number ``p + t ε`` as a function of its primal ``p``: differentiating it with respect
    to ``new`` differentiates along ``p`` while the tangents stay constants.

    Args:
        x: A Dual (or a plain number or Value, then the result is ``new``).
        new: What takes the innermost primal's place.

    Returns:
        The rebuilt dual number.

    Example:
        >>> replace_innermost(Dual(1.0, 2.0, level=1), 5.0)
        Dual(primal=5.0, tangent=2.0)
    """
    if type(x) is not Dual:
        return new
    return Dual(replace_innermost(x.primal, new), x.tangent, x.level)


def innermost(x: Any) -> Any:
    """The primal under every layer of dual numbers: a number or a Value.

    Args:
        x: A Dual, a Value or a number.

    Returns:
        The innermost primal (``x`` itself when it is not a Dual).

    Example:
        >>> innermost(Dual(Dual(1.0, 2.0, level=1), 3.0, level=2))
        1.0
    """
    while type(x) is Dual:
        x = x.primal
    return x
