"""Every operation's derivative against central finite differences, its domain errors, and the
numerically stable forms."""

import math
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite import Operation, Value, ops

# Each built-in operation with the inputs it is checked on: kinks (relu, abs) are kept away from
# zero because a central difference straddling a kink measures neither side.
away_from_zero = st.one_of(st.floats(-5, -0.01), st.floats(0.01, 5))
positive = st.floats(0.05, 20)
anything = st.floats(-5, 5)

CASES: dict[str, tuple[st.SearchStrategy[float], ...]] = {
    "+": (anything, anything),
    "-": (anything, anything),
    "*": (anything, anything),
    "/": (anything, away_from_zero),
    "neg": (anything,),
    "**": (positive, st.floats(-3, 3)),
    "abs": (away_from_zero,),
    "exp": (anything,),
    "log": (positive,),
    "sqrt": (positive,),
    "sin": (anything,),
    "cos": (anything,),
    "tanh": (anything,),
    "sigmoid": (anything,),
    "softplus": (anything,),
    "relu": (away_from_zero,),
    "leaky_relu": (away_from_zero, st.floats(0, 0.5)),
    "linear": (anything,) * 7,  # w1 w2 w3, x1 x2 x3, b
    "add_n": (anything,) * 4,
}


def test_every_builtin_operation_is_checked() -> None:
    assert set(CASES) == set(ops.BUILTINS)


def central_difference(f: Callable[..., float], xs: list[float], i: int, h: float = 1e-6) -> float:
    up, down = list(xs), list(xs)
    up[i] += h
    down[i] -= h
    return (f(*up) - f(*down)) / (2 * h)


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=40)
@given(data=st.data())
def test_local_derivatives_match_central_differences(name: str, data: st.DataObject) -> None:
    operation = ops.BUILTINS[name]
    xs = [data.draw(strategy) for strategy in CASES[name]]
    inputs = [Value(x) for x in xs]
    out = operation(*inputs)
    out.backward()
    for i, leaf in enumerate(inputs):
        numeric = central_difference(operation.forward, xs, i)
        assert leaf.grad == pytest.approx(numeric, rel=1e-5, abs=1e-6), (name, xs, i)


def test_integer_powers_of_negative_bases() -> None:
    x = Value(-2.0)
    y = x**3
    y.backward()
    assert y.data == -8.0 and x.grad == 12.0


def test_value_exponent_and_number_base() -> None:
    a, b = Value(2.0), Value(3.0)
    c = a**b
    c.backward()
    assert c.data == 8.0
    assert a.grad == pytest.approx(12.0)
    assert b.grad == pytest.approx(8.0 * math.log(2.0))
    x = Value(3.0)
    y = 2**x
    y.backward()
    assert y.data == 8.0 and x.grad == pytest.approx(8.0 * math.log(2.0))


def test_leaky_relu_default_slope() -> None:
    x = Value(-2.0)
    y = x.leaky_relu()
    y.backward()
    assert y.data == pytest.approx(-0.02) and x.grad == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: Value(0.0).log(), ValueError, ["log", "0.0"]),
        (lambda: Value(-1.5).log(), ValueError, ["log", "-1.5"]),
        (lambda: Value(-4.0).sqrt(), ValueError, ["sqrt", "-4.0"]),
        (lambda: Value(1.0) / 0, ZeroDivisionError, ["division", "1.0"]),
        (lambda: 2.5 / Value(0.0), ZeroDivisionError, ["division", "2.5"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["power", "-1.0"]),
        (lambda: Value(-8.0) ** 0.5, ValueError, ["power", "-8.0", "0.5"]),
        (lambda: Value(1000.0).exp(), OverflowError, ["exp", "1000.0"]),
        (lambda: Value(10.0) ** 400, OverflowError, ["power", "10.0"]),
        (lambda: Value(1e300) * 1e300, OverflowError, ["*"]),
    ],
)
def test_domain_errors_name_the_operation_and_the_value(
    make: Callable[[], Value], error: type[Exception], words: list[str]
) -> None:
    with pytest.raises(error) as raised:
        make()
    for word in words:
        assert word in str(raised.value)


def test_infinite_derivative_fails_clearly_in_backward() -> None:
    x = Value(0.0)
    y = x.sqrt()
    assert y.data == 0.0
    with pytest.raises(ZeroDivisionError, match="sqrt"):
        y.backward()


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "softplus"])
@pytest.mark.parametrize("x", [-1000.0, 1000.0])
def test_saturating_functions_stay_finite_far_out(name: str, x: float) -> None:
    v = Value(x)
    out = getattr(v, name)()
    out.backward()
    assert math.isfinite(out.data) and math.isfinite(v.grad)
    expected_grad = {"sigmoid": 0.0, "tanh": 0.0, "softplus": 0.0 if x < 0 else 1.0}[name]
    assert v.grad == pytest.approx(expected_grad, abs=1e-300)


def test_softplus_is_exact_far_out() -> None:
    assert Value(1000.0).softplus().data == 1000.0
    assert Value(-1000.0).softplus().data == pytest.approx(math.exp(-1000.0), abs=0)


def test_linear_and_total_are_single_nodes_with_the_chain_rule_of_the_long_form() -> None:
    w = [Value(0.5), Value(-1.0)]
    x = [Value(2.0), Value(3.0)]
    b = Value(0.25)
    y = al.linear(w, x, b)
    long_form = w[0] * x[0] + w[1] * x[1] + b
    assert y.op == "linear" and y.parents == (*w, *x, b)
    assert y.data == long_form.data == -1.75
    y.backward()
    assert [v.grad for v in (*w, *x, b)] == [2.0, 3.0, 0.5, -1.0, 1.0]
    t = al.total([w[0], 2.0, w[0]])
    t.backward()
    assert t.op == "add_n" and t.data == 3.0 and w[0].grad == 2.0 + 2.0
    assert al.total([]).data == 0.0
    with pytest.raises(ValueError, match="2 weights for 3 inputs"):
        al.linear(w, [1.0, 2.0, 3.0])


def test_operations_work_on_plain_floats_too() -> None:
    assert ops.exp(1.0) == math.e
    assert ops.cos(0.0) == 1.0
    assert isinstance(ops.sin(Value(0.0)), Value)
    with pytest.raises(TypeError, match="str"):
        ops.exp("1")


def test_a_user_operation_uses_the_same_mechanism() -> None:
    cube = Operation("cube", lambda x: x**3, lambda x, out: (3 * x * x,))
    x = Value(2.0)
    y = cube(x) + x
    y.backward()
    assert y.data == 10.0 and x.grad == 13.0
    assert y.parents[0].op == "cube"


def test_operation_definitions_are_validated() -> None:
    with pytest.raises(ValueError, match="name"):
        Operation("", lambda x: x, lambda x, out: (1.0,))
    with pytest.raises(TypeError, match="callables"):
        Operation("f", 3, lambda x, out: (1.0,))  # type: ignore[arg-type]


def test_a_wrong_number_of_local_derivatives_is_reported() -> None:
    broken = Operation("broken", lambda a, b: a + b, lambda a, b, out: (1.0,))
    out = broken(Value(1.0), Value(2.0))
    with pytest.raises(ValueError, match=r"broken.*1 derivatives for 2 inputs"):
        out.backward()
