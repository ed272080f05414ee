"""The pictures on the real ``nn`` models: MLP, the worked example, fit's History."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nn
from autograd_lite import draw_dot, topological_order
from autograd_lite.drawing import DEFAULT_MAX_NODES, format_number
from nn.plots import gradient_norms, plot_gradient_norms, plot_history
from nn.views import draw_module, draw_network
from nn.worked_example import INPUTS, build_network
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
    wiring = {"w1": "x0->l0n0", "w2": "x1->l0n0", "w3": "x0->l0n1", "w4": "x1->l0n1",
              "w5": "l0n0->l1n0", "w6": "l0n1->l1n0", "w7": "l0n0->l1n1", "w8": "l0n1->l1n1"}
    edges = {e.title: e for e in elements.values() if "edge" in e.classes and e.texts}
    for name, title in wiring.items():
        w = params[name]
        assert edges[title].texts == [f"{name} = {format_number(w.data)}",
                                      f"grad {format_number(w.grad)}"]
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
