"""Points at which every built-in operation is checked, away from kinks and domain edges.

A central difference of width 2e-6 is valid at each of them, and so is every derivative up to the
third; gradcheck and the higher-order comparisons with PyTorch share them.
"""

POINTS: dict[str, list[tuple[float, ...]]] = {
    "+": [(0.7, -1.3)],
    "-": [(0.7, -1.3)],
    "*": [(0.7, -1.3)],
    "/": [(1.3, -0.6), (-0.4, 2.5)],
    "neg": [(0.8,)],
    "**": [(1.7, 2.3), (0.6, -1.4), (3.0, 0.5)],
    "abs": [(-0.9,), (1.4,)],
    "exp": [(0.6,), (-2.0,)],
    "log": [(0.3,), (4.0,)],
    "sqrt": [(0.3,), (4.0,)],
    "sin": [(0.6,), (-2.0,)],
    "cos": [(0.6,), (-2.0,)],
    "tanh": [(0.6,), (-2.0,)],
    "sigmoid": [(0.6,), (-2.0,)],
    "softplus": [(0.6,), (-2.0,)],
    "relu": [(0.9,), (-0.5,)],
    "leaky_relu": [(0.8, 0.1), (-0.7, 0.2)],
    "linear": [(0.5, -1.2, 0.3, 2.0, 0.1)],  # w1 w2, x1 x2, b
    "add_n": [(0.4, -1.1, 2.5)],
}
