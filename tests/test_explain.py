"""explain(root, wrt): the derivation reads like the hand one and its numbers are the engine's."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import Explanation, Value, backpropagate, explain, topological_order
from autograd_lite.naming import node_names
from nn import MLP
from nn.worked_example import first_pass
from tests.cli_helpers import assert_one_line_error, run_cli


def engine_gradient(root: Value, wrt: Value) -> float:
    return next((float(g) for node, g in backpropagate(root, 1.0) if node is wrt), 0.0)


def test_w5_reads_like_the_textbook() -> None:
    network, total = first_pass()
    text = str(explain(total, network.params["w5"]))
    assert "∂E_total/∂w5 = ∂E_total/∂out_o1 × ∂out_o1/∂net_o1 × ∂net_o1/∂w5" in text
    assert "= 0.74136507 × 0.186815602 × 0.593269992 = 0.082167041" in text
    assert "∂out_o1/∂net_o1 = out_o1·(1-out_o1) = 0.186815602" in text
    assert "∂net_o1/∂w5 = out_h1 = 0.593269992" in text
    assert "∂E_total/∂out_o1 = -(target_o1-out_o1) = 0.74136507" in text


def test_w1_sums_both_output_paths_into_out_h1() -> None:
    network, total = first_pass()
    explanation = explain(total, network.params["w1"])
    text = str(explanation)
    assert ("∂E_total/∂out_h1 = ∂E_total/∂net_o1 × ∂net_o1/∂out_h1 + "
            "∂E_total/∂net_o2 × ∂net_o2/∂out_h1") in text
    assert "= 0.138498562 × 0.4 + (-0.038098237) × 0.5 = 0.036350306" in text
    assert "= 0.036350306 × 0.241300709 × 0.05 = 0.000438568" in text
    [out_h1] = [s for s in explanation.steps if s.node == "out_h1"]
    assert len(out_h1.terms) == 2 and round(out_h1.value, 9) == 0.036350306
    assert explanation.value == pytest.approx(network.params["w1"].grad, rel=1e-12)


def test_the_same_figures_without_a_single_intermediate_label() -> None:
    """Built as a user would (the model's own forward pass and a library loss): arithmetic with
    constants folds into one factor, so the textbook's three factors still come out."""
    import nn
    from nn import worked_example as we

    model, params = we.build_network()
    total = nn.half_sum_squared_error(model(list(we.INPUTS)), list(we.TARGETS))
    total.label = "E"
    w5 = str(explain(total, params["w5"]))
    assert "= 0.74136507 × 0.186815602 × 0.593269992 = 0.082167041" in w5
    w1 = str(explain(total, params["w1"]))
    assert "= 0.138498562 × 0.4 + (-0.038098237) × 0.5 = 0.036350306" in w1
    drawn = set(node_names(topological_order(total)).values())
    named = set(re.findall(r"∂\(?([\w.*+-]+?)\)?/", w1 + w5)) | set(re.findall(r"\bt\d+\b", w1))
    assert named <= drawn, named - drawn


def test_every_name_it_speaks_of_is_drawn() -> None:
    network, total = first_pass()
    order = topological_order(total)
    drawn = set(node_names(order).values())
    for weight in ("w1", "w5", "w8"):
        explanation = explain(total, network.params[weight])
        for step in explanation.steps:
            assert step.node in drawn
            for term in step.terms:
                for factor in term:
                    assert {factor.numerator, factor.denominator} <= drawn


def test_it_never_writes_grad() -> None:
    x, y = Value(1.5, label="x"), Value(-2.0, label="y")
    f = x * y + x.sin()
    before = [(n, n.grad) for n in topological_order(f)]
    explain(f, x)
    assert [(n, n.grad) for n in topological_order(f)] == before


def test_shared_subexpressions_sum_their_uses() -> None:
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    a = x * w
    f = a * a + a.sin()
    f.label = "f"
    explanation = explain(f, x)
    text = str(explanation)
    assert "∂f/∂(x*w) = ∂f/∂((x*w)*(x*w)) × ∂((x*w)*(x*w))/∂(x*w) + " in text
    assert "∂((x*w)*(x*w))/∂(x*w) = x*w+x*w = -12" in text
    assert explanation.value == pytest.approx(engine_gradient(f, x), rel=1e-12)
    square = x * x
    square.label = "s"
    assert "∂s/∂x = x+x = 4" in str(explain(square, x))


def test_a_constant_path_and_no_path() -> None:
    x = Value(3.0, label="x")
    c = Value(2.0, label="c", requires_grad=False)
    f = x * c
    f.label = "f"
    through_constant = explain(f, c)
    assert through_constant.value == 3.0  # d(x*c)/dc = x, though backward() skips c
    assert any("requires no grad" in note for note in through_constant.notes)
    assert c.grad == 0.0
    other = Value(1.0, label="z")
    nowhere = explain(f, other)
    assert nowhere.value == 0.0 and nowhere.steps == ()
    assert "does not depend on it" in str(nowhere)
    unused = Value(5.0, label="u")
    g = x * 2.0 + 0.0 * unused.detach()
    g.label = "g"
    assert explain(g, unused).value == 0.0


def test_formats_latex_and_markdown() -> None:
    network, total = first_pass()
    explanation = explain(total, network.params["w5"])
    latex = explanation.to_latex()
    assert latex.startswith("\\begin{aligned}") and latex.endswith("\\end{aligned}")
    assert "\\frac{\\partial E_{\\mathrm{total}}}{\\partial \\mathrm{out}_{o1}}" in latex
    assert "0.74136507 \\times 0.186815602 \\times 0.593269992 = 0.082167041" in latex
    assert "∂" not in latex and "·" not in latex
    markdown = explanation._repr_markdown_()
    assert "$$\n\\begin{aligned}" in markdown and latex in markdown
    assert isinstance(explanation, Explanation) and "0.082167041" in repr(explanation)


def test_a_graph_too_large_is_refused_clearly() -> None:
    model = MLP(3, [16, 16, 1], activation="tanh", seed=0)
    first_weight = Value(0.5)  # an input that every neuron of the first layer uses
    loss = (model([first_weight, -1.0, 2.0]) - 1.0) ** 2
    with pytest.raises(ValueError, match=r"steps, more than max_steps=40.*max_steps=None"):
        explain(loss, first_weight)
    full = explain(loss, first_weight, max_steps=None)
    assert full.value == pytest.approx(engine_gradient(loss, first_weight), rel=1e-9)
    with pytest.raises(TypeError, match="wrt must be a Value"):
        explain(loss, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="max_steps"):
        explain(loss, first_weight, max_steps=0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-2, 2, allow_nan=False), min_size=3, max_size=3),
    st.lists(st.tuples(st.sampled_from("+*-ts"), st.integers(0, 9), st.integers(0, 9),
                       st.booleans()), min_size=1, max_size=8),
)
def test_the_value_is_the_engines_gradient(
    inputs: list[float], program: list[tuple[str, int, int, bool]]
) -> None:
    """Any graph, with or without labelled intermediate nodes (which collapse the unlabelled
    ones between them into one factor): the derivation's value is the engine's gradient."""
    nodes = [Value(x, label=f"x{k}") for k, x in enumerate(inputs)]
    for step, (op, i, j, labelled) in enumerate(program):
        a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append({"+": a + b, "*": a * b, "-": a - b, "t": a.tanh(), "s": a.sin()}[op])
        if labelled:
            nodes[-1].label = f"n{step}"
    root = nodes[-1]
    if not root.parents:
        root = root * 1.0
    for wrt in nodes[:3]:
        explanation = explain(root, wrt, max_steps=None)
        assert math.isclose(explanation.value, engine_gradient(root, wrt), rel_tol=1e-9,
                            abs_tol=1e-12)


def test_labelled_nodes_collapse_branching_unlabelled_ones() -> None:
    x = Value(0.4, label="x")
    h = x * 3.0
    h.label = "h"
    square = h * h
    f = square.sin() + square.cos() * h  # unlabelled branches between h and f
    f.label = "f"
    explanation = explain(f, x)
    assert [step.node for step in explanation.steps] == ["x"]
    [[to_h, h_to_x]] = explanation.steps[0].terms
    assert (to_h.numerator, to_h.denominator) == ("f", "h")
    assert to_h.value == pytest.approx(engine_gradient(f, h), rel=1e-12)
    assert h_to_x.value == 3.0
    assert explanation.value == pytest.approx(engine_gradient(f, x), rel=1e-12)


def test_command_line(tmp_path: object) -> None:
    from pathlib import Path

    cwd = Path(str(tmp_path))
    result = run_cli("explain", "x*y + sin(x)", "--at", "x=1.5,y=-2", "--wrt", "x", cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "∂f/∂x = ∂f/∂(x*y) × ∂(x*y)/∂x + ∂f/∂sin(x) × ∂sin(x)/∂x" in result.stdout
    assert "So ∂f/∂x = -1.929262798." in result.stdout
    latex = run_cli("explain", "x*y", "--at", "x=1.5,y=-2", "--wrt", "y", "--latex", cwd=cwd)
    assert latex.stdout.startswith("\\begin{aligned}")
    assert_one_line_error(run_cli("explain", "x*y", "--at", "x=1,y=2", cwd=cwd), "--wrt")
    assert_one_line_error(
        run_cli("explain", "x*y", "--at", "x=1,y=2", "--wrt", "z", cwd=cwd), "'z'"
    )


@pytest.mark.parametrize(
    ("expression", "at", "name"),
    [("sqrt(x)", "x=0", "sqrt"), ("asin(x)", "x=1", "asin"), ("x**0.5", "x=0", "**"),
     ("atan2(x, y)", "x=0,y=0", "atan2")],
)
def test_an_infinite_local_derivative_is_backwards_error(expression: str, at: str,
                                                         name: str) -> None:
    """Where a derivative does not exist, explain says so as backward() does, naming the
    operation and its inputs (in Python and on the command line), instead of failing inside."""
    from pathlib import Path

    import autograd_lite
    from autograd_lite.cli.expression import parse

    point = {k: float(v) for k, v in (pair.split("=") for pair in at.split(","))}
    root = parse(expression).evaluate(point).root
    wrt = next(n for n in topological_order(root) if n.label == "x")
    with pytest.raises(ArithmeticError, match=f"'{re.escape(name)}'"):
        root.backward()
    with pytest.raises(ArithmeticError, match=f"backward through '{re.escape(name)}'"):
        autograd_lite.explain(root, wrt)
    result = run_cli("explain", expression, "--at", at, "--wrt", "x", cwd=Path.cwd())
    assert_one_line_error(result, f"'{name}'")
