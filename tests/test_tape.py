"""The tape replays exactly what the eager engine computes, for new inputs and parameters."""

from __future__ import annotations

import gc
import math
import random
import sys

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite import TraceGuardError, Value, trace
from tests.programs import OursLib, Program, evaluate, programs


def program_function(program: Program):  # type: ignore[no-untyped-def]
    """The program as a function of its leaves, as the tape and the eager engine both run it."""
    _, steps = program

    def f(*leaves: Value) -> Value:
        return evaluate(steps, list(leaves), OursLib)[1]

    return f


def eager_value_and_grad(f, xs: list[float]) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    return out.data, [leaf.grad for leaf in leaves]


@settings(max_examples=100)
@given(programs(), st.lists(st.floats(-2, 2), min_size=4, max_size=4))
def test_replay_equals_eager_on_random_graphs(program: Program, other: list[float]) -> None:
    f = program_function(program)
    first = program[0]
    try:
        expected_first = eager_value_and_grad(f, first)
        expected_other = eager_value_and_grad(f, other[: len(first)])
    except (OverflowError, ValueError, ZeroDivisionError):
        assume(False)
    tape = trace(f, *first)
    for xs, (value, grads) in ((first, expected_first), (other[: len(first)], expected_other)):
        replay_value, replay_grads = tape.value_and_grad(*xs)
        assert replay_value == pytest.approx(value, rel=1e-12, abs=1e-12)
        assert list(replay_grads) == pytest.approx(grads, rel=1e-12, abs=1e-12)
        assert tape(*xs) == pytest.approx(value, rel=1e-12, abs=1e-12)


def make_mlp(seed: int, sizes: list[int]) -> list[list[tuple[list[Value], Value]]]:
    rng = random.Random(seed)
    return [
        [([Value(rng.uniform(-1, 1)) for _ in range(nin)], Value(rng.uniform(-0.5, 0.5)))
         for _ in range(nout)]
        for nin, nout in zip(sizes, sizes[1:])
    ]  # fmt: skip


def mlp_loss(layers, points: list[list[float]], labels: list[float]) -> Value:  # type: ignore[no-untyped-def]
    """Max-margin loss of a ReLU MLP over a batch: relu is a per-element branch."""
    losses = []
    for point, label in zip(points, labels):
        x = point
        for depth, layer in enumerate(layers):
            acts = [al.linear(w, x, b) for w, b in layer]
            x = acts if depth == len(layers) - 1 else [a.relu() for a in acts]
        losses.append((1 - label * x[0]).relu())
    return al.total(losses) / len(losses)


def test_mlp_replay_matches_eager_at_many_inputs_and_after_updates() -> None:
    layers = make_mlp(0, [2, 8, 8, 1])
    params = [p for layer in layers for w, b in layer for p in [*w, b]]
    rng = random.Random(1)

    def batch() -> tuple[list[list[float]], list[float]]:
        pts = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(20)]
        return pts, [1.0 if x * y > 0 else -1.0 for x, y in pts]

    tape = trace(lambda pts, ys: mlp_loss(layers, pts, ys), *batch())
    assert tape.guards == []  # relu is an operation, not Python control flow
    for _ in range(15):
        pts, ys = batch()
        for p in params:
            p.grad = 0.0
        eager = mlp_loss(layers, pts, ys)
        eager.backward()
        expected = [p.grad for p in params]
        for p in params:
            p.grad = 0.0
        replayed = tape.backward(pts, ys)
        assert replayed == pytest.approx(eager.data, rel=1e-12)
        assert [p.grad for p in params] == pytest.approx(expected, rel=1e-12, abs=1e-15)
        for p, g in zip(params, expected):
            p.data -= 0.1 * g  # the next replay reads the updated parameters


def branchy(x: Value) -> Value:
    if x > 0:
        return x.log()
    return (-x).sqrt() * 3


def test_a_failed_guard_retraces_and_gives_the_other_branch() -> None:
    tape = trace(branchy, 2.0)
    assert tape(2.0) == pytest.approx(math.log(2.0))
    value, (grad,) = tape.value_and_grad(-4.0)  # log(-4) on the old path would be an error
    assert value == pytest.approx(6.0) and grad == pytest.approx(-0.75)
    assert "guard x0 > c0 is False" in str(tape)


def test_a_failed_guard_raises_when_retracing_is_off() -> None:
    tape = trace(branchy, 2.0, retrace=False)
    with pytest.raises(TraceGuardError, match=r"x0 > c0.*True branch"):
        tape(-4.0)


def test_a_number_escaping_to_python_is_guarded() -> None:
    def f(x: Value) -> Value:
        return x * math.cos(float(x))  # cos of the *traced* number would be baked in

    tape = trace(f, 0.5)
    value, (grad,) = tape.value_and_grad(1.5)
    assert value == pytest.approx(1.5 * math.cos(1.5))
    assert grad == pytest.approx(math.cos(1.5))


def test_listing_is_three_address_code_and_source_is_python() -> None:
    def f(x: Value, w: Value) -> Value:
        return (x * w + 1.0).tanh()

    tape = trace(f, 0.5, -1.0)
    listing = str(tape)
    assert "t0 = x0 * x1" in listing and "t1 = t0 + c0" in listing
    assert "t2 = tanh(t1)" in listing and listing.endswith("return t2")
    assert "def forward_backward(inputs, leaves):" in tape.source
    compile(tape.source, "<check>", "exec")


def test_errors_are_clear() -> None:
    with pytest.raises(TypeError, match="callable"):
        trace(3.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must return a Value"):
        trace(lambda x: 3.0, 1.0)
    with pytest.raises(TypeError, match="argument 0.*str"):
        trace(lambda x: x, "a")
    tape = trace(lambda xs: al.total(xs), [1.0, 2.0])
    with pytest.raises(TypeError, match="1 arguments, got 2"):
        tape([1.0, 2.0], 3.0)
    with pytest.raises(ValueError, match="argument 0.*sequence of 2"):
        tape([1.0, 2.0, 3.0])


def test_domain_errors_on_replay_come_from_the_engine() -> None:
    tape = trace(lambda x: (x - 1.0).log(), 3.0)
    with pytest.raises(ValueError, match="log: the input must be positive, got -1.0"):
        tape(0.0)
    overflow = trace(lambda x: x * x, 2.0)
    with pytest.raises(OverflowError, match=r"\*"):
        overflow(1e200)


def test_a_tape_and_its_graph_are_freed_by_reference_counting() -> None:
    w = Value(0.3)
    gc.collect()
    gc.disable()
    try:
        before = sys.getrefcount(w)
        tape = trace(lambda x: (x * w).tanh() * w, 1.0)
        tape.backward(2.0)
        assert sys.getrefcount(w) > before
        del tape
        assert sys.getrefcount(w) == before
    finally:
        gc.enable()


def test_the_readme_example_runs_and_matches_eager() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("## Trace once, replay fast") :]
    code = section[section.index("```python\n") + 10 : section.index("```\n", 10)]
    namespace: dict[str, object] = {}
    exec(compile(code, "<README tape block>", "exec"), namespace)
    x, w = Value(2.0), Value(0.25)
    out = namespace["f"](x, w)  # type: ignore[operator]
    out.backward()
    assert namespace["value"] == out.data
    assert (namespace["dx"], namespace["dw"]) == (x.grad, w.grad)


def test_a_tape_draws_its_graph_through_the_real_dot() -> None:
    import xml.etree.ElementTree as ET

    tape = trace(lambda x, w: (x * w).tanh(), 0.5, -2.0)
    svg = tape.draw().pipe(format="svg").decode()
    text = " ".join(t.text or "" for t in ET.fromstring(svg).iter() if t.tag.endswith("text"))
    assert "tanh" in text and "0.5" in text and "-2" in text


def test_aux_outputs_are_reported_beside_the_value() -> None:
    w = Value(0.5)

    def loss_and_predictions(xs: list[Value]) -> tuple[Value, list[Value]]:
        predictions = [(x * w).tanh() for x in xs]
        return al.total([p * p for p in predictions]), predictions

    tape = trace(loss_and_predictions, [1.0, -2.0], has_aux=True)
    (value, predictions), (grads,) = tape.value_and_grad([0.3, 1.2])
    xs = [Value(0.3), Value(1.2)]
    eager, eager_predictions = loss_and_predictions(xs)
    eager.backward()
    assert value == eager.data and predictions == [p.data for p in eager_predictions]
    assert grads == [x.grad for x in xs]
    w.grad = 0.0
    value, predictions = tape.backward([0.3, 1.2])
    assert w.grad != 0.0 and len(predictions) == 2
    assert tape([0.3, 1.2]) == (value, predictions)
    with pytest.raises(TypeError, match="pair"):
        trace(lambda x: x * w, 1.0, has_aux=True)
    with pytest.raises(TypeError, match="aux must hold Values"):
        trace(lambda x: (x * w, [1.0]), 1.0, has_aux=True)


def test_a_sum_of_many_terms_compiles_and_equals_eager() -> None:
    # one statement of thousands of '+' would exceed the compiler's recursion limit
    xs = [random.Random(3).uniform(-1, 1) for _ in range(5000)]
    tape = trace(lambda values: al.total([v * v for v in values]), xs)
    value, (grads,) = tape.value_and_grad(xs)
    leaves = [Value(x) for x in xs]
    eager = al.total([v * v for v in leaves])
    eager.backward()
    assert value == eager.data and grads == [v.grad for v in leaves]


def test_a_number_read_from_data_that_no_longer_suits_forces_a_new_trace() -> None:
    def stable_logsumexp(xs: list[Value]) -> Value:
        m = max(x.data for x in xs)  # read directly: no guard sees it
        return al.total([(x - m).exp() for x in xs]).log() + m

    tape = trace(stable_logsumexp, [0.0, 1.0])
    value, _ = tape.value_and_grad([800.0, 801.0])  # exp(801 - 1) overflows on the old shift
    assert value == pytest.approx(801.0 + math.log1p(math.exp(-1.0)))
    strict = trace(stable_logsumexp, [0.0, 1.0], retrace=False)
    with pytest.raises(TraceGuardError, match="read a number while tracing"):
        strict([800.0, 801.0])


def test_a_retrace_after_a_failed_replay_counts_each_gradient_once() -> None:
    w = Value(1.0)

    def f(xs: list[Value]) -> Value:
        m = max(x.data for x in xs)  # read directly: no guard sees it
        return al.total([((x * w) - m).exp() for x in xs]).log() + m

    tape = trace(f, [0.0, 1.0])
    tape.backward([800.0, 801.0])  # the old shift overflows: traced again, then replayed
    replayed = w.grad
    w.grad = 0.0
    f([Value(800.0), Value(801.0)]).backward()
    assert replayed == pytest.approx(w.grad, rel=1e-12)


def test_tracing_pauses_the_collector_only_while_it_records_and_restores_it() -> None:
    seen: list[bool] = []

    def f(x: Value) -> Value:
        seen.append(gc.isenabled())
        return x * 2.0

    trace(f, 1.0)
    assert seen == [False] and gc.isenabled()  # paused while the function ran once

    def failing(x: Value) -> Value:
        raise KeyError("inside the traced function")

    with pytest.raises(KeyError):
        trace(failing, 1.0)
    assert gc.isenabled()  # restored on an error too
    gc.disable()
    try:
        trace(f, 1.0)
        assert not gc.isenabled()  # a collector the user switched off stays off
    finally:
        gc.enable()
