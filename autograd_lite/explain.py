"""``explain(root, wrt)``: the derivative d root / d wrt written out as reverse mode computes it.

Reverse mode gives every node ``n`` its adjoint ``∂root/∂n`` from the adjoints of the nodes that
use it: ``∂root/∂n = Σ over consumers c of ∂root/∂c × ∂c/∂n`` (Baydin et al. 2018, "Automatic
differentiation in machine learning: a survey", JMLR, section 3.2). The explanation walks the
nodes between ``wrt`` and ``root`` from the root down: a chain of single uses is written as one
product, a node used by several results as the sum over its uses, each factor by its name and
its number, then the local derivatives in symbols.

When some node between ``wrt`` and ``root`` carries a label, the explanation speaks only of
labelled nodes (the steps the user named), and the unlabelled operations between two of them
become one factor; a labelled node that merely passes its adjoint on (a term of a sum, local
derivative 1) is stepped over, as a hand derivation does. Without labels it speaks of every
node, by the names the drawings write in their boxes (see :mod:`autograd_lite.naming`), except
arithmetic with constants (``0.5 * e``, ``e ** 2``, ``t - e``), which is folded into the factor
around it as a hand derivation folds it.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .drawing import check_root
from .graph import failed_derivative, topological_order
from .naming import (
    as_factor,
    decimal,
    grouped,
    local_formula,
    node_names,
    short_number,
    signed,
)

if TYPE_CHECKING:
    from .value import Value

#: Derivations longer than this many steps are refused unless ``max_steps`` says otherwise.
DEFAULT_MAX_STEPS = 40

_DIGITS = 9


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product: ``∂numerator/∂denominator`` and its number.

    ``formula`` is the local derivative in the nodes' names (``"w5"``, ``"out_o1·(1-out_o1)"``)
    where it is known; an adjoint ``∂root/∂n`` found on an earlier step has none.
    """

    numerator: str
    denominator: str
    value: float
    formula: str | None = None


@dataclass(frozen=True)
class Step:
    """``∂root/∂node``: the sum of ``terms``, each a product of factors, equal to ``value``."""

    node: str
    terms: tuple[tuple[Factor, ...], ...]
    value: float


@dataclass(frozen=True)
class Explanation:
    """The derivation of ``∂root/∂wrt``: shows itself as text, LaTeX or (in a notebook) Markdown.

    Made by :func:`explain`.

    Attributes:
        root: the root's name.
        wrt: the name of the Value differentiated with respect to.
        value: the derivative ∂root/∂wrt.
        steps: in the order reverse mode completes them (from the root down); the last one is
            ``wrt``'s.
        notes: what was stepped over, or why there is no path.

    Raises:
        Nothing: it is a record; :func:`explain` raises for bad input.

    Example:
        >>> from autograd_lite import Value, explain
        >>> x = Value(3.0, label="x")
        >>> y = x * x
        >>> y.label = "y"
        >>> e = explain(y, x)
        >>> e.value, "x" in e.to_latex()
        (6.0, True)
    """

    root: str
    wrt: str
    value: float
    steps: tuple[Step, ...]
    notes: tuple[str, ...] = field(default=())

    def local_factors(self) -> list[Factor]:
        """Every local derivative the steps use (adjoints left out), each once, in order."""
        seen: dict[tuple[str, str], Factor] = {}
        for step in self.steps:
            for term in step.terms:
                for factor in term:
                    if factor.numerator != self.root or factor.formula is not None:
                        seen.setdefault((factor.numerator, factor.denominator), factor)
        return list(seen.values())

    def __str__(self) -> str:
        lines = [f"{_partial(self.root, self.wrt)}, as reverse mode computes it "
                 f"(from {self.root} back to {self.wrt}):", ""]
        for step in self.steps:
            left = f"{_partial(self.root, step.node)} = "
            symbols = " + ".join(" × ".join(_partial(f.numerator, f.denominator) for f in term)
                                 for term in step.terms)
            direct = step.terms[0][0] if len(step.terms) == 1 == len(step.terms[0]) else None
            if direct is not None and direct.formula is not None:
                symbols = direct.formula  # one direct factor: its formula, not its name again
            numbers = " + ".join(" × ".join(signed(_number(f.value)) for f in term)
                                 for term in step.terms)
            result = _number(step.value)
            worked = result if numbers == result else f"{numbers} = {result}"
            lines.append(f"  {left}{symbols}")
            lines.append(f"  {' ' * (len(left) - 2)}= {worked}")
        local = self.local_factors()
        if local:
            lines += ["", "where"]
            for f in local:
                formula = f"{f.formula} = " if f.formula and f.formula != _number(f.value) else ""
                lines.append(
                    f"  {_partial(f.numerator, f.denominator)} = {formula}{_number(f.value)}"
                )
        lines += ["", f"So {_partial(self.root, self.wrt)} = {_number(self.value)}."]
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)

    def to_latex(self) -> str:
        """The derivation as a LaTeX ``aligned`` block (put it inside ``$$ ... $$``).

        Example:
            >>> from autograd_lite import Value
            >>> x = Value(3.0, label="x")
            >>> y = x * x
            >>> y.label = "y"
            >>> print(explain(y, x).to_latex())  # doctest: +NORMALIZE_WHITESPACE
            \\begin{aligned}
            \\frac{\\partial y}{\\partial x} &= \\frac{\\partial y}{\\partial x} \\\\
            &= 6 = 6 \\\\
            \\frac{\\partial y}{\\partial x} &= x+x = 6
            \\end{aligned}
        """
        rows = []
        for step in self.steps:
            symbols = " + ".join(
                r" \times ".join(_latex_partial(f.numerator, f.denominator) for f in term)
                for term in step.terms
            )
            numbers = " + ".join(
                r" \times ".join(signed(_number(f.value)) for f in term) for term in step.terms
            )
            rows.append(f"{_latex_partial(self.root, step.node)} &= {symbols} \\\\")
            rows.append(f"&= {numbers} = {_number(step.value)} \\\\")
        for f in self.local_factors():
            formula = f"{_latex_formula(f.formula)} = " if f.formula and f.formula != _number(
                f.value) else ""
            rows.append(
                f"{_latex_partial(f.numerator, f.denominator)} &= {formula}{_number(f.value)} \\\\"
            )
        if rows:
            rows[-1] = rows[-1].removesuffix(" \\\\")
        return "\\begin{aligned}\n" + "\n".join(rows) + "\n\\end{aligned}"

    def _repr_markdown_(self) -> str:
        """Jupyter: a heading, the typeset derivation and the notes."""
        parts = [f"**{_escape_markdown(_partial(self.root, self.wrt))}** "
                 f"$= {_number(self.value)}$, as reverse mode computes it:", "",
                 "$$", self.to_latex(), "$$"]
        parts += ["", *[f"*Note:* {_escape_markdown(note)}" for note in self.notes]]
        return "\n".join(parts).rstrip() + "\n"

    def __repr__(self) -> str:
        return (f"Explanation({_partial(self.root, self.wrt)} = {_number(self.value)}, "
                f"{len(self.steps)} steps)")


def explain(
    root: Value,
    wrt: Value,
    *,
    labelled_only: bool | None = None,
    max_steps: int | None = DEFAULT_MAX_STEPS,
) -> Explanation:
    """The derivative of ``root`` with respect to ``wrt``, written out as reverse mode finds it.

    Args:
        root: the Value differentiated (a loss, for example).
        wrt: the Value it is differentiated with respect to (a weight, an input, any node).
        labelled_only: speak only of labelled nodes (True) or of every node but arithmetic with
            constants (False); by default True when some node strictly between ``wrt`` and
            ``root`` has a label.
        max_steps: refuse a derivation longer than this many steps (None: no limit).

    Returns:
        An :class:`Explanation`: ``str()`` gives plain text, ``.to_latex()`` LaTeX, and a
        notebook shows it as Markdown with typeset formulas. Its ``value`` is the derivative.
        Nothing in the graph changes: no ``.grad`` is written.

    Raises:
        TypeError: ``root`` or ``wrt`` is not a Value.
        ValueError: the derivation has more than ``max_steps`` steps; the message says how
            many and how to get a shorter one.

    Example:
        >>> from autograd_lite import Value
        >>> x, w = Value(2.0, label="x"), Value(-0.5, label="w")
        >>> y = (x * w).tanh()
        >>> y.label = "y"
        >>> print(explain(y, w))
        ∂y/∂w, as reverse mode computes it (from y back to w):
        <BLANKLINE>
          ∂y/∂w = ∂y/∂(x*w) × ∂(x*w)/∂w
                = 0.419974342 × 2 = 0.839948683
        <BLANKLINE>
        where
          ∂y/∂(x*w) = 1-y² = 0.419974342
          ∂(x*w)/∂w = x = 2
        <BLANKLINE>
        So ∂y/∂w = 0.839948683.
    """
    from .value import Value

    check_root(root, "explain")
    if not isinstance(wrt, Value):
        raise TypeError(f"explain: wrt must be a Value, got {type(wrt).__name__}")
    if max_steps is not None and (isinstance(max_steps, bool) or not isinstance(max_steps, int)
                                  or max_steps < 1):
        raise ValueError(f"explain: max_steps must be a positive int or None, got {max_steps!r}")
    order = topological_order(root)
    names = node_names(order)
    root_name = names[root]
    if wrt not in names:
        name = wrt.label or short_number(wrt.data)
        return Explanation(root_name, name, 0.0, (), (
            f"{name} is not in the graph of {root_name}: {root_name} does not depend on it, "
            "so the derivative is 0.",))
    between = _between(order, wrt)
    if labelled_only is None:
        labelled_only = any(n.label for n in between if n is not root and n is not wrt)
    on_path = set(between)
    if labelled_only:
        shown = [n for n in between if n.label or n is root or n is wrt]
    else:
        shown = [n for n in between if n is root or n is wrt or not _glue(n, on_path)]
    if max_steps is not None and len(shown) > 4 * max_steps:
        _too_long(root_name, names[wrt], f"more than {4 * max_steps}", max_steps)
    # Inside formulas an unnamed node is written out in full: -(target_o1-out_o1), not t3.
    spelled = {**node_names(order, max_expression=48, fallback=names),
               **{n: names[n] for n in shown}}
    factors = _factors(shown, between, names, spelled)
    notes: list[str] = []
    if labelled_only:
        passed = _step_over_sums(shown, factors, root, wrt, names)
        if passed:
            listed = ", ".join(names[n] for n in shown if n in passed)
            one = len(passed) == 1
            notes.append(f"{listed} only pass{'es' if one else ''} the gradient on (a term of "
                         "a sum, local derivative 1), so the steps go past "
                         f"{'it' if one else 'them'}.")
        shown = [n for n in shown if n not in passed]
    if not wrt.requires_grad:
        notes.append(f"{names[wrt]} requires no grad, so backward() gives it no gradient; this "
                     "is the derivative it would get as a variable.")
    steps = _steps(shown, factors, root, wrt, names)
    if max_steps is not None and len(steps) > max_steps:
        _too_long(root_name, names[wrt], str(len(steps)), max_steps)
    value = steps[-1].value if steps else 0.0
    if not steps:
        notes.append(f"No path leads from {names[wrt]} to {root_name}: the derivative is 0.")
    return Explanation(root_name, names[wrt], value, tuple(steps), tuple(notes))


#: Arithmetic that, applied with constants (``0.5 * e``, ``e ** 2``, ``t - e``), is folded into
#: the factor around it, as a hand derivation writes ``∂E/∂out = -(target - out)`` in one step.
_ARITHMETIC = frozenset({"+", "-", "*", "/", "**", "neg"})


def _glue(node: Value, on_path: set[Value]) -> bool:
    """An unlabelled node of arithmetic with constants on one operand that is on the path."""
    if node.label or node.op not in _ARITHMETIC:
        return False
    varying = [p for p in node.parents if p in on_path]
    others = [p for p in node.parents if p not in on_path]
    return len(varying) == 1 and all(not p.requires_grad for p in others)


def _too_long(root: str, wrt: str, count: str, max_steps: int) -> None:
    raise ValueError(
        f"explain: the derivation of {_partial(root, wrt)} has {count} steps, more than "
        f"max_steps={max_steps}; it would not be read. Label the few nodes you want to see "
        "(explain then walks only labelled nodes), explain a smaller graph (one neuron, one "
        "sample), use backward_stepper to step through it, or pass max_steps=None."
    )


def _between(order: Sequence[Value], wrt: Value) -> list[Value]:
    """The nodes on some path from ``wrt`` up to the root (the last of ``order``), in order."""
    downstream = {wrt}
    for node in order:
        if any(parent in downstream for parent in node.parents):
            downstream.add(node)
    return [node for node in order if node in downstream]


# (consumer, node) -> the factor ∂consumer/∂node through nodes not shown.
Factors = dict[tuple["Value", "Value"], Factor]


def _factors(shown: list[Value], between_order: list[Value], names: dict[Value, str],
             spelled: dict[Value, str]) -> Factors:
    """For each shown node u: ∂u/∂n for each shown n below it, through unshown nodes only."""
    visible = set(shown)
    order_index = {node: i for i, node in enumerate(between_order)}
    result: Factors = {}
    for upper in shown:
        adjoint: dict[Value, float] = {upper: 1.0}
        # The local derivatives along each path from upper, while there are few paths.
        paths: dict[Value, list[list[str]] | None] = {upper: [[]]}
        # Walk down in reverse topological order, so each node is complete before it is used.
        pending = [(-order_index[upper], 0, upper)]
        queued = 1  # a tie-breaker: Values do not compare
        while pending:
            node = heapq.heappop(pending)[2]
            if node is not upper and node in visible:
                continue
            for j, parent in enumerate(node.parents):
                if parent not in order_index:
                    continue
                first = parent not in adjoint
                adjoint[parent] = adjoint.get(parent, 0.0) + adjoint[node] * _local_grad(node, j)
                paths[parent] = _extend(paths.get(parent, []), paths[node],
                                        local_formula(node, j, spelled))
                if first:
                    heapq.heappush(pending, (-order_index[parent], queued, parent))
                    queued += 1
        for node, value in adjoint.items():
            if node is not upper and node in visible:
                found = paths[node]
                formula = None if not found else "+".join(_product(p) for p in found)
                result[upper, node] = Factor(names[upper], names[node], value, formula)
    return result


def _extend(
    known: list[list[str]] | None, above: list[list[str]] | None, symbol: str | None
) -> list[list[str]] | None:
    """Paths to a node so far, plus the paths through ``above`` and one more local derivative."""
    if known is None or above is None or symbol is None or len(known) + len(above) > 4:
        return None
    return [*known, *([*path, symbol] for path in above)]


def _step_over_sums(shown: list[Value], factors: Factors, root: Value, wrt: Value,
                    names: dict[Value, str]) -> set[Value]:
    """Labelled nodes that only pass their adjoint on (one user, factor 1): merged away."""
    passed: set[Value] = set()
    for node in reversed(shown):
        if node is root or node is wrt:
            continue
        users = [u for (u, n) in factors if n is node and u not in passed]
        if len(users) != 1 or factors[users[0], node].value != 1.0:
            continue
        user = users[0]
        for (upper, lower), factor in list(factors.items()):
            if upper is node:
                through = factors.get((user, lower))
                value = factor.value + (through.value if through else 0.0)
                formula = factor.formula if through is None else None
                factors[user, lower] = Factor(names[user], factor.denominator, value, formula)
        passed.add(node)
    return passed


def _steps(shown: list[Value], factors: Factors, root: Value, wrt: Value,
           names: dict[Value, str]) -> list[Step]:
    """The adjoints from the root down: a product along each chain, a sum at each junction."""
    users: dict[Value, list[Value]] = {n: [] for n in shown}
    for upper, lower in factors:
        if upper in users and lower in users:
            users[lower].append(upper)
    position = {node: i for i, node in enumerate(shown)}
    for node in users:
        users[node].sort(key=lambda u: -position[u])
    junctions = {n for n in shown if len(users[n]) > 1}
    # A result used by a junction gets a step of its own, unless the root uses it directly.
    with_line = {wrt} | junctions | {
        u for j in junctions for u in users[j] if u is not root and users[u] != [root]
    }
    adjoint: dict[Value, float] = {root: 1.0}
    steps: list[Step] = []
    for node in reversed(shown):
        if node is root:
            continue
        if not users[node]:
            continue
        terms = []
        total = 0.0
        for user in users[node]:
            chain = [factors[user, node]]
            value = adjoint[user] * chain[0].value
            above = user
            while above is not root and above not in with_line:
                (next_user,) = users[above]
                chain.insert(0, factors[next_user, above])
                above = next_user
            if above is not root:
                chain.insert(0, Factor(names[root], names[above], adjoint[above]))
            terms.append(tuple(chain))
            total += value
        adjoint[node] = total
        if node in with_line:
            steps.append(Step(names[node], tuple(terms), total))
    if wrt is root:
        steps.append(Step(names[root], ((Factor(names[root], names[root], 1.0, "1"),),), 1.0))
    return steps


def _local_grad(consumer: Value, operand_index: int) -> float:
    """d consumer / d operand, or backward's error naming the operation where it has none."""
    operation = consumer.operation
    assert operation is not None  # only results of operations have operands
    inputs = [p.data for p in consumer.parents]
    try:
        return float(operation.local_grad(operand_index, *inputs, consumer.data))
    except (ArithmeticError, ValueError) as error:
        raise failed_derivative(error, consumer) from error


def _product(parts: list[str]) -> str:
    """Local derivatives along one path as one product; numbers are multiplied out."""
    coefficient = 1.0
    symbols = []
    for part in parts:
        number, _, rest = part.partition("·")
        try:
            coefficient *= float(number)
        except ValueError:
            symbols.append(part)
        else:
            if rest:
                symbols.append(rest)
    text = "·".join(as_factor(s) for s in symbols)
    if not symbols:
        return short_number(coefficient)
    if coefficient == 1:
        return symbols[0] if len(symbols) == 1 else text
    if coefficient == -1:
        return f"-{as_factor(text) if len(symbols) == 1 else text}"
    return f"{short_number(coefficient)}·{text}"


def _number(x: float) -> str:
    return decimal(x, _DIGITS, strip=True)


def _partial(numerator: str, denominator: str) -> str:
    return f"∂{grouped(numerator)}/∂{grouped(denominator)}"


# --- LaTeX ---------------------------------------------------------------------------------------

_FUNCTIONS = {"sigmoid", "tanh", "exp", "log", "ln", "sin", "cos", "sqrt", "sign", "step",
              "relu", "softplus", "abs"}
_TEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "_": r"\_", "^": r"\^{}",
                "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&", "~": r"\~{}"}


def latex_name(name: str) -> str:
    """A node's name in LaTeX: ``out_h1`` as ``\\mathrm{out}_{h1}``, ``w5`` as ``w_{5}``.

    Example:
        >>> latex_name("out_h1"), latex_name("w5"), latex_name("E_total"), latex_name("x")
        ('\\\\mathrm{out}_{h1}', 'w_{5}', 'E_{\\\\mathrm{total}}', 'x')
    """
    match = re.fullmatch(r"([A-Za-z]+)(\d*)(?:_([A-Za-z0-9]+))?", name)
    if match is None:
        return r"\texttt{" + "".join(_TEX_SPECIAL.get(c, c) for c in name) + "}"
    base, digits, sub = match.groups()
    text = base if len(base) == 1 else r"\mathrm{" + base + "}"
    if digits and sub:
        return text + "_{" + digits + r",\mathrm{" + sub + "}}"
    if digits:
        return text + "_{" + digits + "}"
    if sub:
        sub_text = sub if len(sub) <= 2 or len(base) > 1 else r"\mathrm{" + sub + "}"
        return text + "_{" + sub_text + "}"
    return text


def _latex_partial(numerator: str, denominator: str) -> str:
    return r"\frac{\partial " + _latex_term(numerator) + r"}{\partial " + _latex_term(
        denominator) + "}"


def _latex_term(name: str) -> str:
    return latex_name(name) if re.fullmatch(r"[A-Za-z]+\d*(_[A-Za-z0-9]+)?", name) else (
        "(" + _latex_formula(name) + ")")


def _latex_formula(formula: str) -> str:
    """A formula in names (``out_o1·(1-out_o1)``) as LaTeX."""
    out = []
    for token in re.findall(r"[A-Za-z_][\w.]*|\d+(?:\.\d+)?(?:e-?\d+)?|\*\*|.", formula):
        if token in _FUNCTIONS:
            out.append(r"\operatorname{" + token + "}")
        elif re.fullmatch(r"[A-Za-z_][\w.]*", token):
            out.append(latex_name(token))
        elif token == "**" or token == "^":
            out.append("^")
        else:
            out.append({"·": r" \cdot ", "*": r" \cdot ", "²": "^{2}", "×": r" \times ",
                        "∂": r"\partial "}.get(token, _TEX_SPECIAL.get(token, token)))
    return "".join(out)


def _escape_markdown(text: str) -> str:
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)
