"""The bridge to PyTorch, in two parts by concern.

* :mod:`nn.torch_bridge.convert`: ``to_torch`` and ``from_torch``, a model in one engine as the
  same function in the other, weight for weight.
* :mod:`nn.torch_bridge.compare`: ``compare_with_torch``, one model run in both engines with
  every output, the loss and every gradient side by side.

PyTorch is optional (the ``torch`` extra): torch is imported inside these functions, never when
``nn`` is imported.
"""

from ..activations import LEAKY_RELU_SLOPE
from .compare import GradientRow, LossPair, Pair, TorchComparison, compare_with_torch
from .convert import (
    SMALLEST_SOFTPLUS_THRESHOLD,
    SOFTPLUS_THRESHOLD,
    UnsupportedLayerError,
    from_torch,
    to_torch,
)

__all__ = [
    "LEAKY_RELU_SLOPE",
    "SMALLEST_SOFTPLUS_THRESHOLD",
    "SOFTPLUS_THRESHOLD",
    "GradientRow",
    "LossPair",
    "Pair",
    "TorchComparison",
    "UnsupportedLayerError",
    "compare_with_torch",
    "from_torch",
    "to_torch",
]
