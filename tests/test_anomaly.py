"""detect_anomaly: the first NaN or infinity, forward or backward, named with its line of code."""

from __future__ import annotations

import math
import sys
import threading
from typing import Any

import pytest

from autograd_lite import (
    AnomalyError,
    Value,
    detect_anomaly,
    grad,
    gradients,
    is_anomaly_enabled,
)
from autograd_lite import anomaly as anomaly_module

HERE = __file__


def next_line() -> int:
    """The number of the line after the caller's current line."""
    return sys._getframe(1).f_lineno + 1


# --- forward -------------------------------------------------------------------------------------


def test_nan_input_is_caught_at_the_first_operation() -> None:
    x = Value(math.nan, label="x")
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        line = next_line()
        y = x * 2.0
        y.exp()  # never reached: the product is already NaN
    message = str(caught.value)
    assert "operation '*' produced nan in the forward pass" in message
    assert "inputs: [nan, 2.0]" in message
    site = f"created at: {HERE}:{line}, in test_nan_input_is_caught_at_the_first_operation"
    assert site in message
    assert message.rstrip().endswith("y = x * 2.0")


def test_infinite_inputs_that_make_a_nan() -> None:
    big = Value(math.inf)
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"'-' produced nan") as caught:
        big - big
    assert "inputs: [inf, inf]" in str(caught.value)


def test_an_infinite_result_is_an_anomaly_too() -> None:
    with detect_anomaly(), pytest.raises(AnomalyError, match=r"'exp' produced inf"):
        Value(math.inf).exp()


def test_without_the_mode_nan_flows_on_silently() -> None:
    y = (Value(math.nan) * 2.0).exp()
    assert math.isnan(y.data)
    assert not is_anomaly_enabled()


def test_finite_computations_are_unaffected() -> None:
    with detect_anomaly():
        x = Value(0.5)
        y = (x.sin() * x.exp()).tanh()
        y.backward()
    expected = (1 - y.data**2) * (math.cos(0.5) + math.sin(0.5)) * math.exp(0.5)
    assert x.grad == pytest.approx(expected, rel=1e-14)


# --- backward ------------------------------------------------------------------------------------


def test_infinite_gradient_of_log_near_zero() -> None:
    # log(1e-320) = -736.8 is fine, but its derivative 1 / 1e-320 overflows to inf
    with detect_anomaly():
        x = Value(1e-320, label="x")
        line = next_line()
        y = x.log()
        with pytest.raises(AnomalyError) as caught:
            y.backward()
    message = str(caught.value)
    assert "the backward pass through 'log' produced inf for its input 1 of 1" in message
    assert "inputs: [1e-320] (output -736.8272408909739)" in message
    assert "local derivative: inf, gradient arriving: 1.0" in message
    assert f"{HERE}:{line}, in test_infinite_gradient_of_log_near_zero" in message
    assert message.rstrip().endswith("y = x.log()")
    assert x.grad == 0.0  # nothing was half-applied


def test_nan_gradient_of_an_exponent_at_a_negative_base() -> None:
    # (-2) ** n is defined for integer n, but d/dn = (-2)**n log(-2) is not a real number
    with detect_anomaly():
        base, n = Value(-2.0), Value(2.0)
        line = next_line()
        y = base ** n + base
        with pytest.raises(AnomalyError) as caught:
            y.backward()
    message = str(caught.value)
    assert "through '**' produced nan for its input 2 of 2" in message
    assert "inputs: [-2.0, 2.0] (output 4.0)" in message
    assert f":{line}," in message


def test_only_gradients_that_flow_are_checked() -> None:
    # with a constant exponent, the NaN derivative in the exponent is never sent anywhere
    with detect_anomaly():
        x = Value(-2.0)
        (x**2).backward()
    assert x.grad == -4.0


def test_the_first_bad_gradient_in_backward_order_is_named() -> None:
    # 1e200 * (1e-320 ** 0.5)' = 1e200 * 0.5 / 1e-160 overflows at sqrt; the product is fine
    with detect_anomaly():
        x = Value(1e-320)
        y = x.sqrt() * 1e200
        with pytest.raises(AnomalyError, match="through 'sqrt' produced inf") as caught:
            y.backward()
    assert "gradient arriving: 1e+200" in str(caught.value)


def test_a_nan_seed_gradient_is_caught() -> None:
    with detect_anomaly():
        y = Value(1.0) * 3.0
        with pytest.raises(AnomalyError, match="gradient arriving: nan"):
            y.backward(math.nan)


def test_higher_order_gradients_are_checked() -> None:
    # the first derivative of log at 1e-160 is fine (1e160); the second, -1 / x^2, is not
    with detect_anomaly():
        x = Value(1e-160)
        (first,) = gradients(x.log(), x, create_graph=True)
        with pytest.raises(AnomalyError, match=r"produced -?inf"):
            gradients(first, x)


def test_inside_grad_the_line_of_f_is_named() -> None:
    line = next_line() + 2

    def f(x: Any) -> Any:
        return x.sqrt() * 1e200

    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        grad(f)(1e-320)
    assert f"{HERE}:{line}, in f" in str(caught.value)


def test_a_failing_local_derivative_also_names_its_line() -> None:
    # sqrt'(0) = 0.5 / 0: the engine raises ZeroDivisionError; the mode adds where the node was made
    with detect_anomaly():
        x = Value(0.0)
        line = next_line()
        y = x.sqrt()
        with pytest.raises(ZeroDivisionError) as caught:
            y.backward()
    message = str(caught.value)
    assert "backward through 'sqrt' with inputs [0.0]" in message
    assert f"created at: {HERE}:{line}," in message
    assert message.rstrip().endswith("y = x.sqrt()")
    with pytest.raises(ZeroDivisionError) as caught:  # outside the mode: no site
        Value(0.0).sqrt().backward()
    assert "created at" not in str(caught.value)


def test_a_node_created_outside_the_mode_has_an_unknown_site() -> None:
    x = Value(1e-320)
    y = x.log()
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        y.backward()
    assert "created at: unknown" in str(caught.value)


# --- the mode itself -----------------------------------------------------------------------------


def test_nesting_decorator_and_cleanup() -> None:
    @detect_anomaly()
    def inside() -> bool:
        return is_anomaly_enabled()

    assert not is_anomaly_enabled()
    with detect_anomaly():
        with detect_anomaly():
            Value(1.0) * 2.0
            assert anomaly_module._anomaly.sites  # a site was recorded
        assert is_anomaly_enabled()  # the inner block does not end the outer one
        assert inside()
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()
    assert anomaly_module._anomaly.sites == {}  # nothing kept after the outermost block


def test_the_mode_ends_when_an_exception_passes() -> None:
    with pytest.raises(AnomalyError), detect_anomaly():
        Value(math.nan) + 1.0
    assert not is_anomaly_enabled()


def test_the_mode_is_per_thread() -> None:
    seen: list[bool] = []
    with detect_anomaly():
        worker = threading.Thread(target=lambda: seen.append(is_anomaly_enabled()))
        worker.start()
        worker.join()
    assert seen == [False]


def test_no_site_is_recorded_when_the_mode_is_off() -> None:
    Value(1.0) * 2.0
    assert anomaly_module._anomaly.sites == {}
