"""Pytrees: numbers and Values nested in lists, tuples and dicts, as JAX's ``tree_util`` has them.

A pytree is a leaf (anything that is not a container) or a container of pytrees: a list, a tuple
(named tuples too), a dict, or None (a container with nothing inside). ``tree_flatten`` lays the
leaves out in a fixed order (dicts by sorted key, as JAX does) and returns a :class:`TreeDef`, the
shape without the leaves; ``tree_unflatten`` puts leaves back into that shape. That is all the
functional transformations need to take and return a dict of parameters.

Source: JAX's pytrees (https://jax.readthedocs.io/en/latest/pytrees.html).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

#: How a container is rebuilt: its kind ("list", "tuple", "namedtuple", "dict", "none", "leaf"),
#: the dict's keys or the named tuple's class, and its children's shapes.
_LEAF = "leaf"


class TreeDef:
    """The shape of a pytree without its leaves: what :func:`tree_unflatten` fills in.

    Two trees have the same structure when their TreeDefs are equal. ``str()`` shows the shape
    with ``*`` for each leaf, as JAX prints it: ``{'b': *, 'w': [*, *]}``.

    Args:
        kind: ``"leaf"``, ``"none"``, ``"list"``, ``"tuple"``, ``"namedtuple"`` or ``"dict"``.
        meta: The dict's keys in flattening order, or the named tuple's class; else None.
        children: The shapes of the container's entries, in flattening order.

    Raises:
        Nothing: a TreeDef is built by :func:`tree_flatten`, which accepts any object.

    Example:
        >>> _, shape = tree_flatten({"w": [1.0, 2.0], "b": 0.5})
        >>> print(shape)
        {'b': *, 'w': [*, *]}
        >>> shape.num_leaves
        3
    """

    __slots__ = ("kind", "meta", "children", "num_leaves")

    def __init__(self, kind: str, meta: Any = None, children: tuple[TreeDef, ...] = ()) -> None:
        self.kind = kind
        self.meta = meta
        self.children = children
        self.num_leaves: int = 1 if kind == _LEAF else sum(c.num_leaves for c in children)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, TreeDef)
            and (self.kind, self.meta, self.children) == (other.kind, other.meta, other.children)
        )

    def __hash__(self) -> int:
        return hash((self.kind, self.children))

    def __str__(self) -> str:
        inner = [str(c) for c in self.children]
        if self.kind == _LEAF:
            return "*"
        if self.kind == "none":
            return "None"
        if self.kind == "list":
            return "[" + ", ".join(inner) + "]"
        if self.kind == "tuple":
            return "(" + ", ".join(inner) + ("," if len(inner) == 1 else "") + ")"
        if self.kind == "namedtuple":
            fields = ", ".join(f"{k}={v}" for k, v in zip(self.meta._fields, inner))
            return f"{self.meta.__name__}({fields})"
        return "{" + ", ".join(f"{k!r}: {v}" for k, v in zip(self.meta, inner)) + "}"

    def __repr__(self) -> str:
        return f"TreeDef({self})"


def _sorted_keys(tree: dict[Any, Any]) -> tuple[Any, ...]:
    try:
        return tuple(sorted(tree))
    except TypeError:  # keys of mixed types: a fixed order all the same
        return tuple(sorted(tree, key=repr))


def _children(tree: Any) -> tuple[str, Any, list[tuple[str, Any]]] | None:
    """(kind, meta, [(path step, child)]) for a container; None for a leaf."""
    if isinstance(tree, dict):
        keys = _sorted_keys(tree)
        return "dict", keys, [(f"[{k!r}]", tree[k]) for k in keys]
    if isinstance(tree, list):
        return "list", None, [(f"[{i}]", x) for i, x in enumerate(tree)]
    if isinstance(tree, tuple):
        if hasattr(type(tree), "_fields"):
            fields = type(tree)._fields  # type: ignore[attr-defined]
            return "namedtuple", type(tree), [(f".{k}", x) for k, x in zip(fields, tree)]
        return "tuple", None, [(f"[{i}]", x) for i, x in enumerate(tree)]
    if tree is None:
        return "none", None, []
    return None


def tree_flatten_with_path(tree: Any, root: str = "") -> tuple[list[tuple[str, Any]], TreeDef]:
    """Like :func:`tree_flatten`, with each leaf's path written as Python would index it.

    Iterative, so a deeply nested tree does not hit Python's recursion limit.

    Args:
        tree: A pytree.
        root: The name the paths start from, such as ``"params"``.

    Returns:
        ``([(path, leaf), ...], treedef)``: paths such as ``"params['w'][1]"``.

    Example:
        >>> tree_flatten_with_path({"w": [1.0, 2.0]}, "params")[0]
        [("params['w'][0]", 1.0), ("params['w'][1]", 2.0)]
    """
    leaves: list[tuple[str, Any]] = []
    # Each frame: the container's kind and meta, the path so far, its children left to visit,
    # and the shapes of the children already visited.
    stack: list[tuple[str, Any, str, Iterator[tuple[str, Any]], list[TreeDef]]] = []
    top = _children(tree)
    if top is None:
        return [(root, tree)], TreeDef(_LEAF)
    stack.append((top[0], top[1], root, iter(top[2]), []))
    while True:
        kind, meta, path, todo, done = stack[-1]
        step = next(todo, None)
        if step is None:
            stack.pop()
            shape = TreeDef(kind, meta, tuple(done))
            if not stack:
                return leaves, shape
            stack[-1][4].append(shape)
            continue
        child_path = path + step[0]
        found = _children(step[1])
        if found is None:
            leaves.append((child_path, step[1]))
            done.append(TreeDef(_LEAF))
        else:
            stack.append((found[0], found[1], child_path, iter(found[2]), []))


def tree_flatten(tree: Any) -> tuple[list[Any], TreeDef]:
    """The leaves of a pytree in a fixed order, and its shape.

    Args:
        tree: A pytree: a leaf, or lists, tuples, named tuples, dicts and None nested.

    Returns:
        ``(leaves, treedef)``; dict entries come in sorted key order, as in JAX (keys of mixed
        types are ordered by their ``repr``).

    Raises:
        Nothing: any object that is not a list, tuple, dict or None is a leaf.

    Example:
        >>> leaves, shape = tree_flatten({"w": [1.0, 2.0], "b": 0.5})
        >>> leaves
        [0.5, 1.0, 2.0]
    """
    with_paths, shape = tree_flatten_with_path(tree)
    return [leaf for _, leaf in with_paths], shape


def tree_unflatten(treedef: TreeDef, leaves: Any) -> Any:
    """The pytree of shape ``treedef`` holding ``leaves`` (in :func:`tree_flatten`'s order).

    Args:
        treedef: A shape from :func:`tree_flatten`.
        leaves: An iterable of exactly ``treedef.num_leaves`` leaves.

    Returns:
        The rebuilt pytree (dicts with their keys in sorted order).

    Raises:
        ValueError: when the number of leaves does not match the shape.

    Example:
        >>> leaves, shape = tree_flatten({"w": [1.0, 2.0], "b": 0.5})
        >>> tree_unflatten(shape, [x * 10 for x in leaves])
        {'b': 5.0, 'w': [10.0, 20.0]}
    """
    given = list(leaves)
    if len(given) != treedef.num_leaves:
        raise ValueError(
            f"tree_unflatten: the structure {treedef} holds {treedef.num_leaves} leaves, "
            f"got {len(given)}"
        )
    return _build(treedef, iter(given))


def _build(treedef: TreeDef, leaves: Iterator[Any]) -> Any:
    if treedef.kind == _LEAF:
        return next(leaves)
    children = [_build(c, leaves) for c in treedef.children]
    if treedef.kind == "none":
        return None
    if treedef.kind == "list":
        return children
    if treedef.kind == "tuple":
        return tuple(children)
    if treedef.kind == "namedtuple":
        return treedef.meta(*children)
    return dict(zip(treedef.meta, children))


def tree_map(f: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """The pytree of ``f(leaf, *matching leaves of rest)``, with ``tree``'s structure.

    Args:
        f: Called once per leaf.
        tree: A pytree.
        *rest: Pytrees with the same structure as ``tree``.

    Returns:
        A pytree shaped like ``tree``.

    Raises:
        ValueError: when a tree in ``rest`` has another structure (both are shown).

    Example:
        >>> params = {"w": [1.0, 2.0], "b": 0.5}
        >>> grads = {"w": [0.5, -1.0], "b": 1.0}
        >>> tree_map(lambda p, g: p - 0.1 * g, params, grads)
        {'b': 0.4, 'w': [0.95, 2.1]}
    """
    leaves, shape = tree_flatten(tree)
    others = []
    for other in rest:
        other_leaves, other_shape = tree_flatten(other)
        if other_shape != shape:
            raise ValueError(
                f"tree_map: the trees differ in structure: {shape} and {other_shape}"
            )
        others.append(other_leaves)
    return tree_unflatten(shape, [f(*xs) for xs in zip(leaves, *others)])
