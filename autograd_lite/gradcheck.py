"""Check analytic derivatives against central differences, as ``torch.autograd.gradcheck`` does.

The central difference ``(f(x + eps) - f(x - eps)) / (2 eps)`` needs nothing but forward
evaluations, so it is independent of every local derivative in the graph. Its error is of order
``eps**2 * f'''`` (truncation) plus ``ulp(f) / eps`` (rounding): with ``eps = 1e-6`` and float64
it agrees with a correct derivative to about 1e-8 relative, and a wrong local derivative shows
up far above that. The test is torch's: ``|analytic - numeric| <= atol + rtol * |numeric|``.

* :func:`gradcheck` checks every first derivative of a function of scalars;
* :func:`gradgradcheck` checks every second derivative (the derivative of the derivative
  graph, so it tests ``local_grads`` written on Values, what higher order relies on);
* :func:`gradcheck_module` checks every parameter of a module on a loss.

A failure raises :class:`GradcheckError` whose message is a table of every derivative checked.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .grad_mode import enable_grad, no_grad
from .transform import value_derivatives as _derivatives
from .value import Value

#: The point to check at: one number (or Value, whose data is used) per argument of ``f``.
Inputs = float | Value | Sequence[float | Value]


class GradcheckError(RuntimeError):
    """Analytic and numerical derivatives disagree; the message holds the table of both.

    Example:
        >>> from autograd_lite import Operation, gradcheck
        >>> wrong = Operation("wrong_square", lambda x: x * x, lambda x, out: (x,))  # not 2x
        >>> try:
        ...     gradcheck(lambda x: wrong(x), [3.0])
        ... except GradcheckError as error:
        ...     print(str(error).splitlines()[0][:50])
        gradcheck of <lambda> at [3.0]: 1 of 1 derivatives
    """


def gradcheck(
    f: Callable[..., Value],
    inputs: Inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Compare ``f``'s analytic derivative in each input with a central difference.

    The numeric derivative is (f(x + eps) - f(x - eps)) / (2 eps), one input at a time; the
    two agree when ``|analytic - numeric| <= atol + rtol * |numeric|`` (the test of PyTorch's
    ``torch.autograd.gradcheck``).

    Args:
        f: takes one scalar per entry of ``inputs`` and returns a scalar Value.
        inputs: the point: numbers or Values (a Value's label names its row), or one number.
        eps: the step of the central difference, > 0 (default 1e-6).
        atol: the absolute tolerance, >= 0 (default 1e-5).
        rtol: the relative tolerance, >= 0 (default 1e-3).

    Returns:
        True when every derivative agrees.

    Raises:
        GradcheckError: when a derivative disagrees; the message is the table (input,
            analytic, numeric, error).
        TypeError: if an input is not a number or a Value, or ``f`` does not return a Value.
        ValueError: if ``inputs`` is empty, ``eps`` is not positive or a tolerance is negative.

    Example:
        >>> from autograd_lite import gradcheck
        >>> gradcheck(lambda x, y: (x * y).tanh() + x.exp(), [0.3, -1.2])
        True
    """
    point = _point(inputs, "gradcheck")
    _check_tolerances(eps, atol, rtol, "gradcheck")
    names = _argument_names(f, len(point), inputs)
    with enable_grad():
        leaves = [Value(x) for x in point]
        analytic = _derivatives(_scalar_output(f(*leaves), f), leaves, create_graph=False)
    numeric = [
        _central_difference(lambda shifted: _evaluate(f, shifted), point, i, eps)
        for i in range(len(point))
    ]
    rows = list(zip(names, analytic, numeric, strict=True))
    return _report(rows, eps, atol, rtol, f"gradcheck of {_name(f)} at {point}")


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Inputs,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Compare each second derivative d2f / dxi dxj with a central difference of the gradient.

    The analytic side differentiates the graph of the gradient (``create_graph=True``), so this
    checks that every operation's ``local_grads`` is itself differentiable and right.

    Args:
        f: takes one scalar per entry of ``inputs`` and returns a scalar Value.
        inputs: the point: numbers or Values, or one number.
        eps: the step of the central difference of the gradient, > 0 (default 1e-6).
        atol: the absolute tolerance, >= 0 (default 1e-5).
        rtol: the relative tolerance, >= 0 (default 1e-3).

    Returns:
        True when every second derivative agrees.

    Raises:
        GradcheckError: when a second derivative disagrees, with the table.
        TypeError: if an input is not a number or a Value, or ``f`` does not return a Value.
        ValueError: if ``inputs`` is empty, ``eps`` is not positive or a tolerance is negative.

    Example:
        >>> from autograd_lite import gradgradcheck
        >>> gradgradcheck(lambda x, y: x.sin() * y ** 3, [0.5, 2.0])
        True
    """
    point = _point(inputs, "gradgradcheck")
    _check_tolerances(eps, atol, rtol, "gradgradcheck")
    names = _argument_names(f, len(point), inputs)

    def gradient_at(at: list[float]) -> list[float]:
        with enable_grad():
            leaves = [Value(x) for x in at]
            found = _derivatives(_scalar_output(f(*leaves), f), leaves, create_graph=False)
            return [float(g) for g in found]

    with enable_grad():
        leaves = [Value(x) for x in point]
        first = _derivatives(_scalar_output(f(*leaves), f), leaves, create_graph=True)
        hessian = [[float(h) for h in _derivatives(g, leaves, False)] for g in first]
    rows = []
    for j in range(len(point)):
        # column j of the Hessian, numerically: how the whole gradient moves when x_j moves
        shifted_plus, shifted_minus = list(point), list(point)
        shifted_plus[j] += eps
        shifted_minus[j] -= eps
        plus, minus = gradient_at(shifted_plus), gradient_at(shifted_minus)
        for i in range(len(point)):
            numeric = (plus[i] - minus[i]) / (2 * eps)
            rows.append((f"d/d{names[j]} d/d{names[i]}", hessian[i][j], numeric))
    return _report(rows, eps, atol, rtol, f"gradgradcheck of {_name(f)} at {point}")


def gradcheck_module(
    module: Any,
    loss_fn: Callable[..., Value],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check d loss / d p for every parameter ``p`` of ``module`` against a central difference.

    Each parameter is nudged by ``+eps`` and ``-eps`` in turn and always restored, even when
    ``loss_fn`` raises. No ``.grad`` is touched.

    Args:
        module: anything with ``named_parameters()`` (pairs of name and Value) or
            ``parameters()``.
        loss_fn: ``loss_fn()`` or ``loss_fn(module)``, computing a scalar Value from the
            module's current parameters.
        eps: the step of the central difference, > 0 (default 1e-6).
        atol: the absolute tolerance, >= 0 (default 1e-5).
        rtol: the relative tolerance, >= 0 (default 1e-3).

    Returns:
        True when every parameter's derivative agrees.

    Raises:
        GradcheckError: when a derivative disagrees, with a row per parameter by name.
        TypeError: if ``module`` has no parameters to read or ``loss_fn`` does not return a
            Value.
        ValueError: if ``eps`` is not positive or a tolerance is negative.

    Example:
        >>> import nn
        >>> from autograd_lite import gradcheck_module
        >>> model = nn.MLP(2, [3, 1], activation="tanh", seed=0)
        >>> gradcheck_module(model, lambda: nn.mse([model([0.5, -1.0])], [0.2]))
        True
    """
    _check_tolerances(eps, atol, rtol, "gradcheck_module")
    named = _named_parameters(module)
    compute = _loss_caller(loss_fn, module)
    with enable_grad():
        loss = _scalar_output(compute(), loss_fn)
        analytic = _derivatives(loss, [p for _, p in named], create_graph=False)
    numeric = []
    for _, parameter in named:
        original = parameter.data
        try:
            with no_grad():
                parameter.data = original + eps
                above = _scalar_output(compute(), loss_fn).data
                parameter.data = original - eps
                below = _scalar_output(compute(), loss_fn).data
        finally:
            parameter.data = original
        numeric.append((above - below) / (2 * eps))
    rows = [(name, a, n) for (name, _), a, n in zip(named, analytic, numeric, strict=True)]
    return _report(rows, eps, atol, rtol, f"gradcheck_module of {type(module).__name__}")


# --- helpers -------------------------------------------------------------------------------------


def _point(inputs: object, caller: str) -> list[float]:
    entries = inputs if isinstance(inputs, Sequence) else [inputs]
    point = []
    for index, x in enumerate(entries):
        if isinstance(x, Value):
            point.append(x.data)
        elif not isinstance(x, bool) and isinstance(x, numbers.Real):
            point.append(float(x))
        else:
            raise TypeError(
                f"{caller}: inputs[{index}] must be a number or a Value, got {type(x).__name__}"
            )
    if not point:
        raise ValueError(f"{caller}: inputs is empty; give one number per argument of f")
    return point


def _check_tolerances(eps: float, atol: float, rtol: float, caller: str) -> None:
    if not eps > 0:
        raise ValueError(f"{caller}: eps must be positive, got {eps!r}")
    if not (atol >= 0 and rtol >= 0):
        raise ValueError(f"{caller}: atol and rtol must not be negative, got {atol!r}, {rtol!r}")


def _evaluate(f: Callable[..., Value], at: list[float]) -> float:
    with no_grad():
        return _scalar_output(f(*[Value(x) for x in at]), f).data


def _central_difference(
    evaluate: Callable[[list[float]], float], point: list[float], i: int, eps: float
) -> float:
    plus, minus = list(point), list(point)
    plus[i] += eps
    minus[i] -= eps
    return (evaluate(plus) - evaluate(minus)) / (2 * eps)


def _scalar_output(output: object, f: object) -> Value:
    if not isinstance(output, Value):
        raise TypeError(f"{_name(f)} must return a scalar Value, got {type(output).__name__}")
    return output


def _argument_names(f: Callable[..., Any], count: int, inputs: object) -> list[str]:
    """Labels of Value inputs, else f's parameter names, else ``inputs[i]``."""
    labels = [x.label if isinstance(x, Value) else "" for x in
              (inputs if isinstance(inputs, Sequence) else [inputs])]
    try:
        parameters = list(inspect.signature(f).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    positional = [p.name for p in parameters
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = []
    for i in range(count):
        if labels[i]:
            names.append(labels[i])
        elif i < len(positional):
            names.append(positional[i])
        else:
            names.append(f"inputs[{i}]")
    return names


def _named_parameters(module: Any) -> list[tuple[str, Value]]:
    if hasattr(module, "named_parameters"):
        pairs: Iterable[tuple[str, Any]] = module.named_parameters()
    elif hasattr(module, "parameters"):
        pairs = ((f"parameters()[{i}]", p) for i, p in enumerate(module.parameters()))
    else:
        raise TypeError(
            f"gradcheck_module: {type(module).__name__} has neither named_parameters() nor "
            "parameters()"
        )
    named = list(pairs)
    for name, p in named:
        if not isinstance(p, Value):
            raise TypeError(f"gradcheck_module: parameter {name} is a {type(p).__name__}, "
                            "not a Value")
    if not named:
        raise ValueError(f"gradcheck_module: {type(module).__name__} has no parameters")
    return named


def _loss_caller(loss_fn: Callable[..., Value], module: Any) -> Callable[[], Value]:
    """``loss_fn`` as a call without arguments: pass ``module`` if it takes one."""
    try:
        signature = inspect.signature(loss_fn)
        takes_module = any(
            p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            for p in signature.parameters.values()
        )
    except (TypeError, ValueError):
        takes_module = False
    if takes_module:
        return lambda: loss_fn(module)
    return loss_fn


def _report(
    rows: list[tuple[str, float, float]], eps: float, atol: float, rtol: float, what: str
) -> bool:
    """True if every row agrees, else GradcheckError with the whole table."""
    failed = [abs(a - n) > atol + rtol * abs(n) or a != a or n != n for _, a, n in rows]
    if not any(failed):
        return True
    width = max(len("input"), *(len(name) for name, _, _ in rows))
    header = f"{'input':<{width}}  {'analytic':>22}  {'numeric':>22}  {'error':>10}"
    lines = [header, "-" * len(header)]
    for (name, a, n), bad in zip(rows, failed, strict=True):
        mark = "  <- differs" if bad else ""
        lines.append(f"{name:<{width}}  {a:>22.15g}  {n:>22.15g}  {abs(a - n):>10.3g}{mark}")
    raise GradcheckError(
        f"{what}: {sum(failed)} of {len(rows)} derivatives differ from central differences "
        f"(eps={eps}, atol={atol}, rtol={rtol}; a row passes if "
        f"|analytic - numeric| <= atol + rtol * |numeric|)\n" + "\n".join(lines)
    )


def _name(f: object) -> str:
    return getattr(f, "__name__", type(f).__name__)
