"""The methods and operators a Value gets from :mod:`autograd_lite.math_ops`.

Each method applies one operation to ``self`` (see that module for the rules); :class:`Value`
inherits them. Derivatives are given with their domain and their convention at boundary points.
"""

from __future__ import annotations

import numbers
from typing import Any

from . import math_ops


def _is_operand(x: object) -> bool:
    """A real number (not a bool), or a Value or other stand-in that operations dispatch to."""
    if isinstance(x, numbers.Real):
        return not isinstance(x, bool)
    return hasattr(type(x), "__apply_operation__")


class MathMethods:
    """``tan``, ``sinh``, ... ``clamp``, ``%`` and ``//`` as methods and operators of a Value."""

    __slots__ = ()

    # --- trigonometric and hyperbolic -------------------------------------------------------

    def tan(self) -> Any:
        """tan(x), x in radians.

        Returns:
            A Value; d/dx tan(x) = 1 + tan(x)^2 (written with the output).

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(0.0); y = x.tan(); y.backward(); (y.data, x.grad)
            (0.0, 1.0)
        """
        return math_ops.tan(self)

    def sinh(self) -> Any:
        """Hyperbolic sine; d/dx sinh(x) = cosh(x).

        Raises:
            OverflowError: Above |x| = 710.47, where sinh(x) is too large for a float.

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(0.0); x.sinh().backward(); x.grad
            1.0
        """
        return math_ops.sinh(self)

    def cosh(self) -> Any:
        """Hyperbolic cosine; d/dx cosh(x) = sinh(x).

        Raises:
            OverflowError: Above |x| = 710.47, where cosh(x) is too large for a float.

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(0.0); y = x.cosh(); y.backward(); (y.data, x.grad)
            (1.0, 0.0)
        """
        return math_ops.cosh(self)

    def asin(self) -> Any:
        """Inverse sine, in [-pi/2, pi/2]; d/dx asin(x) = 1 / sqrt(1 - x^2).

        Raises:
            ValueError: For x outside [-1, 1]. At x = +-1 the value exists but the derivative is
                infinite, so ``backward()`` raises ZeroDivisionError naming ``asin``.

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(0.6); x.asin().backward(); x.grad
            1.25
        """
        return math_ops.asin(self)

    def acos(self) -> Any:
        """Inverse cosine, in [0, pi]; d/dx acos(x) = -1 / sqrt(1 - x^2).

        Raises:
            ValueError: For x outside [-1, 1]. At x = +-1 the derivative is infinite, so
                ``backward()`` raises ZeroDivisionError naming ``acos``.

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(0.6); x.acos().backward(); x.grad
            -1.25
        """
        return math_ops.acos(self)

    def atan(self) -> Any:
        """Inverse tangent, in (-pi/2, pi/2); d/dx atan(x) = 1 / (1 + x^2).

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(1.0); x.atan().backward(); x.grad
            0.5
        """
        return math_ops.atan(self)

    def atan2(self, other: Any) -> Any:
        """atan2(self, other): the angle of the point (x=other, y=self), in (-pi, pi].

        d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2). At (0, 0) the value is 0.0 (as in
        Python and PyTorch) but atan2 is not continuous there, so ``backward()`` raises
        ZeroDivisionError naming ``atan2`` (PyTorch returns 0 there).

        Args:
            other: The x coordinate (a number or a Value).

        Example:
            >>> from autograd_lite import Value
            >>> y = Value(1.0); y.atan2(1.0).backward(); y.grad
            0.5
        """
        return math_ops.atan2(self, other)

    def hypot(self, other: Any) -> Any:
        """sqrt(self^2 + other^2) without overflow; d/dx = x / hypot, d/dy = y / hypot.

        At (0, 0), the tip of a cone, both derivatives are taken as 0 (the convention of
        abs'(0) = 0; PyTorch gives NaN there).

        Args:
            other: The second coordinate (a number or a Value).

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(3.0); h = x.hypot(4.0); h.backward(); (h.data, x.grad)
            (5.0, 0.6)
        """
        return math_ops.hypot(self, other)

    # --- logarithms and exponentials --------------------------------------------------------

    def log1p(self) -> Any:
        """log(1 + x), exact for tiny x; d/dx = 1 / (1 + x).

        Raises:
            ValueError: For x <= -1.

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(1.0); x.log1p().backward(); x.grad
            0.5
        """
        return math_ops.log1p(self)

    def expm1(self) -> Any:
        """e^x - 1, exact for tiny x; d/dx = e^x.

        Raises:
            OverflowError: Above x = 709.78.

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(0.0); x.expm1().backward(); x.grad
            1.0
        """
        return math_ops.expm1(self)

    def log2(self) -> Any:
        """Logarithm to base 2; d/dx = 1 / (x ln 2).

        Raises:
            ValueError: For x <= 0.

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(8.0); x.log2().data
            3.0
        """
        return math_ops.log2(self)

    def log10(self) -> Any:
        """Logarithm to base 10; d/dx = 1 / (x ln 10).

        Raises:
            ValueError: For x <= 0.

        Example:
            >>> from autograd_lite import Value
            >>> Value(1000.0).log10().data
            3.0
        """
        return math_ops.log10(self)

    # --- steps: derivative 0 ----------------------------------------------------------------

    def sign(self) -> Any:
        """-1.0, 0.0 or 1.0 as x is negative, zero or positive; derivative 0 everywhere.

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(-2.5); s = x.sign(); s.backward(); (s.data, x.grad)
            (-1.0, 0.0)
        """
        return math_ops.sign(self)

    def floor(self) -> Any:
        """The largest integer <= x, as a float; derivative 0 everywhere (as in PyTorch).

        Example:
            >>> from autograd_lite import Value
            >>> Value(-2.5).floor().data
            -3.0
        """
        return math_ops.floor(self)

    def ceil(self) -> Any:
        """The smallest integer >= x, as a float; derivative 0 everywhere (as in PyTorch).

        Example:
            >>> from autograd_lite import Value
            >>> Value(-2.5).ceil().data
            -2.0
        """
        return math_ops.ceil(self)

    # --- piecewise --------------------------------------------------------------------------

    def maximum(self, other: Any) -> Any:
        """The larger of ``self`` and ``other``; on a tie each receives half the gradient.

        That is ``torch.maximum``'s rule. Python's built-in ``max(a, b)`` instead returns one of
        the two Values (the first on a tie), which then receives the whole gradient.

        Args:
            other: A number or a Value.

        Example:
            >>> from autograd_lite import Value
            >>> a, b = Value(1.0), Value(1.0)
            >>> a.maximum(b).backward()
            >>> (a.grad, b.grad)
            (0.5, 0.5)
        """
        return math_ops.maximum(self, other)

    def minimum(self, other: Any) -> Any:
        """The smaller of ``self`` and ``other``; on a tie each receives half the gradient.

        Args:
            other: A number or a Value.

        Example:
            >>> from autograd_lite import Value
            >>> a = Value(1.0); a.minimum(3.0).backward(); a.grad
            1.0
        """
        return math_ops.minimum(self, other)

    def clamp(self, min: Any = None, max: Any = None) -> Any:
        """``self`` limited to ``[min, max]``, as ``torch.clamp`` (:func:`~autograd_lite.clamp`).

        The derivative is 1 where ``min <= x <= max``, bounds included, and 0 outside; where
        ``min > max`` the result is ``max`` and the derivative with respect to ``x`` is 0.

        Args:
            min: The lower bound (a number or a Value), or None.
            max: The upper bound (a number or a Value), or None.

        Raises:
            ValueError: If both bounds are None.

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(-0.5); y = x.clamp(min=0.0); y.backward(); (y.data, x.grad)
            (0.0, 0.0)
        """
        return math_ops.clamp(self, min=min, max=max)

    # --- Python's % and //, with Python's (and torch.remainder's) floor convention ------------

    def __mod__(self, other: object) -> Any:
        return math_ops.remainder(self, other) if _is_operand(other) else NotImplemented

    def __rmod__(self, other: object) -> Any:
        return math_ops.remainder(other, self) if _is_operand(other) else NotImplemented

    def __floordiv__(self, other: object) -> Any:
        return math_ops.floor_divide(self, other) if _is_operand(other) else NotImplemented

    def __rfloordiv__(self, other: object) -> Any:
        return math_ops.floor_divide(other, self) if _is_operand(other) else NotImplemented

    def __divmod__(self, other: object) -> Any:
        if not _is_operand(other):
            return NotImplemented
        return math_ops.floor_divide(self, other), math_ops.remainder(self, other)

    def __rdivmod__(self, other: object) -> Any:
        if not _is_operand(other):
            return NotImplemented
        return math_ops.floor_divide(other, self), math_ops.remainder(other, self)
