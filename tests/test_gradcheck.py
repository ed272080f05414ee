"""gradcheck, gradgradcheck and gradcheck_module: pass on right derivatives, explain wrong ones."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import (
    GradcheckError,
    Operation,
    Value,
    gradcheck,
    gradcheck_module,
    gradgradcheck,
    ops,
)
from tests.builtin_points import POINTS

CASES = [(name, point) for name, points in POINTS.items() for point in points]


def test_every_builtin_has_points() -> None:
    assert set(POINTS) == set(ops.BUILTINS)


@pytest.mark.parametrize(("name", "point"), CASES)
def test_gradcheck_passes_for_every_builtin(name: str, point: tuple[float, ...]) -> None:
    operation = ops.BUILTINS[name]
    assert gradcheck(lambda *xs: operation(*xs), point) is True


@pytest.mark.parametrize(("name", "point"), CASES)
def test_gradgradcheck_passes_for_every_builtin(name: str, point: tuple[float, ...]) -> None:
    operation = ops.BUILTINS[name]
    assert gradgradcheck(lambda *xs: operation(*xs), point) is True


@settings(max_examples=30, deadline=None)
@given(st.floats(-2, 2), st.floats(0.2, 3))
def test_gradcheck_passes_on_compositions(x: float, y: float) -> None:
    def f(a: Any, b: Any) -> Any:
        return (a * b).tanh() / b + (a - b).sigmoid() * b.log() + (a * a + b).sqrt()

    assert gradcheck(f, [x, y])
    assert gradgradcheck(f, [x, y])


# --- failures: a user operation with a deliberately wrong derivative ----------------------------

# d/dx atan(x) is 1 / (1 + x^2); this one forgets the square.
wrong_atan = Operation("atan", math.atan, lambda x, out: (1 / (1 + x),))


def table_rows(message: str) -> dict[str, list[str]]:
    """The rows of a gradcheck table by input name: [analytic, numeric, error] + the mark."""
    lines = message.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:4] == [
        "input", "analytic", "numeric", "error"])
    rows = {}
    for line in lines[start + 2:]:
        mark = ["<-", "differs"] if line.endswith("<- differs") else []
        name, *cells = line.removesuffix("<- differs").rsplit(None, 3)
        rows[name.strip()] = cells + mark
    return rows


def test_gradcheck_fails_with_a_table_for_a_wrong_derivative() -> None:
    def f(x: Any, y: Any) -> Any:
        return wrong_atan(x) * y

    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [0.5, 2.0])
    message = str(caught.value)
    assert "1 of 2 derivatives differ" in message
    assert "eps=1e-06, atol=1e-05, rtol=0.001" in message
    rows = table_rows(message)
    analytic, numeric, error, *mark = rows["x"]
    assert float(analytic) == pytest.approx(2.0 / 1.5, rel=1e-12)  # the wrong formula
    assert float(numeric) == pytest.approx(2.0 / 1.25, rel=1e-8)  # the true derivative
    assert float(error) == pytest.approx(abs(2.0 / 1.5 - 2.0 / 1.25), rel=5e-3)  # 3 digits
    assert mark == ["<-", "differs"]
    analytic, numeric, error, *mark = rows["y"]  # the derivative in y is right
    assert float(analytic) == pytest.approx(math.atan(0.5), rel=1e-12)
    assert mark == []


def test_gradcheck_error_is_a_runtime_error() -> None:
    with pytest.raises(RuntimeError):
        gradcheck(lambda x: wrong_atan(x), 2.0)


def test_gradcheck_names_inputs_by_label() -> None:
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda *xs: wrong_atan(xs[0]), [Value(0.5, label="angle")])
    assert "angle" in table_rows(str(caught.value))


def test_gradcheck_tolerances_decide() -> None:
    # the wrong derivative passes when the tolerance is absurdly wide
    assert gradcheck(lambda x: wrong_atan(x), [0.5], atol=1.0)
    # a right derivative fails when the tolerance is below the central difference's error
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: x.exp(), [3.0], eps=1e-2, atol=0.0, rtol=1e-9)


def test_gradgradcheck_catches_a_local_derivative_that_only_works_on_floats() -> None:
    # math.cos turns a Value into a float, so the second derivative is lost: first order is fine
    float_only_sin = Operation("sin", math.sin, lambda x, out: (math.cos(x),))
    assert gradcheck(lambda x: float_only_sin(x), [0.7])
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(lambda x: float_only_sin(x), [0.7])
    analytic, numeric, *_ = table_rows(str(caught.value))["d/dx d/dx"]
    assert float(analytic) == 0.0
    assert float(numeric) == pytest.approx(-math.sin(0.7), rel=1e-6)


def test_gradcheck_input_errors() -> None:
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a number or a Value, got str"):
        gradcheck(lambda x, y: x * y, [1.0, "2"])
    with pytest.raises(ValueError, match="inputs is empty"):
        gradcheck(lambda: Value(1.0), [])
    with pytest.raises(ValueError, match="eps must be positive"):
        gradcheck(lambda x: x, [1.0], eps=0.0)
    with pytest.raises(TypeError, match="must return a scalar Value, got float"):
        gradcheck(lambda x: 1.0, [1.0])  # type: ignore[arg-type, return-value]


# --- modules: any object with named_parameters() or parameters() -------------------------------


class TinyNet:
    """Two tanh neurons and a linear output, shaped like an nn.Module (duck typing only)."""

    def __init__(self, activation: Any = None) -> None:
        self.w = [Value(0.3), Value(-0.5), Value(0.8), Value(0.1)]
        self.b = [Value(0.05), Value(-0.2)]
        self.v = [Value(0.7), Value(-1.1)]
        self.activation = activation or (lambda z: z.tanh())

    def named_parameters(self) -> list[tuple[str, Value]]:
        return (
            [(f"w{i}", p) for i, p in enumerate(self.w)]
            + [(f"b{i}", p) for i, p in enumerate(self.b)]
            + [(f"v{i}", p) for i, p in enumerate(self.v)]
        )

    def parameters(self) -> list[Value]:
        return [p for _, p in self.named_parameters()]

    def __call__(self, x: tuple[float, float]) -> Value:
        h0 = self.activation(self.w[0] * x[0] + self.w[1] * x[1] + self.b[0])
        h1 = self.activation(self.w[2] * x[0] + self.w[3] * x[1] + self.b[1])
        return self.v[0] * h0 + self.v[1] * h1


DATA = [((0.5, -1.0), 1.0), ((-0.3, 0.8), -0.5), ((1.2, 0.4), 0.2)]


def squared_error(net: TinyNet) -> Value:
    return sum(((net(x) - y) ** 2 for x, y in DATA), Value(0.0, requires_grad=False))


def test_gradcheck_module_passes_and_touches_nothing() -> None:
    net = TinyNet()
    before = [p.data for p in net.parameters()]
    assert gradcheck_module(net, lambda: squared_error(net)) is True
    assert gradcheck_module(net, squared_error) is True  # loss_fn(module) works too
    assert [p.data for p in net.parameters()] == before
    assert all(p.grad == 0.0 for p in net.parameters())


def test_gradcheck_module_with_only_parameters() -> None:
    class Bare:
        def __init__(self) -> None:
            self.net = TinyNet()

        def parameters(self) -> list[Value]:
            return self.net.parameters()

    bare = Bare()
    assert gradcheck_module(bare, lambda: squared_error(bare.net))


def test_gradcheck_module_fails_naming_the_parameters() -> None:
    net = TinyNet(activation=lambda z: wrong_atan(z))
    with pytest.raises(GradcheckError) as caught:
        gradcheck_module(net, squared_error)
    message = str(caught.value)
    assert message.startswith("gradcheck_module of TinyNet:")
    rows = table_rows(message)
    assert list(rows) == [name for name, _ in net.named_parameters()]
    # the output weights v0, v1 see the (right) forward value only; the rest see atan'
    assert rows["v0"][3:] == [] and rows["v1"][3:] == []
    assert rows["w0"][3:] == ["<-", "differs"]


def test_gradcheck_module_restores_parameters_when_the_loss_fails() -> None:
    net = TinyNet()
    calls = 0

    def flaky() -> Value:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("the data went away")
        return squared_error(net)

    before = [p.data for p in net.parameters()]
    with pytest.raises(RuntimeError, match="the data went away"):
        gradcheck_module(net, flaky)
    assert [p.data for p in net.parameters()] == before


def test_gradcheck_module_errors() -> None:
    with pytest.raises(TypeError, match="has neither named_parameters"):
        gradcheck_module(object(), lambda: Value(1.0))

    class Broken:
        def parameters(self) -> list[Any]:
            return [1.0]

    with pytest.raises(TypeError, match=re.escape("parameter parameters()[0] is a float")):
        gradcheck_module(Broken(), lambda: Value(1.0))
