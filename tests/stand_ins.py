"""Small models made of Values, shaped like ``nn.MLP`` (``layers[i].neurons[j].w / .b``).

The pictures in ``nn.views`` are duck-typed, so they are tested on these stand-ins; they also
build the textbook worked example (a 2-2-2 logistic network) without depending on ``nn``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from autograd_lite import Value


@dataclass
class Neuron:
    w: list[Value]
    b: Value
    activation: str = "tanh"

    def __call__(self, x: list[Value]) -> Value:
        net = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        return getattr(net, self.activation)() if self.activation != "linear" else net


@dataclass
class Layer:
    neurons: list[Neuron]

    def __call__(self, x: list[Value]) -> list[Value]:
        return [n(x) for n in self.neurons]


@dataclass
class MLP:
    layers: list[Layer] = field(default_factory=list)

    @property
    def nin(self) -> int:
        return len(self.layers[0].neurons[0].w)

    @property
    def nouts(self) -> list[int]:
        return [len(layer.neurons) for layer in self.layers]

    def __call__(self, x: list[float]) -> list[Value]:
        values = [Value(xi, requires_grad=False) for xi in x]
        for layer in self.layers:
            values = layer(values)
        return values

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for n in layer.neurons for p in [*n.w, n.b]]


def random_mlp(nin: int, nouts: list[int], seed: int = 0, last: str = "linear") -> MLP:
    rng = random.Random(seed)
    sizes = [nin, *nouts]
    layers = []
    for i, nout in enumerate(nouts):
        activation = last if i == len(nouts) - 1 else "tanh"
        layers.append(
            Layer(
                [
                    Neuron(
                        [Value(rng.uniform(-1, 1)) for _ in range(sizes[i])],
                        Value(0.0),
                        activation,
                    )
                    for _ in range(nout)
                ]
            )
        )
    return MLP(layers)


#: The textbook worked example (Matt Mazur, 2015): weights w1..w8, one shared bias per layer.
SEED_WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30,
                "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
SEED_BIASES = {"b1": 0.35, "b2": 0.60}
SEED_INPUTS = [0.05, 0.10]
SEED_TARGETS = [0.01, 0.99]


def seed_network() -> MLP:
    """The 2-2-2 logistic network of the worked example, its Values labelled w1..w8, b1, b2."""
    w = {name: Value(x, label=name) for name, x in SEED_WEIGHTS.items()}
    b1, b2 = (Value(x, label=name) for name, x in SEED_BIASES.items())
    hidden = Layer([Neuron([w["w1"], w["w2"]], b1, "sigmoid"),
                    Neuron([w["w3"], w["w4"]], b1, "sigmoid")])
    output = Layer([Neuron([w["w5"], w["w6"]], b2, "sigmoid"),
                    Neuron([w["w7"], w["w8"]], b2, "sigmoid")])
    return MLP([hidden, output])


def seed_loss(model: MLP) -> Value:
    """E_total = sum of 1/2 (target - out)^2 over the two outputs."""
    outs = model(SEED_INPUTS)
    e1, e2 = (0.5 * (t - o) ** 2 for t, o in zip(SEED_TARGETS, outs, strict=True))
    loss = e1 + e2
    loss.label = "E_total"
    return loss
