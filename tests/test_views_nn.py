"""The pictures on the real ``nn`` models: MLP, the worked example, fit's History."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nn
from autograd_lite import draw_dot, topological_order
from autograd_lite.drawing import DEFAULT_MAX_NODES, format_number
from nn.plots import gradient_norms, plot_gradient_norms, plot_history
from nn.views import draw_module, draw_network
from nn.worked_example import INPUTS, build_network, first_pass
from tests.svg_helpers import render


def test_default_limit_admits_one_sample_through_nn_mlp_2_16_16_1() -> None:
    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=0)
    loss = nn.mse([model([0.5, -1.0])], [1.0])
    assert len(topological_order(loss)) < DEFAULT_MAX_NODES
    assert "class=value" in draw_dot(loss).source


def test_worked_example_network_diagram_names_w1_to_w8_b1_b2() -> None:
    network = build_network(freeze_biases=False)
    model, params = network.model, network.params
    loss = nn.half_sum_squared_error(model(list(INPUTS))[0], 0.01)
    loss.backward()
    elements = render(draw_network(model, names=params, input_names=["i1", "i2"],
                                   inputs=list(INPUTS), show_grads=True))
    wiring = {"w1": ("x0", "l0n0", 0), "w2": ("x1", "l0n0", 1), "w3": ("x0", "l0n1", 0),
              "w4": ("x1", "l0n1", 1), "w5": ("l0n0", "l1n0", 0), "w6": ("l0n1", "l1n0", 1),
              "w7": ("l0n0", "l1n1", 0), "w8": ("l0n1", "l1n1", 1)}
    for name, (source, target, k) in wiring.items():
        w = params[name]
        card = f"w_{target}_{k}"
        assert elements[card].texts == [f"{name} = {format_number(w.data)}",
                                         f"grad {format_number(w.grad)}"]
        assert elements[f"{card}_in"].title == f"{source}->{card}"
        assert elements[f"{card}_out"].title == f"{card}->{target}"
    assert elements["bias0"].texts[0] == "b1 = 0.35"
    assert elements["bias1"].texts[0] == "b2 = 0.6"
    assert elements["l1n0"].texts[-1] == "= 0.7514"  # out_o1 = 0.75136507


def test_frozen_biases_are_shown_as_frozen() -> None:
    network = build_network()  # the document keeps the biases fixed
    texts = render(draw_module(network.model))["l0n0"].texts
    assert texts[-3:] == ["b b1", "0.35", "frozen"]
    bias = render(draw_network(network.model, show_grads=True))["bias0"].texts
    assert bias == ["b1 = 0.35", "frozen"]


def test_module_view_of_a_trained_mlp(tmp_path: Path) -> None:
    X, y = nn.datasets.moons(40, noise=0.1, seed=1)  # noqa: N806
    model = nn.MLP(2, [8, 8, 1], seed=0)
    norms: dict[str, list[float]] = {}

    def record(info: nn.StepInfo) -> None:
        for name, norm in gradient_norms(info.model).items():
            norms.setdefault(name, []).append(norm)

    history = nn.fit(model, X, nn.datasets.signed_labels(y), loss="max_margin", epochs=5,
                     lr=0.05, progress=False, on_step=record)
    elements = render(draw_module(model))
    clusters = sorted(e.texts[0] for e in elements.values() if "cluster" in e.classes)
    assert clusters == ["layers.0: 2 → 8, relu", "layers.1: 8 → 8, relu", "layers.2: 8 → 1, linear"]
    neuron = model.layers[1].neurons[3]
    texts = elements["l1n3"].texts
    w0 = neuron.w[0]
    assert texts[2:5] == ["w.0", format_number(w0.data), f"grad {format_number(w0.grad)}"]
    plot_history(history, tmp_path / "history.png")
    plot_gradient_norms(norms, tmp_path / "norms.png")
    assert list(norms) == ["layers.0", "layers.1", "layers.2"] and len(norms["layers.0"]) == 5
    assert (tmp_path / "history.png").read_bytes()[:4] == b"\x89PNG"


def _curve_points(d: str) -> list[tuple[float, float]]:
    """Points along a Graphviz edge path ``M x,y C x1,y1 x2,y2 x3,y3 ...`` (cubic Béziers)."""
    numbers = [float(v) for v in re.findall(r"-?[\d.]+", d)]
    pts = list(zip(numbers[0::2], numbers[1::2]))
    out = [pts[0]]
    for i in range(1, len(pts) - 2, 3):
        p0, p1, p2, p3 = pts[i - 1], pts[i], pts[i + 1], pts[i + 2]
        for step in range(1, 21):
            t = step / 20
            out.append(tuple(  # type: ignore[arg-type]
                (1 - t) ** 3 * a + 3 * (1 - t) ** 2 * t * b + 3 * (1 - t) * t**2 * c + t**3 * e
                for a, b, c, e in zip(p0, p1, p2, p3)
            ))
    return out


def test_no_edge_crosses_a_label_in_the_worked_example_diagram() -> None:
    import xml.etree.ElementTree as ET

    network, _ = first_pass()
    svg = draw_network(network.model, names=network.params, input_names=["i1", "i2"],
                       inputs=list(INPUTS), show_grads=True).pipe(format="svg", encoding="utf-8")
    ns = "{http://www.w3.org/2000/svg}"
    root = ET.fromstring(svg)
    cards: dict[str, tuple[float, float, float, float]] = {}
    paths: dict[str, list[tuple[float, float]]] = {}
    for group in root.iter(f"{ns}g"):
        gid, classes = group.get("id", ""), group.get("class", "")
        if "node" in classes and (gid.startswith("w_") or gid.startswith("bias")):
            xs, ys = [], []
            for text in group.iter(f"{ns}text"):
                xs.append(float(text.get("x", 0)))
                ys.append(float(text.get("y", 0)))
            # the text block, a little wider than its anchor points: 3 pt per character side
            half = max(len(t.text or "") for t in group.iter(f"{ns}text")) * 3.0
            cards[gid] = (min(xs) - half, min(ys) - 9, max(xs) + half, max(ys) + 2)
        if "edge" in classes:
            path = group.find(f"{ns}path")
            if path is not None:
                paths[gid] = _curve_points(path.get("d", ""))
    assert len(cards) == 10 and len(paths) == 20  # w1..w8 and b1, b2; 16 weight halves + 4 bias
    for edge_id, points in paths.items():
        for card_id, (x0, y0, x1, y1) in cards.items():
            if edge_id.startswith(card_id):
                continue  # an arrow meets its own card
            hits = [p for p in points if x0 < p[0] < x1 and y0 < p[1] < y1]
            assert not hits, f"edge {edge_id} crosses the label of {card_id}"


def _size_px(svg: str) -> tuple[float, float]:
    match = re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert match is not None
    return float(match.group(1)) * 4 / 3, float(match.group(2)) * 4 / 3


def test_the_pictures_of_a_2_16_16_1_mlp_fit_on_a_screen() -> None:
    model = nn.MLP(2, [16, 16, 1], seed=0)
    out = model([0.3, -0.2])
    (out - 1.0).relu().backward()
    module_svg = draw_module(model).pipe(format="svg", encoding="utf-8")
    width, height = _size_px(module_svg)
    assert width <= 1500 and height <= 600, (width, height)
    elements = render(draw_module(model))
    texts = [t for e in elements.values() for t in e.texts]
    assert [f"neurons.{j}" in texts for j in range(16)] == [True] * 16  # every neuron has a row
    network_svg = draw_network(model).pipe(format="svg", encoding="utf-8")
    width, height = _size_px(network_svg)
    assert height <= 1000, (width, height)
    network = render(draw_network(model))
    assert "heat1" in network  # the 16 x 16 weights as one heat map ...
    arrows = [e for e in network.values() if "edge" in e.classes]
    assert len(arrows) < 100  # ... instead of 256 arrows
    heat_cells = network_svg.split('id="heat1"')[1].split("</g>")[0].count("<polygon")
    assert heat_cells >= 16 * 16
