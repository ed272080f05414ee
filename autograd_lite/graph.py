"""Graph algorithms: the topological order, and the reverse pass that applies the chain rule.

Both are iterative, so a graph as deep as memory allows works (recursion would stop near a
thousand nodes). ``backward`` is the engine's pass: it walks the nodes that require grad in
reverse topological order and lets each send its local derivatives times its gradient to its
operands (``Value._backward``), adding straight into their ``grad``. ``backpropagate`` is the same
chain rule for tools: it yields each node's gradient instead of storing it, and with
``create_graph=True`` computes the derivatives on Values, so they can be differentiated again.

This module knows nodes only by their attributes (``parents``, ``requires_grad``, ``grad``,
``operation``): it imports no ``Value``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from .hooks import Observer
from .hooks import slot as _hooks
from .ops import LocalGradsCountError

if TYPE_CHECKING:
    from .ops import Scalar
    from .value import Value


def topological_order(*roots: Value) -> list[Value]:
    """Every node the roots depend on (the roots included), each listed after all its parents.

    A depth-first search with an explicit stack: a node is appended once all of its parents
    have been appended. Shared subexpressions appear once.

    Args:
        *roots: The nodes to start from.

    Returns:
        The nodes, parents before children.

    Raises:
        AttributeError, TypeError: when a root is not a Value (the compiled build says
            TypeError).

    Example:
        >>> from autograd_lite import Value
        >>> x = Value(2.0, label="x")
        >>> y = x * x
        >>> [node.label or node.op for node in topological_order(y)]
        ['x', '*']
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


def count_nodes(root: Value, stop_after: int | None = None) -> int:
    """How many distinct nodes ``root`` depends on (itself included), without ordering them.

    With ``stop_after=n`` the walk ends as soon as it has seen ``n + 1`` nodes and returns
    ``n + 1``: a size guard then costs O(n) however large the graph is.
    """
    if stop_after is not None and stop_after < 1:
        return 1
    seen: set[Value] = {root}
    stack: list[Value] = [root]
    while stack:
        for parent in stack.pop().parents:
            if parent not in seen:
                seen.add(parent)
                if stop_after is not None and len(seen) > stop_after:
                    return len(seen)
                stack.append(parent)
    return len(seen)


# --- the engine's reverse pass ------------------------------------------------------------------


def backward(root: Value, gradient: float) -> None:
    """Add d root / d node * ``gradient`` into ``grad`` of every node ``root`` depends on.

    Every node that requires grad starts the pass at 0.0 (earlier gradients wait aside and are
    added back at the end, so a second call adds exactly one more pass, as in PyTorch). In
    reverse topological order each node's gradient is complete when its turn comes, and it sends
    ``local derivative * its gradient`` on to its operands. If a local derivative cannot be
    computed, every ``grad`` is put back as it was and the error names the operation.

    Args:
        root: The output to differentiate; it must require grad.
        gradient: d(output)/d(root), usually 1.0.

    Raises:
        ValueError, ArithmeticError: naming the operation whose derivative failed.

    Example:
        >>> from autograd_lite import Value
        >>> x = Value(3.0)
        >>> backward(x * x, 1.0)
        >>> x.grad
        6.0
    """
    order, earlier = _pass_order(root)
    root.grad = gradient
    observer = _hooks.observer
    try:
        for node in reversed(order):
            if observer is None:
                node._backward()
            else:
                _observed_backward(node, observer)
    except BaseException:  # a derivative failed (the error names it): undo the whole pass
        _put_back(order, earlier)
        raise
    for node, grad in earlier:
        node.grad += grad


def _pass_order(root: Value) -> tuple[list[Value], list[tuple[Value, float]]]:
    """The nodes ``root`` depends on that require grad, parents first, each ``grad`` set to 0.0.

    A depth-first search with an explicit stack, where a ``None`` above a node means "its
    parents are done: append it". Constants are left out: nothing flows into them. A nonzero
    ``grad`` from an earlier pass is set aside in the second list. A node reached before is one
    whose ``_visit`` holds this pass's token, a new object: no set of visited nodes (a third of a
    node's memory) is needed. The operands are read from the node's two slots directly (see
    :class:`~autograd_lite.value.Value`): this walk is the hot path that the ``parents`` tuple
    would slow down.
    """
    token = object()
    order: list[Value] = []
    earlier: list[tuple[Value, float]] = []
    stack: list[Value | None] = [root]
    while stack:
        node = stack.pop()
        if node is None:  # every parent of the node below this marker is in order
            order.append(stack.pop())  # type: ignore[arg-type]  # a node is below every marker
            continue
        if node._visit is token:  # reached before
            continue
        node._visit = token
        if node.grad:
            earlier.append((node, node.grad))
            node.grad = 0.0
        stack.append(node)
        stack.append(None)
        a: Value | None = node._a
        if a is not None:  # one or two operands
            if a.requires_grad:
                stack.append(a)
            b: Value | None = node._b
            if b is not None and b.requires_grad:
                stack.append(b)
        elif node._b is not None:  # many operands
            parents: tuple[Value, ...] = node._b
            stack += [p for p in parents if p.requires_grad]
    return order, earlier


def _put_back(order: list[Value], earlier: list[tuple[Value, float]]) -> None:
    """Undo a pass that failed: every ``grad`` as it was before it."""
    for node in order:
        node.grad = 0.0
    for node, grad in earlier:
        node.grad = grad


def _observed_backward(node: Value, observer: Observer) -> None:
    """``node._backward()``, with the derivatives shown to the observer first (detect_anomaly)."""
    parents, operation = node.parents, node.operation
    if operation is None:
        return
    try:
        local = _local_grads(node, [p.data for p in parents], node.data)
    except (ValueError, ArithmeticError) as error:
        raise failed_derivative(error, node) from error
    observer.sent(node, local, node.grad)
    for parent, local_grad in zip(parents, local):
        if local_grad is not None:
            parent.grad += local_grad * node.grad


def _local_grads(node: Value, inputs: Sequence[Any], out: Any) -> tuple[Any, ...]:
    """The local derivatives ``node`` sends, None for operands that need no gradient."""
    assert node.operation is not None  # only operation nodes send derivatives
    needs = [p.requires_grad for p in node.parents]
    return node.operation.needed_grads(needs, *inputs, out)


def failed_derivative(error: Exception, node: Value) -> Exception:
    """The same kind of error, saying which operation's derivative failed and at which inputs.

    A ``local_grads`` that returned the wrong number of derivatives shows up as an unpacking
    error; it is reported as what it is.

    Args:
        error: What computing ``node``'s local derivatives raised.
        node: The node whose operation failed.

    Returns:
        The exception to raise (from ``error``).
    """
    operation = node.operation
    name = operation.name if operation is not None else node.op
    inputs = [p.data for p in node.parents]
    if operation is not None and isinstance(error, ValueError):
        try:
            operation.needed_grads([True] * len(inputs), *inputs, node.data)
        except LocalGradsCountError as count_error:
            return count_error
        except (ValueError, ArithmeticError):
            pass
    where = "" if _hooks.observer is None else "\n" + _hooks.observer.describe(node)
    return type(error)(
        f"backward through '{name}' with inputs {inputs}: its local derivative could not be "
        f"computed ({error}){where}"
    )


# --- the chain rule for tools: gradients yielded, and graphs of derivatives ---------------------


def backpropagate(
    root: Value, gradient: Scalar, *, create_graph: bool = False
) -> Iterator[tuple[Value, Any]]:
    """Yield ``(node, d root / d node * gradient)`` for every node that requires grad.

    Nodes come in reverse topological order, so each one is yielded only when every path from
    the root to it has contributed: its gradient is complete. For each node the chain rule
    multiplies its gradient by its operation's local derivatives and adds the products into its
    operands' gradients. No node's ``grad`` is changed: the gradients live in this pass only.

    With ``create_graph=False`` the local derivatives are computed on floats (fast). With
    ``create_graph=True`` they are computed on the Values themselves, so every yielded gradient
    is itself recorded in a graph and can be differentiated again. Either way an operand that
    needs no gradient gets none, and an operation with per-input rules does not compute its
    derivative (``Operation.needed_grads``).

    Args:
        root: The output to differentiate.
        gradient: d(output)/d(root): a number, or a Value when ``create_graph``.
        create_graph: Compute on Values, for derivatives of derivatives.

    Yields:
        ``(node, gradient)`` pairs, the root first.

    Raises:
        ZeroDivisionError, ValueError, OverflowError: when an operation's local derivative
            cannot be computed at its inputs (``sqrt`` at 0, say); the message names the
            operation and its inputs.

    Example:
        >>> from autograd_lite import Value
        >>> x = Value(3.0, label="x")
        >>> [(n.label or n.op, g) for n, g in backpropagate(x * x, 1.0)]
        [('*', 1.0), ('x', 6.0)]
    """
    grads: dict[Value, Any] = {root: gradient}  # this pass only; never the nodes' .grad
    for node in reversed(topological_order(root)):
        node_grad = grads.pop(node, None)
        if node_grad is None:  # a constant: nothing flows into it
            continue
        yield node, node_grad
        for parent, contribution in _contributions(node, node_grad, create_graph):
            previous = grads.get(parent)
            grads[parent] = contribution if previous is None else previous + contribution


def _contributions(node: Value, node_grad: Any, create_graph: bool) -> list[tuple[Value, Any]]:
    """``(operand, local derivative * node_grad)`` for each operand of ``node`` that needs one."""
    parents = node.parents
    if not parents:
        return []
    try:
        if create_graph:
            local = _local_grads(node, parents, node)
        else:
            local = _local_grads(node, [p.data for p in parents], node.data)
    except (ValueError, ArithmeticError) as error:
        raise failed_derivative(error, node) from error
    observer = _hooks.observer
    if observer is not None:
        observer.sent(node, local, node_grad)
    return [(p, d * node_grad) for p, d in zip(parents, local) if d is not None]
