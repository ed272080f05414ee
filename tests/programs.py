"""Random expression programs for property tests: the same program runs in any engine.

Hypothesis draws leaves, then steps that each apply an operation to earlier results, so results
are reused (fan-out and shared subexpressions arise naturally). `lib` supplies the elementary
functions under the same names in every engine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite import Value

Program = tuple[list[float], list[tuple[str, list[int]]]]


def _positive(lib: Any, x: Any) -> Any:
    """A positive quantity built from any x, for operations with a restricted domain."""
    return x * x + 0.5


# Each step: name -> (arity, function(lib, *operands)). `lib` is a namespace of elementary
# functions, the same names in both engines, so one definition serves both.
STEPS: dict[str, tuple[int, Callable[..., Any]]] = {
    "add": (2, lambda lib, a, b: a + b),
    "sub": (2, lambda lib, a, b: a - b),
    "mul": (2, lambda lib, a, b: a * b),
    "div": (2, lambda lib, a, b: a / _positive(lib, b)),
    "rsub": (1, lambda lib, a: 2.5 - a),
    "rdiv": (1, lambda lib, a: 1.5 / _positive(lib, a)),
    "neg": (1, lambda lib, a: -a),
    "square": (1, lambda lib, a: a**2),
    "cube": (1, lambda lib, a: a**3),
    "pow_value": (2, lambda lib, a, b: _positive(lib, a) ** lib.tanh(b)),
    "rpow": (1, lambda lib, a: 2 ** lib.tanh(a)),
    "abs": (1, lambda lib, a: lib.abs(a)),
    "exp": (1, lambda lib, a: lib.exp(lib.tanh(a))),
    "log": (1, lambda lib, a: lib.log(_positive(lib, a))),
    "sqrt": (1, lambda lib, a: lib.sqrt(_positive(lib, a))),
    "sin": (1, lambda lib, a: lib.sin(a)),
    "cos": (1, lambda lib, a: lib.cos(a)),
    "tanh": (1, lambda lib, a: lib.tanh(a)),
    "sigmoid": (1, lambda lib, a: lib.sigmoid(a)),
    "relu": (1, lambda lib, a: lib.relu(a)),
    "leaky_relu": (1, lambda lib, a: lib.leaky_relu(a)),
    "softplus": (1, lambda lib, a: lib.softplus(lib.tanh(a))),
    "tan": (1, lambda lib, a: lib.tan(lib.tanh(a))),
    "sinh": (1, lambda lib, a: lib.sinh(lib.tanh(a))),
    "cosh": (1, lambda lib, a: lib.cosh(lib.tanh(a))),
    "asin": (1, lambda lib, a: lib.asin(0.9 * lib.tanh(a))),
    "acos": (1, lambda lib, a: lib.acos(0.9 * lib.tanh(a))),
    "atan": (1, lambda lib, a: lib.atan(a)),
    "atan2": (2, lambda lib, a, b: lib.atan2(a, _positive(lib, b))),
    "hypot": (2, lambda lib, a, b: lib.hypot(a, _positive(lib, b))),
    "log1p": (1, lambda lib, a: lib.log1p(_positive(lib, a))),
    "expm1": (1, lambda lib, a: lib.expm1(lib.tanh(a))),
    "log2": (1, lambda lib, a: lib.log2(_positive(lib, a))),
    "log10": (1, lambda lib, a: lib.log10(_positive(lib, a))),
    "maximum": (2, lambda lib, a, b: lib.maximum(a, b)),
    "minimum": (2, lambda lib, a, b: lib.minimum(a, b)),
    "clamp": (1, lambda lib, a: lib.clamp(a, -0.5, 0.5)),
    "floor": (1, lambda lib, a: lib.floor(a)),
    "sign_times": (1, lambda lib, a: lib.sign(a) * a),
    "linear": (3, lambda lib, a, b, c: lib.linear([a, b], [c, a], b)),
    "total": (3, lambda lib, a, b, c: lib.total([a, b, c, a])),
}


class OursLib:
    abs = staticmethod(abs)
    exp = staticmethod(al.exp)
    log = staticmethod(al.log)
    sqrt = staticmethod(al.sqrt)
    sin = staticmethod(al.sin)
    cos = staticmethod(al.cos)
    tanh = staticmethod(al.tanh)
    sigmoid = staticmethod(al.sigmoid)
    relu = staticmethod(al.relu)
    softplus = staticmethod(al.softplus)
    linear = staticmethod(al.linear)
    total = staticmethod(al.total)
    tan, sinh, cosh = staticmethod(al.tan), staticmethod(al.sinh), staticmethod(al.cosh)
    asin, acos, atan = staticmethod(al.asin), staticmethod(al.acos), staticmethod(al.atan)
    atan2, hypot = staticmethod(al.atan2), staticmethod(al.hypot)
    log1p, expm1 = staticmethod(al.log1p), staticmethod(al.expm1)
    log2, log10 = staticmethod(al.log2), staticmethod(al.log10)
    maximum, minimum = staticmethod(al.maximum), staticmethod(al.minimum)
    clamp, floor, sign = staticmethod(al.clamp), staticmethod(al.floor), staticmethod(al.sign)

    @staticmethod
    def leaky_relu(x: Value) -> Value:
        return x.leaky_relu()


@st.composite
def programs(draw: st.DrawFn) -> Program:
    leaves = draw(st.lists(st.floats(-2, 2), min_size=1, max_size=4))
    steps = []
    available = len(leaves)
    for _ in range(draw(st.integers(1, 14))):
        name = draw(st.sampled_from(sorted(STEPS)))
        arity = STEPS[name][0]
        # favour recent results a little, but any earlier node may be reused
        operands = [draw(st.integers(0, available - 1)) for _ in range(arity)]
        steps.append((name, operands))
        available += 1
    return leaves, steps


def evaluate(steps: list[tuple[str, list[int]]], leaves: list[Any], lib: Any) -> Any:
    """Every node the steps compute from the leaves, and a root that uses all of them."""
    nodes = list(leaves)
    for name, operands in steps:
        nodes.append(STEPS[name][1](lib, *(nodes[i] for i in operands)))
    # the root uses every node, so every leaf and result contributes
    root = nodes[0]
    for node in nodes[1:]:
        root = root + node
    return nodes, root


def run(program: Program, make_leaf: Any, lib: Any) -> Any:
    leaves_data, steps = program
    leaves = [make_leaf(x) for x in leaves_data]
    nodes, root = evaluate(steps, leaves, lib)
    return leaves, nodes, root


