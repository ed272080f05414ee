"""The backward stepper's frames: the engine's order and numbers, explained term by term."""

from __future__ import annotations

import math
import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite
from autograd_lite import BackwardStepper, Value, backpropagate, backward_stepper, topological_order
from autograd_lite.drawing import format_number
from tests.stand_ins import (
    SEED_BIASES,
    SEED_INPUTS,
    SEED_TARGETS,
    SEED_WEIGHTS,
    seed_loss,
    seed_network,
)
from tests.svg_helpers import parse


def test_frames_are_backpropagate_in_its_order_with_its_numbers() -> None:
    loss = seed_loss(seed_network())
    stepper = backward_stepper(loss)
    engine = list(backpropagate(loss, 1.0))
    assert [(f.node, f.grad) for f in stepper.frames] == engine
    assert [f.index for f in stepper.frames] == list(range(len(engine)))
    order = topological_order(loss)
    assert [f.node_id for f in stepper.frames] == [f"v{order.index(n)}" for n, _ in engine]


def test_each_gradient_is_the_sum_of_its_local_derivative_products() -> None:
    loss = seed_loss(seed_network())
    stepper = backward_stepper(loss)
    root, *rest = stepper.frames
    assert root.node is loss and root.grad == 1.0 and root.terms == ()
    completed = {root.node: root.grad}
    for frame in rest:
        assert frame.terms, "every node but the root gets its gradient from somewhere"
        total = frame.terms[0].product
        for term in frame.terms[1:]:
            total += term.product
        assert total == frame.grad  # the same products, added in the engine's order
        for term in frame.terms:
            assert frame.node in term.consumer.parents
            assert term.consumer.parents[term.operand_index] is frame.node
            assert term.upstream_grad == completed[term.consumer]  # complete before it is used
        completed[frame.node] = frame.grad


def test_local_derivatives_match_central_differences() -> None:
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    z = (x * y).sin() + x / y - (x**3).exp()
    stepper = backward_stepper(z)
    h = 1e-6
    for frame in stepper.frames:
        for term in frame.terms:
            consumer, j = term.consumer, term.operand_index
            assert consumer.operation is not None
            inputs = [p.data for p in consumer.parents]
            up, down = list(inputs), list(inputs)
            up[j] += h
            down[j] -= h
            forward = consumer.operation.forward
            numeric = (forward(*up) - forward(*down)) / (2 * h)
            assert term.local_grad == pytest.approx(numeric, rel=1e-6, abs=1e-8)


def test_the_seed_worked_example_gives_its_published_gradients() -> None:
    model = seed_network()
    loss = seed_loss(model)
    assert loss.data == pytest.approx(0.298371109, abs=1e-9)
    grads = {f.node.label: f.grad for f in backward_stepper(loss).frames if f.node.label}
    assert grads["w5"] == pytest.approx(0.082167041, abs=1e-9)
    assert grads["w1"] == pytest.approx(0.000438568, abs=1e-9)
    # PyTorch in float64 on the same network
    def leaf(x: float) -> torch.Tensor:
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    w = {k: leaf(v) for k, v in SEED_WEIGHTS.items()}
    b = {k: leaf(v) for k, v in SEED_BIASES.items()}
    i1, i2 = SEED_INPUTS
    h1 = torch.sigmoid(w["w1"] * i1 + w["w2"] * i2 + b["b1"])
    h2 = torch.sigmoid(w["w3"] * i1 + w["w4"] * i2 + b["b1"])
    o1 = torch.sigmoid(w["w5"] * h1 + w["w6"] * h2 + b["b2"])
    o2 = torch.sigmoid(w["w7"] * h1 + w["w8"] * h2 + b["b2"])
    e = 0.5 * (SEED_TARGETS[0] - o1) ** 2 + 0.5 * (SEED_TARGETS[1] - o2) ** 2
    e.backward()
    for name, tensor in {**w, **b}.items():
        assert tensor.grad is not None
        assert grads[name] == pytest.approx(tensor.grad.item(), rel=1e-12, abs=1e-15)


def test_stepping_leaves_the_users_gradients_alone() -> None:
    loss = seed_loss(seed_network())
    for node in topological_order(loss):
        node.grad = 7.0
    stepper = backward_stepper(loss)
    stepper.to_html()
    assert all(node.grad == 7.0 for node in topological_order(loss))


def test_the_page_shows_this_pass_not_stale_grads() -> None:
    a = Value(2.0, label="a")
    b = a * a
    b.label = "b"
    a.grad = 123.0  # stale, from some earlier pass
    elements = parse(backward_stepper(b).svg())
    a_box = next(e for e in elements.values() if e.texts[:1] == ["a"])
    assert a_box.texts == ["a", "data 2", "grad 4"]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.sampled_from("+*-t")),
                min_size=1, max_size=25),
       st.floats(-3, 3))
def test_frames_agree_with_backward_on_random_graphs(
    steps: list[tuple[int, int, str]], seed_grad: float
) -> None:
    pool = [Value(0.5, label="p"), Value(-1.5, label="q"), Value(2.0, requires_grad=False)]
    for i, j, op in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        results = {"+": a + b, "*": a * b, "-": a - b}
        pool.append(results[op] if op in results else a.tanh())
    root = pool[-1]
    if not root.requires_grad:
        return
    stepper = backward_stepper(root, seed_grad, max_nodes=None)
    root.backward(seed_grad)
    for frame in stepper.frames:
        assert frame.grad == frame.node.grad
        if frame.terms:
            assert math.fsum(t.product for t in frame.terms) == pytest.approx(frame.grad)


def test_captions_show_the_products() -> None:
    x = Value(3.0, label="x")
    y = x * 2.0
    y.label = "y"
    stepper = backward_stepper(y)
    html = stepper.to_html()
    assert "∂y/∂y = 1" in html
    assert "∂y/∂x = 2·∂y/∂y = 2 × 1 = 2" in html
    seeded = backward_stepper(y, 0.5).to_html()
    assert "∂y/∂y = 1, times the starting gradient 0.5" in seeded
    assert "∂y/∂x = 2·∂y/∂y = 2 × 0.5 = 1" in seeded


def test_page_is_self_contained() -> None:
    loss = seed_loss(seed_network())
    html = backward_stepper(loss).to_html()
    assert html.startswith("<!DOCTYPE html>")
    assert "<svg" in html and "<?xml" not in html
    assert re.search(r"<(script|link|img|iframe)[^>]*(src|href)=", html) is None
    assert "url(" not in html and "@import" not in html
    without_namespaces = re.sub(r'xmlns(:\w+)?="[^"]*"', "", html)
    assert "http" not in without_namespaces.replace("http-equiv", "")
    assert "default-src 'none'" in html  # the browser itself refuses any fetch


def test_hostile_labels_cannot_break_the_page() -> None:
    a = Value(1.0, label="</script><script>alert(1)</script> {{frames}} \\N")
    b = a * 2.0
    html = backward_stepper(b).to_html()
    script = html[html.index("<script>") :]
    assert script.count("</script>") == 1  # the label cannot close the script early
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "{{frames}}" in svg  # shown as text: the template is filled in one pass


def test_save_and_notebook_display(tmp_path: object) -> None:
    from pathlib import Path

    y = Value(2.0, label="a").exp()
    stepper = backward_stepper(y)
    path = stepper.save(Path(str(tmp_path)) / "steps.html")
    assert path.read_text(encoding="utf-8") == stepper.to_html()
    titled = stepper.save(Path(str(tmp_path)) / "titled.html", title="e^a <by hand>")
    assert "<title>e^a &lt;by hand&gt;</title>" in titled.read_text(encoding="utf-8")
    frame = stepper._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
    assert "&lt;svg" in frame  # the page is escaped into the attribute
    assert len(stepper) == 2 and "2 frames" in repr(stepper)


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(TypeError, match="root must be a Value"):
        backward_stepper(3.0)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match="does not require grad"):
        backward_stepper(Value(1.0, requires_grad=False))
    with pytest.raises(TypeError, match="gradient must be a real number"):
        backward_stepper(Value(1.0), "1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rankdir"):
        backward_stepper(Value(1.0), rankdir="up")
    y = Value(1.0)
    for _ in range(20):
        y = y * 1.0
    with pytest.raises(ValueError, match="has 41 nodes, above the limit max_nodes=10"):
        backward_stepper(y, max_nodes=10)


def test_exported() -> None:
    assert autograd_lite.backward_stepper is backward_stepper
    assert isinstance(backward_stepper(Value(1.0)), BackwardStepper)
    assert format_number(backward_stepper(Value(1.0)).frames[0].grad) == "1"


def test_a_loss_of_one_term_has_no_node_that_adds_nothing() -> None:
    import nn

    out = Value(0.75, label="out_o1")
    for loss in (nn.half_sum_squared_error(out, 0.01), nn.half_sum_squared_error([out], [0.01])):
        order = topological_order(loss)
        assert not [n for n in order if n.op == "add_n" and len(n.parents) == 1]
        frames = backward_stepper(loss).frames
        assert frames[-1].node is out and frames[-1].grad == pytest.approx(0.74)
