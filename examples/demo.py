"""The demo: one neuron's backward pass, the textbook 2-2-2 network checked figure by figure
against the document it comes from, and a small network trained on two moons."""

from pathlib import Path

import nn
from autograd_lite import Value, topological_order
from nn import datasets, worked_example

OUT = Path("out")


def one_neuron() -> None:
    """Every node's data and gradient for micrograd's lecture neuron o = tanh(x1*w1 + x2*w2 + b)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    n = x1w1 + x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    o.backward()

    print(f"{'node':<8} {'op':<6} {'data':>10} {'grad':>10}")
    for node in topological_order(o):
        name, op = node.label or ".", node.op or "leaf"
        print(f"{name:<8} {op:<6} {node.data:>10.4f} {node.grad:>10.4f}")


def textbook_network() -> None:
    """The seed document's 2-2-2 network: its printed figures beside the engine's."""
    print("\nThe 2-2-2 logistic network, one step of learning rate 0.5, then 10,000 steps")
    print(worked_example.format_table())


def two_moons() -> None:
    """micrograd's recipe (max-margin loss, L2 1e-4, lr 1.0 -> 0.1) on a smaller 2-8-8-1 network,
    so the demo stays quick; the test suite trains the full 2-16-16-1 network."""
    print("\nTraining an MLP 2-8-8-1 on 100 points of two moons")
    xs, y = datasets.moons(n_samples=100, noise=0.1, seed=0)
    labels = datasets.signed_labels(y)  # the max-margin loss wants -1/+1
    model = nn.MLP(2, [8, 8, 1], seed=0)
    optimizer = nn.SGD(model.parameters(), lr=1.0)
    schedule = nn.LinearDecayLR(optimizer, end_lr=0.1, total_steps=100)
    history = nn.fit(model, xs, labels, loss="max_margin", optimizer=optimizer,
                     schedule=schedule, epochs=100, l2=1e-4)
    print(f"final loss {history.loss[-1]:.4f}, training accuracy {history.accuracy[-1]:.0%}")
    OUT.mkdir(exist_ok=True)
    path = OUT / "moons_mlp.json"
    nn.save(model, path)
    print(f"model written to {path}")


def main() -> None:
    one_neuron()
    textbook_network()
    two_moons()


if __name__ == "__main__":
    main()
