"""``Value``: one number, its gradient, and the operation and operands that produced it.

Applying an operation to Values creates a new Value that remembers the operation and its operands,
in order. Those links form the computation graph that ``backward()`` walks. Nothing else is
stored per node: no closure, no reference from a node back to itself, so a graph is freed by
reference counting alone as soon as its root is dropped. The operands live in two fixed slots
(most operations take one or two), so a node is one object for the cyclic garbage collector to
track rather than two (a node and a tuple of operands).

Every Value is made by its constructor, the one place its slots are assembled. Below the class are
the helpers every operator goes through: :func:`apply` and :func:`record`, and :func:`_result`,
the one place where a result is linked to its operands (when gradients will be needed).

``make compiled`` compiles this module with mypyc (see ``setup.py``), and compiled code checks
annotations as it runs: so they say what really flows (``| Any`` where an operator may return
``NotImplemented``, a typed local where a slot of type ``Any`` holds a Value), and the compiled
build reads a node's slots directly.
"""

from __future__ import annotations

import numbers
import operator
from collections.abc import Callable, Sequence
from math import isfinite
from typing import TYPE_CHECKING, Any, SupportsFloat

from . import graph, ops
from .grad_mode import _mode, unusual
from .hooks import slot as _hooks
from .math_methods import MathMethods
from .ops import as_number

if TYPE_CHECKING:
    from .ops import Operation

_number = as_number  # "what needed a number, and what it got", for every check of a number


class Value(MathMethods):
    """A scalar in a computation graph.

    ``data`` is the number, ``grad`` the derivative of the last ``backward()`` root with respect
    to it (accumulated: see :meth:`backward`), ``parents`` the operands that produced it, in order,
    and ``op`` the name of that operation (``""`` for a leaf). Values hash and compare with ``==``
    by identity, so they work as dict keys; ``<``, ``>`` and friends compare ``data``.

    Args:
        data: The number (an int or a float).
        label: A name shown in drawings and listings.
        requires_grad: False makes a constant: it receives no gradient.

    Raises:
        TypeError: when ``data`` is not a real number or ``label`` is not a str.

    Example:
        >>> a = Value(2.0, label="a")
        >>> y = a * a + 1
        >>> y.backward()
        >>> y.data, a.grad
        (5.0, 4.0)
    """

    __slots__ = ("data", "grad", "label", "requires_grad", "operation", "_a", "_b", "_visit")

    data: float
    grad: float
    label: str
    requires_grad: bool
    operation: Operation | None
    # The operands, without a tuple per node: a leaf has _a = _b = None; one operand is _a; two
    # are _a, _b; more (linear, add_n) are a tuple in _b with _a = None. Read them as `parents`.
    _a: Any
    _b: Any
    # Which reverse pass has reached this node (that pass's token): see graph.backward.
    _visit: object

    def __init__(
        self, data: SupportsFloat, label: object = "", requires_grad: object = True
    ) -> None:
        if type(data) is not float:
            data = _number(data, "Value data")
        if type(label) is not str:
            raise TypeError(f"Value label must be a str, got {type(label).__name__}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self.requires_grad = bool(requires_grad)
        self.operation = None
        self._a = None
        self._b = None
        self._visit = None

    @classmethod
    def __apply_operation__(cls, operation: Operation, inputs: Sequence[Any]) -> Any:
        """What ``operation(*inputs)`` does when an input is a Value: record a node.

        This is the dispatch protocol of :class:`~autograd_lite.ops.Operation`; numbers among
        the inputs become constants (``requires_grad=False``).
        """
        return apply(operation, inputs)

    # --- the graph, as the drawings and micrograd see it ------------------------------------

    @property
    def parents(self) -> tuple[Value, ...]:
        """The operands that produced this Value, in order (``()`` for a leaf)."""
        return _operands(self._a, self._b)

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
    # (`| Any`: NotImplemented, so that Python asks the other operand, as the compiled build needs)

    def __add__(self, other: object) -> Value | Any:
        o = other if type(other) is Value else _operand(other)
        return NotImplemented if o is None else _binary(ops.add, self, o)

    def __radd__(self, other: object) -> Value | Any:
        o = other if type(other) is Value else _operand(other)
        return NotImplemented if o is None else _binary(ops.add, o, self)

    def __sub__(self, other: object) -> Value | Any:
        o = other if type(other) is Value else _operand(other)
        return NotImplemented if o is None else _binary(ops.sub, self, o)

    def __rsub__(self, other: object) -> Value | Any:
        o = other if type(other) is Value else _operand(other)
        return NotImplemented if o is None else _binary(ops.sub, o, self)

    def __mul__(self, other: object) -> Value | Any:
        o = other if type(other) is Value else _operand(other)
        return NotImplemented if o is None else _binary(ops.mul, self, o)

    def __rmul__(self, other: object) -> Value | Any:
        o = other if type(other) is Value else _operand(other)
        return NotImplemented if o is None else _binary(ops.mul, o, self)

    def __truediv__(self, other: object) -> Value | Any:
        o = other if type(other) is Value else _operand(other)
        return NotImplemented if o is None else _binary(ops.div, self, o)

    def __rtruediv__(self, other: object) -> Value | Any:
        o = other if type(other) is Value else _operand(other)
        return NotImplemented if o is None else _binary(ops.div, o, self)

    def __pow__(self, other: object) -> Value | Any:
        o = other if type(other) is Value else _operand(other)
        return NotImplemented if o is None else _binary(ops.power, self, o)

    def __rpow__(self, other: object) -> Value | Any:
        o = other if type(other) is Value else _operand(other)
        return NotImplemented if o is None else _binary(ops.power, o, self)

    def __neg__(self) -> Value:
        return _unary(ops.neg, self)

    def __pos__(self) -> Value:
        return self

    def __abs__(self) -> Value:
        return _unary(ops.absolute, self)

    # --- named operations --------------------------------------------------------------------

    def abs(self) -> Value:
        """|x|; its derivative is sign(x), taken as 0 at x = 0."""
        return _unary(ops.absolute, self)

    def exp(self) -> Value:
        """e**x; raises OverflowError above x = 709.78."""
        return _unary(ops.exp, self)

    def log(self) -> Value:
        """Natural logarithm; raises ValueError for x <= 0."""
        return _unary(ops.log, self)

    def sqrt(self) -> Value:
        """Square root; raises ValueError for x < 0."""
        return _unary(ops.sqrt, self)

    def sin(self) -> Value:
        """sin(x), x in radians."""
        return _unary(ops.sin, self)

    def cos(self) -> Value:
        """cos(x), x in radians."""
        return _unary(ops.cos, self)

    def tanh(self) -> Value:
        """Hyperbolic tangent, in (-1, 1)."""
        return _unary(ops.tanh, self)

    def sigmoid(self) -> Value:
        """The logistic function 1 / (1 + e**-x), computed without overflow for any x."""
        return _unary(ops.sigmoid, self)

    def relu(self) -> Value:
        """max(x, 0); its derivative is taken as 0 at x = 0."""
        return _unary(ops.relu, self)

    def leaky_relu(self, slope: SupportsFloat = 0.01) -> Value | Any:
        """x for x > 0, else slope * x (the slope is an operand, so it can even be learned)."""
        return apply(ops.leaky_relu, (self, slope))

    def softplus(self) -> Value:
        """log(1 + e**x), a smooth ReLU, computed without overflow for any x."""
        return _unary(ops.softplus, self)

    # --- comparisons read the data; they are not recorded, but a trace notes them as guards ----

    def __lt__(self, other: object) -> bool | Any:
        return _compare(self, other, "<", operator.lt)

    def __le__(self, other: object) -> bool | Any:
        return _compare(self, other, "<=", operator.le)

    def __gt__(self, other: object) -> bool | Any:
        return _compare(self, other, ">", operator.gt)

    def __ge__(self, other: object) -> bool | Any:
        return _compare(self, other, ">=", operator.ge)

    def __float__(self) -> float:
        observer = _hooks.observer
        if observer is not None:  # the number escapes into Python (a trace notes it as a guard)
            observer.compared(self, "==", _constant(self.data), True)
        return self.data

    # --- differentiation ---------------------------------------------------------------------

    def backward(self, gradient: SupportsFloat = 1.0) -> None:
        """Add d(self)/d(node) * gradient into ``grad`` of every node this Value depends on.

        The graph is walked once in reverse topological order (iteratively, so any depth works),
        and each node's operation supplies its local derivatives (the chain rule). Gradients
        *accumulate*: a second call adds exactly one more pass, as in micrograd and PyTorch. Set
        ``grad = 0.0`` on the parameters (an optimizer's or module's ``zero_grad()``), or call
        :meth:`zero_grad` on this root to clear the whole graph, before the next pass. When a
        local derivative cannot be computed, the error names the operation and every ``grad``
        is left as it was before the call.

        Args:
            gradient: d(output)/d(self), the upstream gradient the pass starts from (1.0 for a
                loss).

        Raises:
            RuntimeError: when this Value does not require grad.
            TypeError: when ``gradient`` is not a number.
        """
        upstream = _number(gradient, "backward's gradient")
        if not self.requires_grad:
            raise RuntimeError(
                "backward: this Value does not require grad (it is a constant, was created with "
                "requires_grad=False, or was computed under no_grad()), so there is nothing to "
                "differentiate"
            )
        graph.backward(self, upstream)

    def _backward(self) -> None:
        """One step of the chain rule: add each local derivative times ``grad`` into its operand.

        micrograd's name, for stepping through backpropagation by hand, and exactly what
        ``backward()`` calls for every node in reverse topological order (after setting the
        root's gradient). A leaf's does nothing; an operand that does not require grad receives
        nothing, and with an operation's per-input rules (:attr:`Operation.partials`) its
        derivative is not even computed.

        Example:
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
        grad = self.grad
        try:
            if self._b is None:  # one operand: it requires grad, or this node would not record it
                x: Value = self._a
                (local,) = operation.local_grads(x.data, self.data)
                x.grad += local * grad
                return
            if self._a is None:  # many operands
                parents: tuple[Value, ...] = self._b
                local_grads = operation.local_grads(*[p.data for p in parents], self.data)
                for parent, local in zip(parents, local_grads, strict=True):
                    if parent.requires_grad:
                        parent.grad += local * grad
                return
            a: Value = self._a
            b: Value = self._b
            if a.requires_grad and b.requires_grad:
                local_a, local_b = operation.local_grads(a.data, b.data, self.data)
                a.grad += local_a * grad
                b.grad += local_b * grad
            elif a.requires_grad:
                a.grad += operation.local_grad(0, a.data, b.data, self.data) * grad
            else:
                b.grad += operation.local_grad(1, a.data, b.data, self.data) * grad
        except (ValueError, ArithmeticError) as error:
            raise graph.failed_derivative(error, self) from error

    def zero_grad(self) -> None:
        """Set ``grad`` to 0.0 on this Value and on every node of its graph."""
        for node in graph.topological_order(self):
            node.grad = 0.0

    def __reduce__(self) -> tuple[Any, ...]:
        """``copy``, ``deepcopy`` and ``pickle``: a Value with the same number, gradient and links.

        A copied graph keeps its operations (the objects themselves, shared); pickling one needs
        them to be picklable, which the built-ins' lambdas are not, so a leaf pickles and a
        recorded node does not. The same in the compiled build, whose class has no other way.
        """
        return (_restored, (self.data, self.label, self.requires_grad, self.grad, self.operation,
                            self._a, self._b))  # fmt: skip

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


# Values hash by identity, so they are dict keys. A compiled class that defines comparisons loses
# the hash it inherits; object's own (a C function, as fast as a hash can be) is put back here.
Value.__hash__ = object.__hash__  # type: ignore[method-assign]


def _restored(data: float, label: str, requires_grad: bool, grad: float,
              operation: Operation | None, a: Any, b: Any) -> Value:  # fmt: skip
    """A Value rebuilt from :meth:`Value.__reduce__`'s state."""
    out = Value(data, label, requires_grad)
    out.grad = grad
    out.operation = operation
    out._a = a
    out._b = b
    return out


# --- building Values ----------------------------------------------------------------------------


def _constant(x: float) -> Value:
    """A leaf that requires no grad: what a plain number becomes inside an expression."""
    return Value(x, "", False)


def _result(operation: Operation, data: float, needs_grad: bool, a: Any, b: Any) -> Value:
    """``operation``'s result node; it keeps its operands only when a gradient will flow back.

    ``needs_grad`` says whether an operand requires grad, and ``a`` and ``b`` are the operands as
    the slots hold them (see :class:`Value`). This is the one place where a node is linked to its
    operands. While some thread is inside ``no_grad()`` or watched by a tool (``unusual.count``),
    this thread's grad mode is read too, and a watching tool (``detect_anomaly()``) is told.
    """
    unusual_state = unusual.count  # read once: another thread may change it meanwhile
    if unusual_state:
        needs_grad = needs_grad and _mode.enabled
    if needs_grad:
        out = Value(data)
        out.operation = operation
        out._a = a
        out._b = b
    else:
        out = Value(data, "", False)
    if unusual_state:
        observer = _hooks.observer
        if observer is not None:
            observer.recorded(operation, _operands(a, b), out)
    return out


def _operands(a: Any, b: Any) -> tuple[Value, ...]:
    """The operands held as in the slots ``_a`` and ``_b``, as a tuple."""
    if a is None:
        return () if b is None else b
    return (a,) if b is None else (a, b)


def _unary(operation: Operation, a: Value) -> Value:
    """``operation(a)`` recorded in the graph."""
    data = operation.forward(a.data)
    if type(data) is not float or not isfinite(data):
        data = ops.checked_result(operation, [a.data], data)
    return _result(operation, data, a.requires_grad, a, None)


def _binary(operation: Operation, a: Value, b: Value) -> Value:
    """``operation(a, b)`` recorded in the graph."""
    data = operation.forward(a.data, b.data)
    if type(data) is not float or not isfinite(data):
        data = ops.checked_result(operation, [a.data, b.data], data)
    return _result(operation, data, a.requires_grad or b.requires_grad, a, b)


def record(operation: Operation, parents: tuple[Value, ...]) -> Value:
    """The result of ``operation`` on ``parents``, remembering them when gradients will be needed.

    The result records its operands only when grad mode is on and at least one operand
    requires grad; otherwise it is a constant, just like a number.
    """
    if len(parents) == 2:
        return _binary(operation, *parents)
    if len(parents) == 1:
        return _unary(operation, parents[0])
    inputs = [p.data for p in parents]
    data = operation.forward(*inputs)
    if type(data) is not float or not isfinite(data):
        data = ops.checked_result(operation, inputs, data)
    needs_grad = any(p.requires_grad for p in parents)
    return _result(operation, data, needs_grad, None, parents if parents else None)


def apply(operation: Operation, inputs: Sequence[Any]) -> Any:
    """Compute ``operation`` on ``inputs`` (Values or numbers) and record it in the graph.

    Numbers become constant Values (``requires_grad=False``). When another input is a stand-in
    that can hold Values (forward mode's dual number), that stand-in's type takes over.
    """
    try:
        parents = tuple([x if isinstance(x, Value) else _operand_of(x, operation) for x in inputs])
    except TypeError:
        for x in inputs:
            kind = type(x)
            if kind is not Value and hasattr(kind, "__apply_operation__"):
                return kind.__apply_operation__(operation, inputs)
        raise
    return record(operation, parents)


def _operand_of(x: object, operation: Operation) -> Value:
    return _constant(_number(x, f"an operand of '{operation.name}'"))


def _operand(x: object) -> Value | None:
    """``x`` as a Value for an arithmetic operator; None lets Python report an unsupported type."""
    if isinstance(x, Value):
        return x
    if type(x) is float:
        return _constant(x)
    if type(x) is int or (not isinstance(x, bool) and isinstance(x, numbers.Real)):
        return _constant(float(x))
    return None


def _compare(
    a: Value, other: object, symbol: str, test: Callable[[float, float], bool]
) -> bool | Any:
    """``a symbol other`` on the data; noted as a guard while a trace is being recorded."""
    b = _operand(other)
    if b is None:
        return NotImplemented  # Python then tries the reflection
    outcome = test(a.data, b.data)
    observer = _hooks.observer
    if observer is not None:
        observer.compared(a, symbol, b, outcome)
    return outcome
