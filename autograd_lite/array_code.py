"""Code generation for the vectorised replay: a layout's groups as straight-line NumPy source.

:func:`generate` writes, once per vectorised tape, a ``forward(V, leaves)`` that fills the
columns of ``V[batch, column]`` group by group, and a ``backward(V, leaves, GR, GL)`` that walks
the groups in reverse and adds ``local derivative * gradient`` into the gradients of columns
(``GR``, shaped like ``V``) and of leaves (``GL``: one row for the sum over the batch, or one row
per example). A replay is then a handful of NumPy calls per group and no Python dispatch.

Each group's code comes from its operation's own rules, run once on symbolic names
(:mod:`autograd_lite.symbolic`) and written out for arrays: ``where`` becomes ``numpy.where``, a
call of another operation its declared ``array_forward``, and a rule that cannot run on names is
called element by element (``numpy.vectorize``). Where a rule sums products of operands, as
``linear`` does (a neuron's ``w1*x1 + ... + wn*xn + b``), the products are contracted in one
call: a layer's parameters against its input is one matrix product, forward and backward.
Contractions sum in another order than the eager engine, so results agree to rounding.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, NamedTuple

from . import ops
from .arrays import ArrayStandIn, run_rule_elementwise
from .batching import COLUMN, LEAF, SHARED, Group, Layout
from .symbolic import Expression, apply_symbolically
from .templates import checked_local_grads

#: NumPy's functions for Python's arithmetic operators, which can write into ``out``.
_UFUNCS = {"+": "add", "-": "subtract", "*": "multiply", "/": "true_divide", "**": "power"}
#: einsum subscripts of a stacked block of operand positions, by how the group reads them.
_AXES = {LEAF: "kp", SHARED: "bp", COLUMN: "bkp"}


class ArrayCode(NamedTuple):
    """Generated NumPy source, the namespace it runs in, and the order it keeps leaves in.

    Attributes:
        source: ``forward``, ``backward_summed`` and ``backward_each``.
        namespace: The names the source refers to (NumPy, index arrays, array rules).
        leaf_order: The leaf numbers in the order the functions' ``leaves`` and ``GL`` hold
            them: a layer's parameters side by side, so that reading them is a slice.
    """

    source: str
    namespace: dict[str, Any]
    leaf_order: list[int]


def generate(layout: Layout, np: Any, leaves: int) -> ArrayCode:
    """The source of the vectorised replay's three functions.

    ``forward(V, leaves)`` fills ``V``'s columns group by group; ``backward_summed(V, leaves,
    GR, GL)`` adds every gradient that flows into a captured leaf, with ``GL`` one row (the sum
    over the batch); ``backward_each`` also the inputs' gradients, with a ``GL`` row per example.
    ``leaves`` and ``GL`` hold the leaves in the code's ``leaf_order``.

    Args:
        layout: The groups and columns (:func:`autograd_lite.batching.layout`).
        np: The NumPy module.
        leaves: How many leaves the tape has.

    Returns:
        The source, its namespace and the leaf order.

    Raises:
        ValueError: when an operation's ``local_grads`` returns another number of derivatives
            than it has inputs.

    Example:
        >>> import numpy as np
        >>> from autograd_lite import Value, trace
        >>> from autograd_lite.batching import layout
        >>> w = Value(2.0)
        >>> code = generate(layout(trace(lambda x: x * w, 1.0).program), np, 1)
        >>> print(code.source.split("\\n\\n")[0])
        def forward(V, leaves):
            _np.multiply(V[:, 0:1], leaves[0:1], out=V[:, 1:2])
    """
    writer = _Writer(np)
    lines = ["def forward(V, leaves):"]
    for group in layout.groups:
        lines += _GroupCode(writer, group, summed=True, inputs=False).forward()
    if len(lines) == 1:
        lines.append("    pass")
    for name, each in (("backward_summed", False), ("backward_each", True)):
        lines += ["", f"def {name}(V, leaves, GR, GL):"]
        writer.written = {("GR", layout.output_column)}  # seeded with 1 by the caller
        body = []
        for group in reversed(layout.groups):
            body += _GroupCode(writer, group, summed=not each, inputs=each).backward()
        lines += body or ["    pass"]
    order = sorted(range(leaves), key=lambda i: writer.slots.get(i, leaves + i))
    return ArrayCode("\n".join(lines) + "\n", writer.namespace, order)


class _Writer:
    """The namespace of the generated code (index arrays, functions) and the leaves' slots."""

    def __init__(self, np: Any) -> None:
        self.np = np
        self.namespace: dict[str, Any] = {"_np": np, "_nan": float("nan"), "_inf": float("inf")}
        self._names: dict[int, str] = {}
        self.count = 0
        self.slots: dict[int, int] = {}  # leaf number -> its place in `leaves` and `GL`
        self.written: set[tuple[str, int]] = set()  # gradients the current pass has written

    def temporary(self) -> str:
        self.count += 1
        return f"_t{self.count - 1}"

    def constant(self, value: Any, base: str) -> str:
        """A name bound to ``value`` in the namespace."""
        name = f"_{base}{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def function(self, function: Callable[..., Any]) -> str:
        """The name of an array version of ``function``: its operation's ``array_forward`` if
        it is a known operation's forward, else the function run element by element."""
        if id(function) not in self._names:
            for operation in ops.BUILTINS.values():
                if operation.forward is function and operation.array_forward is not None:
                    self._names[id(function)] = self.constant(
                        partial(operation.array_forward, self.np), "array_"
                    )
                    break
            else:
                self._names[id(function)] = self.constant(
                    self.np.vectorize(function, otypes=[float]), "each_"
                )
        return self._names[id(function)]

    def index(self, numbers: Sequence[int]) -> str:
        """Source selecting ``numbers`` along an axis: a slice when they are consecutive."""
        first = numbers[0]
        if list(numbers) == list(range(first, first + len(numbers))):
            return f"{first}:{first + len(numbers)}"
        return self.constant(self.np.array(numbers, dtype=int), "i")

    def leaf_slots(self, numbers: Sequence[int]) -> list[int]:
        """Where these leaves are kept; leaves met for the first time are kept side by side."""
        for number in numbers:
            self.slots.setdefault(number, len(self.slots))
        return [self.slots[number] for number in numbers]


class _GroupCode:
    """The code of one group: how its operands are read, its forward, its reverse pass."""

    def __init__(self, writer: _Writer, group: Group, summed: bool, inputs: bool) -> None:
        self.writer, self.group, self.summed = writer, group, summed
        self.wanted = group.wanted if inputs else group.to_leaves
        self.lines: list[str] = []
        self.arity = len(group.kinds)
        self.inputs = [Expression.name(f"a{p}") for p in range(self.arity)]
        self.out = Expression.name("out")
        self.position = {id(x): p for p, x in enumerate(self.inputs)}
        self.rendered: dict[int, str] = {}
        self.columns = f"{group.start}:{group.start + group.size}"
        # The latest temporary that NumPy can also write into a given array: its name, and its
        # statement with ``{out}`` where that array goes.
        self.last: tuple[str, str] | None = None

    def emit(self, text: str) -> str:
        """A temporary holding ``text``'s value."""
        name = self.writer.temporary()
        self.lines.append(f"    {name} = {text}")
        return name

    def arithmetic(self, left: str, symbol: str, right: str) -> str:
        """A temporary holding ``left symbol right`` (remembered, to write it in place)."""
        name = self.emit(f"{left} {symbol} {right}")
        self.last = (name, f"_np.{_UFUNCS[symbol]}({left}, {right}, out={{out}})")
        return name

    def into(self, value: str, target: str) -> None:
        """``target = value``: written in place when ``value`` was just computed (``out=``)."""
        last = self.last
        if last is not None and last[0] == value and self.lines[-1].startswith(f"    {value} ="):
            self.lines[-1] = "    " + last[1].format(out=target)
        else:
            self.lines.append(f"    {target} = {value}")

    # --- reading operands ---------------------------------------------------------------------

    def read(self, p: int) -> str:
        """Position ``p`` for every node: ``[nodes]`` (leaf), ``[batch, 1]`` (shared) or
        ``[batch, nodes]``."""
        kind, where = self.group.kinds[p], self.group.reads[p]
        if kind == SHARED:
            return f"V[:, {where[0]}:{where[0] + 1}]"
        if kind == LEAF:
            return f"leaves[{self.writer.index(self.writer.leaf_slots(where))}]"
        return f"V[:, {self.writer.index(where)}]"

    def stack(self, positions: Sequence[int]) -> str:
        """Positions of one kind side by side: ``[nodes, P]``, ``[batch, P]`` or
        ``[batch, nodes, P]``."""
        kind = self.group.kinds[positions[0]]
        if kind == SHARED:
            return f"V[:, {self.writer.index([self.group.reads[p][0] for p in positions])}]"
        reads = [[self.group.reads[p][k] for p in positions] for k in range(self.group.size)]
        if kind == LEAF:
            flat = self.writer.leaf_slots([number for row in reads for number in row])
            index = self.writer.index(flat)
            if ":" in index:
                return self.emit(f"leaves[{index}].reshape({self.group.size}, {len(positions)})")
            reads = [flat[k * len(positions) : (k + 1) * len(positions)]
                     for k in range(self.group.size)]  # fmt: skip
        table = self.writer.constant(self.writer.np.array(reads, dtype=int), "i")
        return self.emit(f"leaves[{table}]" if kind == LEAF else f"V[:, {table}]")

    # --- expressions on arrays ----------------------------------------------------------------

    def render(self, expression: object) -> str:
        """Source of an expression's value on arrays (statements go to ``self.lines``)."""
        if not isinstance(expression, Expression):
            return _literal(float(expression))  # type: ignore[arg-type]
        key = id(expression)
        if key not in self.rendered:
            self.rendered[key] = self._render(expression)
        return self.rendered[key]

    def _render(self, e: Expression) -> str:
        if e.kind == "atom":
            if id(e) in self.position:
                return self.read(self.position[id(e)])
            if e is self.out:
                return f"V[:, {self.columns}]"
            return e.text if e.text.lstrip("-").startswith("_") else _literal(float(e.text))
        parts = e.operands
        if e.kind == "binary" and e.text == "+":
            return self._sum(e)
        if e.kind == "binary":
            return self.arithmetic(self.render(parts[0]), e.text, self.render(parts[1]))
        if e.kind == "compare":
            return self.emit(f"{self.render(parts[0])} {e.text} {self.render(parts[1])}")
        if e.kind == "unary":
            return self.emit(f"-{self.render(parts[0])}")
        if e.kind == "select":
            if_true, condition, if_false = (self.render(x) for x in parts)
            return self.emit(f"_np.where({condition}, {if_true}, {if_false})")
        assert e.function is not None
        name = "_np.abs" if e.function is abs else self.writer.function(e.function)
        return self.emit(f"{name}({', '.join(self.render(x) for x in parts)})")

    def _sum(self, e: Expression) -> str:
        """A sum: products of operands contracted a block at a time, operands summed so."""
        terms, stack = [], [e]
        while stack:
            node = stack.pop()
            if node.kind == "binary" and node.text == "+":
                stack.extend(reversed(node.operands))
            else:
                terms.append(node)
        products: dict[tuple[str, str], list[tuple[int, int, Expression]]] = {}
        atoms: dict[str, list[int]] = {}
        rest: list[Expression] = []
        for term in terms:
            if id(term) in self.position:
                p = self.position[id(term)]
                atoms.setdefault(self.group.kinds[p], []).append(p)
            elif (term.kind == "binary" and term.text == "*"
                  and all(id(x) in self.position for x in term.operands)):  # fmt: skip
                p, q = (self.position[id(x)] for x in term.operands)
                key = (self.group.kinds[p], self.group.kinds[q])
                products.setdefault(key, []).append((p, q, term))
            else:
                rest.append(term)
        parts = []
        for (left, right), pairs in products.items():
            if len(pairs) == 1:
                rest.append(pairs[0][2])
                continue
            a, b = self.stack([p for p, _, _ in pairs]), self.stack([q for _, q, _ in pairs])
            if {left, right} == {LEAF, SHARED}:
                shared, leaf = (a, b) if left == SHARED else (b, a)
                parts.append(self.emit(f"{shared} @ {leaf}.T"))
            else:
                out = "k" if left == right == LEAF else "b" if left == right == SHARED else "bk"
                spec = f"{_AXES[left]},{_AXES[right]}->{out}"
                summed = self.emit(f"_np.einsum('{spec}', {a}, {b})")
                parts.append(f"{summed}[:, None]" if out == "b" else summed)
        for kind, positions in atoms.items():
            if len(positions) == 1:
                rest.append(self.inputs[positions[0]])
                continue
            block = self.stack(positions)
            parts.append(self.emit(f"{block}.sum({_AXES[kind].index('p')}, keepdims="
                                   f"{kind == SHARED})"))  # fmt: skip
        parts += [self.render(term) for term in rest]
        total = parts[0]
        for part in parts[1:]:
            total = self.arithmetic(total, "+", part)
        return total

    # --- the forward and reverse passes ------------------------------------------------------

    def forward(self) -> list[str]:
        operation = self.group.operation
        expression = apply_symbolically(operation.forward, self.inputs)
        if expression.kind == "call" and expression.function is operation.forward:
            # The rule cannot run on names: its declared array version, or element by element.
            if operation.array_forward is not None:
                name = self.writer.constant(operation.array_forward, "array_")
                reads = ", ".join(["_np", *(self.read(p) for p in range(self.arity))])
                value = self.emit(f"{name}({reads})")
            else:
                value = self.render(expression)
        else:
            value = self.render(expression)
        self.into(value, f"V[:, {self.columns}]")
        return self.lines

    def backward(self) -> list[str]:
        group = self.group
        if not any(self.wanted):
            return []
        local = self._local_derivatives()
        self.gradient = self.emit(f"GR[:, {self.columns}]")
        blocks: dict[tuple[Any, ...], list[int]] = {}
        for p in range(self.arity):
            if not self.wanted[p]:
                continue
            d = local[p]
            if isinstance(d, float):
                key: tuple[Any, ...] = (group.kinds[p], "const", d)
            elif isinstance(d, Expression) and id(d) in self.position:
                key = (group.kinds[p], "operand", group.kinds[self.position[id(d)]])
            else:
                key = (p,)
            blocks.setdefault(key, []).append(p)
        for key, positions in blocks.items():
            if len(key) == 3 and key[1] == "operand" and len(positions) > 1:
                self._operand_block(positions, [self.position[id(local[p])] for p in positions])
            elif len(key) == 3 and key[1] == "const":
                self._constant_block(positions, key[2])
            else:
                for p in positions:
                    self._one(p, local[p])
        return self.lines

    def _local_derivatives(self) -> list[Any]:
        """Each position's derivative: a float, an Expression, or the source of an array."""
        operation, inputs = self.group.operation, [*self.inputs, self.out]
        if operation.partials is not None:
            local: list[Any] = [
                apply_symbolically(rule, inputs) if want else None
                for rule, want in zip(operation.partials, self.wanted)
            ]
        else:
            try:
                local = list(operation.local_grads(*inputs))
            except Exception:  # the rule needs numbers: run it on the arrays at replay time
                rule, np, arity = (
                    checked_local_grads(operation, self.arity),
                    self.writer.np,
                    self.arity,
                )

                def each(*arrays: Any) -> list[Any]:
                    return run_rule_elementwise(rule, [ArrayStandIn(a, np) for a in arrays],
                                                arity, np)  # fmt: skip

                reads = [self.read(p) for p in range(self.arity)] + [f"V[:, {self.columns}]"]
                found = self.emit(f"{self.writer.constant(each, 'local_')}({', '.join(reads)})")
                return [f"{found}[{p}]" for p in range(self.arity)]
            if len(local) != self.arity:
                raise ValueError(
                    f"operation '{operation.name}': local_grads returned {len(local)} "
                    f"derivatives for {self.arity} inputs; return exactly one per input, in order"
                )
        return [_constant_of(d) for d in local]

    def _add(self, p: int, contribution: str) -> None:
        """Add position ``p``'s contribution (``[rows, nodes]`` or ``[batch, 1]``) to its
        operands' gradients."""
        kind, where = self.group.kinds[p], self.group.reads[p]
        if kind == LEAF:
            self._scatter("GL", self.writer.leaf_slots(where), contribution)
        else:
            self._scatter("GR", list(where), contribution)

    def _scatter(self, target: str, targets: list[int], contribution: str) -> None:
        """``target[:, targets] += contribution``, summing contributions to the same target."""
        unique = sorted(set(targets))
        if len(unique) != len(targets):
            np = self.writer.np
            summing = np.zeros((len(targets), len(unique)))
            summing[np.arange(len(targets)), np.searchsorted(unique, targets)] = 1.0
            contribution = self.emit(f"{contribution} @ {self.writer.constant(summing, 'sum')}")
            targets = unique
        index = self.writer.index(targets)
        written = self.writer.written
        first = not any((target, t) in written for t in targets)
        written.update((target, t) for t in targets)
        if not first:
            self.lines.append(f"    {target}[:, {index}] += {contribution}")
        elif ":" in index:  # the first contribution to gradients still zero: written, not added
            self.into(contribution, f"{target}[:, {index}]")
        else:
            self.lines.append(f"    {target}[:, {index}] = {contribution}")

    def _reduced(self, p: int, contribution: str) -> str:
        """A ``[batch, nodes]`` contribution summed over what position ``p`` shares."""
        kind = self.group.kinds[p]
        axis = (
            1
            if kind == SHARED and self.group.size > 1
            else 0
            if kind == LEAF and self.summed
            else None
        )
        if axis is None:
            return contribution
        name = self.emit(f"{contribution}.sum({axis}, keepdims=True)")
        self.last = (name, f"{contribution}.sum({axis}, keepdims=True, out={{out}})")
        return name

    def _one(self, p: int, d: Any) -> None:
        """One position: ``d * gradient``, summed as the position is read."""
        if isinstance(d, float):
            product = self._times(d)
        else:
            local = d if isinstance(d, str) else self.render(d)
            product = self.arithmetic(local, "*", self.gradient)
        self._add(p, self._reduced(p, product))

    def _times(self, d: float) -> str:
        if d == 1:
            return self.gradient
        if d == -1:
            name = self.emit(f"-{self.gradient}")
            self.last = (name, f"_np.negative({self.gradient}, out={{out}})")
            return name
        return self.arithmetic(_literal(d), "*", self.gradient)

    def _constant_block(self, positions: list[int], d: float) -> None:
        """Positions of one kind whose derivative is the same number: one contribution,
        repeated for each."""
        if len(positions) == 1:
            self._one(positions[0], d)
            return
        reduced = self._reduced(positions[0], self._times(d))
        kind = self.group.kinds[positions[0]]
        repeated = self.emit(f"_np.repeat({reduced}, {len(positions)}, axis=1)")
        self._scatter_block(positions, kind, repeated)

    def _operand_block(self, positions: list[int], sources: list[int]) -> None:
        """Positions of one kind whose derivatives are operands of one kind (``linear``'s:
        each weight's is its input, each input's its weight): one contraction for all."""
        kind, source = self.group.kinds[positions[0]], self.group.kinds[sources[0]]
        block, g = self.stack(sources), self.gradient
        if kind == LEAF and self.summed and source == SHARED:
            contribution = self.emit(f"({g}.T @ {block}).reshape(1, -1)")
        elif kind == SHARED and source == LEAF:
            contribution = self.emit(f"{g} @ {block}")
        elif kind == SHARED and source != LEAF and self.group.size == 1:
            contribution = self.emit(f"{g} * {block}")
        elif kind == SHARED or (kind == LEAF and self.summed):
            spec = f"bk,{_AXES[source]}->{'bp' if kind == SHARED else 'kp'}"
            contribution = self.emit(f"_np.einsum('{spec}', {g}, {block})")
            if kind == LEAF:
                contribution = self.emit(f"{contribution}.reshape(1, -1)")
        else:  # one number per example, node and position
            wide = {LEAF: block, SHARED: f"{block}[:, None, :]", COLUMN: block}[source]
            contribution = self.emit(f"({g}[:, :, None] * {wide}).reshape(len({g}), -1)")
        self._scatter_block(positions, kind, contribution)

    def _scatter_block(self, positions: list[int], kind: str, contribution: str) -> None:
        """Add a block's contribution: ``[rows, P]`` for shared positions, else
        ``[rows, nodes * P]`` node by node."""
        reads = self.group.reads
        if kind == SHARED:
            self._scatter("GR", [reads[p][0] for p in positions], contribution)
            return
        targets = [reads[p][k] for k in range(self.group.size) for p in positions]
        if kind == LEAF:
            self._scatter("GL", self.writer.leaf_slots(targets), contribution)
        else:
            self._scatter("GR", targets, contribution)


def _constant_of(d: Any) -> Any:
    """A derivative that is a plain number as a float; anything else as it is."""
    if isinstance(d, Expression) and d.kind == "atom" and not d.text.lstrip("-")[:1].isalpha():
        try:
            return float(d.text)
        except ValueError:
            return d
    if isinstance(d, (int, float)) and not isinstance(d, bool):
        return float(d)
    return d


def _literal(x: float) -> str:
    if x != x:
        return "_nan"
    if x in (float("inf"), float("-inf")):
        return "_inf" if x > 0 else "(-_inf)"
    return f"({x!r})" if x < 0 else repr(x)
