"""Write the project's pictures to out/: a graph, the backward stepper, the model views, plots.

    python examples/draw_demo.py [out_dir]

* ``expression.svg``: micrograd's neuron ``o = tanh(x1*w1 + x2*w2 + b)`` after ``backward()``,
  coloured by gradient, with the path from ``w1`` to ``o`` highlighted;
* ``backward_stepper.html``: the backward pass of the classic worked example (a 2-2-2 logistic
  network, inputs 0.05 and 0.10, targets 0.01 and 0.99), one node per step; open it in a browser;
* ``worked_example_network_initial.svg``: that network's textbook diagram with w1..w8, b1, b2
  and its activations, before training;
* after the example's 10,000 steps of training: ``worked_example_network.svg`` (with the
  gradients), ``worked_example_module.svg`` (the module view), ``worked_example_loss.png`` and
  ``worked_example_gradient_norms.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from autograd_lite import Value, backward_stepper, draw_dot, no_grad
from autograd_lite.drawing import nodes_between
from nn.plots import gradient_norms, plot_gradient_norms, plot_history
from nn.views import draw_module, draw_network

# The worked example's numbers (the seed document's): weights, biases, inputs and targets.
WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30,
           "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}  # fmt: skip
BIASES = {"b1": 0.35, "b2": 0.60}
INPUTS = (0.05, 0.10)
TARGETS = (0.01, 0.99)


def named(value: Value, label: str) -> Value:
    value.label = label
    return value


def expression_picture(out: Path) -> Path:
    """micrograd's lecture neuron, drawn with its gradients and the path from w1 highlighted."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = named(named(x1 * w1, "x1*w1") + named(x2 * w2, "x2*w2"), "x1w1 + x2w2")
    o = named(named(n + b, "n").tanh(), "o")
    o.backward()
    picture = draw_dot(o, color_by_grad=True, highlight=nodes_between(w1, o))
    return _svg(picture, out / "expression")


class _Neuron:
    def __init__(self, w: list[Value], b: Value, activation: str) -> None:
        self.w, self.b, self.activation = w, b, activation


class _Layer:
    def __init__(self, neurons: list[_Neuron]) -> None:
        self.neurons = neurons


class WorkedExample:
    """The 2-2-2 network, written out so that every intermediate Value has its textbook name.

    It has the shape the model views read (``layers[i].neurons[j].w / .b / .activation``); each
    layer's neurons share one bias, as in the original.
    """

    def __init__(self) -> None:
        self.params = {name: Value(x, label=name) for name, x in {**WEIGHTS, **BIASES}.items()}
        p = self.params
        self.layers = [
            _Layer([_Neuron([p["w1"], p["w2"]], p["b1"], "sigmoid"),
                    _Neuron([p["w3"], p["w4"]], p["b1"], "sigmoid")]),
            _Layer([_Neuron([p["w5"], p["w6"]], p["b2"], "sigmoid"),
                    _Neuron([p["w7"], p["w8"]], p["b2"], "sigmoid")]),
        ]  # fmt: skip

    def total_error(self) -> Value:
        """E_total = sum over outputs of 1/2 (target - out)^2, every step named."""
        p = self.params
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
        return named(error(TARGETS[0], out_o1, "E_o1") + error(TARGETS[1], out_o2, "E_o2"),
                     "E_total")


def train(model: WorkedExample, steps: int, learning_rate: float = 0.5) -> dict[str, list[float]]:
    """Gradient descent on E_total as in the worked example (weights only); returns the history."""
    history: dict[str, list[float]] = {"loss": []}
    norms: dict[str, list[float]] = {"layers.0": [], "layers.1": []}
    for _ in range(steps):
        for p in model.params.values():
            p.grad = 0.0
        error = model.total_error()
        error.backward()
        history["loss"].append(error.data)
        for name, norm in gradient_norms(model).items():
            norms[name].append(norm)
        with no_grad():  # the original updates the weights only; the biases stay as they are
            for name, p in model.params.items():
                if name.startswith("w"):
                    p.data -= learning_rate * p.grad
    return {**history, **{f"grad_norm {k}": v for k, v in norms.items()}}


def worked_example_pictures(out: Path) -> list[Path]:
    """The worked example: its backward pass as a stepper page, then the network after training.

    Training is the original's: 10,000 steps of gradient descent with learning rate 0.5, after
    E_total has fallen from 0.298371109 to 0.0000351085, the original's figures.
    """
    model = WorkedExample()
    error = model.total_error()
    page = backward_stepper(error, hide_constants=True).save(out / "backward_stepper.html")
    before = draw_network(model, input_names=["i1", "i2"], inputs=list(INPUTS))
    written = [page, _svg(before, out / "worked_example_network_initial")]

    history = train(model, steps=10_000)
    final = model.total_error()
    final.backward()  # the pictures show the gradients at the trained weights
    print(f"worked example: E_total {history['loss'][0]:.9f} at step 1, "
          f"{history['loss'][-1]:.10f} at step 10,000 (the original reports 0.0000351085)")
    after = draw_network(model, input_names=["i1", "i2"], inputs=list(INPUTS), show_grads=True)
    written.append(_svg(after, out / "worked_example_network"))
    written.append(_svg(draw_module(model), out / "worked_example_module"))
    plot_history({"loss": history["loss"]}, out / "worked_example_loss.png",
                 title="worked example: E_total during training", xlabel="step")
    plot_gradient_norms({k.removeprefix("grad_norm "): v for k, v in history.items()
                         if k.startswith("grad_norm")},
                        out / "worked_example_gradient_norms.png")
    written += [out / "worked_example_loss.png", out / "worked_example_gradient_norms.png"]
    return written


def _svg(picture: Any, stem: Path) -> Path:
    return Path(picture.render(stem, format="svg", cleanup=True))


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "out")
    out.mkdir(parents=True, exist_ok=True)
    written = [expression_picture(out), *worked_example_pictures(out)]
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
