"""save and load: a JSON round trip, atomic writes, and a clear ValueError for every bad file."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from nn import serialization


def _model() -> nn.MLP:
    return nn.MLP(2, [3, 2], activation="tanh", output_activation="sigmoid", seed=0)


def test_round_trip_keeps_architecture_weights_and_frozen_flags(tmp_path: Path) -> None:
    model = nn.MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid",
                   shared_bias=True, bias_requires_grad=False, biases=[0.35, 0.6], seed=3)
    model.layers[0].neurons[1].w[0].requires_grad = False
    path = tmp_path / "model.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert isinstance(loaded, nn.MLP)
    assert loaded.config() == model.config()
    assert loaded.state_dict() == model.state_dict()  # exact: JSON floats round-trip
    assert [p.requires_grad for p in loaded.parameters()] == [
        p.requires_grad for p in model.parameters()
    ]
    assert loaded.layers[1].neurons[0].b is loaded.layers[1].neurons[1].b
    assert loaded([0.2, -0.4])[1].data == model([0.2, -0.4])[1].data


@pytest.mark.parametrize("module", [nn.Layer(3, 2, "tanh", seed=1), nn.Neuron(4, "relu", seed=2)])
def test_layers_and_neurons_round_trip(tmp_path: Path, module: nn.Module) -> None:
    nn.save(module, tmp_path / "m.json")
    loaded = nn.load(tmp_path / "m.json")
    assert type(loaded) is type(module) and loaded.state_dict() == module.state_dict()


def test_the_file_is_plain_json(tmp_path: Path) -> None:
    nn.save(_model(), tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["format"] == "autograd-lite.nn" and document["version"] == 1
    assert document["architecture"]["class"] == "MLP"
    assert document["architecture"]["config"]["nouts"] == [3, 2]
    assert document["state_dict"] == _model().state_dict()


def test_a_crash_while_saving_leaves_the_old_file_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "m.json"
    nn.save(_model(), path)
    before = path.read_bytes()

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        nn.save(nn.MLP(2, [5, 1], seed=9), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]  # no temporary left


def test_a_model_with_a_nan_weight_is_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    nn.save(_model(), path)
    before = path.read_bytes()
    broken = _model()
    broken.layers[0].neurons[0].w[0].data = float("nan")
    with pytest.raises(ValueError, match=r"layers\.0\.neurons\.0\.w\.0.*nan"):
        nn.save(broken, path)
    assert path.read_bytes() == before


def _document() -> dict[str, Any]:
    return serialization.to_dict(_model())


def _set(path: list[str], value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _drop(path: list[str]) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        target = doc
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


W = "layers.0.neurons.0.w.0"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set(["format"], "pickle"), "not an autograd-lite model"),
        (_set(["version"], 2), "version 2 is not supported"),
        (_drop(["architecture"]), "'architecture' is missing"),
        (_set(["architecture", "class"], "os.system"), "unknown model class 'os.system'"),
        (_set(["architecture", "config", "nouts"], "3"), "config"),
        (_set(["architecture", "config", "nin"], -2), "positive int"),
        (_set(["architecture", "config", "activation"], "gelu"), "unknown activation"),
        (_set(["architecture", "config", "shared_bias"], "yes"), "true or false"),
        (_set(["architecture", "config", "extra"], 1), "unknown keys"),
        (_set(["architecture", "config", "nouts"], [4, 2]), "missing keys"),
        (_set(["state_dict", W], [0.1, 0.2]), "single number"),
        (_set(["state_dict", W], "0.1"), "single number"),
        (_set(["state_dict", W], 1e400), "not a finite number"),
        (_set(["state_dict", W], 10**400), "not a finite number"),
        (_set(["version"], True), "version True is not supported"),
        (_set(["state_dict", "layers.7.neurons.0.b"], 0.0), "unexpected keys"),
        (_drop(["state_dict", W]), "missing keys"),
        (_set(["state_dict"], [1, 2]), "'state_dict' should be a dict"),
        (_set(["frozen"], ["nonsense"]), "not a parameter"),
        (_set(["surprise"], True), "unexpected fields"),
    ],
)
def test_malformed_or_mismatched_files_raise_a_value_error_naming_the_problem(
    tmp_path: Path, change: Callable[[dict[str, Any]], None], message: str
) -> None:
    document = _document()
    change(document)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match=message) as info:
        nn.load(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not valid JSON"),
        ("[1, 2", "not valid JSON"),
        ('{"format": "autograd-lite.nn", "version": 1, "a": NaN}', "NaN"),
        ('{"format": "autograd-lite.nn", "format": "autograd-lite.nn"}', "appears twice"),
        ("[]", "expected a JSON object"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_broken_json_raises_a_value_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message):
        nn.load(path)


def test_every_truncation_of_a_good_file_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.json"
    nn.save(nn.MLP(1, [1], seed=0), good)
    data = good.read_bytes()
    cut = tmp_path / "cut.json"
    for length in range(len(data.rstrip())):
        cut.write_bytes(data[:length])
        with pytest.raises(ValueError, match=str(cut)):
            nn.load(cut)


def test_non_utf8_bytes_and_missing_files(tmp_path: Path) -> None:
    path = tmp_path / "binary.json"
    path.write_bytes(b"\x80\x04\x95")  # the start of a pickle
    with pytest.raises(ValueError, match="not UTF-8"):
        nn.load(path)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "absent.json")


def test_only_known_modules_can_be_saved(tmp_path: Path) -> None:
    class Custom(nn.Module):
        pass

    with pytest.raises(TypeError, match="can save"):
        nn.save(Custom(), tmp_path / "c.json")


@settings(max_examples=15, deadline=None)
@given(
    nin=st.integers(1, 4),
    nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    activation=st.sampled_from(sorted(nn.ACTIVATIONS)),
    shared_bias=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_any_mlp_survives_a_round_trip(
    tmp_path_factory: pytest.TempPathFactory,
    nin: int,
    nouts: list[int],
    activation: str,
    shared_bias: bool,
    seed: int,
) -> None:
    model = nn.MLP(nin, nouts, activation=activation, shared_bias=shared_bias,
                   init="xavier_normal", seed=seed)
    sizes = [nin, *nouts]
    per_layer_bias = [1 if shared_bias else n for n in nouts]
    expected = sum(a * b for a, b in zip(sizes, nouts, strict=False)) + sum(per_layer_bias)
    assert len(model.parameters()) == expected
    path = tmp_path_factory.mktemp("round") / "m.json"
    nn.save(model, path)
    loaded = nn.load(path)
    assert loaded.state_dict() == model.state_dict()
    x = [0.1 * (i + 1) for i in range(nin)]
    out, again = model(x), loaded(x)
    assert [v.data for v in (out if isinstance(out, list) else [out])] == [
        v.data for v in (again if isinstance(again, list) else [again])
    ]
