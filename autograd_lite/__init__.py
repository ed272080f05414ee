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
from .anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled
from .build import is_compiled
from .drawing import draw_dot
from .explain import Explanation, explain
from .forward import Dual
from .functional import grad, gradients, hessian, hvp, value_and_grad
from .functions import linear, total
from .grad_mode import enable_grad, is_grad_enabled, no_grad
from .gradcheck import GradcheckError, gradcheck, gradcheck_module, gradgradcheck
from .graph import backpropagate, topological_order
from .jacobians import jacfwd, jacobian, jacrev, jvp, vjp
from .math_ops import (
    acos,
    asin,
    atan,
    atan2,
    ceil,
    clamp,
    cosh,
    expm1,
    floor,
    floor_divide,
    hypot,
    log1p,
    log2,
    log10,
    maximum,
    minimum,
    remainder,
    sign,
    sinh,
    tan,
)
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
from .pytree import TreeDef, tree_flatten, tree_map, tree_unflatten
from .stepper import BackwardStepper, backward_stepper
from .tape import Tape, TraceGuardError, trace
from .value import Value

__version__ = "0.1.0"

__all__ = [
    "AnomalyError",
    "BackwardStepper",
    "Dual",
    "Explanation",
    "GradcheckError",
    "Operation",
    "Tape",
    "TraceGuardError",
    "TreeDef",
    "Value",
    "acos",
    "asin",
    "atan",
    "atan2",
    "backpropagate",
    "backward_stepper",
    "ceil",
    "clamp",
    "cos",
    "cosh",
    "detect_anomaly",
    "draw_dot",
    "enable_grad",
    "exp",
    "explain",
    "expm1",
    "floor",
    "floor_divide",
    "grad",
    "gradcheck",
    "gradcheck_module",
    "gradgradcheck",
    "gradients",
    "hessian",
    "hvp",
    "hypot",
    "is_anomaly_enabled",
    "is_compiled",
    "is_grad_enabled",
    "jacfwd",
    "jacobian",
    "jacrev",
    "jvp",
    "leaky_relu",
    "linear",
    "log",
    "log1p",
    "log2",
    "log10",
    "maximum",
    "minimum",
    "no_grad",
    "ops",
    "relu",
    "remainder",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softplus",
    "sqrt",
    "tan",
    "tanh",
    "topological_order",
    "total",
    "trace",
    "tree_flatten",
    "tree_map",
    "tree_unflatten",
    "value_and_grad",
    "vjp",
]
