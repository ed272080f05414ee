"""Build a small expression, run backward, and print every node's data and gradient."""

from autograd_lite import Value, topological_order


def main() -> None:
    # The neuron from micrograd's lecture: o = tanh(x1*w1 + x2*w2 + b)
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


if __name__ == "__main__":
    main()
