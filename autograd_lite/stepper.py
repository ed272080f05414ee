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
    previous / next / play buttons, a slider and the arrow keys. ``rankdir``,
    ``hide_constants`` and ``max_nodes`` mean what they mean in :func:`~autograd_lite.draw_dot`.
    """
    return BackwardStepper(
        root, gradient, rankdir=rankdir, hide_constants=hide_constants, max_nodes=max_nodes
    )


class BackwardStepper:
    """The frames of one backward pass and the page that plays them."""

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
        """The graph as inline SVG (rendered once by ``dot``), gradients as this pass found them."""
        if self._svg is None:
            grads = {node: 0.0 for node in self.order}
            grads.update({frame.node: frame.grad for frame in self.frames})
            picture = value_graph(
                self.order, grads, rankdir=self.rankdir, hide_constants=self.hide_constants
            )
            source = picture.pipe(format="svg", encoding="utf-8")
            self._svg = source[source.index("<svg") :]  # drop the XML prolog and DOCTYPE
        return self._svg

    def to_html(self, title: str = "Backward pass, step by step") -> str:
        """One self-contained HTML page: inline SVG, styles and script; it loads nothing."""
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
        """Jupyter: the page in a sandboxed iframe, so its ids and keys never clash with others."""
        match = re.search(r'height="([\d.]+)pt"', self.svg())
        height = 160 + (int(float(match.group(1)) * 4 / 3) if match else 400)
        return (
            f'<iframe srcdoc="{html.escape(self.to_html(), quote=True)}" '
            f'sandbox="allow-scripts" style="width:100%;height:{min(height, 900)}px;border:0">'
            "</iframe>"
        )

    def _frame_data(self, frame: Frame) -> dict[str, object]:
        name = self._name(frame.node)
        if not frame.terms:
            start = f"∂{_grouped(name)}/∂{_grouped(name)} = 1"
            if frame.grad != 1:
                start += f", times the seed {format_number(frame.grad)}"
            caption = f"grad({name}) = {format_number(frame.grad)}: the start ({start})"
        else:
            products = " + ".join(
                f"{format_number(t.local_grad)} × {format_number(t.upstream_grad)}"
                for t in frame.terms
            )
            chains = " + ".join(
                f"∂{_grouped(self._name(t.consumer))}/∂{_grouped(name)} · "
                f"grad({self._name(t.consumer)})"
                for t in frame.terms
            )
            caption = f"grad({name}) = {chains} = {products} = {format_number(frame.grad)}"
        return {
            "node": frame.node_id,
            "grad": f"grad {format_number(frame.grad)}",
            "caption": caption,
            "flow": [
                {
                    "edge": f"e{self._ids[t.consumer][1:]}_{t.operand_index}",
                    "op": f"op{self._ids[t.consumer][1:]}",
                    "consumer": self._ids[t.consumer],
                }
                for t in frame.terms
            ],
        }

    def _name(self, node: Value) -> str:
        """How captions name a node: its label, or its position and operation."""
        if node.label:
            return node.label
        return f"#{self._ids[node][1:]}" + (f"({node.op})" if node.op else "")

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"BackwardStepper({len(self.frames)} frames, root={self.root!r})"


def _grouped(name: str) -> str:
    """A name in parentheses unless it is one word, so ``∂(a + b)/∂a`` reads right."""
    return name if re.fullmatch(r"\w+", name) else f"({name})"


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
<title>{{title}}</title>
<style>
  body { font-family: Helvetica, Arial, sans-serif; margin: 1em; color: #222; }
  .controls { display: flex; gap: .5em; align-items: center; flex-wrap: wrap; }
  .controls button { font-size: 1em; padding: .3em .8em; }
  #slider { flex: 1; min-width: 10em; }
  #caption { font-family: Menlo, Consolas, monospace; margin: .8em 0; min-height: 1.4em; }
  #graph { overflow: auto; max-height: 80vh; border-top: 1px solid #ddd; }
  g.value.pending text { fill: #aaaaaa; }
  g.value.done polygon { fill: #e6f0f8; }
  g.value.upstream polygon { fill: #fee0b6; }
  g.value.current polygon { fill: #fdb863; stroke: #e66101; stroke-width: 2px; }
  g.op.flow ellipse { fill: #fdd0a2; stroke: #e66101; stroke-width: 2px; }
  g.edge.flow path, g.edge.flow polygon { stroke: #e66101; stroke-width: 3px; }
  g.edge.flow polygon { fill: #e66101; }
  .hint { color: #777; font-size: .85em; }
</style>
</head>
<body>
<h1 style="font-size:1.2em">{{title}}</h1>
<div class="controls">
  <button id="prev" type="button" title="previous step (left arrow)">&#9664; Previous</button>
  <button id="play" type="button" title="play or pause (space)">&#9654; Play</button>
  <button id="next" type="button" title="next step (right arrow)">Next &#9654;</button>
  <input id="slider" type="range" min="0" max="{{last}}" value="0" aria-label="step">
  <span id="counter"></span>
</div>
<div id="caption"></div>
<div class="hint">Each step completes one gradient, in the order the engine's backward pass
computes them: the highlighted node, the edges its gradient flows back along and the results
it comes from. Keys: &larr; &rarr;, space, Home, End.</div>
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
const gradTexts = {};
for (const frame of FRAMES) {
  const group = document.getElementById(frame.node);
  gradTexts[frame.node] = Array.from(group.querySelectorAll("text"))
    .find(t => t.textContent.startsWith("grad "));
}
let step = 0;
let timer = null;

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
  current.scrollIntoView({block: "nearest", inline: "nearest"});
  for (const f of frame.flow) {
    for (const id of [f.edge, f.op]) {
      const el = document.getElementById(id);
      if (el) el.classList.add("flow");
    }
    document.getElementById(f.consumer).classList.add("upstream");
  }
  caption.textContent = frame.caption;
  counter.textContent = "step " + (step + 1) + " / " + FRAMES.length;
  slider.value = String(step);
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
});
show(0);
</script>
</body>
</html>
"""
