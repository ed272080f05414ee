"""Code written for micrograd runs unchanged on autograd-lite and gives the same numbers."""

import micrograd.engine
import pytest

import autograd_lite


def micrograd_readme_example(Value: type) -> tuple[object, object, object]:  # noqa: N803
    """The example from micrograd's README, verbatim but for the Value class passed in."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return a, b, g


def test_the_readme_example_gives_micrograds_numbers() -> None:
    a, b, g = micrograd_readme_example(autograd_lite.Value)
    ma, mb, mg = micrograd_readme_example(micrograd.engine.Value)
    assert g.data == pytest.approx(mg.data, rel=1e-12)  # 24.7041
    assert a.grad == pytest.approx(ma.grad, rel=1e-12)  # 138.8338
    assert b.grad == pytest.approx(mb.grad, rel=1e-12)  # 645.5773


def test_lecture_style_labels_and_manual_update() -> None:
    Value = autograd_lite.Value  # noqa: N806
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    e = a * b
    e.label = "e"
    L = e + Value(10.0, label="c")  # noqa: N806
    L.label = "L"
    L.backward()
    assert {child.label for child in L._prev} == {"e", "c"}
    assert L._op == "+" and e._op == "*"
    lr = 0.01
    for p in (a, b):
        p.data += -lr * p.grad
    assert a.data == pytest.approx(2.0 + 0.03) and b.data == pytest.approx(-3.0 - 0.02)


def test_micrograd_training_code_runs_with_only_the_imports_changed() -> None:
    import random

    import micrograd.nn

    import nn
    from autograd_lite import draw_dot

    random.seed(1337)
    theirs = micrograd.nn.MLP(3, [4, 4, 1])
    ours = nn.MLP(3, [4, 4, 1])
    assert len(ours.parameters()) == len(theirs.parameters()) == 41
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        p.data = q.data  # micrograd's order: layer by layer, neuron by neuron, weights then bias
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    for model in (ours, theirs):  # the lecture's loop, verbatim
        for _ in range(5):
            ypred = [model(x) for x in xs]
            loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred))
            model.zero_grad()
            loss.backward()
            for p in model.parameters():
                p.data += -0.05 * p.grad
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert p.data == pytest.approx(q.data, rel=1e-12, abs=1e-15)
    svg = draw_dot(ours([2.0, 3.0, -1.0])).pipe(format="svg").decode()
    assert "<svg" in svg and "linear" in svg
