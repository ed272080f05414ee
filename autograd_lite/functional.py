"""Derivatives as functions: ``grad``, ``value_and_grad``, ``hessian``, ``hvp`` and ``gradients``.

``grad(f)`` is a new function that returns the derivative of ``f``, in the style of JAX. Its
arguments may be numbers, Values, or pytrees of them (dicts, lists, tuples), and derivatives come
back with the same structure. Called with floats it returns floats. Called with Values, or from
inside the ``f`` of another transformation, it returns Values that carry the graph of the
derivative, so the derivative can be differentiated again: ``grad(grad(f))`` is the second
derivative, and so on to any order.

Everything here is built on :func:`gradients`, the counterpart of ``torch.autograd.grad``, which
runs one reverse pass (``graph.backpropagate``) and, with ``create_graph=True``, computes every
local derivative on Values so the result is itself a graph.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .jacobians import _jacobian_fwd, _jacobian_rev
from .pytree import tree_flatten
from .transform import (
    Argnums,
    Call,
    as_result,
    aux_result,
    check_argnums,
    derivatives,
    is_number,
    name_of,
    resolve_argnums,
    scalar_output,
    split_aux,
)
from .transform import value_derivatives as _derivatives
from .value import Value

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

    Args:
        output: the Value to differentiate.
        inputs: one Value, or a sequence of Values, to differentiate with respect to.
        create_graph: record the derivatives' own graphs, for derivatives of derivatives.

    Returns:
        A tuple with one Value per input: d output / d input.

    Raises:
        TypeError: if ``output`` or an input is not a Value.
        ValueError: if ``output`` or an input does not require grad.
        ZeroDivisionError, ValueError, OverflowError: when a local derivative cannot be
            computed, naming the operation.

    Example:
        >>> from autograd_lite import Value, gradients
        >>> x = Value(3.0)
        >>> y = x ** 3
        >>> (dy,) = gradients(y, x, create_graph=True)
        >>> (d2y,) = gradients(dy, x)
        >>> dy.data, d2y.data, x.grad                  # 3x**2, 6x; nothing accumulated
        (27.0, 18.0, 0.0)
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


# --- JAX-style transformations ------------------------------------------------------------------


def grad(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The function that returns the derivative of ``f`` with respect to argument ``argnums``.

    As ``jax.grad``: each argument may be a number, a Value, or lists, tuples and dicts of them
    (a pytree), and its derivative comes back with the same structure. Arguments not in
    ``argnums`` and keyword arguments are passed to ``f`` untouched. Called with Values, or
    inside the ``f`` of another transformation, the derivatives are Values carrying their graph,
    so ``grad(grad(f))`` is the second derivative.

    Args:
        f: A function returning one scalar Value.
        argnums: The position of the argument to differentiate (negative counts from the end),
            or a sequence of positions.
        has_aux: Whether ``f`` returns a pair ``(output, aux)`` of which only ``output`` is
            differentiated; ``aux`` is handed back beside the derivative, as in JAX.

    Returns:
        A function taking ``f``'s arguments and returning the derivative with the structure of
        argument ``argnums``; for a sequence ``argnums``, a tuple of them in that order. Floats
        when called with numbers. With ``has_aux``, the pair ``(derivative, aux)``.

    Raises:
        TypeError: for a bad ``argnums``, a leaf that is not a number or a Value (its path is
            named, as ``params['w'][1]``), or ``f`` returning a number or several Values (or,
            with ``has_aux``, not a pair).
        ValueError: for an ``argnums`` out of range.

    Example:
        >>> grad(lambda x: x * x * x)(2.0)
        12.0
        >>> grad(lambda p, x: p["w"] * x + p["b"])({"w": 2.0, "b": 1.0}, 3.0)
        {'b': 1.0, 'w': 3.0}
    """
    positions = check_argnums(argnums, "grad")

    def derivative(*args: Any, **kwargs: Any) -> Any:
        value, derivatives = _value_and_grad(f, args, kwargs, argnums, positions, has_aux, "grad")
        return (derivatives, value[1]) if has_aux else derivatives

    derivative.__name__ = f"grad_{name_of(f)}"
    derivative.__wrapped__ = f  # type: ignore[attr-defined]  # its signature names arguments
    derivative.__doc__ = f"The derivative of {name_of(f)} with respect to argnums={argnums!r}."
    return derivative


def value_and_grad(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """Like :func:`grad`, but the function returns ``(f(*args), derivative)`` from one pass.

    Args:
        f: A function returning one scalar Value.
        argnums: As for :func:`grad`.
        has_aux: As for :func:`grad`.

    Returns:
        A function returning ``(value, derivative)``: the value a float (a Value when nested),
        the derivative as :func:`grad` gives it. With ``has_aux``, ``((value, aux), derivative)``.

    Raises:
        TypeError, ValueError: as :func:`grad`.

    Example:
        >>> value_and_grad(lambda x, y: x * y, argnums=[0, 1])(2.0, 3.0)
        (6.0, (3.0, 2.0))
    """
    positions = check_argnums(argnums, "value_and_grad")

    def value_and_derivative(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        return _value_and_grad(f, args, kwargs, argnums, positions, has_aux, "value_and_grad")

    value_and_derivative.__name__ = f"value_and_grad_{name_of(f)}"
    value_and_derivative.__wrapped__ = f  # type: ignore[attr-defined]
    value_and_derivative.__doc__ = (
        f"The value of {name_of(f)} and its derivative with respect to argnums={argnums!r}."
    )
    return value_and_derivative


def hessian(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The function that returns the matrix of second derivatives of ``f``, as ``jax.hessian``.

    It is ``jacfwd(jacrev(f, argnums), argnums)``: one reverse pass for the gradient, pushed
    forward along each input number in turn (forward-over-reverse).

    Args:
        f: A function returning one scalar Value.
        argnums: As for :func:`grad`.
        has_aux: As for :func:`grad`: the result is then ``(hessian, aux)``.

    Returns:
        A function taking ``f``'s arguments (keyword arguments pass through) and returning the
        Hessian with the argument's structure outside and inside: a float for a number, a dict
        of dicts for a dict. For a sequence ``argnums`` a tuple of tuples of blocks:
        ``hessian(f, argnums=(0, 1))(x, y)`` is ``((f_xx, f_xy), (f_yx, f_yy))``. Values carrying
        their graph when called with Values.

    Raises:
        TypeError, ValueError: as :func:`grad`.

    Example:
        >>> hessian(lambda x, y: x * x * y, argnums=(0, 1))(1.0, 2.0)
        ((4.0, 2.0), (2.0, 0.0))
    """
    positions = check_argnums(argnums, "hessian")
    reverse = _jacobian_rev(f, argnums, positions, "hessian", has_aux)
    hessian_of_f = _jacobian_fwd(reverse, argnums, positions, "hessian", has_aux)
    hessian_of_f.__name__ = f"hessian_{name_of(f)}"
    hessian_of_f.__doc__ = f"The Hessian of {name_of(f)} with respect to argnums={argnums!r}."
    return hessian_of_f


def hvp(f: Callable[..., Any], x: Sequence[Any], v: Sequence[Any]) -> list[Any]:
    """The Hessian of ``f`` at the point ``x`` times the vector ``v``, without forming the Hessian.

    The product is the gradient of ``grad f(x) . v``: two reverse passes whatever the number of
    arguments (Pearlmutter's trick), where the full Hessian needs one per argument.

    Args:
        x: ``f``'s arguments, each a number, a Value or a pytree of them.
        v: One entry per argument, with that argument's structure.

    Returns:
        A list with one entry per argument, each with its structure.

    Raises:
        TypeError: when ``x`` or ``v`` is not a sequence, or an entry of ``v`` is not a number.
        ValueError: when ``v`` and ``x`` differ in length or structure.

    Example:
        >>> hvp(lambda x, y: x * x * y, (1.0, 2.0), (1.0, 0.0))
        [4.0, 2.0]
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
    weights = []
    for index, (entry, arg) in enumerate(zip(v, x)):
        leaves, shape = tree_flatten(entry)
        arg_shape = tree_flatten(arg)[1]
        if shape != arg_shape:
            raise ValueError(
                f"hvp: v[{index}] has structure {shape}, but argument {index} has {arg_shape}"
            )
        for leaf in leaves:
            if not is_number(leaf):
                raise TypeError(f"hvp: v[{index}] must be a number, got {type(leaf).__name__}")
        weights.extend(leaves)
    call = Call(f, x, {}, range(len(x)), "hvp")
    output = scalar_output(call.output, f, "hvp")
    first = derivatives(output, call.leaves, create_graph=True)
    directional: Any = Value(0.0, requires_grad=False)
    for g, weight in zip(first, weights):
        directional = directional + g * weight
    found = [as_result(d, call.nested) for d in derivatives(directional, call.leaves, call.nested)]
    return list(call.per_argument(found, range(len(x)), single=False))


# --- the shared machinery -----------------------------------------------------------------------


def _value_and_grad(
    f: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any], argnums: Argnums,
    positions: tuple[int, ...], has_aux: bool, caller: str,
) -> tuple[Any, Any]:
    resolved = resolve_argnums(positions, len(args), argnums, caller)
    call = Call(f, args, kwargs, list(dict.fromkeys(resolved)), caller)  # one leaf per position
    output, aux = split_aux(call.output, has_aux, f, caller)
    output = scalar_output(output, f, caller)
    found = call.gradient(output)
    value = as_result(output, call.nested)
    if has_aux:
        value = (value, aux_result(aux, call.nested))
    return value, call.per_argument(found, resolved, single=isinstance(argnums, int))
