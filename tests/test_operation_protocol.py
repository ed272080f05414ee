"""The Operation dispatch protocol and arity: how any type plugs into the operations.

``Operation.__call__`` hands the call to the first input whose type defines
``__apply_operation__``; plain numbers run the checked float forward. These tests plug in a tiny
stand-in of their own (a dual number, as forward mode would) to show the operation layer needs
nothing from ``Value``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Operation, Value, ops


class Dual:
    """A primal with a tangent: forward-mode differentiation through the same rules."""

    def __init__(self, primal: float, tangent: float) -> None:
        self.primal, self.tangent = primal, tangent

    @classmethod
    def __apply_operation__(cls, operation: Operation, inputs: Sequence[Any]) -> Dual:
        primals = [x.primal if isinstance(x, Dual) else float(x) for x in inputs]
        tangents = [x.tangent if isinstance(x, Dual) else 0.0 for x in inputs]
        out = operation(*primals)
        local = operation.local_grads(*primals, out)
        return Dual(out, sum(d * t for d, t in zip(local, tangents, strict=True)))


@given(st.floats(0.1, 3.0))
def test_a_stand_in_type_receives_every_operation_it_takes_part_in(x: float) -> None:
    # d/dx sin(x) * x = cos(x) * x + sin(x), by dual numbers through the built-in rules
    y = ops.mul(ops.sin(Dual(x, 1.0)), Dual(x, 1.0))
    assert y.primal == pytest.approx(math.sin(x) * x)
    assert y.tangent == pytest.approx(math.cos(x) * x + math.sin(x))
    # a number beside the stand-in is still dispatched to the stand-in, wherever it stands
    assert ops.power(2.0, Dual(x, 1.0)).tangent == pytest.approx(2.0**x * math.log(2.0))


def test_values_implement_the_protocol_and_numbers_run_the_float_forward() -> None:
    recorded = ops.mul(2.0, Value(3.0))
    assert isinstance(recorded, Value) and recorded.op == "*" and recorded.data == 6.0
    assert [p.requires_grad for p in recorded.parents] == [False, True]  # the 2.0 is a constant
    assert ops.mul(2.0, 3) == 6.0 and type(ops.mul(2, 3)) is float


def test_the_operation_module_does_not_import_value() -> None:
    import ast
    from pathlib import Path

    tree = ast.parse(Path(ops.__file__).read_text())
    imported = [
        node.module for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    ]  # fmt: skip
    runtime = [n for n in imported if n == "value" or n.endswith(".value")]
    # the one import of value is for type hints only, under TYPE_CHECKING
    assert runtime == ["value"]
    guarded = [
        node for node in ast.walk(tree) if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    ]  # fmt: skip
    assert any(
        isinstance(inner, ast.ImportFrom) and inner.module == "value"
        for block in guarded for inner in block.body
    )  # fmt: skip


def test_every_builtin_knows_its_arity() -> None:
    expected = {"neg": 1, "abs": 1, "exp": 1, "log": 1, "sqrt": 1, "sin": 1, "cos": 1,
                "tanh": 1, "sigmoid": 1, "softplus": 1, "relu": 1, "+": 2, "-": 2, "*": 2,
                "/": 2, "**": 2, "leaky_relu": 2, "linear": None, "add_n": None}  # fmt: skip
    assert {name: op.arity for name, op in ops.BUILTINS.items()} == expected


def test_arity_is_read_from_forward_or_given_and_checked() -> None:
    assert Operation("f", lambda a, b, c: a, lambda a, b, c, out: (1.0, 0.0, 0.0)).arity == 3
    assert Operation("many", lambda *xs: sum(xs), lambda *a: (1.0,) * (len(a) - 1)).arity is None
    assert Operation("g", math.atan2, lambda y, x, out: (0.0, 0.0), arity=2).arity == 2
    with pytest.raises(TypeError, match=r"'g'.*cannot take 3 inputs"):
        Operation("g", math.atan2, lambda y, x, out: (0.0, 0.0), arity=3)
    with pytest.raises(ValueError, match=r"'h'.*at least 1, got 0"):
        Operation("h", lambda: 1.0, lambda out: (), arity=0)
    with pytest.raises(TypeError, match=r"'h'.*int or None, got bool"):
        Operation("h", lambda x: x, lambda x, out: (1.0,), arity=True)


def test_a_call_with_the_wrong_number_of_inputs_names_the_operation() -> None:
    with pytest.raises(TypeError, match=r"operation 'sin' takes 1 input, got 2"):
        ops.sin(Value(1.0), 2.0)
    with pytest.raises(TypeError, match=r"operation '\*' takes 2 inputs, got 1"):
        ops.mul(1.0)
    assert ops.add_n(1.0, 2.0, 3.0) == 6.0


def test_a_value_where_a_number_is_needed_gets_a_hint() -> None:
    with pytest.raises(TypeError, match=r"got Value: use .data for its number"):
        ops.as_number(Value(1.0), "x")
