"""The two builds of the engine: the pure-Python source and the same source compiled by mypyc.

``make test`` runs the engine's tests a second time against the compiled build, with
``AUTOGRAD_LITE_EXPECT_COMPILED=1``: this file then checks that the compiled modules are the ones
imported, so that run cannot silently test the source twice.
"""

from __future__ import annotations

import gc
import math
import os

import pytest

import autograd_lite
from autograd_lite import Value, is_compiled


def test_the_expected_build_is_the_one_imported() -> None:
    expected = os.environ.get("AUTOGRAD_LITE_EXPECT_COMPILED") == "1"
    assert is_compiled() is expected, autograd_lite.__file__


def test_a_node_is_built_and_differentiated_the_same_way_in_either_build() -> None:
    x = Value(3.0, label="x")
    y = (x * x + 1).tanh() * x
    y.backward()
    t = math.tanh(10.0)
    assert x.grad == pytest.approx(t + 3.0 * (1 - t * t) * 6.0, rel=1e-14)  # d/dx x tanh(x^2+1)


def test_bad_data_and_labels_are_refused_with_the_same_messages_in_either_build() -> None:
    for data, message in ((True, "Value data"), ("2", "Value data"), (None, "Value data")):
        try:
            Value(data)  # type: ignore[arg-type]
        except TypeError as error:
            assert message in str(error)
        else:
            raise AssertionError(f"Value({data!r}) was accepted")
    try:
        Value(1.0, label=3)  # type: ignore[arg-type]
    except TypeError as error:
        assert "Value label must be a str, got int" in str(error)
    else:
        raise AssertionError("a label of 3 was accepted")


def test_a_graph_is_freed_by_reference_counting_alone_in_either_build() -> None:
    import tracemalloc

    gc.disable()
    try:
        tracemalloc.start()
        for _ in range(3):
            x = Value(1.0)
            y = x
            for _ in range(20_000):
                y = y * 1.0001 + x
            y.backward()
            del x, y
        now, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        gc.enable()
    assert now < 200_000, f"{now} bytes still held after three 40,000-node graphs were dropped"


def test_values_hash_by_identity_with_objects_own_hash_in_either_build() -> None:
    v = Value(1.0)
    assert Value.__hash__ is object.__hash__  # a C slot: dicts keyed by Values stay fast
    assert {v: 1}[v] == 1 and hash(v) == object.__hash__(v) and v != Value(1.0)


# --- what the compiled build once did differently (a review's findings), checked in both ---


def test_comparing_with_a_non_number_lets_the_other_operand_answer() -> None:
    from autograd_lite import Dual, hessian

    c = Value(1.0)
    assert hessian(lambda x: x**3 if c < x else x)(2.0) == 12.0  # Value < Dual: Dual answers
    assert (Value(3.0) < Dual(2.0, 1.0, 1)) is False
    with pytest.raises(TypeError, match="'<' not supported"):
        Value(1.0) < "a"  # type: ignore[operator]  # noqa: B015


def test_a_user_operations_result_is_checked_and_named() -> None:
    from autograd_lite import Operation

    for result in (Value(2.0), None, "a", 1j):
        weird = Operation("weird", lambda x, r=result: r, lambda x, out: (0.0,))
        with pytest.raises(TypeError, match="weird"):
            weird(Value(1.0))
    huge = Operation("huge", lambda x: 10**400, lambda x, out: (0.0,))
    with pytest.raises(OverflowError, match="huge"):
        huge(Value(1.0))


@pytest.mark.parametrize("flag", [0, 1, None, 0.0, "yes"])
def test_requires_grad_takes_anything_bool_takes(flag: object) -> None:
    assert Value(1.0, requires_grad=flag).requires_grad is bool(flag)


def test_values_and_dual_numbers_copy_deepcopy_and_pickle() -> None:
    import copy
    import pickle

    from autograd_lite import Dual

    x = Value(2.0, label="x")
    y = x * x + 1
    y.backward()
    twin = copy.deepcopy(y)
    assert (twin.data, twin.grad, twin.op) == (5.0, 1.0, "+")
    left, right = twin.parents[0].parents  # x * x: the copied x, twice
    assert left is right and left is not x and left.label == "x" and left.grad == 4.0
    twin.backward()
    assert left.grad == 8.0 and x.grad == 4.0  # the copy's graph is its own
    assert copy.copy(x).label == "x" and pickle.loads(pickle.dumps(x)).data == 2.0
    d = copy.deepcopy(Dual(3.0, 1.0, 7))
    assert (d.primal, d.tangent, d.level) == (3.0, 1.0, 7)


def test_dual_numbers_hash_by_identity() -> None:
    from autograd_lite import hessian

    assert hessian(lambda x: {x: x * x}[x] * x)(2.0) == 12.0
