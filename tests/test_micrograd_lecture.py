"""The lecture "The spelled-out intro to neural networks and backpropagation: building micrograd"
(Karpathy, 2022), both halves, run on autograd-lite with only the import line changed.

Each part of the lecture is written below as the lecture types it, in a function that receives
the ``Value`` class: once autograd-lite's, once the lecture's own (``LectureValue``, its final
version, verbatim), and the numbers must agree. Where the lecture states a number, it is checked.
"""

# The lecture's code is kept as the lecture types it (semicolons, %-formatting, its names).
# ruff: noqa: E702, UP031, RUF005, N802, N803, N806

from __future__ import annotations

import math
import random
from typing import Any

import pytest
import torch
from graphviz import Digraph

import autograd_lite
import nn
from autograd_lite import Value

# --- the lecture's own Value class (its final version), as the reference ------------------------


class LectureValue:
    def __init__(self, data, _children=(), _op='', label=''):
        self.data = data
        self.grad = 0.0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op
        self.label = label

    def __repr__(self):
        return f"Value(data={self.data})"

    def __add__(self, other):
        other = other if isinstance(other, LectureValue) else LectureValue(other)
        out = LectureValue(self.data + other.data, (self, other), '+')

        def _backward():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, LectureValue) else LectureValue(other)
        out = LectureValue(self.data * other.data, (self, other), '*')

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def __pow__(self, other):
        assert isinstance(other, (int, float)), "only supporting int/float powers for now"
        out = LectureValue(self.data**other, (self,), f'**{other}')

        def _backward():
            self.grad += other * (self.data ** (other - 1)) * out.grad
        out._backward = _backward
        return out

    def __rmul__(self, other):  # other * self
        return self * other

    def __truediv__(self, other):  # self / other
        return self * other**-1

    def __neg__(self):  # -self
        return self * -1

    def __sub__(self, other):  # self - other
        return self + (-other)

    def __radd__(self, other):  # other + self
        return self + other

    def tanh(self):
        x = self.data
        t = (math.exp(2*x) - 1)/(math.exp(2*x) + 1)
        out = LectureValue(t, (self, ), 'tanh')

        def _backward():
            self.grad += (1 - t**2) * out.grad
        out._backward = _backward
        return out

    def exp(self):
        x = self.data
        out = LectureValue(math.exp(x), (self, ), 'exp')

        def _backward():
            self.grad += out.data * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo = []
        visited = set()

        def build_topo(v):
            if v not in visited:
                visited.add(v)
                for child in v._prev:
                    build_topo(child)
                topo.append(v)
        build_topo(self)

        self.grad = 1.0
        for node in reversed(topo):
            node._backward()


# --- the lecture's drawing code (its own cell, not the library's) -------------------------------


def trace(root):
    # builds a set of all nodes and edges in a graph
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)
    build(root)
    return nodes, edges


def draw_dot(root):
    dot = Digraph(format='svg', graph_attr={'rankdir': 'LR'})  # LR = left to right

    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        # for any value in the graph, create a rectangular ('record') node for it
        dot.node(name=uid, label="{ %s | data %.4f | grad %.4f }" % (n.label, n.data, n.grad),
                 shape='record')
        if n._op:
            # if this value is a result of some operation, create an op node for it
            dot.node(name=uid + n._op, label=n._op)
            # and connect this node to it
            dot.edge(uid + n._op, uid)

    for n1, n2 in edges:
        # connect n1 to the op node of n2
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)

    return dot


# --- first half: the expression L, then the neuron stepped through by hand ----------------------


def expression_L(Value: Any) -> dict[str, Any]:
    a = Value(2.0, label='a')
    b = Value(-3.0, label='b')
    c = Value(10.0, label='c')
    e = a*b; e.label = 'e'
    d = e + c; d.label = 'd'
    f = Value(-2.0, label='f')
    L = d * f; L.label = 'L'
    L.backward()
    before = L.data
    a.data += 0.01 * a.grad
    b.data += 0.01 * b.grad
    c.data += 0.01 * c.grad
    f.data += 0.01 * f.grad

    e = a * b
    d = e + c
    L = d * f
    return {"L": before, "grads": [a.grad, b.grad, c.grad, f.grad], "nudged": L.data,
            "svg": draw_dot(L).pipe(format="svg").decode()}


def neuron_by_hand(Value: Any) -> dict[str, Any]:
    # inputs x1,x2
    x1 = Value(2.0, label='x1')
    x2 = Value(0.0, label='x2')
    # weights w1,w2
    w1 = Value(-3.0, label='w1')
    w2 = Value(1.0, label='w2')
    # bias of the neuron
    b = Value(6.8813735870195432, label='b')
    # x1*w1 + x2*w2 + b
    x1w1 = x1*w1; x1w1.label = 'x1*w1'
    x2w2 = x2*w2; x2w2.label = 'x2*w2'
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
    n = x1w1x2w2 + b; n.label = 'n'
    o = n.tanh(); o.label = 'o'

    o.grad = 1.0
    o._backward()
    n._backward()
    b._backward()
    x1w1x2w2._backward()
    x2w2._backward()
    x1w1._backward()
    return {"o": o.data, "grads": [n.grad, b.grad, x1.grad, w1.grad, x2.grad, w2.grad],
            "svg": draw_dot(o).pipe(format="svg").decode()}


def neuron_by_topological_order(Value: Any) -> list[float]:
    x1 = Value(2.0, label='x1')
    x2 = Value(0.0, label='x2')
    w1 = Value(-3.0, label='w1')
    w2 = Value(1.0, label='w2')
    b = Value(6.8813735870195432, label='b')
    x1w1 = x1*w1; x1w1.label = 'x1*w1'
    x2w2 = x2*w2; x2w2.label = 'x2*w2'
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
    n = x1w1x2w2 + b; n.label = 'n'
    o = n.tanh(); o.label = 'o'

    topo = []
    visited = set()

    def build_topo(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)
    build_topo(o)

    o.grad = 1.0
    for node in reversed(topo):
        node._backward()
    return [x1.grad, w1.grad, x2.grad, w2.grad, b.grad]


def neuron_with_backward(Value: Any) -> list[float]:
    x1 = Value(2.0, label='x1')
    x2 = Value(0.0, label='x2')
    w1 = Value(-3.0, label='w1')
    w2 = Value(1.0, label='w2')
    b = Value(6.8813735870195432, label='b')
    x1w1 = x1*w1; x1w1.label = 'x1*w1'
    x2w2 = x2*w2; x2w2.label = 'x2*w2'
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
    n = x1w1x2w2 + b; n.label = 'n'
    o = n.tanh(); o.label = 'o'
    o.backward()
    return [x1.grad, w1.grad, x2.grad, w2.grad, b.grad]


def the_bug_and_its_fix(Value: Any) -> list[float]:
    a = Value(3.0, label='a')
    b = a + a   ; b.label = 'b'
    b.backward()
    first = a.grad

    a = Value(-2.0, label='a')
    b = Value(3.0, label='b')
    d = a * b    ; d.label = 'd'
    e = a + b    ; e.label = 'e'
    f = d * e    ; f.label = 'f'
    f.backward()
    return [first, a.grad, b.grad]


def more_operations(Value: Any) -> list[float]:
    a = Value(2.0)
    b = Value(4.0)
    return [(a + 1).data, (1 + a).data, (2 * a).data, a.exp().data, (a / b).data,
            (a - b).data, (a ** 2).data]


def tanh_through_exp(Value: Any) -> dict[str, Any]:
    x1 = Value(2.0, label='x1')
    x2 = Value(0.0, label='x2')
    w1 = Value(-3.0, label='w1')
    w2 = Value(1.0, label='w2')
    b = Value(6.8813735870195432, label='b')
    x1w1 = x1*w1; x1w1.label = 'x1*w1'
    x2w2 = x2*w2; x2w2.label = 'x2*w2'
    x1w1x2w2 = x1w1 + x2w2; x1w1x2w2.label = 'x1*w1 + x2*w2'
    n = x1w1x2w2 + b; n.label = 'n'
    # ----
    e = (2*n).exp()
    o = (e - 1) / (e + 1)
    # ----
    o.label = 'o'
    o.backward()
    return {"o": o.data, "grads": [x1.grad, w1.grad, x2.grad, w2.grad, b.grad],
            "svg": draw_dot(o).pipe(format="svg").decode()}


def the_same_in_pytorch() -> list[float]:
    x1 = torch.Tensor([2.0]).double()                ; x1.requires_grad = True
    x2 = torch.Tensor([0.0]).double()                ; x2.requires_grad = True
    w1 = torch.Tensor([-3.0]).double()               ; w1.requires_grad = True
    w2 = torch.Tensor([1.0]).double()                ; w2.requires_grad = True
    b = torch.Tensor([6.8813735870195432]).double()  ; b.requires_grad = True
    n = x1*w1 + x2*w2 + b
    o = torch.tanh(n)

    print(o.data.item())
    o.backward()

    print('---')
    print('x2', x2.grad.item())
    print('w2', w2.grad.item())
    print('x1', x1.grad.item())
    print('w1', w1.grad.item())
    return [x1.grad.item(), w1.grad.item(), x2.grad.item(), w2.grad.item(), b.grad.item()]


def close(ours: list[float], theirs: list[float]) -> bool:
    return ours == pytest.approx(theirs, rel=1e-12, abs=1e-12)


def test_first_half_expression_and_nudge() -> None:
    ours, lecture = expression_L(Value), expression_L(LectureValue)
    assert ours["L"] == lecture["L"] == -8.0
    assert ours["grads"] == lecture["grads"] == [6.0, -4.0, -2.0, 4.0]
    assert ours["nudged"] == lecture["nudged"] == pytest.approx(-7.286496)
    assert "data &#45;7.2865" in ours["svg"] and "<svg" in ours["svg"]


def test_first_half_manual_underscore_backward_steps() -> None:
    ours, lecture = neuron_by_hand(Value), neuron_by_hand(LectureValue)
    assert ours["o"] == pytest.approx(0.7071, abs=1e-4) and close([ours["o"]], [lecture["o"]])
    # the lecture's numbers: dn = 1 - o**2 = 0.5, dx1 = w1 * 0.5, dw1 = x1 * 0.5, ...
    assert close(ours["grads"], [0.5, 0.5, -1.5, 1.0, 0.5, 0.0])
    assert close(ours["grads"], lecture["grads"])
    for label in ("x1*w1 + x2*w2", "grad &#45;1.5000", "tanh"):
        assert label in ours["svg"]


def test_first_half_topological_order_and_backward() -> None:
    expected = neuron_by_topological_order(LectureValue)
    assert close(neuron_by_topological_order(Value), expected)
    assert close(neuron_with_backward(Value), expected)
    assert close(expected, [-1.5, 1.0, 0.5, 0.0, 0.5])


def test_first_half_the_bug_and_more_operations() -> None:
    assert the_bug_and_its_fix(Value) == the_bug_and_its_fix(LectureValue) == [2.0, -3.0, -8.0]
    assert more_operations(Value) == more_operations(LectureValue)


def test_first_half_tanh_through_exp_and_pytorch(capsys: pytest.CaptureFixture[str]) -> None:
    ours, lecture = tanh_through_exp(Value), tanh_through_exp(LectureValue)
    assert close([ours["o"]], [lecture["o"]])
    assert close(ours["grads"], lecture["grads"])
    # torch.Tensor([...]) is float32 before .double(): the lecture's b, and so its numbers, are
    # rounded to float32 (it prints 0.7071066904050358), hence the looser comparison.
    assert ours["grads"] == pytest.approx(the_same_in_pytorch(), rel=1e-6, abs=1e-12)
    assert capsys.readouterr().out.startswith("0.7071066904050358\n---\nx2 0.50000012")
    assert "exp" in ours["svg"] and "/" in ours["svg"]


# --- second half: Neuron, Layer, MLP and the training loop, as the lecture writes them -----------


def second_half(Value: Any) -> dict[str, Any]:
    class Neuron:

        def __init__(self, nin):
            self.w = [Value(random.uniform(-1,1)) for _ in range(nin)]
            self.b = Value(random.uniform(-1,1))

        def __call__(self, x):
            # w * x + b
            act = sum((wi*xi for wi, xi in zip(self.w, x)), self.b)
            out = act.tanh()
            return out

        def parameters(self):
            return self.w + [self.b]

    class Layer:

        def __init__(self, nin, nout):
            self.neurons = [Neuron(nin) for _ in range(nout)]

        def __call__(self, x):
            outs = [n(x) for n in self.neurons]
            return outs[0] if len(outs) == 1 else outs

        def parameters(self):
            return [p for neuron in self.neurons for p in neuron.parameters()]

    class MLP:

        def __init__(self, nin, nouts):
            sz = [nin] + nouts
            self.layers = [Layer(sz[i], sz[i+1]) for i in range(len(nouts))]

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

        def parameters(self):
            return [p for layer in self.layers for p in layer.parameters()]

    random.seed(42)
    x = [2.0, 3.0, -1.0]
    n = MLP(3, [4, 4, 1])
    first = n(x).data

    xs = [
        [2.0, 3.0, -1.0],
        [3.0, -1.0, 0.5],
        [0.5, 1.0, 1.0],
        [1.0, 1.0, -1.0],
    ]
    ys = [1.0, -1.0, -1.0, 1.0]  # desired targets

    losses = []
    for k in range(20):

        # forward pass
        ypred = [n(x) for x in xs]
        loss = sum((yout - ygt)**2 for ygt, yout in zip(ys, ypred))

        # backward pass
        for p in n.parameters():
            p.grad = 0.0
        loss.backward()

        # update
        for p in n.parameters():
            p.data += -0.1 * p.grad

        print(k, loss.data)
        losses.append(loss.data)

    return {"first": first, "losses": losses, "ypred": [y.data for y in ypred],
            "parameters": [p.data for p in n.parameters()], "count": len(n.parameters()),
            "svg": draw_dot(loss).pipe(format="svg").decode()}


def test_second_half_mlp_training_gives_the_lectures_numbers(
    capsys: pytest.CaptureFixture[str],
) -> None:
    ours, lecture = second_half(Value), second_half(LectureValue)
    assert ours["count"] == lecture["count"] == 41
    assert close([ours["first"]], [lecture["first"]])
    assert ours["losses"] == pytest.approx(lecture["losses"], rel=1e-9, abs=1e-12)
    assert ours["parameters"] == pytest.approx(lecture["parameters"], rel=1e-9, abs=1e-12)
    assert ours["losses"][-1] < 0.1 * ours["losses"][0]  # it learns, as in the lecture
    assert "19 " in capsys.readouterr().out
    assert "<svg" in ours["svg"] and "tanh" in ours["svg"]


def test_the_library_draws_the_lectures_graph_too() -> None:
    x1, w1 = Value(2.0, label='x1'), Value(-3.0, label='w1')
    o = (x1 * w1 + 6.8813735870195432).tanh()
    o.backward()
    svg = autograd_lite.draw_dot(o).pipe(format="svg").decode()
    assert "x1" in svg and "tanh" in svg


# --- micrograd's nn module: nonlin= beside activation= -----------------------------------------


def test_micrograd_nn_nonlin_keyword() -> None:
    import micrograd.nn

    random.seed(0)
    theirs = micrograd.nn.Neuron(3, nonlin=False)
    ours = nn.Neuron(3, nonlin=False)
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        p.data = q.data
    x = [1.5, -2.0, 0.5]
    assert ours(x).data == pytest.approx(theirs(x).data, rel=1e-15)
    assert ours.activation == "linear" and not ours.nonlin
    assert nn.Neuron(3, nonlin=True).activation == "relu" and nn.Neuron(3).nonlin
    assert nn.Neuron(3, False).activation == "linear"  # micrograd's positional nonlin
    layer = nn.Layer(3, 2, nonlin=False)
    assert [neuron.activation for neuron in layer.neurons] == ["linear", "linear"]
    theirs_layer = micrograd.nn.Layer(3, 2, nonlin=True)
    ours_layer = nn.Layer(3, 2, nonlin=True)
    for p, q in zip(ours_layer.parameters(), theirs_layer.parameters(), strict=True):
        p.data = q.data
    x = [-1.0, 0.25, 2.0]
    assert [v.data for v in ours_layer(x)] == pytest.approx([v.data for v in theirs_layer(x)])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: nn.Neuron(3, "tanh", nonlin=True), "nonlin=True means activation='relu'"),
        (lambda: nn.Layer(3, 2, "relu", nonlin=False), "nonlin=False means activation='linear'"),
        (lambda: nn.Neuron(3, True, nonlin=False), "nonlin given twice"),
    ],
)
def test_nonlin_and_a_different_activation_conflict(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


def test_nonlin_must_be_a_bool() -> None:
    with pytest.raises(TypeError, match="nonlin must be True or False, got 'yes'"):
        nn.Neuron(3, nonlin="yes")  # type: ignore[arg-type]
    assert nn.Neuron(3, "relu", nonlin=True).activation == "relu"  # agreeing is fine
