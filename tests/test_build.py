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
