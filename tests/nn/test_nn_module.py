"""Module: parameters and their names, micrograd compatibility, state dicts, repr."""

from __future__ import annotations

import math
import random

import micrograd.nn as mg
import pytest

import nn
from autograd_lite import Value


def test_mlp_3_4_4_1_has_micrograds_41_parameters() -> None:
    assert len(nn.MLP(3, [4, 4, 1]).parameters()) == 41


def test_same_global_seed_gives_micrograds_weights_in_micrograds_order() -> None:
    random.seed(1337)
    ours = nn.MLP(3, [4, 4, 1])
    random.seed(1337)
    theirs = mg.MLP(3, [4, 4, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert all(p.data == 0.0 for p in ours.parameters()[3::4][:4])  # each neuron: 3 w, then b


def test_weights_copied_from_micrograd_give_the_same_outputs_and_gradients() -> None:
    theirs = mg.MLP(2, [5, 3, 1])
    ours = nn.MLP(2, [5, 3, 1], seed=7)
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        p.data = q.data
    x = [0.7, -1.3]
    out_ours, out_theirs = ours(x), theirs(x)
    assert isinstance(out_ours, Value)
    assert out_ours.data == pytest.approx(out_theirs.data, abs=1e-12)
    out_ours.backward()
    out_theirs.backward()
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert p.grad == pytest.approx(q.grad, abs=1e-12)


def test_model_takes_numbers_or_values_and_returns_a_list_for_several_outputs() -> None:
    model = nn.MLP(2, [3, 2], seed=0)
    out = model([Value(1.0), 2])
    assert isinstance(out, list) and len(out) == 2
    assert all(isinstance(o, Value) for o in out)


def test_named_parameters_use_dotted_names_in_parameter_order() -> None:
    model = nn.MLP(3, [4, 1], seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[:5] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.w.2",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert "layers.0.neurons.3.w.1" in names and names[-1] == "layers.1.neurons.0.b"
    assert [p for _, p in model.named_parameters()] == model.parameters()
    assert model.layers[0].neurons[3].w[1] is dict(model.named_parameters())[
        "layers.0.neurons.3.w.1"
    ]


def test_a_shared_bias_is_one_parameter_listed_once() -> None:
    layer = nn.Layer(2, 3, "sigmoid", shared_bias=True, seed=0)
    assert layer.neurons[0].b is layer.neurons[1].b is layer.neurons[2].b
    assert len(layer.parameters()) == 3 * 2 + 1
    names = [name for name, _ in layer.named_parameters()]
    assert names.count("neurons.0.b") == 1 and "neurons.1.b" not in names


def test_zero_grad_clears_every_parameter() -> None:
    model = nn.MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_a_users_own_module_finds_its_parameters_and_children() -> None:
    class Affine(nn.Module):
        def __init__(self) -> None:
            self.scale = Value(2.0)
            self.inner = nn.Neuron(1, "linear", weights=[3.0])
            self.note = "not a parameter"

        def forward(self, x: float) -> Value:
            return self.scale * self.inner([x])

    m = Affine()
    assert [n for n, _ in m.named_parameters()] == ["scale", "inner.w.0", "inner.b"]
    assert m(1.5).data == 2.0 * 3.0 * 1.5


def test_repr_names_the_architecture() -> None:
    text = repr(nn.MLP(2, [16, 16, 1], seed=0))
    assert text.startswith("MLP(nin=2, nouts=[16, 16, 1], activation='relu'")
    assert "parameters=337" in text
    assert "(layers.2): Layer(nin=16, nout=1, activation='linear')" in text
    assert repr(nn.Neuron(3, "tanh", seed=0)) == "Neuron(nin=3, activation='tanh')"


def test_state_dict_round_trip_restores_every_number() -> None:
    a, b = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 1], seed=1)
    state = a.state_dict()
    assert list(state) == [name for name, _ in a.named_parameters()]
    b.load_state_dict(state)
    assert b.state_dict() == state
    state["layers.0.neurons.0.w.0"] = 123.0  # a copy: the model is not changed through it
    assert a.layers[0].neurons[0].w[0].data != 123.0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("layers.1.neurons.0.b"), "missing keys"),
        (lambda s: s.update({"layers.9.neurons.0.b": 1.0}), "unexpected keys"),
        (lambda s: s.update({"layers.0.neurons.0.w.0": [1.0, 2.0]}), "single number"),
        (lambda s: s.update({"layers.0.neurons.0.w.0": "0.5"}), "single number"),
        (lambda s: s.update({"layers.0.neurons.2.w.1": math.nan}), "not a finite number"),
        (lambda s: s.update({"layers.0.neurons.2.b": -math.inf}), "not a finite number"),
    ],
)
def test_a_bad_state_dict_raises_and_changes_nothing(change, message) -> None:  # type: ignore[no-untyped-def]
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    state = {name: x + 1.0 for name, x in before.items()}  # valid numbers, all different
    change(state)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_load_state_dict_rejects_a_non_mapping() -> None:
    with pytest.raises(ValueError, match="mapping"):
        nn.MLP(1, [1], seed=0).load_state_dict([("layers.0.neurons.0.w.0", 1.0)])  # type: ignore[arg-type]
