"""The layout of a vectorised replay: which nodes are computed together, and where each lives.

Every example of a batch runs the same graph, so the values of one node over the batch form a
column of a matrix ``V[batch, column]``. Nodes at the same depth with the same operation do not
depend on each other: they form a :class:`Group`, computed together for every example and every
node of the group (the sixteen neurons of a layer, say, for a hundred examples).

Each operand position of a group is read in the cheapest shape that holds it:

* ``leaf``: every node reads a captured leaf (a parameter), the same for every example: shape
  ``[nodes]``, read from the leaves' values; its gradient goes to the leaf;
* ``shared``: every node reads the same column (a layer's input, read by each of its neurons):
  shape ``[batch, 1]``; its gradients are summed over the group's nodes;
* ``column``: each node reads a column of its own: shape ``[batch, nodes]``.

A group's results are stored in consecutive columns, so writing them is a slice.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .codegen import Program
    from .ops import Operation
    from .value import Value

#: The ways a group reads an operand position (see the module's notes).
LEAF, SHARED, COLUMN = "leaf", "shared", "column"


class Group(NamedTuple):
    """Nodes of one operation at one depth: computed together, differentiated together.

    Attributes:
        operation: The operation every node applies.
        start: The first of the group's consecutive output columns.
        size: How many nodes.
        kinds: For each operand position, how it is read: ``leaf``, ``shared`` or ``column``.
        reads: For each position, where: the leaf numbers (one per node) for ``leaf``, the one
            column for ``shared``, the columns (one per node) for ``column``.
        wanted: For each position, whether any operand there needs a gradient.
        to_leaves: For each position, whether it is wanted and a gradient flows through it into
            a captured leaf (what is left of ``wanted`` when the inputs' gradients are not).
    """

    operation: Operation
    start: int
    size: int
    kinds: tuple[str, ...]
    reads: tuple[tuple[int, ...], ...]
    wanted: tuple[bool, ...]
    to_leaves: tuple[bool, ...]


class Layout(NamedTuple):
    """Where a traced program's values live in a vectorised replay.

    Attributes:
        width: How many columns ``V`` has.
        groups: The groups, in an order that computes every operand before it is read.
        input_columns: The column of each input, in the tape's order.
        leaf_columns: ``(column, leaf number)`` of each leaf that also has a column (a leaf
            some group reads beside columns, or the output itself).
        output_column: The output's column.
    """

    width: int
    groups: list[Group]
    input_columns: list[int]
    leaf_columns: list[tuple[int, int]]
    output_column: int


def layout(program: Program) -> Layout:
    """Group a traced program's nodes and give every value a column.

    Args:
        program: What the trace recorded.

    Returns:
        The layout: columns are the inputs, then leaves some group reads beside other columns,
        then the results of each group in turn.

    Example:
        >>> from autograd_lite import Value, trace
        >>> w = Value(2.0)
        >>> plan = layout(trace(lambda x, y: (x * w) + (y * w), 1.0, 2.0).program)
        >>> [(g.operation.name, g.size, g.kinds) for g in plan.groups]
        [('*', 2, ('column', 'leaf')), ('+', 1, ('shared', 'shared'))]
    """
    leaf_number = {leaf: i for i, leaf in enumerate(program.leaves)}
    by_depth = _by_depth(program.nodes)
    column: dict[Value, int] = {node: i for i, node in enumerate(program.inputs)}
    for members in by_depth.values():
        for k in range(len(members[0].parents)):
            operands = [n.parents[k] for n in members]
            if not all(p in leaf_number for p in operands):
                for p in operands:
                    if p in leaf_number:
                        column.setdefault(p, len(column))
    if program.output in leaf_number:
        column.setdefault(program.output, len(column))
    leaf_columns = [(column[leaf], i) for leaf, i in leaf_number.items() if leaf in column]
    ordered = _in_reading_order(
        [members for _, members in sorted(by_depth.items(), key=lambda kv: kv[0][0])]
    )
    to_leaves = dict.fromkeys(program.leaves, True)
    for node in program.nodes:
        if node.operation is not None:
            to_leaves[node] = any(to_leaves.get(p, False) for p in node.parents)
    groups = []
    for members in ordered:
        start = len(column)
        for node in members:
            column[node] = len(column)
        groups.append(_group(start, members, column, leaf_number, to_leaves))
    return Layout(len(column), groups, [column[n] for n in program.inputs], leaf_columns,
                  column[program.output])  # fmt: skip


def _by_depth(nodes: Sequence[Value]) -> dict[tuple[int, Operation, int], list[Value]]:
    """The operation nodes by (depth, operation, number of operands)."""
    depth: dict[Value, int] = {}
    members: dict[tuple[int, Operation, int], list[Value]] = {}
    for node in nodes:
        if node.operation is None:
            depth[node] = 0
            continue
        depth[node] = 1 + max(depth[p] for p in node.parents)
        members.setdefault((depth[node], node.operation, len(node.parents)), []).append(node)
    return members


def _in_reading_order(groups: list[list[Value]]) -> list[list[Value]]:
    """Each group's nodes in the order the first group reading them reads them, so that a layer
    reads the previous layer's results as consecutive columns (a slice, not a gather)."""
    first_read: dict[Value, tuple[int, int, int]] = {}
    ordered: list[list[Value]] = []
    for g in range(len(groups) - 1, -1, -1):
        last = (len(groups), 0, 0)
        members = sorted(groups[g], key=lambda n: first_read.get(n, last))
        for rank, node in enumerate(members):
            for k, parent in enumerate(node.parents):
                first_read[parent] = min(first_read.get(parent, last), (g, rank, k))
        ordered.append(members)
    return ordered[::-1]


def _group(start: int, members: list[Value], column: dict[Value, int],
           leaf_number: dict[Value, int], to_leaves: dict[Value, bool]) -> Group:  # fmt: skip
    kinds, reads = [], []
    for k in range(len(members[0].parents)):
        operands = [n.parents[k] for n in members]
        if all(p in leaf_number for p in operands):  # (a leaf may also have a column)
            kinds.append(LEAF)
            reads.append(tuple(leaf_number[p] for p in operands))
        elif all(p is operands[0] for p in operands):
            kinds.append(SHARED)
            reads.append((column[operands[0]],))
        else:
            kinds.append(COLUMN)
            reads.append(tuple(column[p] for p in operands))
    positions = range(len(kinds))
    wanted = tuple(any(n.parents[k].requires_grad for n in members) for k in positions)
    flows = tuple(want and any(to_leaves.get(n.parents[k], False) for n in members)
                  for k, want in zip(positions, wanted))  # fmt: skip
    operation = members[0].operation
    assert operation is not None
    return Group(operation, start, len(members), tuple(kinds), tuple(reads), wanted, flows)
