"""``Module``: the base of every model, with PyTorch's names for parameters and their state.

A module finds its parameters by looking at its own attributes, in the order they were set: a
``Value`` is a parameter, a ``Module`` is a child, and a list of either is indexed. That is how
``MLP.layers[0].neurons[3].w[1]`` gets the dotted name ``layers.0.neurons.3.w.1`` without any
registration code in the subclasses.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator, Mapping
from typing import Any

from autograd_lite import Value


class Module:
    """Something with parameters (``Value`` attributes) that maps inputs to outputs.

    Subclasses set their parameters and child modules as attributes (lists of them too) and
    define ``forward``; calling the module calls ``forward``. A Value reachable under two names
    (a bias shared by several neurons) is one parameter: it is listed once, under the first name
    met, so an optimizer never updates it twice. Names and semantics follow PyTorch's
    ``torch.nn.Module`` (``parameters``, ``named_parameters``, ``zero_grad``, ``state_dict``).

    Raises:
        NotImplementedError: when called, if the subclass defines no ``forward``.

    Example:
        >>> from autograd_lite import Value
        >>> class Scale(Module):
        ...     def __init__(self):
        ...         self.a = Value(2.0)
        ...     def forward(self, x):
        ...         return self.a * x
        >>> m = Scale()
        >>> m(3.0).data, m.named_parameters()[0][0]
        (6.0, 'a')
    """

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # --- parameters --------------------------------------------------------------------------

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(dotted name, Value)`` for every parameter, each Value once, in attribute order."""
        seen: set[Value] = set()
        named: list[tuple[str, Value]] = []
        for name, value in _walk(self, ""):
            if value not in seen:
                seen.add(value)
                named.append((name, value))
        return named

    def parameters(self) -> list[Value]:
        """Every parameter once: layer by layer, neuron by neuron, weights then bias."""
        return [value for _, value in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.0 (gradients accumulate until this is called)."""
        for p in self.parameters():
            p.grad = 0.0

    # --- state -------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, float]:
        """Every parameter's number by dotted name: a copy, safe to keep or to write as JSON."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state``, or raise ValueError and change nothing.

        ``state`` must have exactly this module's names, each with one finite number; the whole
        mapping is checked before the first parameter is written.
        """
        if not isinstance(state, Mapping):
            raise ValueError(
                f"load_state_dict: expected a mapping from parameter names to numbers, "
                f"got {type(state).__name__}"
            )
        named = self.named_parameters()
        expected = [name for name, _ in named]
        missing = [name for name in expected if name not in state]
        unexpected = [key for key in state if key not in set(expected)]
        if missing or unexpected:
            parts = []
            if missing:
                parts.append(f"missing keys {_preview(missing)}")
            if unexpected:
                parts.append(f"unexpected keys {_preview(unexpected)}")
            raise ValueError(
                f"load_state_dict: the state does not fit this {type(self).__name__} "
                f"({'; '.join(parts)}); was it saved from a model of another shape?"
            )
        numbers_in = [_finite_number(state[name], name) for name in expected]
        for (_, p), x in zip(named, numbers_in, strict=True):
            p.data = x

    # --- printing ----------------------------------------------------------------------------

    def extra_repr(self) -> str:
        """The arguments shown in ``repr`` beside the class name; subclasses fill it in."""
        return ""

    def __repr__(self) -> str:
        head = f"{type(self).__name__}({self.extra_repr()}"
        children = list(_children(self))
        if not children:
            return head + ")"
        lines = [head + ("," if self.extra_repr() else "")]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"


def _walk(obj: object, prefix: str) -> Iterator[tuple[str, Value]]:
    """Every ``(dotted name, Value)`` below ``obj``, repeats included, in attribute order."""
    if isinstance(obj, Value):
        yield prefix, obj
    elif isinstance(obj, Module):
        for name, attr in vars(obj).items():
            if not name.startswith("_"):
                yield from _walk(attr, f"{prefix}{name}" if not prefix else f"{prefix}.{name}")
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from _walk(item, f"{prefix}.{i}")


def _children(module: Module) -> Iterator[tuple[str, Module]]:
    """Direct child modules with their names (``layers.0``), for ``repr``."""
    for name, attr in vars(module).items():
        if isinstance(attr, Module):
            yield name, attr
        elif isinstance(attr, (list, tuple)):
            for i, item in enumerate(attr):
                if isinstance(item, Module):
                    yield f"{name}.{i}", item


def _finite_number(x: object, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise ValueError(
            f"load_state_dict: '{name}' must be a single number, got {type(x).__name__} "
            f"{_short(x)} (wrong shape or type)"
        )
    try:
        value = float(x)
    except OverflowError:  # an int too large for a float
        value = math.inf
    if not math.isfinite(value):
        raise ValueError(f"load_state_dict: '{name}' is {value}, not a finite number")
    return value


def _preview(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"[{shown}{more}]"


def _short(x: object, limit: int = 60) -> str:
    text = repr(x)
    return text if len(text) <= limit else text[: limit - 3] + "..."
