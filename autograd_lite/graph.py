"""Graph algorithms: the one topological order, and the reverse pass that applies the chain rule.

Both are iterative, so a graph as deep as memory allows works (recursion would stop near a
thousand nodes). Everything that walks a graph (``backward``, higher-order ``gradients``, the
drawings) uses these two functions, so they all agree on the order.
"""

from __future__ import annotations

from collections.abc import Iterator
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from . import anomaly

if TYPE_CHECKING:
    from .ops import Scalar
    from .value import Value

_data = attrgetter("data")


def topological_order(*roots: Value) -> list[Value]:
    """Every node the roots depend on (the roots included), each listed after all its parents.

    A depth-first search with an explicit stack: a node is appended once all of its parents
    have been appended. Shared subexpressions appear once.
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False) for root in reversed(roots)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))  # comes back to it after its parents
            for parent in node.parents:
                if parent not in visited:
                    stack.append((parent, False))
    return order


def backpropagate(
    root: Value, gradient: Scalar, *, create_graph: bool = False
) -> Iterator[tuple[Value, Any]]:
    """Yield ``(node, d root / d node * gradient)`` for every node that requires grad.

    Nodes come in reverse topological order, so each one is yielded only when every path from
    the root to it has contributed: its gradient is complete. For each node the chain rule
    multiplies its gradient by its operation's local derivatives and adds the products into its
    operands' gradients.

    With ``create_graph=False`` the local derivatives are computed on floats (fast). With
    ``create_graph=True`` they are computed on the Values themselves, so every yielded gradient
    is itself recorded in a graph and can be differentiated again.
    """
    grads: dict[Value, Any] = {root: gradient}  # this pass only; never the nodes' .grad
    checking = anomaly.is_anomaly_enabled()  # detect_anomaly(): check every gradient sent
    for node in reversed(topological_order(root)):
        node_grad = grads.pop(node, None)
        if node_grad is None:  # a constant: nothing flows into it
            continue
        yield node, node_grad
        operation = node.operation
        if operation is None:  # a leaf
            continue
        parents = node.parents
        try:
            if create_graph:
                local = operation.local_grads(*parents, node)
            else:
                local = operation.local_grads(*map(_data, parents), node.data)
        except (ValueError, ArithmeticError) as error:
            raise _explain(error, node) from error
        if checking:
            anomaly.check_backward(node, local, node_grad)
        if len(local) != len(parents):
            raise ValueError(
                f"operation '{operation.name}': local_grads returned {len(local)} derivatives "
                f"for {len(parents)} inputs; return exactly one per input, in order"
            )
        for parent, local_grad in zip(parents, local):
            if parent.requires_grad:
                contribution = local_grad * node_grad
                previous = grads.get(parent)
                grads[parent] = contribution if previous is None else previous + contribution


def _explain(error: Exception, node: Value) -> Exception:
    """The same kind of error, saying which operation's derivative failed and at which inputs."""
    name = node.operation.name if node.operation else node.op
    inputs = [p.data for p in node.parents]
    return type(error)(
        f"backward through '{name}' with inputs {inputs}: its local derivative could not be "
        f"computed ({error}){anomaly.creation_note(node)}"
    )
