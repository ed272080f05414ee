"""Derivatives as functions: ``grad``, ``value_and_grad``, ``hessian``, ``hvp`` and ``gradients``.

``grad(f)`` is a new function that returns the derivative of ``f``, in the style of JAX. Called
with floats it returns floats. Called with Values, or from inside the ``f`` of another ``grad``,
it returns Values that carry the graph of the derivative, so the derivative can be
differentiated again: ``grad(grad(f))`` is the second derivative, and so on to any order.

Everything here is built on :func:`gradients`, the counterpart of ``torch.autograd.grad``, which
runs one reverse pass (``graph.backpropagate``) and, with ``create_graph=True``, computes every
local derivative on Values so the result is itself a graph.
"""

from __future__ import annotations

import numbers
import threading
from collections.abc import Callable, Sequence
from typing import Any

from .grad_mode import enable_grad
from .graph import backpropagate
from .ops import Operation
from .value import Value

#: What the argument positions to differentiate may be: one index, or a tuple of them.
Argnums = int | tuple[int, ...]

# d(out)/d(x) = 1. ``grad`` puts one such node between a Value argument and ``f``, so that the
# derivative is taken with respect to that argument position alone, even when the same Value is
# also reached another way (through a closure, or passed in two positions).
_argument = Operation("argument", lambda x: x, lambda x, out: (1.0,))


# --- torch.autograd.grad ------------------------------------------------------------------------


def gradients(
    output: Value, inputs: Value | Sequence[Value], create_graph: bool = False
) -> tuple[Value, ...]:
    """The derivatives of ``output`` with respect to each of ``inputs``, as a tuple of Values.

    Like ``torch.autograd.grad``: nothing is accumulated into any ``.grad``, and the result is
    always a tuple, even for a single input. With ``create_graph=True`` each derivative carries
    its own graph, so it can be differentiated again, drawn or checked; otherwise each is a
    constant Value.

    An input that ``output`` does not depend on gets a derivative of 0 (a constant Value): the
    true derivative, since every recorded path from ``output`` is followed. ``output`` and the
    inputs must require grad: for a constant the graph was never recorded, so its derivative is
    unknown, and a silent 0 could be wrong.
    """
    if not isinstance(output, Value):
        raise TypeError(f"gradients: output must be a Value, got {type(output).__name__}")
    wrt = (inputs,) if isinstance(inputs, Value) else tuple(inputs)
    for index, x in enumerate(wrt):
        if not isinstance(x, Value):
            raise TypeError(f"gradients: inputs[{index}] must be a Value, got {type(x).__name__}")
        if not x.requires_grad:
            raise ValueError(
                f"gradients: inputs[{index}] ({x!r}) does not require grad, so no graph records "
                "how the output depends on it; create it with requires_grad=True"
            )
    if not output.requires_grad:
        raise ValueError(
            f"gradients: the output ({output!r}) does not require grad: it is a constant, was "
            "computed under no_grad() or from .data / .detach(), or is a derivative that depends "
            "on no input (that of a linear function, say), so no graph records how it depends "
            "on the inputs; use grad() or hessian() to get 0 for a constant derivative"
        )
    found = _derivatives(output, wrt, create_graph)
    if create_graph:
        return tuple(found)
    return tuple(Value(g, requires_grad=False) for g in found)


def _derivatives(output: Value, wrt: Sequence[Value], create_graph: bool) -> list[Any]:
    """d output / d w for each w in ``wrt``: floats, or Values when ``create_graph``.

    One reverse pass, stopped as soon as every wanted derivative is complete. A constant
    ``output`` (one that requires no grad) has derivative 0 with respect to everything.
    """
    wanted = set(wrt)
    found: dict[Value, Any] = {}
    if output.requires_grad:
        seed: Any = Value(1.0, requires_grad=False) if create_graph else 1.0
        for node, node_grad in backpropagate(output, seed, create_graph=create_graph):
            if node in wanted:
                found[node] = node_grad
                if len(found) == len(wanted):
                    break
    if create_graph:
        return [found[w] if w in found else Value(0.0, requires_grad=False) for w in wrt]
    return [found.get(w, 0.0) for w in wrt]


# --- JAX-style transformations ------------------------------------------------------------------


def grad(f: Callable[..., Value], argnums: Argnums = 0) -> Callable[..., Any]:
    """The function that returns the derivative of ``f`` with respect to argument ``argnums``.

    ``f`` takes scalars and returns one scalar Value. ``grad(f)(2.0)`` is f'(2.0) as a float;
    with a tuple ``argnums`` the result is a tuple of partial derivatives, in that order. When
    called with Values, or inside the ``f`` of an outer ``grad``, the derivatives are Values
    carrying their graph, so ``grad(grad(f))`` is the second derivative. Arguments not in
    ``argnums`` are passed to ``f`` unchanged.
    """
    positions = _check_argnums(argnums, "grad")

    def derivative(*args: Any) -> Any:
        _, derivatives = _value_and_grad(f, args, argnums, positions, "grad")
        return derivatives

    derivative.__name__ = f"grad_{_name(f)}"
    derivative.__doc__ = f"The derivative of {_name(f)} with respect to argnums={argnums!r}."
    return derivative


def value_and_grad(f: Callable[..., Value], argnums: Argnums = 0) -> Callable[..., Any]:
    """Like :func:`grad`, but the function returns ``(f(*args), derivative)`` from one pass."""
    positions = _check_argnums(argnums, "value_and_grad")

    def value_and_derivative(*args: Any) -> tuple[Any, Any]:
        return _value_and_grad(f, args, argnums, positions, "value_and_grad")

    value_and_derivative.__name__ = f"value_and_grad_{_name(f)}"
    value_and_derivative.__doc__ = (
        f"The value of {_name(f)} and its derivative with respect to argnums={argnums!r}."
    )
    return value_and_derivative


def hessian(f: Callable[..., Value]) -> Callable[..., list[list[Any]]]:
    """The function that returns the matrix of second derivatives of ``f`` in all its arguments.

    ``hessian(f)(x, y)`` is ``[[f_xx, f_xy], [f_yx, f_yy]]`` as floats (Values carrying their
    graph when called with Values). One forward pass, one reverse pass that builds the graph of
    the gradient, then one reverse pass per argument through that graph.
    """

    def hessian_of_f(*args: Any) -> list[list[Any]]:
        call = _Call(f, args, range(len(args)), "hessian")
        with enable_grad():
            first = _derivatives(call.output, call.leaves, create_graph=True)
            return [call.result(_derivatives(g, call.leaves, call.nested)) for g in first]

    hessian_of_f.__name__ = f"hessian_{_name(f)}"
    return hessian_of_f


def hvp(f: Callable[..., Value], x: Sequence[Any], v: Sequence[Any]) -> list[Any]:
    """The Hessian of ``f`` at the point ``x`` times the vector ``v``, without forming the Hessian.

    ``x`` holds ``f``'s arguments and ``v`` one number per argument. The product is the gradient
    of ``grad f(x) . v``: two reverse passes whatever the number of arguments (Pearlmutter's
    trick), where the full Hessian needs one per argument.
    """
    for name, given in (("x", x), ("v", v)):
        if not isinstance(given, Sequence):
            raise TypeError(
                f"hvp: {name} must be a sequence with one entry per argument of f, got "
                f"{type(given).__name__} (write hvp(f, [x], [v]) for a function of one argument)"
            )
    x, v = tuple(x), tuple(v)
    if len(v) != len(x):
        raise ValueError(f"hvp: v has {len(v)} entries but f gets {len(x)} arguments")
    for index, entry in enumerate(v):
        if not _is_scalar(entry):
            raise TypeError(f"hvp: v[{index}] must be a number, got {type(entry).__name__}")
    call = _Call(f, x, range(len(x)), "hvp")
    with enable_grad():
        first = _derivatives(call.output, call.leaves, create_graph=True)
        directional = Value(0.0, requires_grad=False)
        for g, entry in zip(first, v, strict=True):
            directional = directional + g * entry
        return call.result(_derivatives(directional, call.leaves, call.nested))


# --- the shared machinery -----------------------------------------------------------------------


class _Transforms(threading.local):
    #: how many calls of ``f`` by these transformations are running in this thread
    depth: int = 0


_running = _Transforms()


class _Call:
    """One call of ``f`` with fresh leaves at the positions to differentiate.

    ``nested`` says whether the derivatives must carry a graph: when an argument is a Value, or
    when this call happens inside the ``f`` of another transformation, whose result may depend
    on it through a closure (``grad(lambda x: x * grad(lambda y: x * y)(1.0))``). At the top
    level with numbers, plain floats are both correct and fast.
    """

    def __init__(self, f: Callable[..., Any], args: tuple[Any, ...],
                 positions: Sequence[int], who: str) -> None:
        if not callable(f):
            raise TypeError(f"{who}: f must be a function, got {type(f).__name__}")
        self.nested = _running.depth > 0 or any(isinstance(a, Value) for a in args)
        call_args = list(args)
        leaves: list[Value] = []
        with enable_grad():  # derivatives are wanted even when called under no_grad()
            for i in positions:
                leaves.append(_leaf(args[i], i, who))
                call_args[i] = leaves[-1]
            _running.depth += 1
            try:
                output = f(*call_args)
            finally:
                _running.depth -= 1
        self.output = _check_output(output, f, who)
        self.leaves = leaves

    def result(self, derivatives: list[Any]) -> list[Any]:
        """The derivatives as the caller expects them: Values when nested, else floats."""
        if self.nested:
            return [_as_value(d) for d in derivatives]
        return [float(d) for d in derivatives]


def _value_and_grad(
    f: Callable[..., Any], args: tuple[Any, ...], argnums: Argnums,
    positions: tuple[int, ...], who: str,
) -> tuple[Any, Any]:
    resolved = _resolve_argnums(positions, len(args), argnums, who)
    distinct = list(dict.fromkeys(resolved))  # each position gets one leaf
    call = _Call(f, args, distinct, who)
    with enable_grad():
        found = call.result(_derivatives(call.output, call.leaves, call.nested))
    by_position = dict(zip(distinct, found, strict=True))
    value: Any = call.output if call.nested else call.output.data
    if isinstance(argnums, int):
        return value, by_position[resolved[0]]
    return value, tuple(by_position[i] for i in resolved)


def _check_argnums(argnums: object, who: str) -> tuple[int, ...]:
    """``argnums`` as a tuple of ints, or a TypeError / ValueError saying what was wrong."""
    if _is_index(argnums):
        return (argnums,)  # type: ignore[return-value]
    if isinstance(argnums, tuple) and argnums and all(_is_index(i) for i in argnums):
        return argnums
    if argnums == ():
        raise ValueError(f"{who}: argnums=() names no argument to differentiate")
    raise TypeError(f"{who}: argnums must be an int or a tuple of ints, got {argnums!r}")


def _resolve_argnums(
    positions: tuple[int, ...], count: int, argnums: Argnums, who: str
) -> list[int]:
    """Negative positions counted from the end, as in Python indexing; out of range is an error."""
    resolved = []
    for i in positions:
        if not -count <= i < count:
            raise ValueError(
                f"{who}: argnums={argnums!r} is out of range for f called with {count} "
                f"argument{'s' if count != 1 else ''}"
            )
        resolved.append(i % count)
    return resolved


def _leaf(arg: object, position: int, who: str) -> Value:
    """A fresh node to differentiate with respect to, standing for argument ``position``."""
    if isinstance(arg, Value):
        if arg.requires_grad:
            node = _argument(arg)  # keeps the link to arg, so the derivative stays a graph
            node.label = arg.label
            return node  # type: ignore[no-any-return]
        return Value(arg.data, label=arg.label)
    if _is_scalar(arg):
        return Value(float(arg))  # type: ignore[arg-type]
    raise TypeError(
        f"{who}: argument {position} must be a number or a Value to be differentiated, got "
        f"{type(arg).__name__}"
    )


def _check_output(output: object, f: Callable[..., Any], who: str) -> Value:
    if isinstance(output, Value):
        return output
    if _is_scalar(output):
        raise TypeError(
            f"{who}: {_name(f)} returned the number {output!r}, not a Value, so how it depends on "
            "its arguments was not recorded. Build the result from the arguments with "
            "autograd_lite operations (math.exp(x) silently turns a Value into a float: use "
            "x.exp() or autograd_lite.exp(x))"
        )
    raise TypeError(
        f"{who}: {_name(f)} must return one scalar Value, got {type(output).__name__}"
        + (f" of length {len(output)}; sum it or pick one entry" if isinstance(output, Sequence)
           else "")
    )


def _as_value(x: Any) -> Value:
    return x if isinstance(x, Value) else Value(float(x), requires_grad=False)


def _is_scalar(x: object) -> bool:
    return not isinstance(x, bool) and isinstance(x, numbers.Real)


def _is_index(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _name(f: object) -> str:
    return getattr(f, "__name__", type(f).__name__)
