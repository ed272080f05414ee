"""The engine's core: imports point downward, the reverse pass accumulates exactly as PyTorch's,
and an operand that needs no gradient gets none (nor is its derivative computed)."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Operation, Value, grad, ops
from autograd_lite.graph import backpropagate

PACKAGE = Path(ops.__file__).resolve().parent
ENGINE = ["grad_mode", "hooks", "ops", "value", "graph", "anomaly", "guards"]


def runtime_imports(module: str) -> set[str]:
    """The package modules ``module`` imports when it runs (not those under TYPE_CHECKING)."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in type_only or not isinstance(node, ast.ImportFrom) or node.level != 1:
            continue
        if node.module:  # from .value import Value
            found.add(node.module.split(".")[0])
        else:  # from . import graph, ops
            found.update(alias.name for alias in node.names)
    return found


def test_the_engine_modules_import_each_other_without_a_cycle() -> None:
    imports = {module: runtime_imports(module) & set(ENGINE) for module in ENGINE}
    assert imports["ops"] == imports["grad_mode"] == set()  # the bottom layer
    assert imports["hooks"] == {"grad_mode"}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        assert module not in path, f"import cycle: {' -> '.join([*path, module])}"
        if module not in done:
            for imported in sorted(imports[module]):
                visit(imported, [*path, module])
            done.add(module)

    for module in ENGINE:
        visit(module, [])


def test_a_second_backward_adds_exactly_one_more_pass_as_pytorch_does() -> None:
    x, w = Value(0.7), Value(-1.3)
    h = x * w + x.sin()
    y = h * h + x
    tx, tw = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (0.7, -1.3))
    th = tx * tw + torch.sin(tx)
    th.retain_grad()
    ty = th * th + tx
    for _ in range(2):
        y.backward()
        ty.backward(retain_graph=True)
    assert (x.grad, w.grad, h.grad) == (tx.grad.item(), tw.grad.item(), th.grad.item())
    x.grad, w.grad = 0.1, 0.0  # a leftover gradient is added to, once, after the pass
    y.backward()
    single = dict(backpropagate(y, 1.0))
    assert x.grad == 0.1 + single[x] and w.grad == single[w]


def test_a_failed_backward_leaves_every_gradient_as_it_was() -> None:
    x = Value(0.0, label="x")
    y = x * 3.0 + x.sqrt()  # sqrt's derivative at 0 is infinite
    x.grad = 0.25
    before = [(n, n.grad) for n in (x, y)]
    with pytest.raises((ZeroDivisionError, ValueError), match="sqrt"):
        y.backward()
    assert [(n, n.grad) for n, _ in before] == before


def counting_power() -> tuple[Operation, dict[str, int]]:
    calls = {"base": 0, "exponent": 0}

    def base(a: float, b: float, out: float) -> float:
        calls["base"] += 1
        return b * a ** (b - 1)

    def exponent(a: float, b: float, out: float) -> float:
        calls["exponent"] += 1
        return out * ops.log(a) if a > 0 else 0.0

    return Operation("pow", ops.power.forward, (base, exponent)), calls


def test_an_operand_that_needs_no_gradient_has_its_derivative_skipped() -> None:
    power, calls = counting_power()
    x = Value(2.0)
    power(x, 3.0).backward()
    assert x.grad == 12.0 and calls == {"base": 1, "exponent": 0}
    power(3.0, x).backward()
    assert x.grad == 12.0 + 9.0 * math.log(3.0) and calls == {"base": 1, "exponent": 1}
    grad(lambda v: power(v, 3.0))(2.0)  # the general pass (create_graph) skips it too
    assert calls == {"base": 2, "exponent": 1}
    assert power.local_grads(2.0, 3.0, 8.0) == (12.0, 8.0 * math.log(2.0))  # tools get both


@settings(max_examples=25, deadline=None)
@given(st.floats(0.05, 3.0))
def test_zero_to_a_variable_power_needs_no_derivative_in_its_base(b: float) -> None:
    # d(0 ** b)/db = 0 for b > 0 (PyTorch: 0 too); the base's b * 0 ** (b - 1) is not needed
    exponent = Value(b)
    (0.0 ** exponent).backward()
    assert exponent.grad == 0.0
    assert grad(lambda v: 0.0 ** v)(b) == 0.0
    t = torch.tensor(b, dtype=torch.float64, requires_grad=True)
    (torch.tensor(0.0, dtype=torch.float64) ** t).backward()
    assert t.grad.item() == 0.0


def test_per_input_rules_are_checked_against_the_arity() -> None:
    with pytest.raises(ValueError, match=r"'f': 1 derivative functions for 2 inputs"):
        Operation("f", lambda a, b: a * b, (lambda a, b, out: b,))
    with pytest.raises(TypeError, match="tuple of callables"):
        Operation("f", lambda a: a, (3,))  # type: ignore[arg-type]
    assert ops.mul.needed_grads([False, True], 3.0, 4.0, 12.0) == (None, 3.0)


def test_no_grad_in_one_thread_leaves_another_recording_and_the_count_returns_to_zero() -> None:
    import threading

    from autograd_lite import detect_anomaly, no_grad
    from autograd_lite.grad_mode import unusual

    inside, leave = threading.Event(), threading.Event()
    seen: list[bool] = []

    def evaluate() -> None:
        with no_grad():
            seen.append((Value(1.0) * 2).requires_grad)
            inside.set()
            leave.wait(10)

    worker = threading.Thread(target=evaluate)
    worker.start()
    inside.wait(10)
    recorded = Value(1.0) * 2  # this thread is not inside no_grad(): it records
    leave.set()
    worker.join()
    assert seen == [False] and recorded.requires_grad and recorded.op == "*"
    with pytest.raises(ZeroDivisionError), no_grad(), detect_anomaly():
        _ = Value(1.0) / 0
    assert unusual.count == 0  # every block left, even through an exception
