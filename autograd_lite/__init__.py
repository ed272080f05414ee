"""autograd-lite: scalar reverse-mode automatic differentiation you can read in one sitting.

    >>> from autograd_lite import Value
    >>> a = Value(2.0, label="a")
    >>> b = Value(-3.0, label="b")
    >>> c = a * b + a.exp()
    >>> c.backward()
    >>> round(a.grad, 6), b.grad        # dc/da = b + e**a, dc/db = a
    (4.389056, 2.0)
"""

from . import ops
from .drawing import draw_dot
from .functions import linear, total
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .graph import backpropagate, topological_order
from .ops import (
    Operation,
    cos,
    exp,
    leaky_relu,
    log,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    tanh,
)
from .stepper import BackwardStepper, backward_stepper
from .value import Value

__version__ = "0.1.0"

__all__ = [
    "BackwardStepper",
    "Operation",
    "Value",
    "backpropagate",
    "backward_stepper",
    "cos",
    "draw_dot",
    "enable_grad",
    "exp",
    "is_grad_enabled",
    "leaky_relu",
    "linear",
    "log",
    "no_grad",
    "ops",
    "relu",
    "sigmoid",
    "sin",
    "softplus",
    "sqrt",
    "tanh",
    "topological_order",
    "total",
]
