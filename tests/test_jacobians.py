"""The functional API on pytrees against PyTorch (float64): grad, jvp, vjp, Jacobians, Hessians.

The same function runs on this engine's Values (or dual numbers) and on PyTorch's scalar tensors:
both have the operators and the methods ``sin exp tanh sigmoid``. Inputs are random pytrees.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (
    Value,
    grad,
    gradients,
    hessian,
    jacfwd,
    jacobian,
    jacrev,
    jvp,
    tree_flatten,
    tree_map,
    tree_unflatten,
    value_and_grad,
    vjp,
)

REL, ABS = 1e-9, 1e-12

numbers = st.floats(-1.5, 1.5)
params_trees = st.recursive(
    numbers,
    lambda children: (
        st.lists(children, min_size=1, max_size=3)
        | st.tuples(children, children)
        | st.dictionaries(st.sampled_from(["w", "b", "k"]), children, min_size=1, max_size=3)
    ),
    max_leaves=5,
)


def f(params: Any, x: Any) -> Any:
    """A pytree of outputs that mixes every leaf of params with x."""
    leaves, _ = tree_flatten(params)
    total = x * 0.5
    for i, leaf in enumerate(leaves):
        total = total + (leaf * (x + i)).sin() * leaf
    return {"pair": [(total * x).tanh(), (leaves[0] - x).exp() * leaves[-1]], "sum": total}


def scalar_f(params: Any, x: Any) -> Any:
    out = f(params, x)
    return out["sum"] * out["pair"][0] + out["pair"][1].sigmoid()


def tensors(tree: Any) -> Any:
    return tree_map(lambda v: torch.tensor(float(v), dtype=torch.float64), tree)


def floats(tree: Any) -> Any:
    return tree_map(lambda t: float(t), tree)


def assert_close(ours: Any, expected: Any) -> None:
    ours_leaves, ours_shape = tree_flatten(ours)
    expected_leaves, expected_shape = tree_flatten(expected)
    assert ours_shape == expected_shape
    assert all(type(v) is float for v in ours_leaves)
    assert ours_leaves == pytest.approx(expected_leaves, rel=REL, abs=ABS)


def like(tree: Any, seed: int) -> Any:
    """A tree of the same structure with other numbers (tangents, cotangents)."""
    leaves, shape = tree_flatten(tree)
    return tree_unflatten(shape, [math.sin(seed + 1.7 * i) for i in range(len(leaves))])


# --- against torch.func and torch.autograd.functional --------------------------------------------


@settings(max_examples=25, deadline=None)
@given(params_trees, numbers)
def test_grad_and_value_and_grad_match_torch_func_grad(params: Any, x: float) -> None:
    expected = torch.func.grad(scalar_f, argnums=(0, 1))(tensors(params), tensors(x))
    assert_close(grad(scalar_f, argnums=(0, 1))(params, x), floats(expected))
    value, by_params = value_and_grad(scalar_f)(params, x)
    assert value == pytest.approx(float(scalar_f(tensors(params), tensors(x))), rel=REL)
    assert_close(by_params, floats(expected[0]))


@settings(max_examples=25, deadline=None)
@given(params_trees, numbers)
def test_jvp_matches_torch_func_jvp(params: Any, x: float) -> None:
    tangents = (like(params, 1), 0.3)
    ours = jvp(f, (params, x), tangents)
    expected = torch.func.jvp(f, (tensors(params), tensors(x)), tensors(tangents))
    assert_close(ours, floats(expected))


@settings(max_examples=25, deadline=None)
@given(params_trees, numbers)
def test_vjp_matches_torch_func_vjp(params: Any, x: float) -> None:
    out, vjp_fn = vjp(f, params, x)
    expected_out, torch_vjp_fn = torch.func.vjp(f, tensors(params), tensors(x))
    assert_close(out, floats(expected_out))
    cotangents = like(out, 2)
    cotangent = vjp_fn(cotangents)
    assert isinstance(cotangent, tuple) and len(cotangent) == 2
    assert_close(cotangent, floats(torch_vjp_fn(tensors(cotangents))))


def flat_function(params: Any, function: Any) -> Any:
    """f as a function of each leaf of params (and x) for torch.autograd.functional."""
    _, shape = tree_flatten(params)

    def flat(*leaves: Any) -> tuple[Any, ...]:
        out = function(tree_unflatten(shape, leaves[:-1]), leaves[-1])
        return tuple(tree_flatten(out)[0])

    return flat


def matrix_of(jac: Any) -> list[float]:
    """A Jacobian or Hessian (outer structure of argument or output trees, inner structure of
    argument trees) flattened: row-major, since each outer leaf's inner tree is contiguous."""
    return tree_flatten(jac)[0]


@settings(max_examples=20, deadline=None)
@given(params_trees, numbers)
def test_jacrev_and_jacfwd_match_torch_jacobian(params: Any, x: float) -> None:
    leaves = tree_flatten(params)[0] + [x]
    expected = torch.autograd.functional.jacobian(
        flat_function(params, f), tuple(tensors(leaves))
    )
    matrix = [float(entry) for row in expected for entry in row]
    for transform in (jacrev, jacfwd, jacobian):
        ours = transform(f, argnums=(0, 1))(params, x)
        assert tree_flatten(ours["sum"])[1] == tree_flatten((params, x))[1]
        assert matrix_of(ours) == pytest.approx(matrix, rel=REL, abs=ABS)
        by_params = transform(f)(params, x)
        assert tree_flatten(by_params["pair"][0])[1] == tree_flatten(params)[1]


@settings(max_examples=15, deadline=None)
@given(params_trees, numbers)
def test_hessian_matches_torch_hessian(params: Any, x: float) -> None:
    leaves = tree_flatten(params)[0] + [x]
    n = len(leaves) - 1

    def flat_scalar(*ts: Any) -> Any:
        return scalar_f(tree_unflatten(tree_flatten(params)[1], ts[:-1]), ts[-1])

    expected = torch.autograd.functional.hessian(flat_scalar, tuple(tensors(leaves)))
    matrix = [[float(entry) for entry in row] for row in expected]

    def as_one(both: Any) -> Any:  # one argument (params, x): H has its structure twice
        return scalar_f(*both)

    ours = hessian(as_one)((params, x))
    assert matrix_of(ours) == pytest.approx([v for row in matrix for v in row], rel=1e-8, abs=1e-10)
    by_params = hessian(scalar_f)(params, x)  # argnums=0: the params' structure twice
    assert matrix_of(by_params) == pytest.approx(
        [v for row in matrix[:n] for v in row[:n]], rel=1e-8, abs=1e-10
    )
    blocks = hessian(scalar_f, argnums=(0, 1))(params, x)  # ((H_pp, H_px), (H_xp, H_xx))
    assert blocks[1][1] == pytest.approx(matrix[n][n], rel=1e-8, abs=1e-10)
    assert matrix_of(blocks[1][0]) == pytest.approx(matrix[n][:n], rel=1e-8, abs=1e-10)


def test_third_order_nesting_matches_torch() -> None:
    def g(x: Any, y: Any) -> Any:
        return (x * y).sin() * x.exp() + y**3 * x

    point = (0.4, -0.7)
    ours = jacfwd(hessian(g, argnums=(0, 1)), argnums=(0, 1))(*point)
    also = jacrev(jacfwd(jacrev(g, argnums=(0, 1)), argnums=(0, 1)), argnums=(0, 1))(*point)
    tf = torch.func
    expected = tf.jacfwd(
        tf.jacrev(tf.jacrev(g, argnums=(0, 1)), argnums=(0, 1)), argnums=(0, 1)
    )(*tensors(point))
    assert_close(ours, floats(expected))
    assert_close(also, floats(expected))


# --- semantics -----------------------------------------------------------------------------------


def test_grad_returns_the_structure_of_its_argument() -> None:
    def loss(params: Any, data: list[float], scale: float = 1.0) -> Any:
        w, b = params["w"], params["b"]
        return scale * sum(((w[0] * d + w[1] * d * d + b) - 1) ** 2 for d in data)

    params = {"w": (0.5, -0.25), "b": 0.1}
    g = grad(loss)(params, [1.0, 2.0], scale=2.0)  # keyword arguments pass through
    assert set(g) == {"w", "b"} and isinstance(g["w"], tuple) and len(g["w"]) == 2
    assert all(type(v) is float for v in tree_flatten(g)[0])
    r1, r2 = 0.5 - 0.25 + 0.1 - 1, 1.0 - 1.0 + 0.1 - 1
    assert g["b"] == pytest.approx(2 * 2 * (r1 + r2))
    assert g["w"][1] == pytest.approx(2 * 2 * (r1 * 1 + r2 * 4))
    by_both = grad(loss, argnums=[0, 1])(params, [1.0, 2.0])  # any sequence: a tuple back
    assert isinstance(by_both, tuple) and isinstance(by_both[1], list)


def test_values_in_give_values_out_with_their_graph() -> None:
    a = Value(0.3)
    g = grad(lambda p: p["x"] * p["x"] * p["y"])({"x": a, "y": 2.0})
    assert isinstance(g["x"], Value)
    (second,) = gradients(g["x"], [a])  # d/dx (2 x y) = 2 y
    assert second.data == 4.0


def test_jacobians_of_a_single_output_have_the_argument_structure() -> None:
    def f1(p: Any) -> Any:
        return p[0] * p[1]

    assert jacrev(f1)([2.0, 3.0]) == [3.0, 2.0]
    assert jacfwd(f1)([2.0, 3.0]) == [3.0, 2.0]
    assert jacrev(lambda x, y: [x * y], argnums=1)(2.0, 3.0) == [2.0]
    assert jacfwd(lambda x, y: (x * y, x), argnums=(0, 1))(2.0, 3.0) == ((3.0, 2.0), (1.0, 0.0))
    assert jacfwd(lambda x, k: x * k, argnums=0)(2.0, k=3.0) == 3.0


def test_vjp_of_several_calls_and_of_values() -> None:
    x = Value(1.5)
    out, vjp_fn = vjp(lambda v, w: v * v * w, x, 2.0)
    assert isinstance(out, Value) and out.data == 4.5
    dx, dw = vjp_fn(1.0)
    assert isinstance(dx, Value) and (dx.data, dw.data) == (6.0, 2.25)
    assert gradients(dx, [x])[0].data == 4.0  # d/dx (2 x w) = 2 w
    assert vjp_fn(2.0)[1].data == 4.5


# --- errors --------------------------------------------------------------------------------------


def test_a_leaf_that_is_not_a_number_is_named_by_its_path() -> None:
    def loss(params: Any) -> Any:
        return params["w"][0]

    bad = {"w": [1.0, "x"], "b": 0.0}
    for transform in (grad, value_and_grad, hessian, jacrev, jacfwd):
        with pytest.raises(TypeError, match=r"argument 0 .* at params\['w'\]\[1\] got str"):
            transform(loss)(bad)
    with pytest.raises(TypeError, match=r"at params\['w'\]\[1\] got str"):
        vjp(loss, bad)
    with pytest.raises(TypeError, match=r"at xs\[0\]\[1\]\[0\] got str"):
        grad(lambda *xs: xs[0][0])([1.0, ["s"]])
    assert grad(lambda p: p[0])([1.0, None]) == [1.0, None]  # None holds nothing, as in JAX


def test_cotangents_must_have_the_output_structure() -> None:
    _, vjp_fn = vjp(lambda x: [x, {"y": x * x}], 1.0)
    with pytest.raises(ValueError) as caught:
        vjp_fn([1.0, 2.0])
    assert "[*, *]" in str(caught.value) and "[*, {'y': *}]" in str(caught.value)


def test_a_number_returned_by_f_keeps_the_explanation() -> None:
    for transform in (grad, jacrev, jacfwd, hessian):
        with pytest.raises(TypeError, match=r"returned the number .*math\.exp"):
            transform(lambda x: math.exp(x))(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"returned the number 2\.0 at output\[1\]"):
        jacrev(lambda x: [x, 2.0])(1.0)
    with pytest.raises(TypeError, match=r"returned the number"):
        vjp(lambda x: 2.0, 1.0)
    with pytest.raises(TypeError, match=r"output\['a'\] is a str"):
        jacrev(lambda x: {"a": "no"})(1.0)


# --- the README's section ------------------------------------------------------------------------


def test_the_readme_section_prints_what_its_comments_say() -> None:
    import contextlib
    import io
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    start = readme.index("## Pytrees, Jacobians and forward mode")
    section = readme[start : readme.index("\n## ", start + 1)]
    (code,) = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        exec(compile(code, "<README pytree block>", "exec"), {"__name__": "readme"})
    printed = buffer.getvalue().splitlines()
    comments = [line.split("# ", 1)[1] for line in code.splitlines() if line.startswith("print(")]
    assert len(printed) == len(comments) == 7
    for shown, said in zip(printed, comments):
        assert said == shown or said.startswith(shown + ":"), (shown, said)


# --- has_aux, as in JAX ---------------------------------------------------------------------------


def test_has_aux_hands_back_what_f_returns_beside_its_output() -> None:
    def loss(w: Any, x: Any) -> Any:
        prediction = w * x
        return (prediction - 1) ** 2, {"prediction": prediction, "note": "kept as is"}

    g, aux = grad(loss, has_aux=True)(2.0, 3.0)
    assert g == 2 * (6.0 - 1) * 3 and aux == {"prediction": 6.0, "note": "kept as is"}
    (value, aux), g = value_and_grad(loss, has_aux=True)(2.0, 3.0)
    assert (value, aux["prediction"], g) == (25.0, 6.0, 30.0)
    assert jacrev(loss, has_aux=True)(2.0, 3.0) == (30.0, aux)
    assert jacfwd(loss, has_aux=True)(2.0, 3.0) == (30.0, aux)
    assert hessian(loss, has_aux=True)(2.0, 3.0) == (18.0, aux)
    assert jvp(loss, (2.0, 3.0), (1.0, 0.0), has_aux=True) == (25.0, 30.0, aux)
    out, vjp_fn, aux_vjp = vjp(loss, 2.0, 3.0, has_aux=True)
    assert (out, vjp_fn(1.0), aux_vjp) == (25.0, (30.0, 20.0), aux)
    x = Value(2.0)
    g, aux = grad(loss, has_aux=True)(x, 3.0)
    assert isinstance(aux["prediction"], Value)  # nested: Values stay Values
    def no_pair(w: Any) -> Any:
        return w * w

    with pytest.raises(TypeError, match=r"has_aux=True, no_pair must return a pair .* got Value"):
        grad(no_pair, has_aux=True)(2.0)
