"""The tape's listing: a traced program as three-address code, one line per node."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .codegen import Program
    from .value import Value

_INFIX = ("+", "-", "*", "/", "**", "%", "//")  # operations named by Python's binary operators


def listing(program: Program, names: dict[Value, str]) -> str:
    """``t7 = t3 * w12`` for every node, then the guards and the returned name.

    Args:
        program: The traced program.
        names: A name for every node.

    Returns:
        The listing, one line per node.
    """
    inputs = set(program.inputs)
    operations = len(program.nodes) - len(program.inputs) - len(program.leaves)
    parameters = sum(leaf.requires_grad for leaf in program.leaves)
    lines = [
        f"# tape: {len(program.inputs)} inputs, {parameters} parameters, "
        f"{len(program.leaves) - parameters} constants, {operations} operations"
    ]
    for node in [*program.inputs, *(n for n in program.nodes if n not in inputs)]:
        name = names[node]
        note = f"  # {node.label}" if node.label and node.label != name else ""
        if node in inputs:
            lines.append(f"{name} = input{note}")
        elif node.operation is None:
            kind = "parameter" if node.requires_grad else "constant"
            lines.append(f"{name} = {kind} {node.data!r}{note}")
        else:
            lines.append(f"{name} = {_three_address(node, names)}{note}")
    for guard in program.guards:
        lines.append(
            f"guard {names[guard.left]} {guard.symbol} {names[guard.right]} is {guard.outcome}"
        )
    lines.append(f"return {names[program.output]}")
    return "\n".join(lines)


def _three_address(node: Value, names: dict[Value, str]) -> str:
    args = [names[p] for p in node.parents]
    name = node.op
    if name in _INFIX and len(args) == 2:
        return f"{args[0]} {name} {args[1]}"
    if name == "neg" and len(args) == 1:
        return f"-{args[0]}"
    return f"{name}({', '.join(args)})"
