"""Jacobians both ways, and the two products they are made of: ``jvp`` (forward) and ``vjp``.

For f: R^n -> R^m, ``jvp`` pushes one direction of the inputs forward and gives one column of
the Jacobian per forward pass; ``vjp`` pulls one weighting of the outputs back and gives one row
per reverse pass. So ``jacfwd`` costs n passes and ``jacrev`` costs m: forward mode wins for few
inputs and many outputs, reverse mode (backpropagation) for many inputs and one output, which is
why training uses it. Names and semantics follow JAX.

Source: Baydin et al. 2018, "Automatic differentiation in machine learning: a survey" (JMLR),
sections 3.1 and 3.2.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .forward import Dual, new_level
from .grad_mode import enable_grad
from .pytree import TreeDef, tree_unflatten
from .transform import (
    Argnums,
    Call,
    argument_names,
    as_result,
    aux_result,
    call_nested,
    check_argnums,
    contains_value,
    derivatives,
    flatten_checked,
    is_number,
    name_of,
    output_leaves,
    resolve_argnums,
    running,
    split_aux,
)

# --- forward mode -------------------------------------------------------------------------------


def jvp(
    f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any], has_aux: bool = False
) -> tuple[Any, ...]:
    """``f(*primals)`` and its derivative along ``tangents``, by one forward pass (forward mode).

    Each number of the arguments travels with its tangent as a dual number through every
    operation, whose ``local_grads`` multiply the tangents forward (Baydin et al. 2018, 3.1):
    no graph is kept and no reverse pass runs, so a chain of any length works. The result is
    J(primals) @ tangents without forming the Jacobian J.

    Args:
        f: A function of Values returning a Value or a pytree of Values.
        primals: ``f``'s arguments, a tuple or list; each one a pytree of numbers or Values.
        tangents: One tangent per primal, each with its primal's structure.
        has_aux: Whether ``f`` returns a pair ``(output, aux)`` of which only ``output`` is
            differentiated, as in JAX.

    Returns:
        ``(primals_out, tangents_out)``, both with the structure of ``f``'s output: floats when
        called with numbers, Values carrying their graph when called with Values or inside
        another transformation (so ``jvp`` composes with ``grad`` both ways, to any order).
        With ``has_aux``, ``(primals_out, tangents_out, aux)``.

    Raises:
        TypeError: when ``primals`` or ``tangents`` is not a tuple or list, a leaf is not a
            number or a Value (its path is named: ``params['w'][1]``), or ``f`` returns a number
            (or, with ``has_aux``, not a pair).
        ValueError: when a tangent's structure differs from its primal's (both are shown).

    Example:
        >>> jvp(lambda x, y: x * y + x.sin(), (0.0, 2.0), (1.0, 0.0))  # d/dx at (0, 2)
        (0.0, 3.0)
    """
    for name, given in (("primals", primals), ("tangents", tangents)):
        if not isinstance(given, (tuple, list)):
            raise TypeError(
                f"jvp: {name} must be a tuple or list with one entry per argument of f, got "
                f"{type(given).__name__} (write jvp(f, (x,), (t,)) for a function of one argument)"
            )
    if len(primals) != len(tangents):
        raise ValueError(
            f"jvp: {len(primals)} primals but {len(tangents)} tangents; give one tangent per "
            "primal, with its structure"
        )
    names = argument_names(f, len(primals))
    args = []
    level = new_level()
    for index, (name, primal, tangent) in enumerate(zip(names, primals, tangents)):
        p_leaves, p_shape = flatten_checked(primal, name, "jvp", f"primal {index}")
        t_leaves, t_shape = flatten_checked(tangent, name, "jvp", f"tangent {index}")
        if p_shape != t_shape:
            raise ValueError(
                f"jvp: the tangent of {name} has structure {t_shape}, but the primal has "
                f"structure {p_shape}; give each number of the primal its tangent"
            )
        duals = [Dual(p, t, level) for p, t in zip(p_leaves, t_leaves)]
        args.append(tree_unflatten(p_shape, duals))
    nested = running.depth > 0 or contains_value(primals, tangents)
    out, aux = split_aux(_forward_call(nested, f, args, {}), has_aux, f, "jvp")
    out_leaves, out_shape = output_leaves(out, f, "jvp")
    values, slopes = _split(out_leaves, level)
    primals_out = tree_unflatten(out_shape, [as_result(v, nested) for v in values])
    tangents_out = tree_unflatten(out_shape, [as_result(t, nested) for t in slopes])
    if has_aux:
        return primals_out, tangents_out, aux_result(aux, nested, level)
    return primals_out, tangents_out


def _forward_call(
    nested: bool, f: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]
) -> Any:
    """``f`` on dual numbers. Only when Values are about (nested) must the transformations
    inside ``f`` keep the graphs of their results; with numbers they may return numbers."""
    if nested:
        return call_nested(f, *args, **kwargs)
    with enable_grad():
        return f(*args, **kwargs)


def _split(outputs: list[Any], level: int) -> tuple[list[Any], list[Any]]:
    """The primals and tangents of this pass's dual numbers; other outputs have tangent 0."""
    values, slopes = [], []
    for out in outputs:
        if type(out) is Dual and out.level == level:
            values.append(out.primal)
            slopes.append(out.tangent)
        else:  # does not depend on the arguments
            values.append(out)
            slopes.append(0.0)
    return values, slopes


def jacfwd(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The function that returns the Jacobian of ``f`` by forward mode: one ``jvp`` per input.

    For n input numbers and m output Values it runs n forward passes, each with a tangent of 1
    on one input and 0 elsewhere (one column of the Jacobian per pass). Prefer it to
    :func:`jacrev` when there are fewer inputs than outputs.

    Args:
        f: A function returning a Value or a pytree of Values.
        argnums: The position of the argument to differentiate, or a sequence of them.

    Returns:
        A function taking ``f``'s arguments (keyword arguments pass through) and returning the
        Jacobian: the output's structure outside, the argument's structure inside (a tuple of
        argument structures for a sequence ``argnums``). Floats when called with numbers,
        Values carrying their graph when called with Values, so ``jacfwd(jacrev(f))`` is the
        Hessian.

    Raises:
        TypeError, ValueError: as :func:`jvp`, and for a bad ``argnums``.

    Example:
        >>> jacfwd(lambda x: [x * x, x.exp()])(0.0)
        [0.0, 1.0]
    """
    positions = check_argnums(argnums, "jacfwd")
    return _named(_jacobian_fwd(f, argnums, positions, "jacfwd", has_aux), "jacfwd", f)


def _jacobian_fwd(
    f: Callable[..., Any], argnums: Argnums, positions: tuple[int, ...], caller: str,
    has_aux: bool = False,
) -> Callable[..., Any]:
    def jacobian_of_f(*args: Any, **kwargs: Any) -> Any:
        resolved = resolve_argnums(positions, len(args), argnums, caller)
        distinct = list(dict.fromkeys(resolved))
        names = argument_names(f, len(args))
        flat: list[tuple[int, list[Any], TreeDef]] = [
            (i, *flatten_checked(args[i], names[i], caller, f"argument {i}")) for i in distinct
        ]
        total = sum(len(leaves) for _, leaves, _ in flat)
        nested = running.depth > 0 or contains_value(args, kwargs)
        columns: list[list[Any]] = []
        out_shape: TreeDef | None = None
        aux_out: Any = None
        for column in range(max(total, 1)):
            level = new_level()
            call_args, k = list(args), 0
            for i, leaves, shape in flat:
                duals = []
                for leaf in leaves:
                    duals.append(Dual(leaf, 1.0 if k == column else 0.0, level))
                    k += 1
                call_args[i] = tree_unflatten(shape, duals)
            out, aux = split_aux(_forward_call(nested, f, call_args, kwargs), has_aux, f, caller)
            out_leaves, out_shape = output_leaves(out, f, caller)
            if column == 0:
                aux_out = aux_result(aux, nested, level) if has_aux else None
            columns.append([as_result(t, nested) for t in _split(out_leaves, level)[1]])
        assert out_shape is not None
        spans, start = {}, 0
        for i, leaves, shape in flat:
            spans[i] = (start, start + len(leaves), shape)
            start += len(leaves)
        rows = []
        for row in range(out_shape.num_leaves):
            entries = [columns[c][row] for c in range(total)]
            trees = [tree_unflatten(spans[i][2], entries[spans[i][0] : spans[i][1]])
                     for i in resolved]
            rows.append(trees[0] if isinstance(argnums, int) else tuple(trees))
        jacobian = tree_unflatten(out_shape, rows)
        return (jacobian, aux_out) if has_aux else jacobian

    jacobian_of_f.__wrapped__ = f  # type: ignore[attr-defined]  # its signature names arguments
    return jacobian_of_f


# --- reverse mode -------------------------------------------------------------------------------


def jacrev(
    f: Callable[..., Any], argnums: Argnums = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The function that returns the Jacobian of ``f`` by reverse mode: one reverse pass per output.

    One forward pass records the graph; then one reverse pass per output Value gives one row of
    the Jacobian. Prefer it to :func:`jacfwd` when there are fewer outputs than inputs.

    Args:
        f: A function returning a Value or a pytree of Values.
        argnums: The position of the argument to differentiate, or a sequence of them.

    Returns:
        A function taking ``f``'s arguments (keyword arguments pass through) and returning the
        Jacobian: the output's structure outside, the argument's structure inside (a tuple of
        argument structures for a sequence ``argnums``). Floats when called with numbers,
        Values carrying their graph when called with Values.

    Raises:
        TypeError: when a leaf of an argument is not a number or a Value (its path is named),
            or ``f`` returns a number or something other than Values.
        ValueError: for an ``argnums`` out of range.

    Example:
        >>> def f(p):
        ...     return {"sum": p["a"] + p["b"], "prod": p["a"] * p["b"]}
        >>> jacrev(f)({"a": 2.0, "b": 3.0})
        {'prod': {'a': 3.0, 'b': 2.0}, 'sum': {'a': 1.0, 'b': 1.0}}
    """
    positions = check_argnums(argnums, "jacrev")
    return _named(_jacobian_rev(f, argnums, positions, "jacrev", has_aux), "jacrev", f)


def _jacobian_rev(
    f: Callable[..., Any], argnums: Argnums, positions: tuple[int, ...], caller: str,
    has_aux: bool = False,
) -> Callable[..., Any]:
    def jacobian_of_f(*args: Any, **kwargs: Any) -> Any:
        resolved = resolve_argnums(positions, len(args), argnums, caller)
        call = Call(f, args, kwargs, list(dict.fromkeys(resolved)), caller)
        out, aux = split_aux(call.output, has_aux, f, caller)
        out_leaves, out_shape = output_leaves(out, f, caller)
        single = isinstance(argnums, int)
        rows = [call.per_argument(call.gradient(leaf), resolved, single) for leaf in out_leaves]
        jacobian = tree_unflatten(out_shape, rows)
        return (jacobian, aux_result(aux, call.nested)) if has_aux else jacobian

    jacobian_of_f.__wrapped__ = f  # type: ignore[attr-defined]  # its signature names arguments
    return jacobian_of_f


#: JAX's name for the Jacobian: reverse mode.
jacobian = jacrev


def vjp(f: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """``f(*primals)`` and the function that pulls a weighting of its outputs back to the inputs.

    One forward pass records the graph; each call of the returned ``vjp_fn(cotangents)`` runs
    one reverse pass for ``Σ cotangent_k * output_k``, giving cotangents @ J without forming
    the Jacobian J: with a cotangent of 1 on a scalar loss, that is backpropagation.

    Args:
        f: A function of Values returning a Value or a pytree of Values.
        *primals: ``f``'s arguments, each a pytree of numbers or Values.
        has_aux: Whether ``f`` returns a pair ``(output, aux)`` of which only ``output`` is
            differentiated, as in JAX.

    Returns:
        ``(primals_out, vjp_fn)``: ``primals_out`` with the structure of ``f``'s output;
        ``vjp_fn(cotangents)``, where ``cotangents`` has that structure, returns a tuple with one
        cotangent per primal, each with its primal's structure. Floats for numbers, Values
        carrying their graph when called with Values or inside another transformation. With
        ``has_aux``, ``(primals_out, vjp_fn, aux)``.

    Raises:
        TypeError: when a leaf is not a number or a Value (its path is named), or ``f`` returns
            a number.
        ValueError: (from ``vjp_fn``) when the cotangents' structure differs from the output's.

    Example:
        >>> out, vjp_fn = vjp(lambda x, y: [x * y, x + y], 2.0, 3.0)
        >>> out, vjp_fn([1.0, 0.0]), vjp_fn([0.0, 1.0])
        ([6.0, 5.0], (3.0, 2.0), (1.0, 1.0))
    """
    call = Call(f, primals, {}, range(len(primals)), "vjp")
    out, aux = split_aux(call.output, has_aux, f, "vjp")
    out_leaves, out_shape = output_leaves(out, f, "vjp")
    primals_out = tree_unflatten(out_shape, [as_result(v, call.nested) for v in out_leaves])

    def vjp_fn(cotangents: Any) -> tuple[Any, ...]:
        weights, shape = flatten_checked(cotangents, "cotangents", "vjp", "each cotangent")
        if shape != out_shape:
            raise ValueError(
                f"vjp: the cotangents have structure {shape}, but {name_of(f)}'s output has "
                f"structure {out_shape}; give one cotangent per output number"
            )
        weighted: Any = None
        for weight, out in zip(weights, out_leaves):
            if not (is_number(weight) and weight == 0):
                weighted = out * weight if weighted is None else weighted + out * weight
        nested = call.nested or contains_value(cotangents)
        found = [as_result(d, nested) for d in derivatives(weighted, call.leaves, nested)]
        return call.per_argument(found, range(len(primals)), single=False)  # type: ignore[no-any-return]

    vjp_fn.__name__ = f"vjp_{name_of(f)}"
    if has_aux:
        return primals_out, vjp_fn, aux_result(aux, call.nested)
    return primals_out, vjp_fn


def _named(
    transformed: Callable[..., Any], caller: str, f: Callable[..., Any]
) -> Callable[..., Any]:
    transformed.__name__ = f"{caller}_{name_of(f)}"
    transformed.__doc__ = f"The Jacobian of {name_of(f)} by {caller}."
    return transformed

