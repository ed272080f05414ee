"""A differential fuzzer: random expressions at boundary points, derivatives to third order,
this engine against PyTorch 2.13 in float64 (``create_graph=True``).

Hypothesis draws a program (leaves, then steps that reuse earlier results, as in
``tests/programs.py``) whose leaves lean towards boundary values: 0, -0.0, ±1, ±2, 0.5, tiny
(1e-300, the smallest float 5e-324) and huge (1e300) magnitudes. Besides the domain-safe steps of
``tests/programs.py``, steps apply ``sqrt``, ``log``, ``/`` and whole and fractional powers to raw
operands, so zeros, ties at the kinks and overflows reach every rule. The oracle:

* where this engine computes a number, PyTorch computes the same number, value and every partial
  derivative of orders 1 to 3;
* where this engine refuses (a domain error, an overflow, an infinite derivative, each with a
  message naming the operation), PyTorch's number there is infinite or NaN (for a value, some
  operation on the way there gives one: a ``TorchFunctionMode`` watches each);
* where PyTorch's number is infinite or NaN but this engine's is finite, PyTorch's own formula
  overflowed (its division's backward squares the divisor, 1e-300 ** 2 underflows to 0): the
  entry is not compared. ``test_boundaries`` checks each operation there against closed forms.

Two references differ from ``torch``'s own function, where PyTorch is known to differ from the
true derivative: a power with a varying exponent is compared with ``exp(b * log(a))`` (PyTorch's
``pow`` masks its derivative in the base with ``where(b == 0, 0, ...)``, which drops the mixed
derivatives at whole exponents, see ``test_boundaries``), and softplus with ``logaddexp(x, 0)``
(``F.softplus`` returns x itself above x = 20).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st
from torch.overrides import TorchFunctionMode

from autograd_lite import Value
from autograd_lite.graph import topological_order
from tests.derivatives import our_partials, torch_partials
from tests.programs import STEPS, OursLib
from tests.test_against_torch import TorchLib

BOUNDARY = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, 1e-300, -1e-300, 5e-324, -5e-324, 1e300]

leaf = st.one_of(st.sampled_from(BOUNDARY), st.floats(-3, 3))


class OursFuzzLib(OursLib):
    @staticmethod
    def pow(a: Any, b: Any) -> Any:
        return a**b


class TorchFuzzLib(TorchLib):
    @staticmethod
    def pow(a: Any, b: Any) -> Any:
        return torch.exp(b * torch.log(a))  # the same function where a > 0, without pow's mask


def _positive(x: Any) -> Any:
    return x * x + 0.5


RAW_STEPS: dict[str, tuple[int, Callable[..., Any]]] = {
    "sqrt_raw": (1, lambda lib, a: lib.sqrt(a)),
    "log_raw": (1, lambda lib, a: lib.log(a)),
    "div_raw": (2, lambda lib, a, b: a / b),
    "pow0": (1, lambda lib, a: a**0),
    "pow1": (1, lambda lib, a: a**1),
    "pow4": (1, lambda lib, a: a**4),
    "pow_half": (1, lambda lib, a: a**0.5),
    "pow_three_halves": (1, lambda lib, a: a**1.5),
    "pow_minus_one": (1, lambda lib, a: a**-1),
    "pow_value": (2, lambda lib, a, b: lib.pow(_positive(a), lib.tanh(b))),
    "pow_whole": (2, lambda lib, a, b: lib.pow(_positive(a), b)),
}
FUZZ_STEPS = {**{k: v for k, v in STEPS.items() if k != "pow_value"}, **RAW_STEPS}


@st.composite
def boundary_programs(draw: st.DrawFn) -> tuple[list[float], list[tuple[str, list[int]]]]:
    leaves = draw(st.lists(leaf, min_size=1, max_size=3))
    steps, available = [], len(leaves)
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(sorted(FUZZ_STEPS)))
        operands = [draw(st.integers(0, available - 1)) for _ in range(FUZZ_STEPS[name][0])]
        steps.append((name, operands))
        available += 1
    return leaves, steps


def program_nodes(steps: list[tuple[str, list[int]]], lib: Any, leaves: list[Any]) -> list[Any]:
    nodes = list(leaves)
    for name, operands in steps:
        nodes.append(FUZZ_STEPS[name][1](lib, *(nodes[i] for i in operands)))
    return nodes


def program_function(steps: list[tuple[str, list[int]]], lib: Any) -> Callable[..., Any]:
    """The program as f(*leaves): the sum of every node, so each leaf and step contributes."""

    def f(*leaves: Any) -> Any:
        nodes = program_nodes(steps, lib, list(leaves))
        root = nodes[0]
        for node in nodes[1:]:
            root = root + node
        return root + 0 * leaves[0]

    return f


def term_scale(root: Value) -> float:
    """The largest local derivative or value in ``root``'s graph (at least 1).

    A derivative of order k is a sum of products of up to k levels of local derivatives; two
    engines that add the same terms in another order agree only to about 1e-16 times the largest
    term, so an entry is compared to within 1e-10 * scale ** k (x / x at x = 1e-300 sums 1e300
    and -1e300 to 0 or to 1, depending on the order).
    """
    scale = 1.0
    for node in topological_order(root):
        scale = max(scale, abs(node.data))
        if node.operation is not None:
            try:
                local = node.operation.local_grads(*(p.data for p in node.parents), node.data)
            except (ArithmeticError, ValueError):
                continue  # an infinite derivative: the engine refuses it below
            scale = max([scale, *(abs(g) for g in local if math.isfinite(g))])
    return scale


class NonFiniteSeen(TorchFunctionMode):
    """Notes whether any tensor operation called from Python gives inf or NaN."""

    def __init__(self) -> None:
        super().__init__()
        self.seen = False

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None) -> Any:
        out = func(*args, **(kwargs or {}))
        if isinstance(out, torch.Tensor) and out.dtype.is_floating_point:
            self.seen = self.seen or not bool(torch.isfinite(out).all())
        return out


def finite(numbers: list[float]) -> bool:
    return all(map(math.isfinite, numbers))


def torch_meets_an_infinite_derivative(
    leaves: list[float], steps: list[tuple[str, list[int]]]
) -> bool:
    """Whether PyTorch's own first backward pass sends an infinite or NaN gradient into a node.

    autograd-lite refuses a local derivative that is infinite (``0 ** 0.5`` in its base: the
    README's operation table), even where a step function further down the pass multiplies it by
    zero; PyTorch's step functions send 0 whatever reaches them (floor(x) ** 0.5 at x = 0 has
    the finite gradient 0 there). Such a refusal is right when PyTorch met the same infinity.
    """
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in leaves]
    nodes = program_nodes(steps, TorchFuzzLib, tensors)
    for node in nodes:
        node.retain_grad()
    sum(nodes[1:], nodes[0]).backward()  # the program's root, as in program_function
    return any(node.grad is not None and not torch.isfinite(node.grad).all() for node in nodes)


@settings(max_examples=120, deadline=None)
@given(boundary_programs())
# An infinite derivative (sqrt at 0) that a step further down multiplies by zero: ours refuses
# it, PyTorch's floor and relu send 0 whatever reaches them.
@example(([0.0], [("floor", [0]), ("pow_half", [1])]))
@example(([-2.0], [("relu", [0]), ("pow_half", [1])]))
@example(([0.0, 0.0], [("floor", [0]), ("abs", [0]), ("abs", [0]), ("pow_half", [2])]))
def test_derivatives_to_third_order_match_torch_at_boundary_points(
    program: tuple[list[float], list[tuple[str, list[int]]]],
) -> None:
    leaves, steps = program
    ours_f, theirs_f = program_function(steps, OursFuzzLib), program_function(steps, TorchFuzzLib)
    with torch.no_grad(), NonFiniteSeen() as forward:
        tensors = [torch.tensor(x, dtype=torch.float64) for x in leaves]
        nodes = [t.item() for t in program_nodes(steps, TorchFuzzLib, tensors)]
    try:
        root = ours_f(*(Value(x) for x in leaves))
    except (ArithmeticError, ValueError) as error:
        assert forward.seen, f"{program}: ours refused ({error}), PyTorch: {nodes}"
        return
    ours_nodes = [n.data for n in program_nodes(steps, OursFuzzLib, [Value(x) for x in leaves])]
    assert ours_nodes == pytest.approx(nodes, rel=1e-12, abs=1e-300), program
    scale = term_scale(root)
    for order in range(1, 4):
        theirs = torch_partials(theirs_f, tuple(leaves), order)[-1]
        try:
            ours = our_partials(ours_f, tuple(leaves), order)[-1]
        except (ArithmeticError, ValueError) as error:
            assert re.match(r"backward through '|\S+: ", str(error)), error  # names the operation
            assert not finite(theirs) or torch_meets_an_infinite_derivative(leaves, steps), (
                f"{program}: order {order}: ours refused ({error}): {theirs}"
            )
            return
        bound = math.inf if order * math.log10(scale) > 290 else 1e-10 * scale**order
        for index, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            if not math.isfinite(b) and math.isfinite(a):
                continue  # PyTorch's own formula overflows here (see the module's docstring)
            assert a == pytest.approx(b, rel=1e-9, abs=bound, nan_ok=True), (
                f"{program}, order {order}, entry {index}: ours {a}, PyTorch {b}"
            )
