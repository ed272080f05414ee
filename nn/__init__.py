"""nn: neural-network building blocks made only of autograd_lite Values.

Every model, loss and update here is ordinary arithmetic on Values, so each gradient flows
through the same engine as ``a * b + c`` and can be drawn.

    >>> import nn
    >>> model = nn.MLP(2, [16, 16, 1], seed=0)          # micrograd's demo network
    >>> len(model.parameters())
    337
"""

from . import datasets, init, worked_example
from .activations import ACTIVATIONS
from .init import SCHEMES
from .layers import MLP, Layer, Neuron
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    half_sum_squared_error,
    hinge_loss,
    l2_regularization,
    log_softmax,
    logsumexp,
    max_margin_loss,
    mse,
    softmax,
    softmax_cross_entropy,
)
from .module import Module
from .optim import SGD, Adam, Optimizer
from .schedules import LinearDecayLR, LRSchedule, StepLR
from .serialization import load, save
from .torch_bridge import (  # torch itself is imported only when one of these runs
    TorchComparison,
    UnsupportedLayerError,
    compare_with_torch,
    from_torch,
    to_torch,
)
from .training import LOSSES, History, StepInfo, evaluate, fit
from .worked_example import run as run_worked_example

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "SCHEMES",
    "SGD",
    "Adam",
    "History",
    "LRSchedule",
    "Layer",
    "LinearDecayLR",
    "Module",
    "Neuron",
    "Optimizer",
    "StepInfo",
    "StepLR",
    "TorchComparison",
    "UnsupportedLayerError",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "compare_with_torch",
    "cross_entropy",
    "datasets",
    "evaluate",
    "fit",
    "from_torch",
    "half_sum_squared_error",
    "hinge_loss",
    "init",
    "l2_regularization",
    "load",
    "log_softmax",
    "logsumexp",
    "max_margin_loss",
    "mse",
    "run_worked_example",
    "save",
    "softmax",
    "softmax_cross_entropy",
    "to_torch",
    "worked_example",
]
