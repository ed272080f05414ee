"""backward(): order, depth, fan-out, accumulation, grad mode, frozen values, and memory."""

import gc
import sys
import threading

import pytest

from autograd_lite import Value, enable_grad, is_grad_enabled, no_grad, topological_order


def test_chain_rule_on_a_small_expression() -> None:
    a, b = Value(2.0), Value(-3.0)
    c = a * b  # -6
    d = c + a.exp()
    d.backward()
    assert a.grad == pytest.approx(-3.0 + 2.718281828459045**2)
    assert b.grad == 2.0
    assert c.grad == 1.0 and d.grad == 1.0


def test_a_chain_of_a_million_operations() -> None:
    x = Value(1.0)
    factor = Value(1.000001, requires_grad=False)
    y = x
    for _ in range(1_000_000):
        y = y * factor
    assert len(topological_order(y)) == 1_000_002
    y.backward()  # recursion would stop near a thousand nodes
    assert x.grad == pytest.approx(1.000001**1_000_000, rel=1e-9)  # the product of the factors
    del y  # freeing a million-deep chain must not overflow the C stack either


def test_fan_out_sums_the_gradients_of_every_use() -> None:
    a = Value(3.0)
    b = a * a + a  # d/da = 2a + 1
    b.backward()
    assert a.grad == 7.0
    x = Value(2.0)
    y = x + x
    y.backward()
    assert x.grad == 2.0


def test_shared_subexpression_is_visited_once() -> None:
    x = Value(0.5)
    s = x.tanh()
    out = s * s + s
    order = topological_order(out)
    assert order.count(s) == 1
    assert order.index(x) < order.index(s) < order.index(out)
    out.backward()
    t = s.data
    assert x.grad == pytest.approx((2 * t + 1) * (1 - t * t))


def test_second_backward_accumulates_exactly_once_more() -> None:
    x = Value(1.5)
    h = x * x  # an intermediate: its grad accumulates too
    y = h * 3.0
    y.backward()
    first_x, first_h = x.grad, h.grad
    y.backward()
    assert x.grad == 2 * first_x and h.grad == 2 * first_h == 6.0


def test_zero_grad_clears_the_whole_graph() -> None:
    x = Value(1.5)
    y = (x * x).tanh()
    y.backward()
    y.zero_grad()
    assert all(node.grad == 0.0 for node in topological_order(y))
    y.backward()
    assert x.grad != 0.0


def test_backward_with_a_given_upstream_gradient() -> None:
    x = Value(2.0)
    y = x * x
    y.backward(gradient=0.5)
    assert x.grad == 2.0 and y.grad == 0.5
    with pytest.raises(TypeError, match="gradient"):
        y.backward(gradient="1")  # type: ignore[arg-type]


def test_frozen_values_receive_no_gradient() -> None:
    w = Value(2.0)
    frozen = Value(5.0, requires_grad=False)
    y = w * frozen
    y.backward()
    assert w.grad == 5.0 and frozen.grad == 0.0


def test_backward_on_a_constant_explains_itself() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        Value(1.0, requires_grad=False).backward()
    x = Value(1.0)
    with no_grad():
        y = x * 2
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()


def test_no_grad_nests_restores_and_survives_exceptions() -> None:
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        with enable_grad():
            assert is_grad_enabled()
        with no_grad():
            assert not is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(ZeroDivisionError), no_grad():
        Value(1.0) / 0
    assert is_grad_enabled()


def test_no_grad_as_a_decorator() -> None:
    @no_grad()
    def evaluate(v: Value) -> Value:
        return v * v

    assert evaluate(Value(3.0)).parents == ()
    assert is_grad_enabled()


def test_grad_mode_is_per_thread() -> None:
    seen: list[bool] = []
    with no_grad():
        worker = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        worker.start()
        worker.join()
    assert seen == [True]


def test_graph_is_freed_by_reference_counting_alone() -> None:
    gc.collect()
    gc.disable()
    try:
        x = Value(0.3)
        before = sys.getrefcount(x)
        y = x
        for _ in range(1000):
            y = (y * 1.01).tanh() + x
        y.backward()
        assert sys.getrefcount(x) > before + 1000  # every '+ x' node holds x
        del y
        assert sys.getrefcount(x) == before  # all of them were freed, no collector needed
        assert gc.collect() == 0  # and no cycle was left behind
    finally:
        gc.enable()
