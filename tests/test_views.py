"""Model-level pictures (nn.views), rendered by the real ``dot`` and read back from the SVG.

They are duck-typed on ``model.layers[i].neurons[j].w / .b / .activation``; the stand-ins in
``stand_ins.py`` have exactly that shape (and build the textbook worked example).
"""

from __future__ import annotations

import re

import pytest

from autograd_lite import Value, topological_order
from autograd_lite.drawing import NEGATIVE_RGB, POSITIVE_RGB, format_number
from nn.views import draw_module, draw_network
from tests.stand_ins import (
    MLP,
    SEED_INPUTS,
    Layer,
    Neuron,
    random_mlp,
    seed_loss,
    seed_network,
)
from tests.svg_helpers import Element, render

SEED_EDGES = {  # weight name -> (layer, neuron, input), as the worked example wires them
    "w1": (0, 0, 0), "w2": (0, 0, 1), "w3": (0, 1, 0), "w4": (0, 1, 1),
    "w5": (1, 0, 0), "w6": (1, 0, 1), "w7": (1, 1, 0), "w8": (1, 1, 1),
}


def trained_seed() -> MLP:
    model = seed_network()
    seed_loss(model).backward()
    return model


def parameter(model: MLP, name: str) -> Value:
    return next(p for p in model.parameters() if p.label == name)


def stroke_width(edge: Element, svg_edge: str) -> float:
    match = re.search(rf'<g id="{edge.id}" class="edge">.*?stroke-width="([\d.]+)"', svg_edge, re.S)
    return float(match.group(1)) if match else 1.0


def hex_color(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def test_network_diagram_of_the_seed_names_every_weight_and_bias_with_its_number() -> None:
    model = trained_seed()
    elements = render(draw_network(model, input_names=["i1", "i2"], show_grads=True))
    for name, (layer, neuron, k) in SEED_EDGES.items():
        card = f"w_l{layer}n{neuron}_{k}"  # the weight's card sits in its arrow's middle
        source = f"x{k}" if layer == 0 else f"l0n{k}"
        assert elements[f"{card}_in"].title == f"{source}->{card}"
        assert elements[f"{card}_out"].title == f"{card}->l{layer}n{neuron}"
        w = parameter(model, name)
        assert elements[card].texts == [f"{name} = {format_number(w.data)}",
                                        f"grad {format_number(w.grad)}"]
    b1 = model.layers[0].neurons[0].b
    assert elements["bias0"].texts == ["b1 = 0.35", f"grad {format_number(b1.grad)}"]
    assert elements["bias1"].texts[0] == "b2 = 0.6"
    assert [elements[f"x{k}"].texts for k in range(2)] == [["i1"], ["i2"]]
    assert elements["l0n0"].texts == ["h1", "sigmoid"]
    assert elements["l1n1"].texts == ["o2", "sigmoid"]
    edges = [e.title for e in elements.values() if "edge" in e.classes]
    bias_edges = sorted(title for title in edges if title.startswith("bias"))
    assert bias_edges == ["bias0->l0n0", "bias0->l0n1", "bias1->l1n0", "bias1->l1n1"]


def test_network_diagram_forward_pass_shows_the_seed_activations() -> None:
    model = seed_network()
    elements = render(draw_network(model, inputs=SEED_INPUTS))
    assert elements["x0"].texts == ["x1", "0.05"]
    assert elements["l0n0"].texts[-1] == "= 0.5933"  # out_h1 = 0.593269992
    assert elements["l0n1"].texts[-1] == "= 0.5969"  # out_h2 = 0.596884378
    assert elements["l1n0"].texts[-1] == "= 0.7514"  # out_o1 = 0.75136507
    assert elements["l1n1"].texts[-1] == "= 0.7729"  # out_o2 = 0.772928465
    assert all(p.grad == 0.0 for p in model.parameters())  # nothing was recorded or run back


def test_arrow_width_follows_magnitude_and_colour_follows_sign() -> None:
    model = random_mlp(3, [4, 2], seed=3)
    svg = draw_network(model).pipe(format="svg", encoding="utf-8")
    from tests.svg_helpers import parse

    elements = parse(svg)
    weights = []
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                edge = elements[f"w_l{i}n{j}_{k}"]
                colour = hex_color(POSITIVE_RGB if w.data > 0 else NEGATIVE_RGB)
                assert colour in edge.strokes
                weights.append((abs(w.data), stroke_width(edge, svg)))
    assert any(w.data < 0 for p in [model] for w in p.parameters())  # both signs are exercised
    weights.sort()
    widths = [width for _, width in weights]
    assert widths == sorted(widths) and widths[-1] > 3 * widths[0]
    assert not any(e.texts for e in elements.values() if e.id.startswith("w_"))  # 20 > 16


def test_network_diagram_uses_given_names_and_refuses_huge_networks() -> None:
    model = random_mlp(2, [2, 1], seed=1)
    names = {f"w{k + 1}": w for k, w in enumerate(model.layers[0].neurons[0].w)}
    elements = render(draw_network(model, names=names))
    assert elements["w_l0n0_0"].texts[0].startswith("w1 = ")
    assert elements["w_l0n0_1"].texts[0].startswith("w2 = ")
    with pytest.raises(ValueError, match=r"30,000 weights, more than max_edges=1,000.*draw_module"):
        draw_network(random_mlp(300, [100], seed=0))
    with pytest.raises(ValueError, match="3 input_names for 2 inputs"):
        draw_network(model, input_names=["a", "b", "c"])
    with pytest.raises(TypeError, match=r"\.layers\[i\]\.neurons\[j\]"):
        draw_network(object())  # type: ignore[arg-type]


def test_module_view_shows_each_neurons_weights_bias_and_gradients() -> None:
    model = trained_seed()
    elements = render(draw_module(model))
    clusters = sorted(e.texts[0] for e in elements.values() if "cluster" in e.classes)
    assert clusters == ["layers.0: 2 → 2, sigmoid", "layers.1: 2 → 2, sigmoid"]
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            texts = elements[f"l{i}n{j}"].texts
            expected = [f"neurons.{j}", " sigmoid"]
            for k, w in enumerate(neuron.w):
                expected += [f"w.{k} {w.label}", format_number(w.data)]
                expected += [f"grad {format_number(w.grad)}"]
            b = neuron.b
            expected += [f"b {b.label}", format_number(b.data), f"grad {format_number(b.grad)}"]
            assert texts == expected
    assert elements["l1n0"].texts[2:5] == ["w.0 w5", "0.4", "grad 0.08217"]  # the published dE/dw5


def test_module_view_stays_small_for_big_models() -> None:
    model = random_mlp(20, [50, 1])
    out = model([0.1] * 20)[0]
    out.backward()
    assert len(topological_order(out)) > 2000  # draw_dot would refuse this one
    elements = render(draw_module(model, max_weights=4, max_neurons=5, compact=False))
    texts = elements["l0n0"].texts
    assert texts.count("… 17 more weights") == 1 and texts[-3] == "b"
    assert "… 46 more neurons" in [t for e in elements.values() for t in e.texts]
    assert "l0n4" not in elements and "l0n3" in elements


def test_module_view_without_grads_and_bad_models() -> None:
    model = trained_seed()
    texts = render(draw_module(model, show_grads=False))["l0n0"].texts
    assert not any(t.startswith("grad") for t in texts)
    broken = MLP([Layer([Neuron([Value(1.0)], 2.0)])])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"layers\[0\]\.neurons\[0\] needs \.w"):
        draw_module(broken)
    with pytest.raises(ValueError, match="rankdir"):
        draw_module(model, rankdir="diagonal")


def test_views_change_nothing() -> None:
    model = trained_seed()
    before = [(p.data, p.grad) for p in model.parameters()]
    render(draw_module(model))
    render(draw_network(model, inputs=SEED_INPUTS, show_grads=True))
    assert [(p.data, p.grad) for p in model.parameters()] == before


def test_hostile_names_show_literally_in_both_views() -> None:
    hostile = 'a"b\\N <x> {y|z} & é\nline'
    w = [Value(0.5, label=hostile), Value(-0.5)]
    model = MLP([Layer([Neuron(w, Value(0.1), hostile)])])  # an activation name, too
    lines = hostile.split("\n")
    module = render(draw_module(model))
    [cluster] = [e for e in module.values() if "cluster" in e.classes]
    assert cluster.texts == [f"layers.0: 2 → 1, {lines[0]}", lines[1]]
    assert module["l0n0"].texts[1:3] == [f" {lines[0]}", lines[1]]
    assert module["l0n0"].texts[3:5] == [f"w.0 {lines[0]}", lines[1]]
    network = render(draw_network(model, input_names=[hostile, "<i2>"], names={hostile: w[1]}))
    assert network["x0"].texts == lines and network["x1"].texts == ["<i2>"]
    assert network["w_l0n0_1"].texts == [lines[0], f"{lines[1]} = -0.5"]
