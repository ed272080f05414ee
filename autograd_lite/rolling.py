"""Repeated blocks in a traced program: the loops hidden in straight-line code.

A batch's tape is one example's tape repeated once per example; a chain is one step repeated.
Written out node by node, such a program is as long as the graph, and Python compiles long
functions slowly. This module finds runs of identical blocks among the operations (the same
operations, wired the same way) so that code generation can write each block once, as the body
of a loop.

Two operations match when they apply the same operation to operands of the same kind: a leaf of
the same kind, or the result of the operation the same number of places back. Among the
candidates starting at a position, the run covering most operations wins. A run is kept only if
every operand of its block is one a loop can supply: a result of the same repetition, the same
slot of the previous repetition (carried from one pass of the loop to the next), one node shared
by every repetition (a parameter, say), or a leaf of its own per repetition (an example's inputs)
that no other code needs the gradient of.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .value import Value

#: Runs shorter than this many operations are left straight: a loop costs a little per pass,
#: and straight code of this size still compiles quickly.
MIN_OPERATIONS = 512
#: How far ahead a block's repetition is looked for, and how many candidates are compared.
WINDOW, CANDIDATES = 4096, 48


class Operand(NamedTuple):
    """Where a loop body finds one operand.

    ``kind`` is ``"inner"`` (``at`` is a slot of the same repetition), ``"carried"``
    (``at`` is a slot of the previous repetition; ``node`` feeds the first one), ``"shared"``
    (``node``, the same for every repetition) or ``"varying"`` (``at`` numbers the run's
    per-repetition leaves).
    """

    kind: str
    at: int
    node: Value | None


class Run(NamedTuple):
    """``repeats`` consecutive blocks of ``period`` operations, wired identically.

    Attributes:
        start: Position of the first operation among the program's operations.
        period: Operations per block.
        repeats: How many blocks.
        blocks: The nodes of each block, in order.
        operands: For each slot of a block, where each of its operands comes from.
        varying: For each per-repetition leaf, its leaf in every repetition.
    """

    start: int
    period: int
    repeats: int
    blocks: list[list[Value]]
    operands: list[tuple[Operand, ...]]
    varying: list[list[Value]]


def find_runs(operations: Sequence[Value], parents: dict[Value, tuple[Value, ...]],
              leaf_kind: dict[int, str], uses: dict[int, int]) -> list[Run]:  # fmt: skip
    """The runs of repeated blocks among ``operations``, in order and not overlapping.

    Nodes are looked up by ``id()`` on the hot paths (once or more per edge): an integer
    hashes in C, whatever the node's class does.

    Args:
        operations: The program's operation nodes in topological order.
        parents: Each operation node's operands (read once: a Value computes them).
        leaf_kind: A kind for every leaf, by ``id()`` (``"x"`` input, ``"w"`` parameter,
            ``"c"`` constant).
        uses: How many operand slots of the whole program refer to each node, by ``id()``.

    Returns:
        The runs found (possibly none).
    """
    position = {id(node): i for i, node in enumerate(operations)}
    interned: dict[object, int] = {}
    signature: list[int] = []
    for i, node in enumerate(operations):
        key = (node.operation, tuple(
            i - position[k] if k in position else leaf_kind[k] for k in map(id, parents[node])
        ))  # fmt: skip
        signature.append(interned.setdefault(key, len(interned)))
    next_same: list[int] = [0] * len(operations)
    last: dict[int, int] = {}
    for i in range(len(operations) - 1, -1, -1):
        next_same[i] = last.get(signature[i], -1)
        last[signature[i]] = i
    runs: list[Run] = []
    claimed: set[int] = set()  # ids of nodes already in a run
    failed: dict[int, int] = {}  # period -> end of a stretch where that period did not fit
    i = 0
    while i < len(operations):
        run = _best_run(operations, parents, signature, next_same, position, i, uses, claimed,
                        failed)  # fmt: skip
        if run is None:
            i += 1
            continue
        for period in [p for p, end in failed.items() if end <= i]:
            del failed[period]
        runs.append(run)
        claimed.update(id(node) for block in run.blocks for node in block)
        i += run.period * run.repeats
    return runs


def _best_run(operations: Sequence[Value], parents: dict[Value, tuple[Value, ...]],
              signature: list[int], next_same: list[int],
              position: dict[int, int], i: int, uses: dict[int, int],
              claimed: set[int], failed: dict[int, int]) -> Run | None:  # fmt: skip
    if failed.get(1, -1) > i:  # every period is a multiple of one that did not fit here
        return None
    candidates: list[tuple[int, int]] = []  # (-covered, period)
    j, tried = next_same[i], 0
    while j != -1 and j - i <= WINDOW and tried < CANDIDATES:
        period, tried = j - i, tried + 1
        if any(end > i and period % p == 0 for p, end in failed.items()):
            pass
        elif not any(period % p == 0 and -covered >= 2 * period for covered, p in candidates):
            repeats = _periodic_length(signature, i, period) // period
            if repeats >= 2:  # kept even when too short: its multiples need not be tried
                candidates.append((-repeats * period, period))
        j = next_same[j]
    for covered, period in sorted(candidates)[:4]:
        if -covered >= MIN_OPERATIONS:
            run = _validate(operations, parents, position, i, period, -covered // period, uses,
                            claimed)  # fmt: skip
            if run is not None:
                return run
        failed[period] = i - covered  # the same blocks, shifted, would not do either
    return None


def _periodic_length(signature: list[int], start: int, period: int) -> int:
    """How far from ``start`` the signatures repeat with this period."""
    end = start + period
    while end < len(signature) and signature[end] == signature[end - period]:
        end += 1
    return end - start


def _validate(operations: Sequence[Value], parents_of: dict[Value, tuple[Value, ...]],
              position: dict[int, int], start: int,
              period: int, repeats: int, uses: dict[int, int],
              claimed: set[int]) -> Run | None:  # fmt: skip
    """The run, if a loop can supply every operand of its block; else None."""
    blocks = [list(operations[start + r * period : start + (r + 1) * period])
              for r in range(repeats)]  # fmt: skip
    operands_of = [[parents_of[node] for node in block] for block in blocks]
    varying: list[list[Value]] = []
    first_use: dict[int, int] = {}  # a varying leaf of block 0 (its id) -> its index in `varying`
    operands: list[tuple[Operand, ...]] = []
    for slot in range(period):
        row: list[Operand] = []
        for k, first in enumerate(operands_of[0][slot]):
            if first.operation is not None:  # the same offset back in every block
                source = slot - (start + slot - position[id(first)])
                if source >= 0:
                    row.append(Operand("inner", source, None))
                elif source >= -period and id(first) not in claimed:
                    row.append(Operand("carried", source + period, first))
                else:
                    return None
                continue
            parents = [block[slot][k] for block in operands_of]
            if all(p is first for p in parents):
                row.append(Operand("shared", -1, first))
            elif id(first) in first_use:  # the same leaf read again within the block
                index = first_use[id(first)]
                if not all(p is q for p, q in zip(parents, varying[index])):
                    return None
                row.append(Operand("varying", index, None))
            elif len(set(map(id, parents))) == repeats:
                first_use[id(first)] = len(varying)
                row.append(Operand("varying", len(varying), None))
                varying.append(parents)
            else:
                return None
        operands.append(tuple(row))
    # A varying leaf that needs a gradient must get it from its own block only.
    own_uses = {id(leaf): 0 for leaves in varying for leaf in leaves if leaf.requires_grad}
    if own_uses:
        for block in operands_of:
            for node_operands in block:
                for key in map(id, node_operands):
                    if key in own_uses:
                        own_uses[key] += 1
        if any(count != uses.get(key, 0) for key, count in own_uses.items()):
            return None
    return Run(start, period, repeats, blocks, operands, varying)
