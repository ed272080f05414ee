"""Code generation: a traced program, as the source of a Python function on floats.

:func:`generate` is a pure function: from the recorded nodes it returns the source of one
function (``forward``, or ``forward_backward``) and the namespace that source needs. Each
operation's code is derived from its own ``forward`` and ``local_grads``, run once per operation
on symbolic names (:mod:`autograd_lite.templates`): ``x * w`` inlines as ``x0 * w3`` and its
derivatives as ``w3 * g_t7``. The reverse pass adds ``local derivative * gradient`` into each
operand in exactly the order ``Value.backward`` does, so a replay gives the eager engine's numbers.

Repeated blocks (one example of a batch, one step of a chain: :mod:`autograd_lite.rolling`) are
written once, as the body of a loop, so the source grows with the size of one block rather than
of the graph, and compiling it stays cheap.
"""

from __future__ import annotations

import gc
import operator
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import TYPE_CHECKING, Any, NamedTuple

from .graph import topological_order
from .rolling import find_runs
from .symbolic import ADD
from .templates import Fields, GuardFailedError, Writer

if TYPE_CHECKING:
    from .guards import Guard
    from .value import Value

#: Operations with at least this many operands may read a loop's list of values directly.
WIDE = 64

__all__ = [
    "GeneratedCode", "GuardFailedError", "Program", "collector_paused", "generate", "node_names",
]  # fmt: skip


class Program(NamedTuple):
    """What a trace recorded, in the order the generated code runs it.

    Attributes:
        nodes: Every node, each after its operands (guard operands first, so each check runs
            as soon as its numbers exist).
        inputs: The traced function's inputs, in argument order.
        leaves: The other leaves (captured parameters and constants), read from their ``data``
            on every replay.
        output: The Value to differentiate.
        aux: Further Values reported beside it.
        guards: The comparisons the function made while tracing.
    """

    nodes: Sequence[Value]
    inputs: Sequence[Value]
    leaves: Sequence[Value]
    output: Value
    aux: Sequence[Value]
    guards: Sequence[Guard]


class GeneratedCode(NamedTuple):
    """A generated function's source and the names it reads besides its arguments."""

    source: str
    namespace: dict[str, Any]


def node_names(program: Program) -> dict[Value, str]:
    """Short names for the listing and the code: ``x`` inputs, ``w`` parameters, ``c`` constants,
    ``t`` results of operations, each numbered in order.

    Args:
        program: The traced program.

    Returns:
        A name for every node.
    """
    names = {node: f"x{i}" for i, node in enumerate(program.inputs)}
    params = consts = temps = 0
    for node in program.nodes:
        if node in names:
            continue
        if node.operation is not None:
            names[node], temps = f"t{temps}", temps + 1
        elif node.requires_grad:
            names[node], params = f"w{params}", params + 1
        else:
            names[node], consts = f"c{consts}", consts + 1
    return names


def generate(program: Program, names: dict[Value, str], *, backward: bool) -> GeneratedCode:
    """The source of ``forward(inputs, leaves)`` or ``forward_backward(inputs, leaves)``.

    ``forward`` returns ``(output, aux)``; ``forward_backward`` returns ``(output, aux,
    input_grads, leaf_grads)``, each a sequence of floats in the program's order.

    Args:
        program: The traced program.
        names: A name for every node (:func:`node_names`).
        backward: Whether to generate ``forward_backward`` (else ``forward``).

    Returns:
        The source and its namespace.

    Raises:
        ValueError: when an operation's ``local_grads`` returns another number of derivatives
            than it has inputs (the eager engine's message).
    """
    with collector_paused():
        return _Generator(program, names).generate(backward)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a tape works on its graph, then restore it.

    Recording a graph, walking it and generating its code allocate many objects (nodes, tuples,
    strings) and no cycles (the engine makes none); each allocation burst would otherwise make
    the collector walk the growing graph again and again, which makes tracing a graph of 10^5
    nodes cost almost twice as much per node as one of 10^4 (``benchmarks/tape_setup.py``).
    The paused stretches are the tape's own work: the traced function's one run, the walk, the
    code generation. Cycles the traced function itself makes are collected as usual once the
    collector resumes, and its state is restored even on an error.

    Example:
        >>> import gc
        >>> with collector_paused():
        ...     gc.isenabled()
        False
        >>> gc.isenabled()
        True
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Generator:
    """One code generation: the program, its runs, and the lines written so far."""

    def __init__(self, program: Program, names: dict[Value, str]) -> None:
        self.program, self.names, self.writer = program, names, Writer()
        operations = [n for n in program.nodes if n.operation is not None]
        self.parents = {n: n.parents for n in operations}  # read once: a Value computes them
        # How many operand slots read each node, and each leaf's kind, by id(): counted once
        # per edge, so an integer key (hashed in C) keeps this linear and cheap.
        uses = Counter(map(id, chain.from_iterable(self.parents.values())))
        kinds = {id(leaf): "x" for leaf in program.inputs}
        kinds.update((id(leaf), "w" if leaf.requires_grad else "c") for leaf in program.leaves)
        self.runs = [] if program.guards else find_runs(operations, self.parents, kinds, uses)
        self.run_of: dict[Value, int] = {
            node: q for q, run in enumerate(self.runs) for block in run.blocks for node in block
        }
        outside = [n for n in operations if n not in self.run_of]
        roots = {program.output, *program.aux}
        # A wide operation over one slot of every repetition of a run (the sum of a batch's
        # losses) reads the loop's list of values as it is, not 10^5 names.
        self.wide: dict[Value, tuple[int, int, tuple[int, ...]]] = {}
        for node in outside:
            found = self._over_one_slot(node, uses, roots)
            if found is not None:
                self.wide[node] = found
        needed = {p for n in outside if n not in self.wide for p in self.parents[n]} | roots
        self.needed = needed
        wide_slots = {(q, j) for q, j, _ in self.wide.values()}
        self.exported = [sorted({j for r in run.blocks for j, n in enumerate(r) if n in needed}
                                | {j for (k, j) in wide_slots if k == q})
                         for q, run in enumerate(self.runs)]  # fmt: skip
        self.shared = {op.node for run in self.runs for row in run.operands for op in row
                       if op.node is not None}  # fmt: skip
        self.straight_leaves = needed | self.shared
        self._places: dict[str, dict[Value, int]] = {}

    def _over_one_slot(self, node: Value, uses: Counter[int],
                       roots: set[Value]) -> tuple[int, int, tuple[int, ...]] | None:  # fmt: skip
        """(run, slot, repetition of each operand) if ``node`` reads exactly one slot of every
        repetition of a run, each value nowhere else; else None."""
        parents = self.parents[node]
        q = self.run_of.get(parents[0]) if len(parents) >= WIDE else None
        if q is None:
            return None
        run = self.runs[q]
        slot = next(block.index(parents[0]) for block in run.blocks if parents[0] in block)
        repetition = {block[slot]: r for r, block in enumerate(run.blocks)}
        if len(parents) != run.repeats or len(set(parents)) != run.repeats:
            return None
        if any(p not in repetition or uses[id(p)] != 1 or p in roots for p in parents):
            return None
        return q, slot, tuple(repetition[p] for p in parents)

    def _reordered(self, q: int, slot: int, order: tuple[int, ...], listed: str) -> str:
        """``listed`` (one value per repetition, in order) as the wide operation's operands."""
        if order == tuple(range(len(order))):
            return listed
        if order == tuple(range(len(order) - 1, -1, -1)):
            return f"{listed}[::-1]"
        return f"{self._constant('_order', operator.itemgetter(*order))}({listed})"

    def generate(self, backward: bool) -> GeneratedCode:
        program, names = self.program, self.names
        lines = [*self._unpack("inputs", program.inputs), *self._unpack("leaves", program.leaves)]
        lines += self._forward(saving=backward)
        aux = _tuple([names[n] for n in program.aux])
        out = names[program.output]
        if not backward:
            lines = ["def forward(inputs, leaves):", *lines, f"    return {out}, {aux}"]
        else:
            reverse, input_grads, leaf_grads = self._backward()
            lines = ["def forward_backward(inputs, leaves):", *lines, *reverse,
                     f"    return {out}, {aux}, {input_grads}, {leaf_grads}"]  # fmt: skip
        return GeneratedCode("\n".join(lines) + "\n", self.writer.namespace)

    def _unpack(self, argument: str, nodes: Sequence[Value]) -> list[str]:
        if not self.runs:
            return [f"    {_unpack([self.names[n] for n in nodes])} = {argument}"]
        wanted = [i for i, n in enumerate(nodes) if n in self.straight_leaves]
        if not wanted:
            return []
        if len(wanted) == 1:
            return [f"    {self.names[nodes[wanted[0]]]} = {argument}[{wanted[0]}]"]
        getter = self._constant(f"_get_{argument}", operator.itemgetter(*wanted))
        return [f"    {_unpack([self.names[nodes[i]] for i in wanted])} = {getter}({argument})"]

    def _constant(self, base: str, value: Any) -> str:
        namespace, name, k = self.writer.namespace, base, 1
        while name in namespace:
            name, k = f"{base}_{k}", k + 1
        namespace[name] = value
        return name

    # --- forward ------------------------------------------------------------------------------

    def _forward(self, saving: bool) -> list[str]:
        program, names = self.program, self.names
        position = {node: i for i, node in enumerate(program.nodes)} if program.guards else {}
        guard_after: dict[Value, list[int]] = {}
        for k, guard in enumerate(program.guards):
            last = max(guard.left, guard.right, key=position.__getitem__)
            guard_after.setdefault(last, []).append(k)
        lines: list[str] = []
        written: set[int] = set()
        for node in program.nodes:
            q = self.run_of.get(node)
            if q is not None:
                if q not in written:
                    written.add(q)
                    lines += self._forward_loop(q, saving)
            elif node in self.wide:
                q, slot, order = self.wide[node]
                forward = self.writer.function_name(node.operation.forward)  # type: ignore[union-attr]
                listed = self._reordered(q, slot, order, f"E{q}_{slot}")
                lines.append(f"    {names[node]} = {forward}(*{listed})")
            elif node.operation is not None:
                args = [names[p] for p in self.parents[node]]
                lines += _compute(self.writer, node, args, names[node], "    ")
            for k in guard_after.get(node, ()):
                guard = program.guards[k]
                test = f"{names[guard.left]} {guard.symbol} {names[guard.right]}"
                broken = f"not ({test})" if guard.outcome else f"({test})"
                lines.append(f"    if {broken}: raise _GuardFailedError({k})")
        return lines

    def _operand_names(self, q: int, slot: int) -> list[str]:
        """How the loop body of run ``q`` names each operand of ``slot``."""
        run = self.runs[q]
        named = []
        for op in run.operands[slot]:
            if op.kind == "inner":
                named.append(f"u{q}_{op.at}")
            elif op.kind == "carried":
                named.append(f"h{q}_{op.at}")
            elif op.kind == "shared":
                assert op.node is not None
                named.append(self.names[op.node])
            else:
                named.append(f"v{q}_{op.at}")
        return named

    def _forward_loop(self, q: int, saving: bool) -> list[str]:
        run, names = self.runs[q], self.names
        lines = [f"    V{q}_{d} = {self._varying(q, d)}" for d in range(len(run.varying))]
        carried = sorted({(op.at, op.node) for row in run.operands for op in row
                          if op.kind == "carried"}, key=lambda c: c[0])  # fmt: skip
        lines += [f"    h{q}_{i} = {names[node]}" for i, node in carried if node is not None]
        last = self._last_only(q)
        listed = [j for j in self.exported[q] if j not in last]
        lines += [f"    E{q}_{j} = []" for j in listed]
        if saving:
            lines.append(f"    S{q} = []")
        varying = [f"v{q}_{d}" for d in range(len(run.varying))]
        if not varying:
            lines.append(f"    for _ in range({run.repeats}):")
        elif len(varying) == 1:
            lines.append(f"    for {varying[0]} in V{q}_0:")
        else:
            sources = ", ".join(f"V{q}_{d}" for d in range(len(varying)))
            lines.append(f"    for {', '.join(varying)} in zip({sources}):")
        for slot, node in enumerate(run.blocks[0]):
            lines += _compute(self.writer, node, self._operand_names(q, slot), f"u{q}_{slot}",
                              "        ")  # fmt: skip
        if saving:
            state = [f"u{q}_{j}" for j in range(run.period)] + varying
            state += [f"h{q}_{i}" for i, _ in carried]
            lines.append(f"        S{q}.append({_tuple(state)})")
        lines += [f"        E{q}_{j}.append(u{q}_{j})" for j in listed]
        lines += [f"        h{q}_{i} = u{q}_{i}" for i, _ in carried]
        for j in last:  # the loop's variable still holds the last repetition's value
            lines.append(f"    {names[run.blocks[-1][j]]} = u{q}_{j}")
        for j in listed:
            used = [r for r, block in enumerate(run.blocks) if block[j] in self.needed]
            if not used:
                continue
            if 2 * len(used) >= run.repeats:
                lines.append(f"    {_unpack([names[block[j]] for block in run.blocks])} = E{q}_{j}")
            else:  # a few repetitions' values are read after the loop (a chain's last)
                lines += [f"    {names[run.blocks[r][j]]} = E{q}_{j}[{r}]" for r in used]
        return lines

    def _last_only(self, q: int) -> set[int]:
        """The exported slots of run ``q`` read after the loop for the last repetition only."""
        run = self.runs[q]
        wide = {j for k, j, _ in self.wide.values() if k == q}
        last = [run.repeats - 1]

        def read(j: int) -> list[int]:
            return [r for r, block in enumerate(run.blocks) if block[j] in self.needed]

        return {j for j in self.exported[q] if j not in wide and read(j) == last}

    def _varying(self, q: int, d: int) -> str:
        """The values of run ``q``'s ``d``-th per-repetition leaf, one per repetition."""
        leaves = self.runs[q].varying[d]
        argument = "inputs" if leaves[0] in self._place("inputs") else "leaves"
        place = self._place(argument)
        getter = operator.itemgetter(*(place[n] for n in leaves))
        return f"{self._constant('_gather', getter)}({argument})"

    def _place(self, argument: str) -> dict[Value, int]:
        """Each input's (or leaf's) position in the generated function's argument."""
        if argument not in self._places:
            nodes = self.program.inputs if argument == "inputs" else self.program.leaves
            self._places[argument] = {n: i for i, n in enumerate(nodes)}
        return self._places[argument]

    # --- backward -----------------------------------------------------------------------------

    def _backward(self) -> tuple[list[str], str, str]:
        """The reverse pass, in exactly the order ``Value.backward`` accumulates."""
        program, names = self.program, self.names
        output = program.output
        assigned: set[Value] = {output}
        lines = [f"    g_{names[output]} = 1.0"]
        rolled: dict[str, list[Value]] = {}  # a loop's gradient list -> its leaf per repetition
        written: set[int] = set()

        def add_into(parent: Value, contribution: str, precedence: int, indent: str) -> None:
            first = parent not in assigned
            lines.append(_add_line(f"g_{names[parent]}", contribution, precedence, first, indent))
            assigned.add(parent)

        # Without guards or aux, the program's order is the output's own topological order.
        order = program.nodes if not (program.guards or program.aux) else topological_order(output)
        for node in reversed(order):
            q = self.run_of.get(node)
            if q is not None:
                if q not in written:
                    written.add(q)
                    self._backward_loop(q, assigned, add_into, rolled, lines)
                continue
            if node.operation is None or node not in assigned:
                continue
            if node in self.wide:
                lines += self._wide_backward(node)
                continue
            args = [names[p] for p in self.parents[node]]
            for _, parent, text, precedence in _differentiate(
                self.writer, node, self.parents[node], args, names[node], f"g_{names[node]}",
                "d_" + names[node], lines, "    ",
            ):  # fmt: skip
                add_into(parent, text, precedence, "    ")
        grads = {node: f"g_{names[node]}" for node in assigned}
        if not self.runs:
            return (lines, _tuple([grads.get(n, "0.0") for n in program.inputs]),
                    _tuple([grads.get(n, "0.0") for n in program.leaves]))  # fmt: skip
        results = []
        in_loops = {leaf for leaves in rolled.values() for leaf in leaves}
        for argument, nodes in (("inputs", program.inputs), ("leaves", program.leaves)):
            lines.append(f"    G_{argument} = [0.0] * {len(nodes)}")
            place = self._place(argument)
            for i, n in enumerate(nodes):
                if n in grads and n not in in_loops:
                    lines.append(f"    G_{argument}[{i}] = {grads[n]}")
            for source, leaves in rolled.items():
                if leaves[0] in place:
                    indices = self._constant("_places", tuple(place[n] for n in leaves))
                    lines.append(f"    _scatter(G_{argument}, {indices}, {source})")
            results.append(f"G_{argument}")
        self.writer.namespace["_scatter"] = _scatter
        return lines, results[0], results[1]

    def _wide_backward(self, node: Value) -> list[str]:
        """A wide operation's ``local * g``, straight into the loop's list of gradients."""
        q, slot, order = self.wide[node]
        assert node.operation is not None
        local_grads = self.writer.counted(node.operation, len(order))
        listed = self._reordered(q, slot, order, f"E{q}_{slot}")
        name = self.names[node]
        back = tuple(sorted(range(len(order)), key=order.__getitem__))  # repetition -> operand
        products = f"[local * g_{name} for local in d_{name}]"
        return [f"    d_{name} = {local_grads}(*{listed}, {name})",
                f"    GE{q}_{slot} = {self._reordered(q, slot, back, products)}"]  # fmt: skip

    def _backward_loop(self, q: int, assigned: set[Value],
                       add_into: Callable[[Value, str, int, str], None],
                       rolled: dict[str, list[Value]], lines: list[str]) -> None:  # fmt: skip
        """Run ``q``'s reverse pass: its blocks from the last to the first, each in reverse."""
        run, names = self.runs[q], self.names
        carried = sorted({(op.at, op.node) for row in run.operands for op in row
                          if op.kind == "carried"}, key=lambda c: c[0])  # fmt: skip
        wide = {j: node for node, (k, j, _) in self.wide.items() if k == q}
        for j in self.exported[q]:
            if j in wide:
                if wide[j] not in assigned:  # no gradient reached the wide operation
                    lines.append(f"    GE{q}_{j} = [0.0] * {run.repeats}")
                continue
            external = [r for r, b in enumerate(run.blocks) if b[j] in assigned]
            if 2 * len(external) >= run.repeats:
                items = [f"g_{names[b[j]]}" if b[j] in assigned else "0.0" for b in run.blocks]
                lines.append(f"    GE{q}_{j} = {_tuple(items)}")
            else:
                lines.append(f"    GE{q}_{j} = [0.0] * {run.repeats}")
                lines += [f"    GE{q}_{j}[{r}] = g_{names[run.blocks[r][j]]}" for r in external]
        for row in run.operands:
            for op in row:
                shared = op.node if op.kind == "shared" else None
                if shared is not None and shared.requires_grad and shared not in assigned:
                    lines.append(f"    g_{names[shared]} = 0.0")  # the loop adds into it
                    assigned.add(shared)
        lines += [f"    gh{q}_{i} = 0.0" for i, _ in carried]
        varying_grads = [d for d, leaves in enumerate(run.varying) if leaves[0].requires_grad]
        lines += [f"    GV{q}_{d} = []" for d in varying_grads]
        state = [f"u{q}_{j}" for j in range(run.period)] + [f"v{q}_{d}"
                                                            for d in range(len(run.varying))]
        state += [f"h{q}_{i}" for i, _ in carried]
        sources = [f"reversed(S{q})"] + [f"reversed(GE{q}_{j})" for j in self.exported[q]]
        targets = [_tuple(state)] + [f"ge{q}_{j}" for j in self.exported[q]]
        if len(sources) == 1:
            lines.append(f"    for {targets[0]} in {sources[0]}:")
        else:
            lines.append(f"    for {', '.join(targets)} in zip({', '.join(sources)}):")
        body: list[str] = []
        have: set[str] = set()  # body gradients assigned so far (the same in every pass)

        def add_local(target: str, contribution: str, precedence: int) -> None:
            body.append(_add_line(target, contribution, precedence, target not in have, " " * 8))
            have.add(target)

        for j in self.exported[q]:
            add_local(f"gu{q}_{j}", f"ge{q}_{j}", 50)
        for i, _ in carried:
            add_local(f"gu{q}_{i}", f"gh{q}_{i}", 50)
        for slot in range(run.period - 1, -1, -1):
            g = f"gu{q}_{slot}"
            if g not in have:
                continue
            node = run.blocks[0][slot]
            args = self._operand_names(q, slot)
            for k, _, text, precedence in _differentiate(
                self.writer, node, self.parents[node], args, f"u{q}_{slot}", g, f"d{q}_{slot}",
                body, "        ",
            ):  # fmt: skip
                op = run.operands[slot][k]
                if op.kind == "inner":
                    add_local(f"gu{q}_{op.at}", text, precedence)
                elif op.kind == "carried":
                    add_local(f"gn{q}_{op.at}", text, precedence)
                elif op.kind == "varying":
                    add_local(f"gv{q}_{op.at}", text, precedence)
                else:  # a shared leaf: its gradient was set before the loop
                    assert op.node is not None
                    target = f"g_{names[op.node]}"
                    text = f"({text})" if precedence <= ADD else text
                    body.append(f"        {target} = {target} + {text}")
        for i, _ in carried:
            body.append(f"        gh{q}_{i} = {_or_zero(f'gn{q}_{i}', have)}")
        for d in varying_grads:
            body.append(f"        GV{q}_{d}.append({_or_zero(f'gv{q}_{d}', have)})")
        lines += body or ["        pass"]
        for i, initial in carried:
            if initial is not None and f"gn{q}_{i}" in have:
                add_into(initial, f"gh{q}_{i}", 50, "    ")
        for d in varying_grads:
            rolled[f"GV{q}_{d}"] = run.varying[d]


def _compute(writer: Writer, node: Value, args: list[str], name: str, indent: str) -> list[str]:
    """``name = operation(args)``, from the operation's forward template."""
    assert node.operation is not None
    template = writer.forward(node.operation, len(args))
    fields = Fields(args, t=name)
    lines = [indent + statement.format_map(fields) for statement in template.statements]
    lines.append(f"{indent}{name} = {template.results[0][0].format_map(fields)}")
    return lines


def _differentiate(writer: Writer, node: Value, parents: tuple[Value, ...], args: list[str],
                   out: str, g: str, prefix: str, lines: list[str],
                   indent: str) -> list[tuple[int, Value, str, int]]:  # fmt: skip
    """Write the statements of ``node``'s backward template into ``lines``; return each wanted
    operand (position, node) with its contribution ``local * g`` (source and precedence)."""
    assert node.operation is not None
    wanted = tuple(p.requires_grad for p in parents)
    if not any(wanted):
        return []
    template = writer.backward(node.operation, wanted)
    fields = Fields(args, out=out, g=g, t=prefix)
    lines += [indent + statement.format_map(fields) for statement in template.statements]
    results = iter(template.results)
    contributions = []
    for k, (parent, want) in enumerate(zip(parents, wanted)):
        if want:
            text, precedence = next(results)
            contributions.append((k, parent, text.format_map(fields), precedence))
    return contributions


def _add_line(target: str, contribution: str, precedence: int, first: bool, indent: str) -> str:
    """The line adding ``contribution`` into the gradient ``target``; the first one assigns it."""
    if first:
        return f"{indent}{target} = {contribution}"
    if precedence <= ADD:
        contribution = f"({contribution})"
    return f"{indent}{target} = {target} + {contribution}"


def _or_zero(name: str, have: set[str]) -> str:
    return name if name in have else "0.0"


def _scatter(target: list[float], indices: Sequence[int], values: Sequence[float]) -> None:
    """Put the gradients a loop collected (last repetition first) at their leaves' places."""
    for i, value in zip(reversed(indices), values):
        target[i] = value


def _unpack(names: list[str]) -> str:
    return "_" if not names else ", ".join(names) + ","


def _tuple(items: list[str]) -> str:
    return "(" + "".join(f"{item}, " for item in items) + ")"
