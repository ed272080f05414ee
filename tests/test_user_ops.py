"""User-defined operations (the README's swish, gelu, atan) and the README's examples themselves.

The README's code blocks for the functional API, gradcheck, user operations and anomaly detection
are run here, and every line of output they show is checked against what the code prints.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - the usual spelling
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Operation, Value, grad, gradcheck, gradgradcheck, hessian, hvp

README = Path(__file__).resolve().parent.parent / "README.md"
FIRST_SECTION, END = "## Derivatives as functions", "## Many inputs, one node"


def readme_blocks() -> list[tuple[str, str]]:
    """(language, code) of every fenced block in this feature's sections of the README."""
    text = README.read_text()
    section = text[text.index(FIRST_SECTION):text.index(END)]
    return re.findall(r"```(\w+)\n(.*?)```", section, flags=re.DOTALL)


def run_readme() -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Run every python block in one namespace; pair each text block with the output before it."""
    namespace: dict[str, Any] = {"__name__": "readme"}
    shown: list[tuple[str, str]] = []
    printed = ""
    for number, (language, code) in enumerate(readme_blocks()):
        if language == "python":
            # a file name linecache can read, so tracebacks and detect_anomaly show the code
            filename = f"<README block {number}>"
            linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                exec(compile(code, filename, "exec"), namespace)
            printed = buffer.getvalue()
        elif language == "text":
            shown.append((code, printed))
    return namespace, shown


NAMESPACE, SHOWN = run_readme()


def test_the_readme_shows_what_its_code_prints() -> None:
    assert len(SHOWN) == 2  # the gradcheck table and the anomaly report
    for text, printed in SHOWN:
        for line in text.splitlines():
            if "(...)" in line:  # an elided tail
                line = line.split("(...)")[0]
            if "example.py" in line:  # the file name differs: <README block n>
                line = line.split("example.py")[1]
            assert line.strip() in printed, f"README shows {line!r}, the code printed:\n{printed}"


def test_the_readme_comments_hold() -> None:
    # the numbers quoted in the comments of the first block
    f = NAMESPACE["f"]
    assert NAMESPACE["df"](0.5) == 0.9182168195493894
    assert grad(grad(f))(0.5) == 1.515452354478644
    g = NAMESPACE["g"]
    assert grad(g, argnums=(0, 1))(1.0, 2.0) == (4.0, 8.38905609893065)
    assert hessian(g, argnums=(0, 1))(1.0, 2.0) == ((4.0, 2.0), (2.0, 7.38905609893065))
    assert hvp(g, (1.0, 2.0), (1.0, 0.0)) == [4.0, 2.0]
    assert NAMESPACE["dx"].data == 0.5161330247555819
    assert NAMESPACE["dxx"].data == -0.5314304628553771


# --- the README's operations against PyTorch, to third order -------------------------------------

OPS: dict[str, tuple[Operation, Callable[[Any], Any]]] = {
    "swish": (NAMESPACE["swish"], F.silu),
    "atan": (NAMESPACE["atan"], torch.atan),
    "erf": (NAMESPACE["erf"], torch.erf),
    "gelu": (NAMESPACE["gelu"], F.gelu),
}


def torch_grads(f: Callable[[Any], Any], x: float, order: int) -> list[float]:
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y, results = f(t), []
    for _ in range(order):
        (y,) = torch.autograd.grad(y, t, create_graph=True)
        results.append(y.item())
    return results


def nested_grads(f: Callable[[Any], Any], x: float, order: int) -> list[float]:
    results, derivative = [], f
    for _ in range(order):
        derivative = grad(derivative)
        results.append(derivative(x))
    return results


@pytest.mark.parametrize("name", list(OPS))
@settings(max_examples=25, deadline=None)
@given(x=st.floats(-4, 4))
def test_user_operations_match_torch_to_third_order(name: str, x: float) -> None:
    operation, reference = OPS[name]
    assert operation(x) == pytest.approx(reference(torch.tensor(x, dtype=torch.float64)).item(),
                                         rel=1e-14, abs=1e-15)
    ours = nested_grads(lambda v: operation(v), x, 3)
    assert ours == pytest.approx(torch_grads(reference, x, 3), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("name", list(OPS))
@pytest.mark.parametrize("x", [-1.3, 0.2, 2.1])
def test_user_operations_pass_gradcheck_and_gradgradcheck(name: str, x: float) -> None:
    operation, _ = OPS[name]
    assert gradcheck(lambda v: operation(v), [x])
    assert gradgradcheck(lambda v: operation(v), [x])


def test_user_operations_work_on_floats_and_values_and_are_recorded() -> None:
    swish = NAMESPACE["swish"]
    assert swish(1.5) == pytest.approx(1.5 / (1 + math.exp(-1.5)), rel=1e-15)
    x = Value(1.5)
    y = swish(x)
    assert isinstance(y, Value) and y.op == "swish" and y.parents == (x,)
    y.backward()
    expected = F.silu
    t = torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    expected(t).backward()
    assert x.grad == pytest.approx(t.grad.item(), rel=1e-14)  # type: ignore[union-attr]


def test_a_user_operation_that_returns_the_wrong_number_of_derivatives() -> None:
    bad = Operation("pair", lambda a, b: a * b, lambda a, b, out: (b,))
    with pytest.raises(ValueError, match="'pair': local_grads returned 1 derivatives for 2"):
        bad(Value(1.0), Value(2.0)).backward()
