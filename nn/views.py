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

from .activations import activation_function

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
    compact: bool | None = None,
) -> graphviz.Digraph:
    """One box per neuron (weights, bias, their data and gradients), one cluster per layer.

    Rows are named like ``named_parameters()`` ends them (``w.0``, ``w.1`` ... ``b``; a Value's
    own label is shown beside). With ``color_by_grad`` each gradient cell is tinted blue for
    positive and red for negative, on one scale for the whole model. A neuron with more than
    ``max_weights`` weights shows the first ones and a count of the rest, and a layer with more
    than ``max_neurons`` neurons shows the first ones and a count, so the picture stays small
    however large the model is.

    ``compact`` (by default: when a layer has more than eight neurons) draws each layer as one
    table with a row per neuron: its weights and their gradients as strips of coloured cells
    (a heat map, hover a cell for its number), its bias and the bias's gradient as numbers. A
    2-16-16-1 MLP then fits on one screen.

    Example:
        >>> from nn import MLP
        >>> picture = draw_module(MLP(2, [16, 16, 1], seed=0))
        >>> "neurons.15" in picture.source and "w.15" not in picture.source
        True
    """
    layers = _layers(model, "draw_module")
    _check_rankdir(rankdir, "draw_module")
    if max_weights < 1 or max_neurons < 1:
        raise ValueError("draw_module: max_weights and max_neurons must be at least 1")
    grads = [p.grad for neurons in layers for n in neurons for p in (*n.w, n.b)]
    scale = max((abs(g) for g in grads if math.isfinite(g)), default=0.0)
    weights = [w.data for neurons in layers for n in neurons for w in n.w]
    weight_scale = max((abs(w) for w in weights if math.isfinite(w)), default=0.0)
    if compact is None:
        compact = max(len(neurons) for neurons in layers) > COMPACT_ABOVE

    dot = graphviz.Digraph(format=format)
    dot.attr(rankdir=rankdir, compound="true", fontname=FONT, fontsize="11", nodesep="0.15",
             ranksep="0.25" if compact else "0.5")
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
            if compact:
                first = f"l{i}"
                label = _layer_table(shown, show_grads, color_by_grad, scale, weight_scale)
                cluster.node(first, label=label, _attributes={"id": first})
            for j, neuron in enumerate([] if compact else shown):
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


#: A compact layer shows at most this many weights per neuron in its strip.
STRIP_LIMIT = 32


def _layer_table(neurons: Sequence[NeuronLike], show_grads: bool, color_by_grad: bool,
                 grad_scale: float, weight_scale: float) -> str:
    """A whole layer as one table: a row per neuron, its weights and gradients as heat strips."""
    heads = ["neuron", "w", "b"] + (["grad w", "grad b"] if show_grads else [])
    rows = ["<TR>" + "".join(f'<TD BGCOLOR="#eeeeee"><B>{h}</B></TD>' for h in heads) + "</TR>"]
    number = _short
    for j, neuron in enumerate(neurons):
        cells = [f'<TD ALIGN="LEFT">neurons.{j}</TD>',
                 f"<TD>{_strip([w.data for w in neuron.w], weight_scale)}</TD>",
                 f"<TD>{number(neuron.b.data)}</TD>"]
        if show_grads:
            grads = [w.grad for w in neuron.w]
            cells.append(f"<TD>{_strip(grads, grad_scale if color_by_grad else 0.0)}</TD>")
            if neuron.b.requires_grad:
                cells.append(f"<TD>{number(neuron.b.grad)}</TD>")
            else:
                cells.append('<TD><FONT COLOR="#777777">frozen</FONT></TD>')
        rows.append(f"<TR>{''.join(cells)}</TR>")
    table = 'BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="2"'
    return f"<<FONT POINT-SIZE=\"9\"><TABLE {table}>{''.join(rows)}</TABLE></FONT>>"


def _short(x: float) -> str:
    """Three significant digits: enough beside a heat strip."""
    return format_number(float(f"{x:.3g}")) if math.isfinite(x) else format_number(x)


def _strip(values: Sequence[float], scale: float) -> str:
    """Numbers as a row of small coloured cells (blue +, red -), each titled with its number."""
    shown = values[:STRIP_LIMIT]
    cells = "".join(
        f'<TD WIDTH="5" HEIGHT="9" FIXEDSIZE="TRUE" BGCOLOR="{grad_color(v, scale)}" '
        f'TITLE="{format_number(v)}"></TD>'
        for v in shown
    )
    if len(values) > len(shown):
        cells += f'<TD><FONT POINT-SIZE="7">+{len(values) - len(shown)}</FONT></TD>'
    table = 'BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"'
    return f"<TABLE {table}><TR>{cells}</TR></TABLE>"


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
    dense_above: int = 64,
) -> graphviz.Digraph:
    """The textbook diagram of an MLP: inputs, neurons by layer, biases and weighted arrows.

    An arrow's width and opacity grow with ``|w|`` (relative to the largest weight), so the
    strong connections stand out of a wide layer, and its colour is blue for a positive and red
    for a negative weight. Between two layers joined by more than ``dense_above`` weights (a
    16-16 layer has 256) the arrows give way to the weight matrix as a heat map (a row per
    neuron, a column per input). A bias Value shared by a whole layer (as in the classic worked
    example) is drawn as one bias node, an input of the layer, with an arrow to each neuron;
    otherwise each neuron shows its own bias. With ``show_values`` each weight's name and value
    sit on a card of their own in the arrow's middle, which no other arrow crosses.

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
    * ``dense_above``: draw a layer's weights as a heat map when it has more than this many.

    Example:
        >>> from nn import MLP
        >>> picture = draw_network(MLP(2, [16, 16, 1], seed=0))
        >>> arrows = [line for line in picture.source.splitlines() if "->" in line]
        >>> "heat map" in picture.source, len([a for a in arrows if "invis" not in a])
        (True, 80)
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
    # Past eight neurons in a layer, each neuron is a small circle with its name (its bias and
    # activation are in the module view, named in the caption), so a 16-wide layer fits a screen.
    compact = max(len(neurons) for neurons in layers) > COMPACT_ABOVE
    dot = graphviz.Digraph(format=format)
    dot.attr(rankdir=rankdir, nodesep="0.12" if compact else "0.4", ranksep="1.2")
    dot.attr("node", fontname=FONT, fontsize="11", shape="circle", fixedsize="false")
    dot.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.6")
    if compact:
        dot.attr("node", fontsize="9", width="0.5", fixedsize="true")
        dot.attr(label=_compact_caption(layers), labelloc="b", fontname=FONT, fontsize="10")

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
                if compact:
                    lines = lines[:1]
                elif not shared:
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
                     fixedsize="false", fillcolor="#fff7d6", _attributes={"id": bias_id})
            for target in ids:
                dot.edge(bias_id, target, style="dashed", color="#b8a24a")
        weights = sum(len(n.w) for n in neurons)
        if weights > dense_above:
            _heat_map(dot, i, neurons, sources, ids, biggest)
            sources = ids
            continue
        for j, neuron in enumerate(neurons):
            for k, w in enumerate(neuron.w):
                style = {
                    "color": _sign_color(w.data, _opacity(w.data, biggest)),
                    "penwidth": f"{0.6 + 3.4 * abs(w.data) / biggest if biggest else 1.0:.2f}",
                }
                edge_id = f"w_l{i}n{j}_{k}"
                if show_values:
                    # The weight's card is a node of its own, so dot routes other arrows
                    # around it instead of through it.
                    label = _param_text(w, name_of(w), show_grads)
                    dot.node(edge_id, label=_on_white(label), shape="plain",
                             _attributes={"id": edge_id})
                    dot.edge(sources[k], edge_id, arrowhead="none", **style,
                             _attributes={"id": f"{edge_id}_in"})
                    dot.edge(edge_id, ids[j], **style, _attributes={"id": f"{edge_id}_out"})
                else:
                    dot.edge(sources[k], ids[j], **style, _attributes={"id": edge_id})
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


def _sign_color(x: float, opacity: float = 1.0) -> str:
    """Blue for positive, red for negative, grey for zero or not finite; ``opacity`` in 0..1."""
    alpha = "" if opacity >= 1 else f"{round(255 * opacity):02x}"
    if not math.isfinite(x) or x == 0:
        return "#888888" + alpha
    red, green, blue = POSITIVE_RGB if x > 0 else NEGATIVE_RGB
    return f"#{red:02x}{green:02x}{blue:02x}{alpha}"


def _opacity(w: float, biggest: float) -> float:
    """An arrow's opacity: 1 for the largest weight, fading to 0.15 towards zero."""
    if not biggest or not math.isfinite(w):
        return 1.0
    return 0.15 + 0.85 * min(1.0, abs(w) / biggest)


#: A layer wider than this draws its neurons as small named circles.
COMPACT_ABOVE = 8


def _compact_caption(layers: list[list[NeuronLike]]) -> str:
    """What the small circles leave out: each layer's activation, and where the biases are."""
    parts = [f"layers.{i}: {escape_label(_activation(neurons[0]))}"
             for i, neurons in enumerate(layers)]
    return f"<{'; '.join(parts)}. Biases: draw_module(model).>"


#: The side of one cell of a weight heat map, in points.
HEAT_CELL = 9


def _heat_map(dot: Any, i: int, neurons: Sequence[NeuronLike], sources: list[str],
              targets: list[str], biggest: float) -> None:
    """Layer ``i``'s weights as one table of coloured cells between its inputs and neurons."""
    rows = len(neurons)
    columns = len(neurons[0].w)
    cells = []
    for neuron in neurons:
        tds = "".join(
            f'<TD WIDTH="{HEAT_CELL}" HEIGHT="{HEAT_CELL}" FIXEDSIZE="TRUE" '
            f'BGCOLOR="{grad_color(w.data, biggest)}"></TD>'
            for w in neuron.w
        )
        cells.append(f"<TR>{tds}</TR>")
    title = (f'<TR><TD COLSPAN="{columns}"><FONT POINT-SIZE="9"><B>layers.{i}</B> weights, '
             f"{rows} × {columns}<BR/>(a row per neuron, a column per input)</FONT></TD></TR>")
    key = (f'<TR><TD COLSPAN="{columns}"><FONT POINT-SIZE="8">blue +, red −; '
           f"|w| up to {format_number(biggest)}</FONT></TD></TR>")
    node_id = f"heat{i}"
    dot.node(node_id, label=f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1" '
             f'CELLPADDING="0">{title}{"".join(cells)}{key}</TABLE>>', shape="box",
             style="rounded", color="#999999", tooltip="heat map", fixedsize="false",
             _attributes={"id": node_id, "class": "heatmap"})
    for source in sources:
        dot.edge(source, node_id, color="#99999966", arrowhead="none")
    for target in targets:
        dot.edge(node_id, target, color="#99999966")


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
    """The neuron's output on floats, through nn's own activation function for its name."""
    net = sum((w.data * xi for w, xi in zip(neuron.w, x, strict=True)), neuron.b.data)
    try:
        activate = activation_function(_activation(neuron))
    except ValueError as error:
        raise ValueError(f"draw_network: {error}") from None
    return float(activate(net))
