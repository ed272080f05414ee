"""draw_dot: what the real ``dot`` draws (parsed from its SVG), escaping, options, size guard."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite
from autograd_lite import Operation, Value, draw_dot, topological_order
from autograd_lite import drawing as drawing_module
from autograd_lite.drawing import (
    DEFAULT_MAX_NODES,
    HIGHLIGHT_COLOR,
    format_number,
    nodes_between,
)
from autograd_lite.graph import count_nodes
from tests.stand_ins import random_mlp
from tests.svg_helpers import Element, all_texts, render


def neuron() -> dict[str, Value]:
    """micrograd's lecture neuron, o = tanh(x1*w1 + x2*w2 + b), with every node labelled."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    s = x1w1 + x2w2
    s.label = "s"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {v.label: v for v in (x1, x2, w1, w2, b, x1w1, x2w2, s, n, o)}


def by_label(elements: dict[str, Element]) -> dict[str, Element]:
    """Value boxes keyed by their (first) label text."""
    return {e.texts[0]: e for e in elements.values() if "value" in e.classes}


def test_every_value_shows_its_label_data_and_grad() -> None:
    nodes = neuron()
    o = nodes["o"]
    o.backward()
    boxes = by_label(render(draw_dot(o)))
    assert set(boxes) == set(nodes)
    for label, node in nodes.items():
        assert boxes[label].texts == [label, f"data {format_number(node.data)}",
                                      f"grad {format_number(node.grad)}"]
    # The numbers are the chain rule's: do/dx1 = w1 * (1 - o**2) = -3 * 0.5.
    assert boxes["x1"].texts[2] == "grad -1.5"
    assert boxes["w1"].texts[2] == "grad 1"
    assert boxes["o"].texts[1] == f"data {format_number(math.tanh(nodes['n'].data))}"


def test_each_operation_is_its_own_node_between_operands_and_result() -> None:
    nodes = neuron()
    o = nodes["o"]
    elements = render(draw_dot(o))
    ops = sorted(e.texts[0] for e in elements.values() if "op" in e.classes)
    assert ops == ["*", "*", "+", "+", "tanh"]
    edges = {e.title for e in elements.values() if "edge" in e.classes}
    order = topological_order(o)
    expected = set()
    for i, node in enumerate(order):
        for parent in node.parents:
            expected.add(f"v{order.index(parent)}->op{i}")
        if node.parents:
            expected.add(f"op{i}->v{i}")
    assert edges == expected


def test_repeated_operand_gets_one_edge_per_use_and_operands_are_numbered() -> None:
    a = Value(3.0, label="a")
    b = Value(2.0, label="b")
    c = (a + a) / b
    elements = render(draw_dot(c))
    edges = [e for e in elements.values() if "edge" in e.classes]
    order = topological_order(c)
    a_to_plus = f"v{order.index(a)}->op{order.index(c.parents[0])}"
    assert [e.title for e in edges].count(a_to_plus) == 2  # a + a: two uses of a
    numbered = {e.title: e.texts for e in edges if e.texts}
    assert sorted(numbered.values()) == [["1"], ["2"]]  # only the division's operands


@pytest.mark.parametrize(
    ("x", "text"),
    [(2.0, "2"), (-3.0, "-3"), (0.5932699921071872, "0.5933"), (-1.23444e-05, "-1.234e-05"),
     (123456.0, "1.235e+05"), (0.0, "0"), (-0.0, "0"), (math.nan, "nan"), (math.inf, "inf"),
     (-math.inf, "-inf"), (1e-300, "1e-300")],
)
def test_numbers_are_compact(x: float, text: str) -> None:
    assert format_number(x) == text


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=-1e308, max_value=1e308))  # 1.7975e308 would round up to inf
def test_compact_numbers_keep_four_significant_digits(x: float) -> None:
    text = format_number(x)
    assert len(text) <= 11  # -1.234e+104
    assert float(text) == pytest.approx(x, rel=5e-4, abs=0.0) or x == 0


HOSTILE = [
    'quote " backslash \\ angle < > braces { } bar | amp &',
    "two\nlines",
    "windows\r\nline and \r old mac",
    "née, 漢字, Ελληνικά, עברית, emoji 😀",
    "</TD></TR></TABLE>> ]; node [label=x",
    "&amp; &lt; &#60; entities stay literal",
    "\\n \\l \\N \\G \\E \\T \\H \\L \\\\ Graphviz escapes stay literal",
    "tab\there, nul\x00 and bell\x07",
    "{{svg}} {{frames}}",
]


def shown(label: str) -> list[str]:
    """What the picture should show for a label: its lines, control characters as escapes."""
    label = label.replace("\r\n", "\n").replace("\r", "\n")
    return [
        "".join(repr(ch)[1:-1] if ord(ch) < 32 or ord(ch) == 127 else ch for ch in line)
        for line in label.split("\n")
    ]


@pytest.mark.parametrize("label", HOSTILE)
def test_hostile_labels_render_exactly(label: str) -> None:
    a = Value(1.5, label=label)
    b = a * 2.0
    b.label = "b " + label
    b.backward()
    boxes = [e for e in render(draw_dot(b)).values() if "value" in e.classes]
    lines = shown(label)
    texts = sorted((e.texts for e in boxes), key=len)
    assert [t[: len(lines)] for t in texts] == [lines, ["b " + lines[0], *lines[1:]]]
    assert texts[0][len(lines):] == ["data 1.5", "grad 2"]


@pytest.mark.parametrize("name", ['<op "name" & {x|y}>', "swish\nv2", "σ"])
def test_hostile_operation_names_render_exactly(name: str) -> None:
    op = Operation(name, lambda x: 2 * x, lambda x, out: (2.0,))
    y = op(Value(1.0, label="x"))
    elements = render(draw_dot(y))
    [op_node] = [e for e in elements.values() if "op" in e.classes]
    assert op_node.texts == shown(name)


@settings(max_examples=25, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
               min_size=1, max_size=12).filter(lambda s: s.strip() == s and "  " not in s))
def test_any_printable_label_round_trips_through_dot(label: str) -> None:
    y = Value(1.0, label=label) * 3.0
    boxes = [e for e in render(draw_dot(y)).values() if "value" in e.classes]
    assert [label, "data 1", "grad 0"] in [e.texts for e in boxes]


def rgb(color: str) -> tuple[int, int, int]:
    assert re.fullmatch(r"#[0-9a-f]{6}", color), color
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def table_fill(element: Element) -> tuple[int, int, int]:
    fills = [f for f in element.fills if f not in ("none", "")]
    return rgb(fills[0])


def test_color_by_grad_shows_sign_and_magnitude_with_a_legend() -> None:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(0.5, label="c")
    y = a * b + c * 0.1  # dy/da = -3, dy/db = 2, dy/dc = 0.1
    y.label = "y"
    y.backward()
    elements = render(draw_dot(y, color_by_grad=True))
    boxes = by_label(elements)
    red_a, _, blue_a = table_fill(boxes["a"])
    red_b, _, blue_b = table_fill(boxes["b"])
    red_c, _, blue_c = table_fill(boxes["c"])
    assert red_a > blue_a  # negative gradient: red
    assert blue_b > red_b and blue_c > red_c  # positive: blue
    assert min(table_fill(boxes["b"])) < min(table_fill(boxes["c"]))  # |2| is stronger than 0.1
    legend = elements["legend"].texts
    assert legend[0].startswith("grad colour")
    assert {"-3", "3", "0", "nan/inf"} <= set(legend)  # the scale runs to the largest |grad|
    plain = render(draw_dot(y))
    assert "legend" not in plain
    assert all(f in ("none", "", "white", "#ffffff") for f in by_label(plain)["a"].fills)


def test_highlight_a_path_emphasises_its_nodes_and_edges() -> None:
    nodes = neuron()
    o = nodes["o"]
    path = nodes_between(nodes["w1"], o)
    assert [v.label for v in path] == ["w1", "x1*w1", "s", "n", "o"]
    elements = render(draw_dot(o, highlight=path))
    boxes = by_label(elements)
    for label in ("w1", "x1*w1", "s", "n", "o"):
        assert HIGHLIGHT_COLOR in boxes[label].strokes
    for label in ("x1", "w2", "b", "x2*w2"):
        assert HIGHLIGHT_COLOR not in boxes[label].strokes
    edges = [e for e in elements.values() if "edge" in e.classes]
    emphasised = [e for e in edges if HIGHLIGHT_COLOR in e.strokes]
    assert len(emphasised) == 8  # 4 operations on the path, each: operand edge + result edge


def test_highlight_rejects_foreign_nodes() -> None:
    y = Value(1.0) * 2
    with pytest.raises(ValueError, match="not in the graph"):
        draw_dot(y, highlight=[Value(3.0)])
    with pytest.raises(TypeError, match="highlight must hold Values"):
        draw_dot(y, highlight=[1.0])  # type: ignore[list-item]


def test_hide_constants_folds_them_into_their_operation() -> None:
    x = Value(3.0, label="x")
    y = (x**2).leaky_relu(0.01)
    shown_all = render(draw_dot(y))
    assert sum("constant" in e.classes for e in shown_all.values()) == 2
    folded = render(draw_dot(y, hide_constants=True))
    assert not [e for e in folded.values() if "constant" in e.classes]
    ops = sorted(e.texts[0] for e in folded.values() if "op" in e.classes)
    assert ops == ["** 2", "leaky_relu 0.01"]


def test_top_to_bottom_layout() -> None:
    x = Value(1.0, label="x")
    y = (x * 2).exp()
    y.label = "y"
    for rankdir, axis in (("LR", 0), ("TB", 1)):
        boxes = by_label(render(draw_dot(y, rankdir=rankdir)))
        assert boxes["y"].positions[0][axis] > boxes["x"].positions[0][axis] + 50
    with pytest.raises(ValueError, match="rankdir must be one of"):
        draw_dot(y, rankdir="sideways")


def test_micrograd_signature_and_notebook_display() -> None:
    y = Value(2.0, label="a") * 3
    picture = draw_dot(y, "svg", "TB")
    assert picture.format == "svg"
    bundle = picture._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
    assert draw_dot(y, format="png").pipe()[:8] == b"\x89PNG\r\n\x1a\n"


def test_drawing_never_changes_the_graph() -> None:
    nodes = neuron()
    o = nodes["o"]
    o.backward()
    before = [(v, v.data, v.grad, v.parents, v.operation, v.label) for v in topological_order(o)]
    render(draw_dot(o, color_by_grad=True, highlight=[o], hide_constants=True))
    after = [(v, v.data, v.grad, v.parents, v.operation, v.label) for v in topological_order(o)]
    assert before == after


def test_root_must_be_a_value() -> None:
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        draw_dot(1.0)  # type: ignore[arg-type]


def chain(length: int) -> Value:
    """A graph of 2 * length + 1 Values: x, then (constant, product) per step."""
    y = Value(1.0)
    for _ in range(length):
        y = y * 1.0
    return y


def test_size_guard_refuses_at_once_and_names_count_limit_and_alternatives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    big = chain(50_000)  # 100,001 Values

    def no_full_walk(root: Value) -> list[Value]:
        raise AssertionError("the guard must not order the whole graph")

    monkeypatch.setattr(drawing_module, "topological_order", no_full_walk)
    with pytest.raises(ValueError) as error:
        draw_dot(big)
    message = str(error.value)
    assert f"the graph has 100,001 nodes, above the limit max_nodes={DEFAULT_MAX_NODES};" in message
    assert "draw_module" in message and "draw_network" in message
    assert "max_nodes=None" in message


def test_size_guard_counts_a_refused_graph_only_so_far(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int | None] = []

    def counting(root: Value, stop_after: int | None = None) -> int:
        calls.append(stop_after)
        return count_nodes(root, stop_after)

    monkeypatch.setattr(drawing_module, "count_nodes", counting)
    monkeypatch.setattr(drawing_module, "COUNT_REPORT_LIMIT", 1_000)
    refused = "has more than 1,000 nodes, above the limit max_nodes=50;"
    with pytest.raises(ValueError, match=refused):
        draw_dot(chain(5_000), max_nodes=50)
    assert calls == [50, 1_000]  # decide within the limit, then count for the message, bounded
    calls.clear()
    draw_dot(chain(10), max_nodes=50)
    assert calls == [50]  # an accepted graph is counted once, only up to the limit


def test_size_guard_boundary_and_override() -> None:
    y = chain(10)  # 21 Values
    assert len(topological_order(y)) == 21
    draw_dot(y, max_nodes=21)
    with pytest.raises(ValueError, match="has 21 nodes, above the limit max_nodes=20;"):
        draw_dot(y, max_nodes=20)
    draw_dot(chain(3000), max_nodes=None)  # no limit: builds the 6,001-node source
    with pytest.raises(TypeError, match="max_nodes must be an int or None"):
        draw_dot(y, max_nodes=2.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 1"):
        draw_dot(y, max_nodes=0)


def test_default_limit_admits_one_sample_through_an_mlp_2_16_16_1() -> None:
    model = random_mlp(2, [16, 16, 1])
    loss = (model([0.5, -1.0])[0] - 1.0) ** 2
    size = len(topological_order(loss))
    assert 900 < size < DEFAULT_MAX_NODES
    picture = draw_dot(loss)  # laying it out takes dot ~15 s, so only the source is checked
    assert picture.source.count("class=value") + picture.source.count("class=constant") == size


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50), st.sampled_from("+*-")),
                min_size=1, max_size=40),
       st.integers(1, 60))
def test_count_nodes_agrees_with_the_topological_order(
    steps: list[tuple[int, int, str]], limit: int
) -> None:
    pool = [Value(1.0), Value(2.0, requires_grad=False)]
    for i, j, op in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(a + b if op == "+" else a * b if op == "*" else a - 0.5)
    root = pool[-1]
    size = len(topological_order(root))
    assert count_nodes(root) == size
    assert count_nodes(root, stop_after=limit) == min(size, limit + 1)


def test_draw_dot_is_exported() -> None:
    assert autograd_lite.draw_dot is draw_dot
    assert "draw_dot" in autograd_lite.__all__
    assert all_texts(render(draw_dot(Value(1.0, label="leaf")))) == ["leaf", "data 1", "grad 0"]
