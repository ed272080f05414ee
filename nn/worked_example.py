"""The textbook 2-2-2 network, worked through one step of backpropagation by the engine.

Two inputs (0.05, 0.10), two logistic hidden neurons h1, h2 sharing the bias b1 = 0.35, two
logistic outputs o1, o2 sharing b2 = 0.60, targets (0.01, 0.99), the error
E = 1/2 (t1 - o1)**2 + 1/2 (t2 - o2)**2 and a learning rate of 0.5. The weights are named as in
the source, Matt Mazur, "A Step by Step Backpropagation Example" (2015): w1, w2 (into h1), w3, w4
(into h2), w5, w6 (into o1), w7, w8 (into o2). The biases stay fixed, as there.

Every number the walk-through prints is computed here by the engine: a forward pass through an
``nn.MLP``, ``backward()`` for the gradients, and ``nn.SGD`` for the update.

Which step is gradient descent? ``order="gradient_descent"`` (the default) takes every gradient
from the same, old weights and then updates them all: that is the gradient step, and it gives an
error of 0.291027774 after one update and 3.51019e-05 after 10,000 (outputs 0.015913620 and
0.984064274). The walk-through's own later figures (0.291027924 after one update; outputs
0.015912196 and 0.984065734 after 10,000) come from ``order="output_layer_first"``, which
updates w5..w8 first and then sends the old output deltas back through the *new* w5..w8, contrary
to what the walk-through's text describes. Its printed 10,000-step error, 0.0000351085, matches
neither order at 10,000 updates; it is the gradient-descent error after 9,999 updates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from autograd_lite import Value, backpropagate

from .layers import MLP
from .optim import SGD

INPUTS = (0.05, 0.10)
TARGETS = (0.01, 0.99)
LEARNING_RATE = 0.5
WEIGHTS = {"w1": 0.15, "w2": 0.20, "w3": 0.25, "w4": 0.30,
           "w5": 0.40, "w6": 0.45, "w7": 0.50, "w8": 0.55}
BIASES = {"b1": 0.35, "b2": 0.60}

GRADIENT_DESCENT = "gradient_descent"
OUTPUT_LAYER_FIRST = "output_layer_first"
ORDERS = (GRADIENT_DESCENT, OUTPUT_LAYER_FIRST)


class Network(NamedTuple):
    """The 2-2-2 network as an ``nn.MLP`` and its parameters by the walk-through's names."""

    model: MLP
    params: dict[str, Value]


def build_network(freeze_biases: bool = True) -> Network:
    """The walk-through's network: sigmoid layers, one shared bias per layer, frozen by default.

    Each parameter Value is labelled with its name (w1..w8, b1, b2) for drawings.
    """
    w = WEIGHTS
    model = MLP(
        2,
        [2, 2],
        activation="sigmoid",
        output_activation="sigmoid",
        weights=[[[w["w1"], w["w2"]], [w["w3"], w["w4"]]],
                 [[w["w5"], w["w6"]], [w["w7"], w["w8"]]]],
        biases=[BIASES["b1"], BIASES["b2"]],
        shared_bias=True,
        bias_requires_grad=not freeze_biases,
    )
    hidden, output = model.layers
    params = {
        "w1": hidden.neurons[0].w[0], "w2": hidden.neurons[0].w[1],
        "w3": hidden.neurons[1].w[0], "w4": hidden.neurons[1].w[1],
        "w5": output.neurons[0].w[0], "w6": output.neurons[0].w[1],
        "w7": output.neurons[1].w[0], "w8": output.neurons[1].w[1],
        "b1": hidden.neurons[0].b, "b2": output.neurons[0].b,
    }
    for name, value in params.items():
        value.label = name
    return Network(model, params)


def first_pass(freeze_biases: bool = True) -> tuple[Network, Value]:
    """The network and its error E_total after one forward and one backward pass.

    Every node of E_total's graph holds its data and its gradient, as in the walk-through's first
    step: the graph to draw when explaining the example.
    """
    network = build_network(freeze_biases)
    total = _forward(network.model).total
    total.backward()
    return network, total


class _Pass(NamedTuple):
    """One forward pass, keeping the intermediate Values the textbook names."""

    net_h: list[Value]
    out_h: list[Value]
    net_o: list[Value]
    out_o: list[Value]
    errors: list[Value]
    total: Value


def _forward(model: MLP) -> _Pass:
    """The model's own forward pass, one neuron at a time so the net inputs stay visible.

    Every Value is labelled with the textbook's name (i1, i2, net_h1, out_h1, ..., target_o1,
    E_o1, E_o2, E_total), so drawings, the stepper and ``explain`` speak as the text does.
    """
    hidden, output = model.layers
    inputs = [Value(x, label=f"i{k + 1}", requires_grad=False) for k, x in enumerate(INPUTS)]
    net_h = [_named(n.weighted_sum(inputs), f"net_h{j + 1}") for j, n in enumerate(hidden.neurons)]
    out_h = [_named(net.sigmoid(), f"out_h{j + 1}") for j, net in enumerate(net_h)]
    net_o = [_named(n.weighted_sum(out_h), f"net_o{j + 1}") for j, n in enumerate(output.neurons)]
    out_o = [_named(net.sigmoid(), f"out_o{j + 1}") for j, net in enumerate(net_o)]
    targets = [Value(t, label=f"target_o{j + 1}", requires_grad=False)
               for j, t in enumerate(TARGETS)]
    # E_o = 1/2 (target - out)^2, as the text writes it (nn.half_sum_squared_error's terms).
    errors = [_named(0.5 * (t - o) ** 2, f"E_o{j + 1}")
              for j, (o, t) in enumerate(zip(out_o, targets, strict=True))]
    total = _named(errors[0] + errors[1], "E_total")
    return _Pass(net_h, out_h, net_o, out_o, errors, total)


def _named(value: Value, label: str) -> Value:
    value.label = label
    return value


def _partial(root: Value, node: Value) -> float:
    """d root / d node, by the engine's reverse pass (no ``.grad`` is touched)."""
    for reached, grad in backpropagate(root, 1.0):
        if reached is node:
            return float(grad)
    return 0.0


@dataclass(frozen=True)
class WorkedExample:
    """Every quantity of the worked example (names follow the walk-through; ``de`` is dE)."""

    order: str
    # forward pass
    net_h1: float
    out_h1: float
    net_h2: float
    out_h2: float
    net_o1: float
    out_o1: float
    net_o2: float
    out_o2: float
    # errors
    e_o1: float
    e_o2: float
    e_total: float
    # output layer: dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = delta_o1 * out_h1
    de_dout_o1: float
    dout_o1_dnet_o1: float
    dnet_o1_dw5: float
    delta_o1: float
    de_dw5: float
    # hidden layer: dE/dw1 = (dE_o1/dout_h1 + dE_o2/dout_h1) * dout_h1/dnet_h1 * dnet_h1/dw1
    de_o1_dout_h1: float
    de_o2_dout_h1: float
    de_dout_h1: float
    dout_h1_dnet_h1: float
    dnet_h1_dw1: float
    delta_h1: float
    de_dw1: float
    #: dE/dw for w1..w8 at the starting weights
    gradients: dict[str, float]
    #: w1..w8 after the first update (in this run's order)
    updated: dict[str, float]
    #: error_history[k] is E_total after k updates, k = 0..steps
    error_history: tuple[float, ...]
    #: (out_o1, out_o2) after all the updates
    outputs_after: tuple[float, float]

    @property
    def steps(self) -> int:
        return len(self.error_history) - 1

    @property
    def error_after_one_update(self) -> float:
        return self.error_history[1]

    @property
    def error_after(self) -> float:
        """E_total after all ``steps`` updates."""
        return self.error_history[-1]


def run(order: str = GRADIENT_DESCENT, steps: int = 10_000) -> WorkedExample:
    """Build the network, take ``steps`` updates of learning rate 0.5, return every quantity.

    Source: Matt Mazur, "A Step by Step Backpropagation Example" (2015), whose figures the
    result reproduces.

    Args:
        order: ``"gradient_descent"`` (the default: every gradient from the same old weights)
            or ``"output_layer_first"`` (the order that reproduces the walk-through's figures
            after the first update); see the module notes.
        steps: how many updates to take, a positive int (default 10,000).

    Returns:
        A :class:`WorkedExample` with every quantity: the forward pass, the errors, the
        derivatives of the output and hidden layers, all eight gradients, the updated weights,
        the error after each update and the outputs after the last.

    Raises:
        ValueError: if ``order`` is unknown or ``steps`` is not a positive int.

    Example:
        >>> from nn.worked_example import run
        >>> ex = run(steps=1)
        >>> round(ex.e_total, 9), round(ex.de_dw5, 9), round(ex.de_dw1, 9)
        (0.298371109, 0.082167041, 0.000438568)
    """
    if order not in ORDERS:
        raise ValueError(f"worked example: unknown order {order!r}; choose one of {ORDERS}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"worked example: steps must be a positive int, got {steps!r}")
    model, p = build_network()
    first = _forward(model)
    first.total.backward()
    (net_h1, net_h2), (out_h1, out_h2) = first.net_h, first.out_h
    (net_o1, net_o2), (out_o1, out_o2) = first.net_o, first.out_o
    e_o1, e_o2 = first.errors
    weight_names = [f"w{i}" for i in range(1, 9)]
    gradients = {name: p[name].grad for name in weight_names}
    de_dout_o1, delta_o1 = out_o1.grad, net_o1.grad
    de_dout_h1, delta_h1 = out_h1.grad, net_h1.grad

    # The walk-through's intermediate derivatives, read before any weight changes (the reverse pass
    # reads each operand's current data).
    dout_o1_dnet_o1 = _partial(out_o1, net_o1)
    dnet_o1_dw5 = _partial(net_o1, p["w5"])
    de_o1_dout_h1 = _partial(e_o1, out_h1)
    de_o2_dout_h1 = _partial(e_o2, out_h1)
    dout_h1_dnet_h1 = _partial(out_h1, net_h1)
    dnet_h1_dw1 = _partial(net_h1, p["w1"])

    history = [first.total.data]
    updated: dict[str, float] = {}
    current = first
    step = _Stepper(model, order)
    for k in range(steps):
        step(current)
        if k == 0:
            updated = {name: p[name].data for name in weight_names}
        current = _forward(model)
        history.append(current.total.data)
        if k + 1 < steps:
            step.optimizer.zero_grad()
            current.total.backward()

    return WorkedExample(
        order=order,
        net_h1=net_h1.data, out_h1=out_h1.data, net_h2=net_h2.data, out_h2=out_h2.data,
        net_o1=net_o1.data, out_o1=out_o1.data, net_o2=net_o2.data, out_o2=out_o2.data,
        e_o1=e_o1.data, e_o2=e_o2.data, e_total=first.total.data,
        de_dout_o1=de_dout_o1, dout_o1_dnet_o1=dout_o1_dnet_o1, dnet_o1_dw5=dnet_o1_dw5,
        delta_o1=delta_o1, de_dw5=gradients["w5"],
        de_o1_dout_h1=de_o1_dout_h1, de_o2_dout_h1=de_o2_dout_h1, de_dout_h1=de_dout_h1,
        dout_h1_dnet_h1=dout_h1_dnet_h1, dnet_h1_dw1=dnet_h1_dw1,
        delta_h1=delta_h1, de_dw1=gradients["w1"],
        gradients=gradients,
        updated=updated,
        error_history=tuple(history),
        outputs_after=(current.out_o[0].data, current.out_o[1].data),
    )


class _Stepper:
    """One update of learning rate 0.5 from the gradients already in ``p.grad``."""

    def __init__(self, model: MLP, order: str) -> None:
        self.order = order
        self.hidden, self.output = model.layers
        self.optimizer = SGD(model.parameters(), lr=LEARNING_RATE)  # frozen biases are skipped
        self.output_optimizer = SGD(self.output.parameters(), lr=LEARNING_RATE)
        self.hidden_optimizer = SGD(self.hidden.parameters(), lr=LEARNING_RATE)

    def __call__(self, step_pass: _Pass) -> None:
        if self.order == GRADIENT_DESCENT:
            self.optimizer.step()
            return
        # The walk-through's figures: update w5..w8 first, then send the old output deltas
        # (dE/dnet_o, fixed numbers) back through the new w5..w8 to get the hidden gradients.
        deltas = [net.grad for net in step_pass.net_o]
        self.output_optimizer.step()
        out_h = [n.weighted_sum(INPUTS).sigmoid() for n in self.hidden.neurons]
        surrogate = sum(
            (d * n.weighted_sum(out_h) for d, n in zip(deltas, self.output.neurons, strict=True)),
            Value(0.0),
        )
        self.hidden_optimizer.zero_grad()
        surrogate.backward()
        self.hidden_optimizer.step()


# --- the table: each figure the walk-through prints beside the one computed here -----------------


class Row(NamedTuple):
    """One line of the comparison table; figures are strings with the walk-through's digits."""

    quantity: str
    published_figure: str
    computed_figure: str

    @property
    def matches(self) -> bool:
        """Equal to the digits printed, give or take one unit in the last digit (the walk-through
        rounds its intermediate numbers, which can move the last digit of a later figure)."""
        return abs(float(self.published_figure) - float(self.computed_figure)) <= 1.000001 * _unit(
            self.published_figure
        )


def _unit(figure: str) -> float:
    """One unit in the last printed digit of ``figure``."""
    return 10.0 ** -len(figure.split(".")[1]) if "." in figure else 1.0


def _figure(x: float, like: str) -> str:
    """``x`` with as many decimals as the walk-through's figure ``like`` has."""
    decimals = len(like.split(".")[1]) if "." in like else 0
    text = f"{x:.{decimals}f}"
    return "0." + "0" * decimals if text == "-0." + "0" * decimals else text


def table_rows(
    gradient_descent: WorkedExample | None = None,
    output_layer_first: WorkedExample | None = None,
) -> list[Row]:
    """Every figure the walk-through prints, beside the engine's (both orders where they differ)."""
    gd = gradient_descent if gradient_descent is not None else run(GRADIENT_DESCENT)
    lf = output_layer_first if output_layer_first is not None else run(OUTPUT_LAYER_FIRST)
    if gd.order != GRADIENT_DESCENT or lf.order != OUTPUT_LAYER_FIRST:
        raise ValueError("table_rows: pass a gradient-descent run, then an output-layer-first run")
    printed: list[tuple[str, str, float]] = [
        ("net_h1", "0.3775", gd.net_h1),
        ("out_h1", "0.593269992", gd.out_h1),
        ("out_h2", "0.596884378", gd.out_h2),
        ("net_o1", "1.105905967", gd.net_o1),
        ("out_o1", "0.75136507", gd.out_o1),
        ("out_o2", "0.772928465", gd.out_o2),
        ("E_o1", "0.274811083", gd.e_o1),
        ("E_o2", "0.023560026", gd.e_o2),
        ("E_total", "0.298371109", gd.e_total),
        ("dE/dout_o1", "0.74136507", gd.de_dout_o1),
        ("dout_o1/dnet_o1", "0.186815602", gd.dout_o1_dnet_o1),
        ("dnet_o1/dw5 (= out_h1)", "0.593269992", gd.dnet_o1_dw5),
        ("dE/dw5", "0.082167041", gd.de_dw5),
        ("delta_o1 = dE/dnet_o1", "0.138498562", gd.delta_o1),
        ("dE_o1/dout_h1", "0.055399425", gd.de_o1_dout_h1),
        ("dE_o2/dout_h1", "-0.019049119", gd.de_o2_dout_h1),
        ("dE/dout_h1", "0.036350306", gd.de_dout_h1),
        ("dout_h1/dnet_h1", "0.241300709", gd.dout_h1_dnet_h1),
        ("dnet_h1/dw1 (= i1)", "0.05", gd.dnet_h1_dw1),
        ("dE/dw1", "0.000438568", gd.de_dw1),
        ("w1 after one update", "0.149780716", gd.updated["w1"]),
        ("w2 after one update", "0.19956143", gd.updated["w2"]),
        ("w3 after one update", "0.24975114", gd.updated["w3"]),
        ("w4 after one update", "0.29950229", gd.updated["w4"]),
        ("w5 after one update", "0.35891648", gd.updated["w5"]),
        ("w6 after one update", "0.408666186", gd.updated["w6"]),
        ("w7 after one update", "0.511301270", gd.updated["w7"]),
        ("w8 after one update", "0.561370121", gd.updated["w8"]),
    ]
    for run_ in (gd, lf):
        tag = "gradient descent" if run_ is gd else "w5..w8 first"
        n = f"{run_.steps:,}"
        printed += [
            (f"E_total after 1 update [{tag}]", "0.291027924", run_.error_after_one_update),
            (f"E_total after {n} updates [{tag}]", "0.0000351085", run_.error_after),
            (f"out_o1 after {n} updates [{tag}]", "0.015912196", run_.outputs_after[0]),
            (f"out_o2 after {n} updates [{tag}]", "0.984065734", run_.outputs_after[1]),
        ]
    return [Row(name, figure, _figure(x, figure)) for name, figure, x in printed]


def format_table(rows: list[Row] | None = None) -> str:
    """The rows as aligned text, a mark for each match, and what the mismatches mean."""
    rows = rows if rows is not None else table_rows()
    width = max(len(r.quantity) for r in rows)
    lines = [f"{'quantity':<{width}}  {'published':>14}  {'computed':>14}", "-" * (width + 34)]
    for r in rows:
        exact = r.published_figure == r.computed_figure
        mark = "ok" if exact else ("ok, last digit" if r.matches else "differs")
        figures = f"{r.published_figure:>14}  {r.computed_figure:>14}"
        lines.append(f"{r.quantity:<{width}}  {figures}  {mark}")
    lines += [
        "",
        "'ok, last digit': the walk-through rounded an intermediate number before using it.",
        "Gradient descent takes every gradient from the old weights. The walk-through's figures",
        "after the first update come from updating w5..w8 first and using the new w5..w8 for the",
        "hidden gradients; its 10,000-update error equals gradient descent's after 9,999 "
        "updates.",
    ]
    return "\n".join(lines)
