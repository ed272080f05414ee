"""``Value``: one number, its gradient, and the operation and operands that produced it.

Applying an operation to Values creates a new Value that remembers the operation and its operands
(an ordered tuple). Those links form the computation graph that ``backward()`` walks. Nothing else
is stored per node: no closure, no reference from a node back to itself, so a graph is freed by
reference counting alone as soon as its root is dropped.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable, Sequence
from math import isfinite
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from . import anomaly, graph, guards, ops
from .anomaly import _anomaly
from .grad_mode import _mode
from .math_methods import MathMethods

if TYPE_CHECKING:
    from .ops import Operation

_data = attrgetter("data")
_requires_grad = attrgetter("requires_grad")
_new_value = object.__new__


_number = ops.as_number  # "what needed a number, and what it got" for every float check


def apply(operation: Operation, inputs: Sequence[Any]) -> Value:
    """Compute ``operation`` on ``inputs`` (Values or numbers) and record it in the graph.

    Numbers become constant Values (``requires_grad=False``).
    """
    return record(
        operation,
        tuple([x if isinstance(x, Value) else _constant(x, operation) for x in inputs]),
    )


def record(operation: Operation, parents: tuple[Value, ...]) -> Value:
    """The result of ``operation`` on ``parents``, remembering them when gradients will be needed.

    The result records its operands only when grad mode is on and at least one operand
    requires grad; otherwise it is a constant, just like a number.
    """
    data = operation.forward(*map(_data, parents))
    if type(data) is not float or not isfinite(data):
        data = ops.checked_result(operation, list(map(_data, parents)), data)
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _mode.enabled and any(map(_requires_grad, parents)):
        out.requires_grad = True
        out.parents = parents
        out.operation = operation
    else:
        out.requires_grad = False
        out.parents = ()
        out.operation = None
    if _anomaly.enabled:  # detect_anomaly(): check the result, remember the creating line
        anomaly.check_forward(operation, parents, out)
    return out


def _constant(x: object, operation: Operation) -> Value:
    return _constant_value(_number(x, f"an operand of '{operation.name}'"))


def _constant_value(x: float) -> Value:
    """A leaf that requires no grad: what a plain number becomes inside an expression."""
    out = _new_value(Value)
    out.data = x
    out.grad = 0.0
    out.label = ""
    out.requires_grad = False
    out.parents = ()
    out.operation = None
    return out


def _compare(
    a: Value, other: object, symbol: str, test: Callable[[float, float], bool]
) -> bool:
    """``a symbol other`` on the data; noted as a guard while a trace is being recorded."""
    b = _operand(other)
    if b is None:
        return NotImplemented  # type: ignore[no-any-return]  # Python then tries the reflection
    outcome = test(a.data, b.data)
    if guards.log.guards is not None:
        guards.log.guards.append(guards.Guard(a, symbol, b, outcome))
    return outcome


def _operand(x: object) -> Value | None:
    """``x`` as a Value for an arithmetic operator; None lets Python report an unsupported type."""
    if isinstance(x, Value):
        return x
    if type(x) is float:
        return _constant_value(x)
    if type(x) is int or (not isinstance(x, bool) and isinstance(x, numbers.Real)):
        return _constant_value(float(x))
    return None


class Value(MathMethods):
    """A scalar in a computation graph.

    ``data`` is the number, ``grad`` the derivative of the last ``backward()`` root with respect
    to it (accumulated: see :meth:`backward`), ``parents`` the operands that produced it, in order,
    and ``op`` the name of that operation (``""`` for a leaf). Values hash and compare with ``==``
    by identity, so they work as dict keys; ``<``, ``>`` and friends compare ``data``.
    """

    __slots__ = ("data", "grad", "label", "requires_grad", "parents", "operation")

    data: float
    grad: float
    label: str
    requires_grad: bool
    parents: tuple[Value, ...]
    operation: Operation | None

    def __init__(self, data: float, label: str = "", requires_grad: bool = True) -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = _number(data, "Value data")
        self.grad = 0.0
        self.label = label
        self.requires_grad = bool(requires_grad)
        self.parents = ()
        self.operation = None

    @classmethod
    def __apply_operation__(cls, operation: Operation, inputs: Sequence[Any]) -> Value:
        """What ``operation(*inputs)`` does when an input is a Value: record a node.

        This is the dispatch protocol of :class:`~autograd_lite.ops.Operation`; numbers among
        the inputs become constants (``requires_grad=False``).
        """
        return apply(operation, inputs)

    # --- the graph, as micrograd and the drawings see it ------------------------------------

    @property
    def op(self) -> str:
        """The name of the operation that made this Value (``""`` for a leaf)."""
        return "" if self.operation is None else self.operation.name

    @property
    def _op(self) -> str:
        """micrograd's name for :attr:`op`."""
        return self.op

    @property
    def _prev(self) -> set[Value]:
        """micrograd's view of the parents: a set (operand order and repeats are lost)."""
        return set(self.parents)

    # --- arithmetic: each operator looks up its operation and applies it ---------------------

    def __add__(self, other: object) -> Value:
        o = _operand(other)
        return NotImplemented if o is None else record(ops.add, (self, o))

    def __radd__(self, other: object) -> Value:
        o = _operand(other)
        return NotImplemented if o is None else record(ops.add, (o, self))

    def __sub__(self, other: object) -> Value:
        o = _operand(other)
        return NotImplemented if o is None else record(ops.sub, (self, o))

    def __rsub__(self, other: object) -> Value:
        o = _operand(other)
        return NotImplemented if o is None else record(ops.sub, (o, self))

    def __mul__(self, other: object) -> Value:
        o = _operand(other)
        return NotImplemented if o is None else record(ops.mul, (self, o))

    def __rmul__(self, other: object) -> Value:
        o = _operand(other)
        return NotImplemented if o is None else record(ops.mul, (o, self))

    def __truediv__(self, other: object) -> Value:
        o = _operand(other)
        return NotImplemented if o is None else record(ops.div, (self, o))

    def __rtruediv__(self, other: object) -> Value:
        o = _operand(other)
        return NotImplemented if o is None else record(ops.div, (o, self))

    def __pow__(self, other: object) -> Value:
        o = _operand(other)
        return NotImplemented if o is None else record(ops.power, (self, o))

    def __rpow__(self, other: object) -> Value:
        o = _operand(other)
        return NotImplemented if o is None else record(ops.power, (o, self))

    def __neg__(self) -> Value:
        return record(ops.neg, (self,))

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return record(ops.absolute, (self,))

    # --- named operations --------------------------------------------------------------------

    def abs(self) -> Value:
        """|x|; its derivative is sign(x), taken as 0 at x = 0."""
        return record(ops.absolute, (self,))

    def exp(self) -> Value:
        """e**x; raises OverflowError above x = 709.78."""
        return record(ops.exp, (self,))

    def log(self) -> Value:
        """Natural logarithm; raises ValueError for x <= 0."""
        return record(ops.log, (self,))

    def sqrt(self) -> Value:
        """Square root; raises ValueError for x < 0."""
        return record(ops.sqrt, (self,))

    def sin(self) -> Value:
        """sin(x), x in radians."""
        return record(ops.sin, (self,))

    def cos(self) -> Value:
        """cos(x), x in radians."""
        return record(ops.cos, (self,))

    def tanh(self) -> Value:
        """Hyperbolic tangent, in (-1, 1)."""
        return record(ops.tanh, (self,))

    def sigmoid(self) -> Value:
        """The logistic function 1 / (1 + e**-x), computed without overflow for any x."""
        return record(ops.sigmoid, (self,))

    def relu(self) -> Value:
        """max(x, 0); its derivative is taken as 0 at x = 0."""
        return record(ops.relu, (self,))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x (the slope is an operand, so it can even be learned)."""
        return apply(ops.leaky_relu, (self, slope))

    def softplus(self) -> Value:
        """log(1 + e**x), a smooth ReLU, computed without overflow for any x."""
        return record(ops.softplus, (self,))

    # --- comparisons read the data; they are not recorded, but a trace notes them as guards ----

    def __lt__(self, other: object) -> bool:
        return _compare(self, other, "<", operator.lt)

    def __le__(self, other: object) -> bool:
        return _compare(self, other, "<=", operator.le)

    def __gt__(self, other: object) -> bool:
        return _compare(self, other, ">", operator.gt)

    def __ge__(self, other: object) -> bool:
        return _compare(self, other, ">=", operator.ge)

    def __float__(self) -> float:
        if guards.log.guards is not None:  # the number escapes into Python while tracing
            guards.log.guards.append(guards.Guard(self, "==", _constant_value(self.data), True))
        return self.data

    # --- differentiation ---------------------------------------------------------------------

    def backward(self, gradient: float = 1.0) -> None:
        """Add d(self)/d(node) * gradient into ``grad`` of every node this Value depends on.

        The graph is walked once in reverse topological order (iteratively, so any depth works),
        and each node's operation supplies its local derivatives (the chain rule). Gradients
        *accumulate*: a second call adds again, as in micrograd and PyTorch. Set ``grad = 0.0``
        on the parameters (an optimizer's or module's ``zero_grad()``), or call
        :meth:`zero_grad` on this root to clear the whole graph, before the next pass.
        """
        seed = _number(gradient, "backward's gradient")
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this Value does not require grad (it is a constant, was created with "
                "requires_grad=False, or was computed under no_grad()), so there is nothing to "
                "differentiate"
            )
        for node, node_grad in graph.backpropagate(self, seed):
            node.grad += node_grad

    def _backward(self) -> None:
        """micrograd's single step of the chain rule, for stepping through backpropagation by hand.

        Adds ``local derivative * self.grad`` into the ``grad`` of each operand that requires
        grad, using the same rules as :meth:`backward`; a leaf's ``_backward()`` does nothing.
        Calling it on every node in reverse topological order, after setting the root's
        ``grad = 1.0``, is exactly what ``backward()`` does (with the root's gradient set rather
        than added).

        Example:
            >>> from autograd_lite import Value
            >>> a, b = Value(2.0), Value(-3.0)
            >>> c = a * b
            >>> c.grad = 1.0
            >>> c._backward()
            >>> a.grad, b.grad
            (-3.0, 2.0)
        """
        operation = self.operation
        if operation is None:
            return
        parents = self.parents
        try:
            local = operation.local_grads(*map(_data, parents), self.data)
        except (ValueError, ArithmeticError) as error:
            raise graph._explain(error, self) from error
        for parent, local_grad in zip(parents, local, strict=True):
            if parent.requires_grad:
                parent.grad += float(local_grad * self.grad)

    def zero_grad(self) -> None:
        """Set ``grad`` to 0.0 on this Value and on every node of its graph."""
        for node in graph.topological_order(self):
            node.grad = 0.0

    def detach(self) -> Value:
        """A new leaf with the same data and label that requires no grad (cut from the graph)."""
        return Value(self.data, label=self.label, requires_grad=False)

    def __repr__(self) -> str:
        extras = f", label={self.label!r}" if self.label else ""
        if not self.requires_grad:
            extras += ", requires_grad=False"
        return f"Value(data={self.data!r}, grad={self.grad!r}{extras})"

    def __format__(self, spec: str) -> str:
        """``f"{v:.3f}"`` formats the data; an empty spec gives the repr."""
        return format(self.data, spec) if spec else repr(self)
