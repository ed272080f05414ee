"""Pytrees: flatten, unflatten, map, paths and the printed structure."""

from __future__ import annotations

from collections import namedtuple
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import TreeDef, tree_flatten, tree_map, tree_unflatten
from autograd_lite.pytree import tree_flatten_with_path

Point = namedtuple("Point", ["x", "y"])

trees = st.recursive(
    st.floats(-5, 5) | st.integers(-3, 3) | st.none(),
    lambda children: (
        st.lists(children, max_size=3)
        | st.tuples(children, children)
        | st.dictionaries(st.sampled_from("abcd"), children, max_size=3)
    ),
    max_leaves=10,
)


@given(trees)
def test_unflatten_inverts_flatten(tree: Any) -> None:
    leaves, shape = tree_flatten(tree)
    assert tree_unflatten(shape, leaves) == tree
    assert shape.num_leaves == len(leaves)
    assert tree_flatten(tree_unflatten(shape, leaves))[1] == shape


def test_dicts_flatten_in_sorted_key_order_and_none_is_empty() -> None:
    leaves, shape = tree_flatten({"w": [1.0, (2.0, None)], "b": 0.5})
    assert leaves == [0.5, 1.0, 2.0]
    assert str(shape) == "{'b': *, 'w': [*, (*, None)]}"
    assert repr(tree_flatten((1.0,))[1]) == "TreeDef((*,))"


def test_named_tuples_keep_their_class() -> None:
    leaves, shape = tree_flatten(Point(1.0, [2.0]))
    assert leaves == [1.0, 2.0] and str(shape) == "Point(x=*, y=[*])"
    rebuilt = tree_unflatten(shape, [3.0, 4.0])
    assert type(rebuilt) is Point and rebuilt == Point(3.0, [4.0])


def test_structures_compare_by_shape_not_by_leaves() -> None:
    assert tree_flatten([1.0, {"a": 2}])[1] == tree_flatten([5, {"a": "x"}])[1]
    assert tree_flatten([1.0, 2.0])[1] != tree_flatten((1.0, 2.0))[1]
    assert tree_flatten({"a": 1})[1] != tree_flatten({"b": 1})[1]
    assert isinstance(tree_flatten(1.0)[1], TreeDef)


def test_paths_read_as_python_indexing() -> None:
    tree = {"w": [1.0, {"k": 2.0}], "p": Point(3, 4)}
    paths = [p for p, _ in tree_flatten_with_path(tree, "params")[0]]
    assert paths == ["params['p'].x", "params['p'].y", "params['w'][0]", "params['w'][1]['k']"]


def test_deep_nesting_flattens_without_recursion() -> None:
    tree: Any = 1.0
    for _ in range(5000):
        tree = [tree]
    assert tree_flatten(tree)[0] == [1.0]


def test_tree_map_and_its_errors() -> None:
    params = {"w": [1.0, 2.0], "b": 0.5}
    grads = {"w": [0.5, -1.0], "b": 1.0}
    assert tree_map(lambda p, g: p - g, params, grads) == {"w": [0.5, 3.0], "b": -0.5}
    with pytest.raises(ValueError, match=r"differ in structure: \{'b': \*, 'w': \[\*, \*\]\} and"):
        tree_map(lambda p, g: p - g, params, {"w": [1.0], "b": 0.0})
    with pytest.raises(ValueError, match="holds 3 leaves, got 2"):
        tree_unflatten(tree_flatten(params)[1], [1.0, 2.0])
