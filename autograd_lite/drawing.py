"""Pictures of a computation graph: ``draw_dot`` and the pieces the backward stepper reuses.

Each Value is a box ``label | data | grad`` and each operation a small node of its own between
its operands and its result, the picture micrograd's lecture made familiar. The graph is read
through :func:`~autograd_lite.graph.topological_order` only and never changed: drawing has no
side effects on data, gradients or structure.

Labels are user text and are escaped for Graphviz's HTML-like labels, so quotes, backslashes,
``< > { } | &``, newlines and any Unicode text show exactly as written. A graph larger than
``max_nodes`` is refused before any layout work, by a walk that stops at the limit.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import graphviz

from .graph import count_nodes, topological_order
from .naming import node_names

if TYPE_CHECKING:
    from .value import Value

#: The largest graph drawn unless ``max_nodes`` says otherwise (counted in Values). One sample
#: through an MLP 2-16-16-1 with a loss is about 1,000 Values, so it fits, and ``dot`` lays it out
#: in about a quarter of a minute; beyond a few thousand nodes layout takes minutes and the
#: picture is unreadable anyway, which is what the model-level pictures in ``nn.views`` are for.
DEFAULT_MAX_NODES = 2000

#: A refused graph is counted up to this many nodes for the error message (about 0.1 s).
COUNT_REPORT_LIMIT = 250_000

RANKDIRS = ("LR", "TB", "RL", "BT")

POSITIVE_RGB = (67, 147, 195)  # blue: increasing this node increases the root
NEGATIVE_RGB = (214, 96, 77)  # red: increasing this node decreases the root
NOT_FINITE_COLOR = "#ffe066"  # yellow: a nan or infinite gradient
HIGHLIGHT_COLOR = "#e66101"
CONSTANT_COLOR = "#777777"
FONT = "Helvetica"

#: Operations whose operands can be swapped: their edges need no position labels.
COMMUTATIVE = frozenset({"+", "*", "add_n", "maximum", "minimum", "hypot"})


def format_number(x: float) -> str:
    """``x`` in at most 4 significant digits: ``0.5933``, ``-3``, ``1.234e-05``, ``nan``."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"  # also for -0.0, which would only confuse
    return f"{x:.4g}"


def escape_label(text: str) -> str:
    """``text`` as the content of a Graphviz HTML-like label, shown literally.

    ``& < > "`` become entities, each line break becomes ``<BR/>``, and control characters
    (which XML and SVG cannot carry) are shown as Python escapes such as ``\\t`` or ``\\x00``.
    A backslash is doubled: even in HTML-like labels Graphviz replaces ``\\N`` by the node's
    name (and ``\\G``, ``\\E``, ``\\T``, ``\\H`` likewise), and ``\\\\`` is its escape for
    one backslash. Braces and bars need nothing: they are plain text in an HTML-like label.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = []
    for line in text.split("\n"):
        visible = "".join(
            repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in line
        )
        lines.append(
            visible.replace("\\", "\\\\")
            .replace("&", "&amp;")
            .replace("<", "&lt;")
            .replace(">", "&gt;")
            .replace('"', "&quot;")
        )
    return "<BR/>".join(lines)


def grad_color(grad: float, scale: float) -> str:
    """A fill colour for ``grad``: blue when positive, red when negative, white at zero.

    The intensity is ``sqrt(|grad| / scale)`` (capped at 1), so gradients a hundred times smaller
    than the largest one are still visibly tinted.
    """
    if not math.isfinite(grad):
        return NOT_FINITE_COLOR
    if grad == 0 or scale <= 0:
        return "#ffffff"
    strength = min(1.0, abs(grad) / scale) ** 0.5
    base = POSITIVE_RGB if grad > 0 else NEGATIVE_RGB
    red, green, blue = (round(255 + (c - 255) * strength) for c in base)
    return f"#{red:02x}{green:02x}{blue:02x}"


def check_graph_size(root: Value, max_nodes: int | None, caller: str) -> None:
    """Refuse a graph above ``max_nodes`` before anything is laid out, and say how big it is.

    Deciding costs O(max_nodes): the count stops just past the limit. Only a refused graph is
    counted further, for the message, and never past ``COUNT_REPORT_LIMIT`` nodes (a tenth of a
    second), so the answer comes at once however large the graph is.
    """
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int):
        raise TypeError(f"{caller}: max_nodes must be an int or None, got {max_nodes!r}")
    if max_nodes < 1:
        raise ValueError(f"{caller}: max_nodes must be at least 1, got {max_nodes}")
    if count_nodes(root, stop_after=max_nodes) <= max_nodes:
        return
    report_limit = max(COUNT_REPORT_LIMIT, max_nodes)
    seen = count_nodes(root, stop_after=report_limit)
    size = f"{seen:,}" if seen <= report_limit else f"more than {report_limit:,}"
    raise ValueError(
        f"{caller}: the graph has {size} nodes, above the limit max_nodes={max_nodes}; Graphviz "
        "would take very long and the picture would be unreadable. Draw a smaller expression (one "
        "neuron, one sample), use the model-level pictures nn.views.draw_module(model) or "
        "nn.views.draw_network(model), or pass a larger max_nodes (max_nodes=None turns this "
        "check off)."
    )


def check_root(root: object, caller: str) -> None:
    """A clear TypeError when ``root`` is not a Value."""
    from .value import Value

    if not isinstance(root, Value):
        raise TypeError(f"{caller}: root must be a Value, got {type(root).__name__}")


def nodes_between(source: Value, root: Value) -> list[Value]:
    """Every node on some path from ``source`` up to ``root``, both included, in topological order.

    These are the nodes through which ``source`` influences ``root``, i.e. the ones its gradient
    flows back through: pass them to ``draw_dot(root, highlight=...)`` to show that path.
    """
    check_root(root, "nodes_between")
    order = topological_order(root)
    if source not in set(order):
        raise ValueError(f"nodes_between: {source!r} is not in the graph of {root!r}")
    downstream = {source}
    for node in order:
        if any(parent in downstream for parent in node.parents):
            downstream.add(node)
    return [node for node in order if node in downstream]


def draw_dot(
    root: Value,
    format: str = "svg",
    rankdir: str = "LR",
    *,
    color_by_grad: bool = False,
    highlight: Iterable[Value] | None = None,
    hide_constants: bool = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> graphviz.Digraph:
    """The computation graph of ``root`` as a ``graphviz.Digraph`` (it shows inline in Jupyter).

    Every Value is a box with its label, ``data`` and ``grad``; every operation is a small node
    between its operands and its result (operands of ``-``, ``/``, ``**`` ... are numbered on
    their edges). ``.render()``, ``.pipe()`` or ``.source`` turn it into a file, bytes or DOT.

    * ``rankdir``: ``"LR"`` (left to right, the default) or ``"TB"`` (top to bottom), also
      ``"RL"``, ``"BT"``.
    * ``color_by_grad``: fill each box by its gradient, blue for positive and red for negative,
      stronger for larger magnitude, with a legend giving the scale.
    * ``highlight``: Values to emphasise; edges between highlighted Values are emphasised too, so
      a path (for example :func:`nodes_between`) shows as one line.
    * ``hide_constants``: leave out unlabelled constant operands (numbers such as the ``2`` in
      ``x ** 2``) and write them into their operation's node instead; a labelled constant (an
      input ``i1``, a target) stays a box of its own.

    Every box carries the node's name: its label in bold, else (in italics) the short
    expression it computes, such as ``x1*w1``, or an automatic name ``t1``, ``t2`` ... (see
    :func:`~autograd_lite.naming.node_names`); captions and explanations use the same names.

    Args:
        root: the Value whose graph is drawn (everything it depends on).
        format: the output format of ``.render()``/``.pipe()``: ``"svg"`` (default), ``"png"``,
            ``"pdf"`` or any format Graphviz's ``dot`` knows.
        rankdir: ``"LR"`` (left to right, the default), ``"TB"``, ``"RL"`` or ``"BT"``.
        color_by_grad: fill each box by its gradient, blue for positive and red for negative,
            stronger for larger magnitude, with a legend giving the scale.
        highlight: Values to emphasise; edges between highlighted Values are emphasised too, so
            a path shows as one line.
        hide_constants: leave out unlabelled constant operands (the ``2`` in ``x ** 2``) and
            write them into their operation's node instead; a labelled constant stays a box.
        max_nodes: refuse a graph with more Values than this before any layout work; None turns
            the check off.

    Returns:
        A ``graphviz.Digraph``: ``.source`` is the DOT text, ``.pipe()`` the rendered bytes
        (needs Graphviz's ``dot`` program), and Jupyter shows it inline.

    Raises:
        TypeError: if ``root`` is not a Value, ``max_nodes`` is not an int or None, or a
            highlighted item is not a Value.
        ValueError: if ``rankdir`` is unknown, the graph has more than ``max_nodes`` Values, or a
            highlighted Value is not in the graph.

    Example:
        >>> from autograd_lite import Value, draw_dot
        >>> x = Value(2.0, label="x")
        >>> y = (x * x).tanh()
        >>> y.backward()
        >>> dot = draw_dot(y)
        >>> "digraph" in dot.source and "tanh" in dot.source
        True
    """
    check_root(root, "draw_dot")
    check_graph_size(root, max_nodes, "draw_dot")
    order = topological_order(root)
    highlighted = _checked_highlight(highlight, order)
    return value_graph(
        order,
        {node: node.grad for node in order},
        format=format,
        rankdir=rankdir,
        color_by_grad=color_by_grad,
        highlighted=highlighted,
        hide_constants=hide_constants,
    )


def _checked_highlight(highlight: Iterable[Value] | None, order: Sequence[Value]) -> set[Value]:
    if highlight is None:
        return set()
    from .value import Value

    in_graph = set(order)
    chosen = set()
    for node in highlight:
        if not isinstance(node, Value):
            raise TypeError(f"draw_dot: highlight must hold Values, got {type(node).__name__}")
        if node not in in_graph:
            raise ValueError(f"draw_dot: highlighted {node!r} is not in the graph of this root")
        chosen.add(node)
    return chosen


def value_graph(
    order: Sequence[Value],
    grads: Mapping[Value, float],
    *,
    format: str = "svg",
    rankdir: str = "LR",
    color_by_grad: bool = False,
    highlighted: set[Value] | None = None,
    hide_constants: bool = False,
    names: Mapping[Value, str] | None = None,
) -> graphviz.Digraph:
    """Build the picture of the nodes in ``order`` (a topological order), showing ``grads``.

    ``names`` are the names written in the boxes (default :func:`node_names` of ``order``).

    Element ids are stable so that pages can script them: Value ``i`` of ``order`` is ``v{i}``,
    its operation ``op{i}``, the edge from its operand ``j`` ``e{i}_{j}`` and the edge from the
    operation to it ``r{i}``. The backward stepper relies on these ids.
    """
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    highlighted = highlighted or set()
    names = names if names is not None else node_names(order)
    index = {node: i for i, node in enumerate(order)}
    root = order[-1]

    def hidden(node: Value) -> bool:
        return (
            hide_constants
            and not node.requires_grad
            and not node.parents
            and not node.label
            and node is not root
        )

    scale = max(
        (abs(grads[n]) for n in order if n.requires_grad and math.isfinite(grads[n])),
        default=0.0,
    )
    dot = graphviz.Digraph(format=format)
    dot.attr(rankdir=rankdir)
    dot.attr("node", fontname=FONT, fontsize="11")
    dot.attr("edge", fontname=FONT, fontsize="9", arrowsize="0.7")

    for i, node in enumerate(order):
        if hidden(node):
            continue
        fill = grad_color(grads[node], scale) if color_by_grad and node.requires_grad else None
        dot.node(
            f"v{i}",
            label=_value_label(node, names[node], grads.get(node, 0.0), fill, node in highlighted),
            shape="plain",
            _attributes={"id": f"v{i}", "class": "value" if node.requires_grad else "constant"},
        )
        if node.operation is None:
            continue
        parents = node.parents
        folded = [format_number(p.data) for p in parents if hidden(p)]
        shown = [(j, p) for j, p in enumerate(parents) if not hidden(p)]
        on_path = node in highlighted and any(p in highlighted for _, p in shown)
        op_label = " ".join([escape_label(node.operation.name), *folded])
        dot.node(
            f"op{i}",
            label=f"<{op_label}>",
            shape="ellipse",
            style="filled",
            fillcolor="#fdd0a2" if on_path else "#eeeeee",
            color=HIGHLIGHT_COLOR if on_path else "#999999",
            penwidth="2" if on_path else "1",
            margin="0.04,0.02",
            height="0.3",
            fontsize="10",
            _attributes={"id": f"op{i}", "class": "op"},
        )
        numbered = len(shown) > 1 and node.operation.name not in COMMUTATIVE
        for j, parent in shown:
            emphasised = node in highlighted and parent in highlighted
            dot.edge(
                f"v{index[parent]}",
                f"op{i}",
                label=str(j + 1) if numbered else None,
                **_edge_style(emphasised),
                _attributes={"id": f"e{i}_{j}"},
            )
        dot.edge(f"op{i}", f"v{i}", **_edge_style(on_path), _attributes={"id": f"r{i}"})

    if color_by_grad:
        _add_legend(dot, scale)
    return dot


def _edge_style(emphasised: bool) -> dict[str, str]:
    if emphasised:
        return {"color": HIGHLIGHT_COLOR, "penwidth": "2.5"}
    return {"color": "#555555"}


def _value_label(
    node: Value, name: str, grad: float, fill: str | None, highlighted: bool
) -> str:
    """An HTML-like label: one row ``name | data | grad`` (``const`` for constants).

    A label is bold; a name the drawing made up is in italics (for results and unlabelled
    parameters); an unlabelled constant has no name cell, its number is its name.
    """
    cells = []
    if node.label:
        cells.append(f"<TD><B>{escape_label(node.label)}</B></TD>")
    elif node.operation is not None or node.requires_grad:
        cells.append(f"<TD><I>{escape_label(name)}</I></TD>")
    cells.append(f"<TD>data {format_number(node.data)}</TD>")
    if node.requires_grad:
        cells.append(f"<TD>grad {format_number(grad)}</TD>")
    else:
        cells.append(f'<TD><FONT COLOR="{CONSTANT_COLOR}">const</FONT></TD>')
    table = 'CELLBORDER="1" CELLSPACING="0" CELLPADDING="4"'
    if highlighted:
        table += f' BORDER="2" COLOR="{HIGHLIGHT_COLOR}"'
    else:
        table += ' BORDER="0"'
    if not node.requires_grad and not highlighted:
        table += f' COLOR="{CONSTANT_COLOR}"'
    if fill is not None:
        table += f' BGCOLOR="{fill}"'
    return f"<<TABLE {table}><TR>{''.join(cells)}</TR></TABLE>>"


def _add_legend(dot: Any, scale: float) -> None:
    """A key for ``color_by_grad``: swatches from -scale to +scale."""
    if scale == 0:
        title = "grad colour: every gradient is 0"
        samples: list[float] = [0.0]
    else:
        title = "grad colour (sqrt scale)"
        samples = [-scale, -scale / 2, 0.0, scale / 2, scale]
    swatches = "".join(
        f'<TD BGCOLOR="{grad_color(x, scale)}">{format_number(x)}</TD>' for x in samples
    )
    extra = f'<TD BGCOLOR="{NOT_FINITE_COLOR}">nan/inf</TD>'
    label = (
        f'<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
        f'<TR><TD COLSPAN="{len(samples) + 1}"><B>{title}</B></TD></TR>'
        f"<TR>{swatches}{extra}</TR></TABLE>>"
    )
    with dot.subgraph(name="cluster_legend") as legend:
        legend.attr(label="", color="#cccccc")
        legend.node("legend", label=label, shape="plain", _attributes={"id": "legend"})
