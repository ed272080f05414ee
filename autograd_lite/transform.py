"""What the functional transformations share: arguments as pytrees of leaves, one call of ``f``
with fresh leaves in their place, its output checked, and derivatives by one reverse pass.

Leaves are numbers, Values and forward mode's dual numbers. A dual number's derivative is taken
component by component (its primal and its tangent are each a function of the inputs), which is
how reverse mode runs inside forward mode and the other way round.
"""

from __future__ import annotations

import inspect
import numbers
import threading
from collections.abc import Callable, Sequence
from typing import Any

from .forward import Dual, components, innermost, map_components, replace_innermost
from .grad_mode import enable_grad
from .graph import backpropagate
from .ops import Operation
from .pytree import TreeDef, tree_flatten, tree_flatten_with_path, tree_map, tree_unflatten
from .value import Value

#: What the argument positions to differentiate may be: one index, or a sequence of them.
Argnums = int | Sequence[int]

# d(out)/d(x) = 1. A Value argument reaches ``f`` through one such node, so that the derivative
# is taken with respect to that argument position alone, even when the same Value is also
# reached another way (through a closure, or passed in two positions).
_argument = Operation("argument", lambda x: x, lambda x, out: (1.0,))


class _Transforms(threading.local):
    #: how many calls of ``f`` by these transformations are running in this thread
    depth: int = 0


running = _Transforms()


# --- reverse passes -----------------------------------------------------------------------------


def value_derivatives(output: Value, wrt: Sequence[Value], create_graph: bool) -> list[Any]:
    """d output / d w for each w in ``wrt``: floats, or Values when ``create_graph``.

    One reverse pass, stopped as soon as every wanted derivative is complete. A constant
    ``output`` (one that requires no grad) has derivative 0 with respect to everything.
    """
    wanted = set(wrt)
    found: dict[Value, Any] = {}
    if output.requires_grad:
        upstream: Any = Value(1.0, requires_grad=False) if create_graph else 1.0
        for node, node_grad in backpropagate(output, upstream, create_graph=create_graph):
            if node in wanted:
                found[node] = node_grad
                if len(found) == len(wanted):
                    break
    if create_graph:
        return [found[w] if w in found else Value(0.0, requires_grad=False) for w in wrt]
    return [found.get(w, 0.0) for w in wrt]


def derivatives(output: Any, wrt: Sequence[Value], create_graph: bool) -> list[Any]:
    """d output / d w for each w in ``wrt``, where ``output`` is a Value, a Dual or a number.

    A dual number ``p + t ε`` gives ``dp/dw + (dt/dw) ε``: one reverse pass per component.
    """
    if type(output) is Dual:
        primal = derivatives(output.primal, wrt, create_graph)
        tangent = derivatives(output.tangent, wrt, create_graph)
        return [Dual(p, t, output.level) for p, t in zip(primal, tangent)]
    if isinstance(output, Value):
        with enable_grad():
            return value_derivatives(output, wrt, create_graph)
    zero = Value(0.0, requires_grad=False) if create_graph else 0.0
    return [zero] * len(wrt)


# --- arguments ----------------------------------------------------------------------------------


def argument_names(f: Callable[..., Any], count: int) -> list[str]:
    """How to name each of ``count`` positional arguments of ``f`` in a message.

    The parameter's own name when ``f`` says it (``params``), else ``args[i]``.
    """
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = [
        p.name for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]  # fmt: skip
    rest = [p.name for p in parameters if p.kind == inspect.Parameter.VAR_POSITIONAL]
    names = []
    for i in range(count):
        if i < len(positional):
            names.append(positional[i])
        elif rest:
            names.append(f"{rest[0]}[{i - len(positional)}]")
        else:
            names.append(f"args[{i}]")
    return names


def is_number(x: object) -> bool:
    """An int or a float (a bool is refused: ``True`` is almost never meant as 1.0)."""
    return not isinstance(x, bool) and isinstance(x, numbers.Real)


def is_leaf(x: object) -> bool:
    """What may stand at a leaf of an argument: a number, a Value or a dual number."""
    return is_number(x) or isinstance(x, (Value, Dual))


def flatten_checked(tree: Any, root: str, caller: str, what: str) -> tuple[list[Any], TreeDef]:
    """The leaves and structure of ``tree``; a TypeError naming the path of a leaf that is wrong.

    ``what`` says what ``tree`` is (``"argument 0"``) and ``root`` how its paths start
    (``"params"``).

    Raises:
        TypeError: when a leaf is not a number, a Value or a Dual, e.g. ``grad: argument 0 must
            be a number or a Value, or lists, tuples and dicts of them; at params['w'][1] got
            str ('x')``.
    """
    with_paths, shape = tree_flatten_with_path(tree, root)
    for path, leaf in with_paths:
        if not is_leaf(leaf):
            raise TypeError(
                f"{caller}: {what} must be a number or a Value, or lists, tuples and dicts of "
                "them; "
                f"at {path} got {type(leaf).__name__} ({leaf!r})"
            )
    return [leaf for _, leaf in with_paths], shape


def check_argnums(argnums: object, caller: str) -> tuple[int, ...]:
    """``argnums`` as a tuple of ints, or a TypeError / ValueError saying what was wrong."""
    if is_index(argnums):
        return (argnums,)  # type: ignore[return-value]
    if (isinstance(argnums, Sequence) and not isinstance(argnums, str)
            and all(is_index(i) for i in argnums)):
            if not argnums:
                raise ValueError(
                    f"{caller}: argnums={argnums!r} names no argument to differentiate"
                )
            return tuple(argnums)
    raise TypeError(
        f"{caller}: argnums must be an int or a sequence of ints (a tuple, a list), got {argnums!r}"
    )


def resolve_argnums(
    positions: tuple[int, ...], count: int, argnums: object, caller: str
) -> list[int]:
    """Negative positions counted from the end, as in Python indexing; out of range is an error."""
    resolved = []
    for i in positions:
        if not -count <= i < count:
            raise ValueError(
                f"{caller}: argnums={argnums!r} is out of range for f called with {count} "
                f"argument{'s' if count != 1 else ''}"
            )
        resolved.append(i % count)
    return resolved


def fresh_leaf(x: Any) -> tuple[Value, Any]:
    """(the Value to differentiate with respect to, what ``f`` receives in ``x``'s place).

    For a dual number ``p + t ε`` the Value stands for its innermost primal ``p`` and ``f``
    receives ``leaf + t ε``: differentiating along ``p`` with the tangents held constant.
    """
    inner = innermost(x)
    if isinstance(inner, Value):
        if inner.requires_grad:
            node: Value = _argument(inner)  # keeps the link to x, so the derivative is a graph
            node.label = inner.label
        else:
            node = Value(inner.data, label=inner.label)
    else:
        node = Value(float(inner))
    return node, replace_innermost(x, node)


def contains_value(*trees: Any) -> bool:
    """Whether a Value is anywhere in ``trees``, dual numbers' components included."""
    for tree in trees:
        for leaf in tree_flatten(tree)[0]:
            if type(leaf) is Dual:
                if any(isinstance(c, Value) for c in components(leaf)):
                    return True
            elif isinstance(leaf, Value):
                return True
    return False


def as_result(x: Any, nested: bool) -> Any:
    """A derivative or value as the caller expects it: Values when nested, else floats."""
    if type(x) is Dual:
        return map_components(lambda c: as_result(c, nested), x)
    if nested:
        return x if isinstance(x, Value) else Value(float(x), requires_grad=False)
    return x.data if isinstance(x, Value) else float(x)


def call_nested(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``f(*args, **kwargs)`` with grad mode on, known to be inside a transformation."""
    with enable_grad():
        running.depth += 1
        try:
            return f(*args, **kwargs)
        finally:
            running.depth -= 1


class Call:
    """One call of ``f`` with fresh leaves in the pytrees at the positions to differentiate.

    ``nested`` says whether results must be Values carrying their graph: when a Value is among
    the arguments, or when this call happens inside the ``f`` of another transformation, whose
    result may depend on it through a closure (``grad(lambda x: x * grad(lambda y: x * y)(1.0))``).
    At the top level with numbers, plain floats are both correct and fast.
    """

    def __init__(self, f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
                 positions: Sequence[int], caller: str) -> None:
        if not callable(f):
            raise TypeError(f"{caller}: f must be a function, got {type(f).__name__}")
        self.f, self.caller = f, caller
        self.nested = running.depth > 0 or contains_value(args, kwargs)
        names = argument_names(f, len(args))
        call_args = list(args)
        self.leaves: list[Value] = []
        self.shapes: dict[int, TreeDef] = {}
        self.spans: dict[int, tuple[int, int]] = {}
        with enable_grad():  # derivatives are wanted even when called under no_grad()
            for i in positions:
                given, self.shapes[i] = flatten_checked(args[i], names[i], caller, f"argument {i}")
                start = len(self.leaves)
                stand_ins = []
                for x in given:
                    leaf, stand_in = fresh_leaf(x)
                    self.leaves.append(leaf)
                    stand_ins.append(stand_in)
                self.spans[i] = (start, len(self.leaves))
                call_args[i] = tree_unflatten(self.shapes[i], stand_ins)
        self.output = call_nested(f, *call_args, **kwargs)

    def gradient(self, output: Any) -> list[Any]:
        """d output / d leaf for every leaf, as the caller expects them."""
        found = derivatives(output, self.leaves, self.nested)
        return [as_result(d, self.nested) for d in found]

    def per_argument(self, flat: Sequence[Any], positions: Sequence[int], single: bool) -> Any:
        """Flat per-leaf entries regrouped into each argument's structure; a tuple unless single."""
        trees = [
            tree_unflatten(self.shapes[i], flat[self.spans[i][0] : self.spans[i][1]])
            for i in positions
        ]
        return trees[0] if single else tuple(trees)


# --- outputs ------------------------------------------------------------------------------------


def name_of(f: object) -> str:
    """How to call ``f`` in a message."""
    return getattr(f, "__name__", type(f).__name__)


def _returned_a_number(output: object, f: Callable[..., Any], caller: str, where: str = "") -> str:
    return (
        f"{caller}: {name_of(f)} returned the number {output!r}{where}, not a Value, so how it "
        "depends on its arguments was not recorded. Build the result from the arguments with "
        "autograd_lite operations (math.exp(x) silently turns a Value into a float: use "
        "x.exp() or autograd_lite.exp(x))"
    )


def split_aux(output: object, has_aux: bool, f: Callable[..., Any], caller: str) -> tuple[Any, Any]:
    """``(output, aux)``: with ``has_aux``, ``f`` returns a pair whose first is differentiated.

    Raises:
        TypeError: when ``has_aux`` is set and ``f`` did not return a pair.
    """
    if not has_aux:
        return output, None
    if not (isinstance(output, (tuple, list)) and len(output) == 2):
        raise TypeError(
            f"{caller}: with has_aux=True, {name_of(f)} must return a pair "
            "(output, auxiliary data), "
            f"got {type(output).__name__}"
        )
    return output[0], output[1]


def aux_result(aux: Any, nested: bool, level: int = 0) -> Any:
    """Auxiliary data as the caller gets it: not differentiated (this pass's dual numbers give
    their primals) and, at the top level, Values as floats."""

    def leaf(x: Any) -> Any:
        if type(x) is Dual and x.level == level:
            x = x.primal
        if isinstance(x, Value) and not nested:
            return x.data
        return x

    return tree_map(leaf, aux)


def scalar_output(output: object, f: Callable[..., Any], caller: str) -> Value | Dual:
    """``output`` when it is one scalar Value (or dual number); else a TypeError that explains."""
    if isinstance(output, (Value, Dual)):
        return output
    if is_number(output):
        raise TypeError(_returned_a_number(output, f, caller))
    raise TypeError(
        f"{caller}: {name_of(f)} must return one scalar Value, got {type(output).__name__}"
        + (f" of length {len(output)}; sum it or pick one entry (jacrev gives the derivative of "
           "every entry)" if isinstance(output, Sequence) else "")
    )


def output_leaves(output: object, f: Callable[..., Any], caller: str) -> tuple[list[Any], TreeDef]:
    """The leaves of a pytree of Values returned by ``f``, and its structure.

    Raises:
        TypeError: when ``f`` returned a number (explained as for ``grad``) or a leaf is not a
            Value, naming its path (``output[1]``).
    """
    with_paths, shape = tree_flatten_with_path(output, "output")
    for path, leaf in with_paths:
        if isinstance(leaf, (Value, Dual)):
            continue
        if is_number(leaf):
            where = "" if shape.kind == "leaf" else f" at {path}"
            raise TypeError(_returned_a_number(leaf, f, caller, where))
        raise TypeError(
            f"{caller}: {name_of(f)} must return a Value or lists, tuples and dicts of Values; "
            f"{path} is a {type(leaf).__name__}"
        )
    return [leaf for _, leaf in with_paths], shape


def is_index(x: object) -> bool:
    """An int that is not a bool."""
    return isinstance(x, int) and not isinstance(x, bool)
