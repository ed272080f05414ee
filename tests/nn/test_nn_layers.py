"""Neuron, Layer, MLP: activations, initialisation schemes, explicit weights, frozen biases."""

from __future__ import annotations

import math
import random
import statistics
from typing import Any

import pytest
import torch

import nn
from autograd_lite import Value


@pytest.mark.parametrize("activation", ["linear", "relu", "leaky_relu", "tanh", "sigmoid"])
def test_mlp_matches_torch_forward_and_gradients(activation: str) -> None:
    model = nn.MLP(3, [4, 3, 2], activation=activation, output_activation=activation, seed=3)
    x = [0.5, -1.2, 2.0]
    out = model(x)
    loss = out[0] * 0.7 - out[1] * 1.3
    loss.backward()

    torch_act = {
        "linear": lambda t: t,
        "relu": torch.relu,
        "leaky_relu": lambda t: torch.nn.functional.leaky_relu(t, 0.01),
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
    }[activation]
    h = torch.tensor(x, dtype=torch.float64)
    tensors = []
    for layer in model.layers:
        w = torch.tensor([[p.data for p in n.w] for n in layer.neurons], dtype=torch.float64,
                         requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64,
                         requires_grad=True)
        tensors.append((w, b))
        h = torch_act(w @ h + b)
    (h[0] * 0.7 - h[1] * 1.3).backward()

    assert [o.data for o in out] == pytest.approx(h.tolist(), abs=1e-12)
    for layer, (w, b) in zip(model.layers, tensors, strict=True):
        assert w.grad is not None and b.grad is not None
        for i, neuron in enumerate(layer.neurons):
            assert [p.grad for p in neuron.w] == pytest.approx(w.grad[i].tolist(), abs=1e-12)
            assert neuron.b.grad == pytest.approx(b.grad[i].item(), abs=1e-12)


def test_neuron_keeps_micrograds_arithmetic_in_weighted_sum() -> None:
    neuron = nn.Neuron(2, "tanh", weights=[2.0, -1.0], bias=0.5)
    net = neuron.weighted_sum([1.5, 4.0])
    assert net.data == 0.5 + 2.0 * 1.5 - 1.0 * 4.0
    assert neuron([1.5, 4.0]).data == math.tanh(net.data)
    assert neuron.activation == "tanh" and len(neuron.w) == 2 and isinstance(neuron.b, Value)


def test_wrong_input_sizes_and_bad_arguments_are_named() -> None:
    with pytest.raises(ValueError, match="expects 2 inputs, got 3"):
        nn.MLP(2, [1], seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        nn.Neuron(2, "swish")
    with pytest.raises(ValueError, match="unknown initialisation scheme 'glorot'"):
        nn.MLP(2, [1], init="glorot")
    with pytest.raises(ValueError, match="nouts"):
        nn.MLP(2, [])
    with pytest.raises(ValueError, match="positive int"):
        nn.Layer(0, 2)
    with pytest.raises(ValueError, match="expected 2 numbers"):
        nn.Neuron(2, weights=[1.0])


def test_default_init_is_micrograds_uniform_with_zero_biases() -> None:
    model = nn.MLP(4, [50, 1], seed=0)
    weights = [p.data for n in model.layers[0].neurons for p in n.w]
    assert all(-1.0 <= w <= 1.0 for w in weights)
    assert min(weights) < -0.9 and max(weights) > 0.9
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


@pytest.mark.parametrize("scheme", nn.SCHEMES)
def test_every_scheme_is_reproducible_from_its_seed(scheme: str) -> None:
    a = nn.MLP(3, [5, 2], init=scheme, seed=11).state_dict()
    b = nn.MLP(3, [5, 2], init=scheme, seed=11).state_dict()
    c = nn.MLP(3, [5, 2], init=scheme, seed=12).state_dict()
    assert a == b and a != c


@pytest.mark.parametrize(
    ("scheme", "fan_in", "fan_out", "expected_std"),
    [
        ("uniform", 40, 60, 1 / math.sqrt(3)),
        ("xavier_uniform", 40, 60, math.sqrt(2 / 100)),
        ("xavier_normal", 40, 60, math.sqrt(2 / 100)),
        ("he_uniform", 40, 60, math.sqrt(2 / 40)),
        ("he_normal", 40, 60, math.sqrt(2 / 40)),
        ("normal", 40, 60, 1.0),
    ],
)
def test_schemes_have_their_documented_spread(
    scheme: str, fan_in: int, fan_out: int, expected_std: float
) -> None:
    layer = nn.Layer(fan_in, fan_out, init=scheme, seed=5)
    weights = [p.data for n in layer.neurons for p in n.w]  # 2,400 draws
    assert statistics.fmean(weights) == pytest.approx(0.0, abs=4 * expected_std / 49)
    assert statistics.pstdev(weights) == pytest.approx(expected_std, rel=0.06)
    if scheme.endswith("uniform"):
        bound = expected_std * math.sqrt(3)
        assert max(abs(w) for w in weights) <= bound


def test_standard_normal_init_saturates_sigmoid_units_where_xavier_does_not() -> None:
    rng = random.Random(0)
    x = [rng.gauss(0, 1) for _ in range(100)]

    def saturated_share(scheme: str) -> float:
        layer = nn.Layer(100, 200, "sigmoid", init=scheme, seed=1)
        outs = [o.data for o in layer(x)]
        return sum(o < 0.05 or o > 0.95 for o in outs) / len(outs)

    assert saturated_share("normal") > 0.7
    assert saturated_share("xavier_normal") < 0.05


def test_explicit_weights_and_biases() -> None:
    model = nn.MLP(
        2, [2, 1], weights=[[[1.0, 2.0], [3.0, 4.0]], [[5.0, 6.0]]], biases=[[0.1, 0.2], 0.3]
    )
    assert [p.data for p in model.parameters()] == [1.0, 2.0, 0.1, 3.0, 4.0, 0.2, 5.0, 6.0, 0.3]


def test_shared_frozen_bias_gets_no_update() -> None:
    model = nn.MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid",
                   shared_bias=True, bias_requires_grad=False, biases=[0.35, 0.6], seed=0)
    bias = model.layers[0].neurons[0].b
    assert bias is model.layers[0].neurons[1].b and not bias.requires_grad
    out = model([0.05, 0.1])
    nn.half_sum_squared_error(out, [0.01, 0.99]).backward()
    nn.SGD(model.parameters(), lr=0.5).step()
    assert bias.data == 0.35 and bias.grad == 0.0
    assert len(model.parameters()) == 8 + 2


@pytest.mark.parametrize("activation", sorted(nn.ACTIVATIONS))
def test_forward_mode_runs_through_a_model_and_agrees_with_reverse_mode(activation: str) -> None:
    """Activations are operations, so jvp's dual numbers pass through a model like Values."""
    from autograd_lite import grad, jvp

    model = nn.MLP(2, [3, 1], activation=activation, seed=3)

    def f(a: Any, b: Any) -> Any:
        return model([a, b])

    _, along_a = jvp(f, (0.5, -1.25), (1.0, 0.0))
    _, along_b = jvp(f, (0.5, -1.25), (0.0, 1.0))
    assert (along_a, along_b) == pytest.approx(grad(f, argnums=(0, 1))(0.5, -1.25), abs=1e-12)
