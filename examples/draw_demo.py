"""Write the project's pictures to out/: a graph, the backward stepper, model views and plots.

    python examples/draw_demo.py [out_dir]

* ``expression.svg``: micrograd's neuron ``o = tanh(x1*w1 + x2*w2 + b)`` after ``backward()``,
  coloured by gradient, with the path from ``w1`` to ``o`` highlighted;
* ``backward_stepper.html``: the backward pass of the classic worked example (a 2-2-2 logistic
  network, inputs 0.05 and 0.10, targets 0.01 and 0.99), one node per step; open it in a browser;
* ``worked_example_network.svg``: that network's textbook diagram: w1..w8, b1, b2, the
  activations and the gradients of its first backward pass;
* a classifier trained on two moons: ``model_module.svg`` (module view), ``model_network.svg``
  (network diagram), ``decision_boundary.png``, ``training_history.png`` (loss and accuracy)
  and ``gradient_norms.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import nn
from autograd_lite import Value, backward_stepper, draw_dot
from autograd_lite.drawing import nodes_between
from nn.plots import gradient_norms, plot_decision_boundary, plot_gradient_norms, plot_history
from nn.views import draw_module, draw_network
from nn.worked_example import INPUTS, TARGETS, build_network


def named(value: Value, label: str) -> Value:
    value.label = label
    return value


def svg(picture: Any, stem: Path) -> Path:
    return Path(picture.render(stem, format="svg", cleanup=True))


def expression_picture(out: Path) -> Path:
    """micrograd's lecture neuron, drawn with its gradients and the path from w1 highlighted."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = named(named(x1 * w1, "x1*w1") + named(x2 * w2, "x2*w2"), "x1w1 + x2w2")
    o = named(named(n + b, "n").tanh(), "o")
    o.backward()
    return svg(draw_dot(o, color_by_grad=True, highlight=nodes_between(w1, o)), out / "expression")


def total_error(p: dict[str, Value]) -> Value:
    """The worked example's E_total, written out so every intermediate has its textbook name."""
    i1, i2 = (Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS))

    def net(w_a: str, a: Value, w_b: str, b: Value, bias: str, name: str) -> Value:
        wa = named(p[w_a] * a, f"{w_a}·{a.label}")
        wb = named(p[w_b] * b, f"{w_b}·{b.label}")
        return named(named(wa + wb, f"{wa.label} + {wb.label}") + p[bias], name)

    def error(target: float, out: Value, name: str) -> Value:
        gap = named(target - out, f"target - {out.label}")
        return named(0.5 * named(gap**2, f"({gap.label})²"), name)

    out_h1 = named(net("w1", i1, "w2", i2, "b1", "net_h1").sigmoid(), "out_h1")
    out_h2 = named(net("w3", i1, "w4", i2, "b1", "net_h2").sigmoid(), "out_h2")
    out_o1 = named(net("w5", out_h1, "w6", out_h2, "b2", "net_o1").sigmoid(), "out_o1")
    out_o2 = named(net("w7", out_h1, "w8", out_h2, "b2", "net_o2").sigmoid(), "out_o2")
    return named(error(TARGETS[0], out_o1, "E_o1") + error(TARGETS[1], out_o2, "E_o2"), "E_total")


def worked_example_pictures(out: Path) -> list[Path]:
    """The worked example's backward pass as a stepper page, and its network diagram."""
    network = build_network()  # nn's 2-2-2 network, parameters labelled w1..w8, b1, b2
    error = total_error(network.params)
    stepper = backward_stepper(error, hide_constants=True)
    page = stepper.save(out / "backward_stepper.html", title="The worked example, backward")
    error.backward()  # the diagram shows the gradients of this first pass
    diagram = draw_network(network.model, names=network.params, input_names=["i1", "i2"],
                           inputs=list(INPUTS), show_grads=True)
    return [page, svg(diagram, out / "worked_example_network")]


def trained_model_pictures(out: Path) -> list[Path]:
    """An MLP 2-8-8-1 trained on two moons: module view, network diagram and the plots."""
    points, labels = nn.datasets.moons(100, noise=0.1, seed=0)
    x_train, x_test, y_train, y_test = nn.datasets.train_test_split(
        points, nn.datasets.signed_labels(labels), test_size=0.2, seed=0
    )
    model = nn.MLP(2, [8, 8, 1], seed=0)
    norms: dict[str, list[float]] = {}

    def record_gradient_norms(step: nn.StepInfo) -> None:
        for layer, norm in gradient_norms(step.model).items():
            norms.setdefault(layer, []).append(norm)

    history = nn.fit(model, x_train, y_train, loss="max_margin",
                     optimizer=nn.Adam(model.parameters(), lr=0.03), epochs=20, batch_size=16,
                     X_test=x_test, y_test=y_test, progress=False, on_step=record_gradient_norms)
    print(f"two moons: loss {history.loss[0]:.3f} -> {history.loss[-1]:.3f}, "
          f"test accuracy {history.test_accuracy[-1]:.0%}")
    written = [
        svg(draw_module(model), out / "model_module"),  # gradients of the last training batch
        svg(draw_network(model), out / "model_network"),
        out / "decision_boundary.png",
        out / "training_history.png",
        out / "gradient_norms.png",
    ]
    plot_decision_boundary(lambda p: model(p), points, nn.datasets.signed_labels(labels),
                           written[2], title="MLP 2-8-8-1 on two moons")
    plot_history(history, written[3], title="MLP 2-8-8-1 on two moons")
    plot_gradient_norms(norms, written[4], xlabel="training step")
    return written


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    out.mkdir(parents=True, exist_ok=True)
    written = [
        expression_picture(out),
        *worked_example_pictures(out),
        *trained_model_pictures(out),
    ]
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
