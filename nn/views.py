"""Pictures of a model rather than of its scalar graph: the module view and the network diagram.

One training sample through even a small MLP is thousands of scalar nodes; these pictures stay
at the level a person thinks in. :func:`draw_module` shows one box per neuron with its weights,
bias and their gradients, grouped in one cluster per layer. :func:`draw_network` is the textbook
diagram: inputs, neurons by layer and biases, joined by arrows whose width and colour show each
weight's magnitude and sign.

Both read the model through ``model.layers[i].neurons[j].w`` (a list of Values), ``.b`` (a
Value) and ``.activation`` (a name), so they work for ``nn.MLP`` and for any object of that
shape. They change nothing in the model.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import graphviz

from autograd_lite import Value, no_grad
from autograd_lite.drawing import (
    FONT,
    NEGATIVE_RGB,
    POSITIVE_RGB,
    RANKDIRS,
    escape_label,
    format_number,
    grad_color,
)

__all__ = ["draw_module", "draw_network"]


class NeuronLike(Protocol):
    @property
    def w(self) -> Sequence[Value]: ...

    @property
    def b(self) -> Value: ...


class LayerLike(Protocol):
    @property
    def neurons(self) -> Sequence[NeuronLike]: ...


class ModelLike(Protocol):
    @property
    def layers(self) -> Sequence[LayerLike]: ...


def _layers(model: object, caller: str) -> list[list[NeuronLike]]:
    """The model's neurons, layer by layer, after checking it has the shape the pictures read."""
    layers = getattr(model, "layers", None)
    if layers is None:
        raise TypeError(
            f"{caller}: expected a model with .layers[i].neurons[j].w and .b (such as nn.MLP), "
            f"got {type(model).__name__}"
        )
    result = []
    for i, layer in enumerate(layers):
        neurons = list(getattr(layer, "neurons", ()))
        if not neurons:
            raise TypeError(f"{caller}: layers[{i}] has no .neurons to draw")
        for j, neuron in enumerate(neurons):
            w, b = getattr(neuron, "w", None), getattr(neuron, "b", None)
            if not isinstance(b, Value) or w is None or not all(isinstance(x, Value) for x in w):
                raise TypeError(
                    f"{caller}: layers[{i}].neurons[{j}] needs .w (a list of Values) and .b "
                    "(a Value)"
                )
        result.append(neurons)
    if not result:
        raise ValueError(f"{caller}: the model has no layers")
    return result


def _activation(neuron: object) -> str:
    return str(getattr(neuron, "activation", "") or "linear")


def _check_rankdir(rankdir: str, caller: str) -> None:
    if rankdir not in RANKDIRS:
        raise ValueError(f"{caller}: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")


def _names_by_value(names: Mapping[str, Value] | None) -> dict[Value, str]:
    """Invert ``{name: Value}`` (by identity), e.g. the worked example's w1..w8, b1, b2."""
    return {value: name for name, value in (names or {}).items()}


# --- the module view ----------------------------------------------------------------------------


def draw_module(
    model: ModelLike,
    format: str = "svg",
    rankdir: str = "LR",
    *,
    show_grads: bool = True,
    color_by_grad: bool = True,
    max_weights: int = 8,
    max_neurons: int = 32,
) -> graphviz.Digraph:
    """One box per neuron (weights, bias, their data and gradients), one cluster per layer.

    Rows are named like ``named_parameters()`` ends them (``w.0``, ``w.1`` ... ``b``; a Value's
    own label is shown beside). With ``color_by_grad`` each gradient cell is tinted blue for
    positive and red for negative, on one scale for the whole model. A neuron with more than
    ``max_weights`` weights shows the first ones and a count of the rest, and a layer with more
    than ``max_neurons`` neurons shows the first ones and a count, so the picture stays small
    however large the model is.
    """
    layers = _layers(model, "draw_module")
    _check_rankdir(rankdir, "draw_module")
    if max_weights < 1 or max_neurons < 1:
        raise ValueError("draw_module: max_weights and max_neurons must be at least 1")
    grads = [p.grad for neurons in layers for n in neurons for p in (*n.w, n.b)]
    scale = max((abs(g) for g in grads if math.isfinite(g)), default=0.0)

    dot = graphviz.Digraph(format=format)
    dot.attr(rankdir=rankdir, compound="true", fontname=FONT, fontsize="11", nodesep="0.15")
    dot.attr("node", fontname=FONT, fontsize="10", shape="plain")
    dot.attr("edge", fontname=FONT, fontsize="9", color="#555555")
    nin = len(layers[0][0].w)
    dot.node("input", label=f"<<B>input</B><BR/>{_count(nin, 'value')}>", shape="box",
             style="rounded")
    previous = "input"
    for i, neurons in enumerate(layers):
        first = f"l{i}n0"
        with dot.subgraph(name=f"cluster_layer{i}") as cluster:
            activation = _activation(neurons[0])
            cluster.attr(
                label=f"<layers.{i}: {len(neurons[0].w)} → {len(neurons)}, "
                f"{escape_label(activation)}>",
                style="rounded",
                color="#999999",
            )
            shown = neurons if len(neurons) <= max_neurons else neurons[: max_neurons - 1]
            for j, neuron in enumerate(shown):
                label = _neuron_table(neuron, j, show_grads, color_by_grad, scale, max_weights)
                cluster.node(f"l{i}n{j}", label=label, _attributes={"id": f"l{i}n{j}"})
            if len(shown) < len(neurons):
                more = len(neurons) - len(shown)
                cluster.node(f"l{i}more", label=f"… {more} more neurons", shape="box")
        ltail = {} if previous == "input" else {"ltail": f"cluster_layer{i - 1}"}
        dot.edge(previous, first, lhead=f"cluster_layer{i}", **ltail)
        previous = first
    nout = len(layers[-1])
    dot.node("output", label=f"<<B>output</B><BR/>{_count(nout, 'value')}>", shape="box",
             style="rounded")
    dot.edge(previous, "output", ltail=f"cluster_layer{len(layers) - 1}")
    return dot


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _neuron_table(
    neuron: NeuronLike,
    j: int,
    show_grads: bool,
    color_by_grad: bool,
    scale: float,
    max_weights: int,
) -> str:
    columns = 3 if show_grads else 2
    rows = [
        f'<TR><TD COLSPAN="{columns}" BGCOLOR="#eeeeee"><B>neurons.{j}</B> '
        f"{escape_label(_activation(neuron))}</TD></TR>"
    ]
    weights = list(neuron.w)
    shown = weights if len(weights) <= max_weights else weights[: max_weights - 1]
    named: list[tuple[str, Value | None]] = [(f"w.{k}", w) for k, w in enumerate(shown)]
    if len(shown) < len(weights):
        named.append((f"… {len(weights) - len(shown)} more weights", None))
    named.append(("b", neuron.b))
    for name, value in named:
        if value is None:
            rows.append(f'<TR><TD COLSPAN="{columns}">{name}</TD></TR>')
            continue
        title = name + (f" {escape_label(value.label)}" if value.label else "")
        cells = [f'<TD ALIGN="LEFT">{title}</TD>', f"<TD>{format_number(value.data)}</TD>"]
        if show_grads and not value.requires_grad:
            cells.append('<TD><FONT COLOR="#777777">frozen</FONT></TD>')
        elif show_grads:
            fill = f' BGCOLOR="{grad_color(value.grad, scale)}"' if color_by_grad else ""
            cells.append(f"<TD{fill}>grad {format_number(value.grad)}</TD>")
        rows.append(f"<TR>{''.join(cells)}</TR>")
    table = 'BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3"'
    return f"<<TABLE {table}>{''.join(rows)}</TABLE>>"


# --- the network diagram ------------------------------------------------------------------------


def draw_network(
    model: ModelLike,
    format: str = "svg",
    rankdir: str = "LR",
    *,
    names: Mapping[str, Value] | None = None,
    input_names: Sequence[str] | None = None,
    inputs: Sequence[float] | None = None,
    show_values: bool | None = None,
    show_grads: bool = False,
    max_edges: int = 1000,
) -> graphviz.Digraph:
    """The textbook diagram of an MLP: inputs, neurons by layer, biases and weighted arrows.

    An arrow's width grows with ``|w|`` (relative to the largest weight) and its colour is blue
    for a positive and red for a negative weight. A bias Value shared by a whole layer (as in
    the classic worked example) is drawn as one bias node with an arrow to each neuron;
    otherwise each neuron shows its own bias.

    * ``names``: ``{name: Value}`` for the parameters (e.g. ``w1`` ... ``w8``, ``b1``, ``b2``);
      without it a Value's own label is used.
    * ``input_names``: names for the inputs (default ``x1``, ``x2`` ...).
    * ``inputs``: run the model forward on these numbers (nothing is recorded) and show each
      input's and each neuron's value.
    * ``show_values``: write each weight's name and value on its arrow (default: when the
      network has at most 16 weights).
    * ``show_grads``: overlay the gradients: each arrow's and bias's label gains its gradient,
      coloured by sign.
    * ``max_edges``: refuse (``ValueError``) a network with more weights than this; use
      :func:`draw_module` for those.
    """
    layers = _layers(model, "draw_network")
    _check_rankdir(rankdir, "draw_network")
    nin = len(layers[0][0].w)
    edges = sum(len(n.w) for neurons in layers for n in neurons)
    if edges > max_edges:
        raise ValueError(
            f"draw_network: the network has {edges:,} weights, more than max_edges={max_edges:,}; "
            "so many arrows cannot be read. Use draw_module(model), or pass a larger max_edges."
        )
    if input_names is None:
        input_names = [f"x{k + 1}" for k in range(nin)]
    if len(input_names) != nin:
        raise ValueError(f"draw_network: {len(input_names)} input_names for {nin} inputs")
    activations = _forward(layers, inputs, nin) if inputs is not None else None
    if show_values is None:
        show_values = edges <= 16
    label_of = _names_by_value(names)

    def name_of(value: Value) -> str:
        return label_of.get(value) or value.label

    biggest = max((abs(w.data) for neurons in layers for n in neurons for w in n.w), default=0.0)
    dot = graphviz.Digraph(format=format)
    dot.attr(rankdir=rankdir, nodesep="0.4", ranksep="1.2")
    dot.attr("node", fontname=FONT, fontsize="11", shape="circle", fixedsize="false")
    dot.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.6")

    with dot.subgraph(name="inputs") as column:
        column.attr(rank="same")
        for k, input_name in enumerate(input_names):
            text = escape_label(input_name)
            if activations is not None:
                text += f"<BR/>{format_number(activations[0][k])}"
            column.node(f"x{k}", label=f"<{text}>", style="filled", fillcolor="#f2f2f2",
                        _attributes={"id": f"x{k}"})
        _keep_in_order(column, [f"x{k}" for k in range(nin)])

    sources = [f"x{k}" for k in range(nin)]
    for i, neurons in enumerate(layers):
        last = i == len(layers) - 1
        shared = all(n.b is neurons[0].b for n in neurons) and len(neurons) > 1
        ids = [f"l{i}n{j}" for j in range(len(neurons))]
        with dot.subgraph(name=f"layer{i}") as column:
            column.attr(rank="same")
            for j, neuron in enumerate(neurons):
                title = _neuron_name(i, j, len(layers), last)
                lines = [f"<B>{title}</B>", escape_label(_activation(neuron))]
                if not shared:
                    lines.append(_param_text(neuron.b, name_of(neuron.b) or "b", show_grads))
                if activations is not None:
                    lines.append(f"= {format_number(activations[i + 1][j])}")
                column.node(ids[j], label=f"<{'<BR/>'.join(lines)}>",
                            _attributes={"id": ids[j]})
            _keep_in_order(column, ids)
        if shared:
            bias = neurons[0].b
            bias_id = f"bias{i}"
            text = _param_text(bias, name_of(bias) or f"b{i + 1}", show_grads)
            dot.node(bias_id, label=f"<{text}>", shape="box", style="rounded,filled",
                     fillcolor="#fff7d6", _attributes={"id": bias_id})
            for target in ids:
                dot.edge(bias_id, target, style="dashed", color="#b8a24a")
        for j, neuron in enumerate(neurons):
            for k, w in enumerate(neuron.w):
                label = _param_text(w, name_of(w), show_grads) if show_values else ""
                dot.edge(
                    sources[k],
                    ids[j],
                    label=_on_white(label) if label else None,
                    color=_sign_color(w.data),
                    penwidth=f"{0.6 + 3.4 * abs(w.data) / biggest if biggest else 1.0:.2f}",
                    _attributes={"id": f"w_l{i}n{j}_{k}"},
                )
        sources = ids
    return dot


def _on_white(text: str) -> str:
    """An edge label on a white card, so the arrows crossing behind it do not hide it."""
    return f'<<TABLE BORDER="0" CELLPADDING="1" BGCOLOR="white"><TR><TD>{text}</TD></TR></TABLE>>'


def _keep_in_order(column: Any, ids: list[str]) -> None:
    """Invisible edges inside a rank keep its nodes in their index order (x1 above x2 ...)."""
    for upper, lower in itertools.pairwise(ids):
        column.edge(upper, lower, style="invis")


def _neuron_name(i: int, j: int, n_layers: int, last: bool) -> str:
    """Textbook names: h1, h2 ... in a single hidden layer (h1.1 ... with more), o1, o2 ..."""
    if last:
        return f"o{j + 1}"
    return f"h{j + 1}" if n_layers == 2 else f"h{i + 1}.{j + 1}"


def _param_text(value: Value, name: str, show_grads: bool) -> str:
    """``name = data`` and, with the overlay, ``grad g`` in the gradient's colour."""
    text = f"{escape_label(name)} = {format_number(value.data)}" if name else format_number(
        value.data
    )
    if show_grads and not value.requires_grad:
        text += '<BR/><FONT COLOR="#777777">frozen</FONT>'
    elif show_grads:
        colour = _sign_color(value.grad)
        text += f'<BR/><FONT COLOR="{colour}">grad {format_number(value.grad)}</FONT>'
    return text


def _sign_color(x: float) -> str:
    if not math.isfinite(x) or x == 0:
        return "#888888"
    red, green, blue = POSITIVE_RGB if x > 0 else NEGATIVE_RGB
    return f"#{red:02x}{green:02x}{blue:02x}"


def _forward(
    layers: list[list[NeuronLike]], inputs: Sequence[float], nin: int
) -> list[list[float]]:
    """Every layer's outputs for ``inputs``, computed with the neurons' own parameters."""
    if len(inputs) != nin:
        raise ValueError(f"draw_network: {len(inputs)} inputs for a network with {nin} inputs")
    values: list[float] = [float(x) for x in inputs]
    outputs = [values]
    with no_grad():
        for neurons in layers:
            values = [_activate(n, values) for n in neurons]
            outputs.append(values)
    return outputs


def _activate(neuron: NeuronLike, x: Sequence[float]) -> float:
    net: Any = sum((w.data * xi for w, xi in zip(neuron.w, x, strict=True)), neuron.b.data)
    activation = _activation(neuron)
    if activation == "linear":
        return float(net)
    method = getattr(Value, activation, None)
    if method is None or not callable(method):
        raise ValueError(f"draw_network: unknown activation {activation!r} for a forward pass")
    return float(method(Value(net, requires_grad=False)).data)
