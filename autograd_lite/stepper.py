"""The backward pass, one node at a time: frames for teaching, saved as a self-contained web page.

:func:`backward_stepper` runs :func:`~autograd_lite.graph.backpropagate`, the very generator that
``backward()`` uses, so the frames come in exactly the engine's order and carry exactly its
numbers. Each frame is one node whose gradient has just become complete, together with the
chain-rule terms that produced it::

    grad(node) = sum over each use of node by a result c:  d c / d node  *  grad(c)

Nothing in the graph is changed: ``backpropagate`` keeps its gradients to itself, so the nodes'
``.grad`` stay as they were; the page shows the gradients of this one pass.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import value as _value
from .drawing import (
    DEFAULT_MAX_NODES,
    RANKDIRS,
    check_graph_size,
    check_root,
    format_number,
    value_graph,
)
from .graph import backpropagate, topological_order
from .naming import as_factor, decimal, local_formula, node_names, partial, signed

if TYPE_CHECKING:
    from .value import Value


@dataclass(frozen=True)
class Term:
    """One chain-rule product: ``local_grad * upstream_grad`` flowing into a node from ``consumer``.

    ``consumer`` used the node as its operand number ``operand_index``; ``local_grad`` is
    d consumer / d node, ``upstream_grad`` is d root / d consumer (already complete).
    """

    consumer: Value
    operand_index: int
    local_grad: float
    upstream_grad: float

    @property
    def product(self) -> float:
        """This term's contribution to the node's gradient."""
        return self.local_grad * self.upstream_grad


@dataclass(frozen=True)
class Frame:
    """One step of the backward pass: ``node``'s gradient ``grad`` is complete.

    ``grad`` is the sum of the ``terms`` in order (for the root there are none: its gradient is
    the seed passed to the stepper, 1 by default).
    """

    index: int
    node: Value
    node_id: str
    grad: float
    terms: tuple[Term, ...]


def backward_stepper(
    root: Value,
    gradient: float = 1.0,
    *,
    rankdir: str = "LR",
    hide_constants: bool = False,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> BackwardStepper:
    """Record the backward pass from ``root`` as frames you can step through.

    Show it in a notebook (it displays itself) or ``save("backward.html")`` for a page with
    previous / next / play buttons, a slider, the arrow keys, pan, zoom and fit-to-view. Each
    step's caption writes the chain rule out for the node whose gradient just completed.

    Args:
        root: the Value to differentiate (it must require grad).
        gradient: the upstream gradient d(output)/d(root) the pass starts from (default 1.0).
        rankdir: as in :func:`~autograd_lite.draw_dot`.
        hide_constants: as in :func:`~autograd_lite.draw_dot`.
        max_nodes: as in :func:`~autograd_lite.draw_dot`.

    Returns:
        A :class:`BackwardStepper` with one frame per node, in the order reverse mode completes
        their gradients. No ``.grad`` is written.

    Raises:
        TypeError: if ``root`` is not a Value or ``gradient`` is not a number.
        RuntimeError: if ``root`` does not require grad.
        ValueError: if ``rankdir`` is unknown or the graph has more than ``max_nodes`` Values.

    Example:
        >>> from autograd_lite import Value, backward_stepper
        >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        >>> stepper = backward_stepper((a * b).tanh())
        >>> len(stepper.frames), a.grad           # one frame per node; nothing accumulated
        (4, 0.0)
    """
    return BackwardStepper(
        root, gradient, rankdir=rankdir, hide_constants=hide_constants, max_nodes=max_nodes
    )


class BackwardStepper:
    """The frames of one backward pass and the page that plays them.

    Build it with :func:`backward_stepper`, whose arguments it takes.

    Attributes:
        root: the differentiated Value.
        order: the graph's nodes in topological order.
        names: the name each node's box shows and captions use.
        frames: one frame per node, in the order reverse mode completes their gradients.

    Raises:
        TypeError, RuntimeError, ValueError: as :func:`backward_stepper`.

    Example:
        >>> from autograd_lite import Value, backward_stepper
        >>> x = Value(0.5, label="x")
        >>> stepper = backward_stepper(x.exp())
        >>> html = stepper.to_html()
        >>> 'id="graph"' in html
        True
    """

    def __init__(
        self,
        root: Value,
        gradient: float = 1.0,
        *,
        rankdir: str = "LR",
        hide_constants: bool = False,
        max_nodes: int | None = DEFAULT_MAX_NODES,
    ) -> None:
        check_root(root, "backward_stepper")
        seed = _value._number(gradient, "backward_stepper's gradient")
        if not root.requires_grad:
            raise RuntimeError(
                "backward_stepper: the root does not require grad (it is a constant), so no "
                "gradient flows anywhere"
            )
        if rankdir not in RANKDIRS:
            raise ValueError(
                f"backward_stepper: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}"
            )
        check_graph_size(root, max_nodes, "backward_stepper")
        self.root = root
        self.rankdir = rankdir
        self.hide_constants = hide_constants
        self.order = topological_order(root)
        self._ids = {node: f"v{i}" for i, node in enumerate(self.order)}
        #: The name each node's box shows, and captions use (see :func:`node_names`).
        self.names = node_names(self.order)
        self.frames: tuple[Frame, ...] = tuple(self._record(seed))
        self._svg: str | None = None

    def node_id(self, node: Value) -> str:
        """The id of ``node``'s element in the page's SVG."""
        return self._ids[node]

    def _record(self, seed: float) -> list[Frame]:
        """Run the engine's reverse pass and explain each gradient it yields."""
        uses: dict[Value, list[tuple[Value, int]]] = {}
        for node in reversed(self.order):  # the order in which backpropagate adds the terms
            for j, parent in enumerate(node.parents):
                if parent.requires_grad:
                    uses.setdefault(parent, []).append((node, j))
        completed: dict[Value, float] = {}
        frames: list[Frame] = []
        for node, grad in backpropagate(self.root, seed):
            terms = tuple(
                Term(consumer, j, _local_grad(consumer, j), completed[consumer])
                for consumer, j in uses.get(node, [])
            )
            completed[node] = grad
            frames.append(Frame(len(frames), node, self._ids[node], grad, terms))
        return frames

    # --- the page ------------------------------------------------------------------------------

    def svg(self) -> str:
        """The graph as inline SVG (rendered once by ``dot``), gradients as this pass found them.

        The picture sits in a ``<g id="viewport">`` that the page moves and scales (pan and
        zoom); the SVG fills its box instead of keeping Graphviz's fixed size, which is kept in
        ``data-width`` and ``data-height``.
        """
        if self._svg is None:
            grads = {node: 0.0 for node in self.order}
            grads.update({frame.node: frame.grad for frame in self.frames})
            picture = value_graph(
                self.order,
                grads,
                rankdir=self.rankdir,
                hide_constants=self.hide_constants,
                names=self.names,
            )
            source = picture.pipe(format="svg", encoding="utf-8")
            self._svg = _pannable(source[source.index("<svg") :])  # no XML prolog, no DOCTYPE
        return self._svg

    def to_html(self, title: str = "Backward pass, step by step") -> str:
        """One self-contained HTML page: inline SVG, styles and script; it loads nothing.

        The graph fills the window below the controls; it opens fitted to the window (or at a
        readable zoom, following the current node, when the whole graph would be too small),
        and every step brings the current node and the results it draws from into view. Drag to
        pan, scroll or ``+`` / ``-`` to zoom, ``Fit`` (or the ``0`` key) to see everything.
        """
        data = [self._frame_data(frame) for frame in self.frames]
        # Inside <script>, "<" must not appear literally (no "</script>" can end it early).
        frames_json = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
        fields = {
            "title": html.escape(title),
            "last": str(len(self.frames) - 1),
            "svg": self.svg(),
            "frames": frames_json,
        }
        # One pass over the template, so text inside a field is never taken for a placeholder.
        return re.sub(r"\{\{(\w+)\}\}", lambda m: fields[m.group(1)], _PAGE)

    def save(self, path: str | Path, title: str = "Backward pass, step by step") -> Path:
        """Write the page to ``path`` (UTF-8) and return the path."""
        target = Path(path)
        target.write_text(self.to_html(title), encoding="utf-8")
        return target

    def _repr_html_(self) -> str:
        """Jupyter: the page in a sandboxed iframe, so its ids and keys never clash with others.

        The frame is as tall as the picture needs, up to 640 px; the page inside fits itself to
        the frame and follows the current node, so nothing needs scrolling.
        """
        match = re.search(r'data-height="([\d.]+)"', self.svg())
        height = 190 + (int(float(match.group(1))) if match else 400)
        return (
            f'<iframe srcdoc="{html.escape(self.to_html(), quote=True)}" '
            f'sandbox="allow-scripts" style="width:100%;height:{max(420, min(height, 640))}px;'
            'border:0"></iframe>'
        )

    def caption(self, frame: Frame) -> str:
        """The chain rule of ``frame`` in symbols and numbers, with the names drawn in the boxes.

        Example:
            >>> from autograd_lite import Value
            >>> x, w = Value(2.0, label="x"), Value(-0.5, label="w")
            >>> y = (x * w).tanh()
            >>> y.label = "y"
            >>> stepper = backward_stepper(y)
            >>> stepper.caption(stepper.frames[1])
            '∂y/∂(x*w) = (1-y²)·∂y/∂y = 0.419974 × 1 = 0.419974'
        """
        root = self.names[self.root]
        name = self.names[frame.node]
        if not frame.terms:
            text = f"{partial(root, name)} = 1"
            if frame.grad != 1:
                text += f", times the starting gradient {decimal(frame.grad)}"
            return text
        symbols = []
        for term in frame.terms:
            upstream = partial(root, self.names[term.consumer])
            formula = local_formula(term.consumer, term.operand_index, self.names)
            if formula is None:
                formula = partial(self.names[term.consumer], name)
            symbols.append(upstream if formula == "1" else f"{as_factor(formula)}·{upstream}")
        numbers = " + ".join(
            f"{signed(decimal(t.local_grad))} × {signed(decimal(t.upstream_grad))}"
            for t in frame.terms
        )
        return (
            f"{partial(root, name)} = {' + '.join(symbols)} = {numbers} = {decimal(frame.grad)}"
        )

    def _frame_data(self, frame: Frame) -> dict[str, object]:
        return {
            "node": frame.node_id,
            "grad": f"grad {format_number(frame.grad)}",
            "caption": self.caption(frame),
            "flow": [
                {
                    "edge": f"e{self._ids[t.consumer][1:]}_{t.operand_index}",
                    "op": f"op{self._ids[t.consumer][1:]}",
                    "consumer": self._ids[t.consumer],
                }
                for t in frame.terms
            ],
        }

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"BackwardStepper({len(self.frames)} frames, root={self.root!r})"


def _pannable(svg: str) -> str:
    """Graphviz's SVG made to fill its box, its drawing wrapped in ``<g id="viewport">``."""
    head_end = svg.index(">") + 1
    head = svg[:head_end]
    box = re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+) ([\d.]+)"', head)
    width, height = (box.group(1), box.group(2)) if box else ("0", "0")
    head = re.sub(r'\s(width|height|viewBox)="[^"]*"', "", head)
    head = head.replace(
        "<svg", f'<svg width="100%" height="100%" data-width="{width}" data-height="{height}"', 1
    )
    body = svg[head_end:].rstrip()
    assert body.endswith("</svg>")
    return f'{head}\n<g id="viewport">{body[: -len("</svg>")]}</g>\n</svg>\n'


def _local_grad(consumer: Value, operand_index: int) -> float:
    """d consumer / d (its operand ``operand_index``), from its operation, on floats."""
    operation = consumer.operation
    assert operation is not None  # only results of operations have operands
    inputs: Sequence[float] = [p.data for p in consumer.parents]
    return float(operation.local_grads(*inputs, consumer.data)[operand_index])


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy"
      content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
  html, body { margin: 0; padding: 0; }
  body { font-family: Helvetica, Arial, sans-serif; color: #222; box-sizing: border-box;
         height: 100vh; min-height: 360px; display: flex; flex-direction: column;
         padding: .5em 1em .8em; }
  h1 { font-size: 1.1em; margin: .2em 0 .4em; }
  .controls { display: flex; gap: .4em; align-items: center; flex-wrap: wrap; }
  .controls button { font-size: .95em; padding: .25em .7em; }
  #slider { flex: 1; min-width: 8em; }
  #caption { font-family: Menlo, Consolas, monospace; font-size: .95em; margin: .5em 0 .2em;
             min-height: 1.4em; overflow-wrap: anywhere; }
  .hint { color: #777; font-size: .8em; margin-bottom: .4em; }
  #graph { flex: 1 1 0; min-height: 200px; position: relative; overflow: hidden;
           border: 1px solid #ddd; border-radius: 4px; cursor: grab; touch-action: none;
           background: #fff; }
  #graph.dragging { cursor: grabbing; }
  #graph > svg { display: block; width: 100%; height: 100%; user-select: none; }
  g.value.pending text { fill: #aaaaaa; }
  g.value.done polygon { fill: #e6f0f8; }
  g.value.upstream polygon { fill: #fee0b6; }
  g.value.current polygon { fill: #fdb863; stroke: #e66101; stroke-width: 2px; }
  g.op.flow ellipse { fill: #fdd0a2; stroke: #e66101; stroke-width: 2px; }
  g.edge.flow path, g.edge.flow polygon { stroke: #e66101; stroke-width: 3px; }
  g.edge.flow polygon { fill: #e66101; }
</style>
</head>
<body>
<h1>{{title}}</h1>
<div class="controls">
  <button id="prev" type="button" title="previous step (left arrow)">&#9664; Previous</button>
  <button id="play" type="button" title="play or pause (space)">&#9654; Play</button>
  <button id="next" type="button" title="next step (right arrow)">Next &#9654;</button>
  <input id="slider" type="range" min="0" max="{{last}}" value="0" aria-label="step">
  <span id="counter"></span>
  <button id="zoom-out" type="button" title="zoom out (-)">&minus;</button>
  <button id="zoom-in" type="button" title="zoom in (+)">+</button>
  <button id="fit" type="button" title="fit the whole graph in view (0)">Fit</button>
</div>
<div id="caption"></div>
<div class="hint">Each step completes one gradient, in the order the engine's backward pass
computes them: the highlighted node, the edges its gradient flows back along and the results
it comes from. Keys: &larr; &rarr;, space, Home, End, + &minus; 0. Drag to pan, scroll to zoom.
</div>
<div id="graph">
{{svg}}
</div>
<script>
"use strict";
const FRAMES = {{frames}};
const slider = document.getElementById("slider");
const counter = document.getElementById("counter");
const caption = document.getElementById("caption");
const playButton = document.getElementById("play");
const graph = document.getElementById("graph");
const svg = graph.querySelector("svg");
const viewport = document.getElementById("viewport");
const WIDTH = Number(svg.dataset.width) || 1;
const HEIGHT = Number(svg.dataset.height) || 1;
const READABLE = 0.75;  // below this zoom the text is too small to read
const MARGIN = 16;      // px kept between a node followed into view and the frame's edge
const gradTexts = {};
for (const frame of FRAMES) {
  const group = document.getElementById(frame.node);
  gradTexts[frame.node] = Array.from(group.querySelectorAll("text"))
    .find(t => t.textContent.startsWith("grad "));
}
let step = 0;
let timer = null;
const view = {x: 0, y: 0, k: 1};

// --- pan and zoom: one transform on the drawing, in screen pixels --------------------------

function apply() {
  viewport.setAttribute("transform", `translate(${view.x} ${view.y}) scale(${view.k})`);
  document.body.dataset.zoom = view.k.toFixed(3);
}

function fitScale() {
  const box = graph.getBoundingClientRect();
  return Math.min((box.width - 2 * MARGIN) / WIDTH, (box.height - 2 * MARGIN) / HEIGHT, 1.5);
}

function fit() {
  const box = graph.getBoundingClientRect();
  view.k = Math.max(fitScale(), 0.02);
  view.x = (box.width - WIDTH * view.k) / 2;
  view.y = (box.height - HEIGHT * view.k) / 2;
  apply();
}

function zoomAt(factor, px, py) {
  const k = Math.min(4, Math.max(0.02, view.k * factor));
  view.x = px - (px - view.x) * (k / view.k);
  view.y = py - (py - view.y) * (k / view.k);
  view.k = k;
  apply();
}

function zoomCentre(factor) {
  const box = graph.getBoundingClientRect();
  zoomAt(factor, box.width / 2, box.height / 2);
}

function union(elements) {
  let r = null;
  for (const el of elements) {
    const b = el.getBoundingClientRect();
    r = r === null ? {left: b.left, top: b.top, right: b.right, bottom: b.bottom}
      : {left: Math.min(r.left, b.left), top: Math.min(r.top, b.top),
         right: Math.max(r.right, b.right), bottom: Math.max(r.bottom, b.bottom)};
  }
  return r;
}

function fits(r, box) {
  return r.right - r.left <= box.width - 2 * MARGIN && r.bottom - r.top <= box.height - 2 * MARGIN;
}

function inside(r, box) {
  return r.left >= box.left + MARGIN && r.right <= box.right - MARGIN &&
         r.top >= box.top + MARGIN && r.bottom <= box.bottom - MARGIN;
}

// Bring the current node into view, with the results its gradient comes from when they fit.
function laidOut() {
  const box = graph.getBoundingClientRect();
  return box.width > 60 && box.height > 60;
}

// The opening view: the whole graph when it is readable so, else natural size.
let opened = false;
function open() {
  if (opened || !laidOut()) return;
  opened = true;
  fit();
  if (view.k < READABLE) zoomCentre(1 / view.k);  // too small whole: natural size, following
}

function follow(current, neighbours) {
  if (!laidOut()) return;  // not on screen yet (a frame still hidden): follow once it is
  const box = graph.getBoundingClientRect();
  let target = union([current, ...neighbours]);
  if (!fits(target, box)) target = union([current]);
  if (!fits(target, box)) {  // a node larger than the frame: zoom out until it fits
    const shrink = Math.min((box.width - 2 * MARGIN) / (target.right - target.left),
                            (box.height - 2 * MARGIN) / (target.bottom - target.top));
    zoomAt(shrink, box.width / 2, box.height / 2);
    target = union([current]);
  }
  if (!inside(target, box)) {
    view.x += box.left + box.width / 2 - (target.left + target.right) / 2;
    view.y += box.top + box.height / 2 - (target.top + target.bottom) / 2;
    apply();
  }
  const page = graph.getBoundingClientRect();
  if (page.top < 0 || page.bottom > window.innerHeight) {
    graph.scrollIntoView({block: "nearest", inline: "nearest"});
  }
}

let drag = null;
graph.addEventListener("pointerdown", (event) => {
  drag = {x: event.clientX, y: event.clientY, vx: view.x, vy: view.y};
  graph.setPointerCapture(event.pointerId);
  graph.classList.add("dragging");
});
graph.addEventListener("pointermove", (event) => {
  if (drag === null) return;
  view.x = drag.vx + event.clientX - drag.x;
  view.y = drag.vy + event.clientY - drag.y;
  apply();
});
for (const type of ["pointerup", "pointercancel"]) {
  graph.addEventListener(type, () => { drag = null; graph.classList.remove("dragging"); });
}
graph.addEventListener("wheel", (event) => {
  event.preventDefault();
  const box = graph.getBoundingClientRect();
  zoomAt(Math.exp(-event.deltaY / 500), event.clientX - box.left, event.clientY - box.top);
}, {passive: false});
document.getElementById("zoom-in").addEventListener("click", () => zoomCentre(1.25));
document.getElementById("zoom-out").addEventListener("click", () => zoomCentre(0.8));
document.getElementById("fit").addEventListener("click", fit);

// --- the steps ---------------------------------------------------------------------------

function clearMarks() {
  for (const cls of ["current", "upstream", "flow", "done", "pending"]) {
    for (const el of document.querySelectorAll("#graph ." + cls)) el.classList.remove(cls);
  }
}

function show(k) {
  step = Math.max(0, Math.min(FRAMES.length - 1, k));
  clearMarks();
  FRAMES.forEach((frame, i) => {
    const group = document.getElementById(frame.node);
    group.classList.add(i <= step ? "done" : "pending");
    const text = gradTexts[frame.node];
    if (text) text.textContent = i <= step ? frame.grad : "grad ?";
  });
  const frame = FRAMES[step];
  const current = document.getElementById(frame.node);
  current.classList.add("current");
  const neighbours = [];
  for (const f of frame.flow) {
    for (const id of [f.edge, f.op]) {
      const el = document.getElementById(id);
      if (el) el.classList.add("flow");
    }
    const consumer = document.getElementById(f.consumer);
    consumer.classList.add("upstream");
    neighbours.push(consumer);
  }
  caption.textContent = frame.caption;
  counter.textContent = "step " + (step + 1) + " / " + FRAMES.length;
  slider.value = String(step);
  follow(current, neighbours);
  document.body.dataset.step = String(step);
}

function stop() {
  if (timer !== null) { clearInterval(timer); timer = null; }
  playButton.innerHTML = "&#9654; Play";
}

function play() {
  if (timer !== null) { stop(); return; }
  if (step >= FRAMES.length - 1) show(0);
  playButton.innerHTML = "&#10074;&#10074; Pause";
  timer = setInterval(() => {
    if (step >= FRAMES.length - 1) { stop(); return; }
    show(step + 1);
  }, 1000);
}

document.getElementById("prev").addEventListener("click", () => { stop(); show(step - 1); });
document.getElementById("next").addEventListener("click", () => { stop(); show(step + 1); });
playButton.addEventListener("click", play);
slider.addEventListener("input", () => { stop(); show(Number(slider.value)); });
document.addEventListener("keydown", (event) => {
  if (event.target === slider && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
    event.preventDefault();
  }
  if (event.key === "ArrowRight") { stop(); show(step + 1); }
  else if (event.key === "ArrowLeft") { stop(); show(step - 1); }
  else if (event.key === "Home") { stop(); show(0); }
  else if (event.key === "End") { stop(); show(FRAMES.length - 1); }
  else if (event.key === " ") { event.preventDefault(); play(); }
  else if (event.key === "+" || event.key === "=") { zoomCentre(1.25); }
  else if (event.key === "-") { zoomCentre(0.8); }
  else if (event.key === "0") { fit(); }
});
function relayout() { open(); show(step); }
window.addEventListener("resize", relayout);
if (window.ResizeObserver) new ResizeObserver(relayout).observe(graph);

open();
show(0);
</script>
</body>
</html>
"""
