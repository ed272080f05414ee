"""The Value node: construction, attributes, identity, and micrograd's names."""

import math
from fractions import Fraction

import pytest

from autograd_lite import Value, no_grad


def test_data_is_a_float_and_ints_are_converted() -> None:
    v = Value(3)
    assert v.data == 3.0 and type(v.data) is float
    assert Value(Fraction(1, 4)).data == 0.25
    assert v.grad == 0.0 and type(v.grad) is float


@pytest.mark.parametrize(
    ("bad", "type_name"),
    [("3", "str"), (None, "NoneType"), (1 + 2j, "complex"), ([1.0], "list"),
     (object(), "object"), (True, "bool"), (Value(1.0), "Value")],
)
def test_non_numbers_are_refused_with_their_type_named(bad: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=type_name):
        Value(bad)  # type: ignore[arg-type]


def test_label_must_be_text() -> None:
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)  # type: ignore[arg-type]


def test_leaf_attributes() -> None:
    a = Value(2.0, label="a")
    assert (a.label, a.op, a.parents, a.requires_grad) == ("a", "", (), True)
    assert a._op == "" and a._prev == set()


def test_result_records_operation_and_ordered_operands() -> None:
    a, b = Value(2.0), Value(3.0)
    c = b - a
    assert c.op == "-" and c.parents == (b, a) and c.data == 1.0
    d = a + a
    assert d.parents == (a, a)  # a tuple keeps repeats that micrograd's set loses
    assert d._prev == {a}


def test_micrograd_operation_names() -> None:
    a, b = Value(2.0), Value(3.0)
    assert (a + b)._op == "+"
    assert (a * b)._op == "*"
    assert (a + b)._prev == {a, b}


def test_numbers_become_constant_operands() -> None:
    a = Value(2.0)
    c = 3 * a
    left, right = c.parents
    assert right is a and left.data == 3.0 and not left.requires_grad


def test_hash_and_equality_are_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2
    assert {a: "x"}[a] == "x"


def test_ordering_compares_data_without_recording() -> None:
    a, b = Value(1.0), Value(2.0)
    assert a < b and b > a and a <= 1 and 2.0 >= b  # noqa: SIM300 - the reflected form is the point
    assert max([a, b]) is b
    assert float(b) == 2.0


def test_repr_and_format() -> None:
    a = Value(2.0, label="a")
    assert repr(a) == "Value(data=2.0, grad=0.0, label='a')"
    assert f"{a:.3f}" == "2.000"
    assert "requires_grad=False" in repr(Value(1.0, requires_grad=False))


def test_operands_of_unsupported_types_raise_type_error() -> None:
    a = Value(1.0)
    for bad in ("x", None, [1.0], 1j):
        with pytest.raises(TypeError):
            a + bad  # type: ignore[operator]
        with pytest.raises(TypeError):
            bad * a  # type: ignore[operator]


def test_detach_is_a_constant_leaf_with_the_same_data() -> None:
    a = Value(2.0, label="a")
    b = (a * 3).detach()
    assert b.data == 6.0 and b.parents == () and not b.requires_grad


def test_no_grad_results_record_nothing() -> None:
    a = Value(2.0)
    with no_grad():
        b = a * a
    assert b.parents == () and b.op == "" and not b.requires_grad and b.data == 4.0


def test_infinite_inputs_are_allowed_but_overflow_is_not() -> None:
    assert (Value(math.inf) + 1).data == math.inf
    with pytest.raises(OverflowError, match=r"\*"):
        Value(1e308) * 10
