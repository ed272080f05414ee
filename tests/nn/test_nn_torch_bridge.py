"""The PyTorch bridge: round trips, forward and gradient parity, training parity, errors."""

from __future__ import annotations

import contextlib
import io
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
from autograd_lite import Value

ACTIVATIONS = sorted(nn.ACTIVATIONS)
TORCH_ACTIVATION = {
    "relu": torch.nn.ReLU,
    "leaky_relu": torch.nn.LeakyReLU,
    "tanh": torch.nn.Tanh,
    "sigmoid": torch.nn.Sigmoid,
    "softplus": torch.nn.Softplus,
}

inputs_strategy = st.lists(
    st.lists(st.floats(-3.0, 3.0), min_size=3, max_size=3), min_size=1, max_size=4
)


def torch_parameters_in_our_order(sequential: torch.nn.Sequential) -> list[torch.Tensor]:
    """Each Linear's weight row j then bias entry j: micrograd's neuron-by-neuron order."""
    entries = []
    for module in sequential:
        if isinstance(module, torch.nn.Linear):
            for j in range(module.out_features):
                entries.extend(module.weight[j])
                entries.append(module.bias[j])
    return entries


def torch_grads_in_our_order(sequential: torch.nn.Sequential) -> list[float]:
    grads = []
    for module in sequential:
        if isinstance(module, torch.nn.Linear):
            assert module.weight.grad is not None and module.bias.grad is not None
            for j in range(module.out_features):
                grads.extend(module.weight.grad[j].tolist())
                grads.append(module.bias.grad[j].item())
    return grads


# --- torch stays optional ---------------------------------------------------------------------


def test_importing_the_project_does_not_import_torch() -> None:
    code = "import sys, autograd_lite, nn; nn.MLP(2, [3, 1], seed=0); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("call", [
    lambda: nn.to_torch(nn.MLP(2, [1], seed=0)),
    lambda: nn.from_torch(None),  # type: ignore[arg-type]
    lambda: nn.compare_with_torch(nn.MLP(2, [1], seed=0), [[1.0, 2.0]]),
])
def test_missing_torch_names_the_extra(monkeypatch: pytest.MonkeyPatch, call: Any) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    with pytest.raises(ImportError, match=r"'torch' extra.*torch==2\.13\.0"):
        call()


# --- to_torch ---------------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_to_torch_builds_linear_and_activation_modules(activation: str) -> None:
    model = nn.MLP(3, [4, 2], activation=activation, output_activation="linear", seed=1)
    sequential = nn.to_torch(model)
    kinds = [type(m) for m in sequential]
    hidden = [] if activation == "linear" else [TORCH_ACTIVATION[activation]]
    assert kinds == [torch.nn.Linear, *hidden, torch.nn.Linear]
    for module in sequential:
        if isinstance(module, torch.nn.Linear):
            assert module.weight.dtype == torch.float64 and module.bias.dtype == torch.float64
    first = sequential[0]
    assert first.weight[2, 1].item() == model.layers[0].neurons[2].w[1].data
    assert first.bias[3].item() == model.layers[0].neurons[3].b.data


def test_to_torch_activation_settings_match_ours() -> None:
    leaky = nn.to_torch(nn.MLP(1, [1], output_activation="leaky_relu", seed=0))[1]
    assert leaky.negative_slope == Value(-1.0).leaky_relu().data / -1.0 == 0.01
    softplus = nn.to_torch(nn.MLP(1, [1], output_activation="softplus", seed=0))[1]
    assert softplus.beta == 1.0 and softplus.threshold == 40.0


def test_to_torch_other_dtype_and_bad_dtype() -> None:
    model = nn.MLP(2, [2], seed=0)
    assert nn.to_torch(model, dtype=torch.float32)[0].weight.dtype == torch.float32
    assert nn.to_torch(model, torch.float64)[0].weight.dtype == torch.float64
    with pytest.raises(ValueError, match=r"floating-point torch.dtype"):
        nn.to_torch(model, dtype=torch.int64)


def test_to_torch_leaves_the_torch_random_state_alone() -> None:
    torch.manual_seed(7)
    expected = torch.rand(3)
    torch.manual_seed(7)
    nn.to_torch(nn.MLP(5, [8, 8, 1], seed=0))
    assert torch.equal(torch.rand(3), expected)


def test_to_torch_refuses_other_objects() -> None:
    with pytest.raises(TypeError, match=r"expected an nn.MLP, got Layer"):
        nn.to_torch(nn.Layer(2, 2, seed=0))  # type: ignore[arg-type]


def test_to_torch_refuses_a_shared_bias_and_names_it() -> None:
    model = nn.MLP(2, [2, 2], shared_bias=True, seed=0)
    with pytest.raises(ValueError, match=r"layers\.0\.neurons\.0\.b.*2 places.*shared_bias=True"):
        nn.to_torch(model)


def test_frozen_parameters_map_to_tensors_without_grad_and_back() -> None:
    model = nn.MLP(2, [3, 1], bias_requires_grad=False, seed=0)
    for w in model.layers[1].neurons[0].w:
        w.requires_grad = False
    sequential = nn.to_torch(model)
    assert [p.requires_grad for p in sequential.parameters()] == [True, False, False, False]
    back = nn.from_torch(sequential)
    assert [p.requires_grad for p in back.parameters()] == [p.requires_grad
                                                            for p in model.parameters()]


def test_to_torch_refuses_a_half_frozen_layer() -> None:
    model = nn.MLP(2, [2], seed=0)
    model.layers[0].neurons[1].w[0].requires_grad = False
    with pytest.raises(ValueError, match="layer 0 has some frozen and some trainable weights"):
        nn.to_torch(model)


# --- round trips ------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    hidden=st.sampled_from(ACTIVATIONS),
    output=st.sampled_from(ACTIVATIONS),
    nouts=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    seed=st.integers(0, 10_000),
)
def test_round_trip_keeps_every_weight_bit_for_bit(
    hidden: str, output: str, nouts: list[int], seed: int
) -> None:
    model = nn.MLP(3, nouts, activation=hidden, output_activation=output, init="normal",
                   seed=seed)
    exported = nn.to_torch(model)
    back = nn.from_torch(exported)
    assert back.nin == 3 and back.nouts == nouts
    assert [layer.activation for layer in back.layers] == [layer.activation
                                                           for layer in model.layers]
    assert [p.data for p in back.parameters()] == [p.data for p in model.parameters()]
    assert back.state_dict() == model.state_dict()
    again = nn.to_torch(back)
    for ours, theirs in zip(exported.state_dict().values(), again.state_dict().values(),
                            strict=True):
        assert torch.equal(ours, theirs)


def test_from_torch_reads_a_torch_built_model() -> None:
    torch.manual_seed(0)
    sequential = torch.nn.Sequential(
        torch.nn.Linear(3, 5, dtype=torch.float64), torch.nn.Tanh(), torch.nn.Identity(),
        torch.nn.Linear(5, 5, dtype=torch.float64), torch.nn.Tanh(),
        torch.nn.Linear(5, 2, dtype=torch.float64),
    )
    model = nn.from_torch(sequential)
    assert (model.nin, model.nouts) == (3, [5, 5, 2])
    assert (model.activation, model.output_activation) == ("tanh", "linear")
    expected = [p.item() for p in torch_parameters_in_our_order(sequential)]
    assert [p.data for p in model.parameters()] == expected
    x = [0.3, -1.1, 2.0]
    assert [v.data for v in model(x)] == pytest.approx(
        sequential(torch.tensor(x, dtype=torch.float64)).tolist(), abs=1e-12)


def test_from_torch_float32_weights_are_read_exactly() -> None:
    torch.manual_seed(1)
    linear = torch.nn.Linear(2, 2)  # float32
    model = nn.from_torch(torch.nn.Sequential(linear, torch.nn.Sigmoid()))
    assert [w.data for w in model.layers[0].neurons[1].w] == linear.weight[1].tolist()


def test_a_linear_without_bias_becomes_a_bias_frozen_at_zero() -> None:
    torch.manual_seed(2)
    sequential = torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False, dtype=torch.float64),
                                     torch.nn.ReLU(), torch.nn.Linear(3, 1, dtype=torch.float64))
    model = nn.from_torch(sequential)
    biases = [n.b for n in model.layers[0].neurons]
    assert all(b.data == 0.0 and not b.requires_grad for b in biases)
    assert model.layers[1].neurons[0].b.requires_grad
    report = nn.compare_with_torch(model, [[0.5, -0.25], [1.0, 2.0]])
    assert report.max_difference <= 1e-12


# --- from_torch errors ------------------------------------------------------------------------


def test_an_unsupported_layer_is_named() -> None:
    sequential = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout(0.5),
                                     torch.nn.Linear(3, 1))
    with pytest.raises(nn.UnsupportedLayerError, match=r"unsupported layer Dropout at index 1"):
        nn.from_torch(sequential)
    with pytest.raises(ValueError, match="Dropout"):
        nn.from_torch(sequential)
    with pytest.raises(TypeError, match="Dropout"):
        nn.from_torch(sequential)


@pytest.mark.parametrize(("modules", "message"), [
    ([torch.nn.Linear(2, 2), torch.nn.LeakyReLU(0.2)], r"LeakyReLU.*slope 0\.01"),
    ([torch.nn.Linear(2, 2), torch.nn.Softplus(beta=2.0)], "Softplus.*beta=1"),
    ([torch.nn.Linear(2, 2), torch.nn.Softplus(threshold=5.0)], "Softplus.*threshold >= 20"),
    ([torch.nn.Linear(2, 2), torch.nn.GELU()], "unsupported layer GELU at index 1"),
    ([torch.nn.ReLU(), torch.nn.Linear(2, 2)], r"ReLU\(\) at index 0 does not follow a Linear"),
    ([torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Tanh()], "Tanh.*does not follow"),
    ([torch.nn.Linear(2, 2), torch.nn.Sequential(torch.nn.ReLU())], "unsupported layer Sequen"),
])
def test_unsupported_modules_raise_naming_them(modules: list[Any], message: str) -> None:
    with pytest.raises(nn.UnsupportedLayerError, match=message):
        nn.from_torch(torch.nn.Sequential(*modules))


def test_from_torch_shape_and_structure_errors() -> None:
    with pytest.raises(TypeError, match=r"expected a torch.nn.Sequential.*got Linear"):
        nn.from_torch(torch.nn.Linear(2, 2))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no Linear"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Identity()))
    with pytest.raises(ValueError, match="index 2 takes 4 inputs but the Linear at index 0 give"):
        nn.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(),
                                          torch.nn.Linear(4, 1)))
    mixed = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 2),
                                torch.nn.Tanh(), torch.nn.Linear(2, 1))
    with pytest.raises(ValueError, match=r"one activation for every hidden layer.*relu.*tanh"):
        nn.from_torch(mixed)
    broken = torch.nn.Linear(2, 1)
    with torch.no_grad():
        broken.weight[0, 1] = math.nan
    with pytest.raises(ValueError, match="index 0 has a weight of nan"):
        nn.from_torch(torch.nn.Sequential(broken))


# --- forward and gradient parity --------------------------------------------------------------


@pytest.mark.parametrize("output", ACTIVATIONS)
@pytest.mark.parametrize("hidden", ACTIVATIONS)
@settings(max_examples=8, deadline=None)
@given(inputs=inputs_strategy, seed=st.integers(0, 10_000))
def test_outputs_and_gradients_agree_with_torch(
    hidden: str, output: str, inputs: list[list[float]], seed: int
) -> None:
    model = nn.MLP(3, [4, 3, 2], activation=hidden, output_activation=output, init="normal",
                   seed=seed)
    sequential = nn.to_torch(model)

    # Ours and torch's by hand, so compare_with_torch is checked, not trusted.
    model.zero_grad()
    outputs = [model(x) for x in inputs]
    sum(v for row in outputs for v in row).backward()
    ours_grads = [p.grad for p in model.parameters()]
    torch_out = sequential(torch.tensor(inputs, dtype=torch.float64))
    torch_out.sum().backward()
    assert [v.data for row in outputs for v in row] == pytest.approx(
        torch_out.flatten().tolist(), abs=1e-12, rel=0)
    assert ours_grads == pytest.approx(torch_grads_in_our_order(sequential), abs=1e-12, rel=0)

    report = nn.compare_with_torch(model, inputs)
    assert report.max_difference <= 1e-12
    assert [pair.ours for pair in report.outputs] == [v.data for row in outputs for v in row]
    assert [pair.torch for pair in report.outputs] == pytest.approx(
        torch_out.flatten().tolist(), abs=1e-15, rel=0)
    assert [row.ours for row in report.gradients] == pytest.approx(ours_grads, abs=1e-15, rel=0)


def test_softplus_agrees_past_torchs_default_switch_to_x() -> None:
    # Past 20, Softplus() returns x; log(1 + e^x) is x + e^-x, 1e-11 away at 25.
    model = nn.MLP(1, [1], output_activation="softplus", weights=[[[1.0]]], biases=[0.0])
    inputs = [[21.0], [25.0], [30.0], [39.0], [45.0], [-30.0]]
    report = nn.compare_with_torch(model, inputs)
    assert report.max_difference <= 1e-12
    default = torch.nn.Softplus()(torch.tensor([25.0], dtype=torch.float64)).item()
    assert abs(default - model([25.0]).data) > 1e-12  # why to_torch raises the threshold


def test_leaky_relu_slope_agrees_on_negative_inputs() -> None:
    model = nn.MLP(1, [1], output_activation="leaky_relu", weights=[[[1.0]]], biases=[0.0])
    report = nn.compare_with_torch(model, [[-2.0], [-0.5], [0.0], [3.0]])
    assert [pair.ours for pair in report.outputs] == [-0.02, -0.005, 0.0, 3.0]
    assert report.max_difference == 0.0


# --- compare_with_torch -----------------------------------------------------------------------


def classification_case(loss: str) -> tuple[nn.MLP, list[list[float]], list[Any]]:
    inputs = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-1.0, -2.0, 0.5]]
    if loss == "cross_entropy":
        return nn.MLP(3, [4, 3], activation="tanh", seed=4), inputs, [2, 0, 1]
    if loss == "bce":
        return nn.MLP(3, [4, 1], output_activation="sigmoid", seed=4), inputs, [1.0, 0.0, 1.0]
    if loss in ("hinge", "max_margin"):
        return nn.MLP(3, [4, 1], activation="tanh", seed=4), inputs, [1.0, -1.0, 1.0]
    if loss == "bce_with_logits":
        return nn.MLP(3, [4, 1], activation="tanh", seed=4), inputs, [1.0, 0.0, 1.0]
    return nn.MLP(3, [4, 2], activation="tanh", seed=4), inputs, [[0.1, 1.0], [2.0, -1.0],
                                                                 [0.0, 0.5]]


@pytest.mark.parametrize("loss", sorted(nn.LOSSES))
def test_every_nn_loss_agrees_with_its_torch_counterpart(loss: str) -> None:
    model, inputs, targets = classification_case(loss)
    report = nn.compare_with_torch(model, inputs, loss=loss, targets=targets)
    assert report.loss_name == loss
    assert report.max_difference <= 1e-12
    predictions = [model(x) for x in inputs]
    assert report.loss.ours == nn.LOSSES[loss][0](predictions, targets).data
    assert any(row.ours != 0.0 for row in report.gradients)


def test_loss_as_one_of_nns_functions_or_as_a_pair() -> None:
    model, inputs, targets = classification_case("mse")
    by_name = nn.compare_with_torch(model, inputs, loss="mse", targets=targets)
    by_function = nn.compare_with_torch(model, inputs, loss=nn.mse, targets=targets)
    assert by_function == by_name
    pair = (nn.mse, torch.nn.functional.mse_loss)
    assert nn.compare_with_torch(model, inputs, loss=pair, targets=targets).loss == by_name.loss


def test_a_wrong_torch_loss_shows_up_as_a_difference() -> None:
    model, inputs, targets = classification_case("mse")
    wrong = (nn.mse, lambda out, t: torch.nn.functional.mse_loss(out, t, reduction="sum"))
    report = nn.compare_with_torch(model, inputs, loss=wrong, targets=targets)
    assert report.loss.torch == pytest.approx(6 * report.loss.ours)  # 3 rows x 2 outputs
    assert report.max_difference > 0.1


def test_shared_bias_gradients_are_summed_over_the_neurons_sharing_it() -> None:
    model = nn.MLP(2, [2, 2], activation="sigmoid", output_activation="sigmoid",
                   shared_bias=True, biases=[0.35, 0.6], seed=0)
    inputs, targets = [[0.05, 0.10]], [[0.01, 0.99]]
    report = nn.compare_with_torch(model, inputs, loss="half_sse", targets=targets)
    assert len(report.gradients) == len(model.parameters()) == 10
    assert report.max_difference <= 1e-12
    shared = model.layers[0].neurons[0].b
    model.zero_grad()
    nn.half_sum_squared_error([model(x) for x in inputs], targets).backward()
    row = next(r for r in report.gradients if r.name == "layers.0.neurons.0.b")
    assert row.ours == shared.grad != 0.0


def test_compare_leaves_the_model_as_it_was() -> None:
    model, inputs, targets = classification_case("mse")
    for i, p in enumerate(model.parameters()):
        p.grad = float(i)
    before = [(p.data, p.grad) for p in model.parameters()]
    nn.compare_with_torch(model, inputs, loss="mse", targets=targets)
    assert [(p.data, p.grad) for p in model.parameters()] == before


def test_frozen_parameters_have_no_gradient_on_either_side() -> None:
    model = nn.MLP(3, [2, 1], bias_requires_grad=False, seed=3)
    report = nn.compare_with_torch(model, [[1.0, 2.0, -1.0]])
    frozen = [row for row in report.gradients if row.name.endswith(".b")]
    assert len(frozen) == 3 and all(row.ours == row.torch == 0.0 for row in frozen)
    assert report.max_difference <= 1e-12


def test_the_report_prints_as_a_table() -> None:
    model, inputs, targets = classification_case("mse")
    report = nn.compare_with_torch(model, inputs, loss="mse", targets=targets)
    text = str(report)
    assert text.splitlines()[0].split() == ["autograd-lite", "PyTorch", "|difference|"]
    assert "loss (mse)" in text and "out[2][1]" in text
    for name, _ in model.named_parameters():
        assert name in text
    assert text.splitlines()[-1] == f"largest difference: {report.max_difference:.3e}"
    assert repr(report.loss.ours) in text

    class Printer:  # what IPython hands to _repr_pretty_ when a notebook cell shows the report
        def __init__(self) -> None:
            self.shown = ""

        def text(self, text: str) -> None:
            self.shown += text

    printer = Printer()
    report._repr_pretty_(printer, cycle=False)
    assert printer.shown == text


def test_compare_errors_name_the_problem() -> None:
    model = nn.MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="loss 'mse' needs targets="):
        nn.compare_with_torch(model, [[1.0, 2.0]], loss="mse")
    with pytest.raises(ValueError, match="targets given but no loss"):
        nn.compare_with_torch(model, [[1.0, 2.0]], targets=[1.0])
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        nn.compare_with_torch(model, [[1.0, 2.0]], loss="l1", targets=[1.0])
    with pytest.raises(TypeError, match="pair"):
        nn.compare_with_torch(model, [[1.0, 2.0]], loss=abs, targets=[1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"each input must be 2 finite numbers, got \[1\.0\]"):
        nn.compare_with_torch(model, [[1.0]])
    with pytest.raises(ValueError, match="non-empty list of rows"):
        nn.compare_with_torch(model, [])
    with pytest.raises(TypeError, match=r"expected an nn.MLP"):
        nn.compare_with_torch(nn.Neuron(2), [[1.0, 2.0]])  # type: ignore[arg-type]


# --- training parity --------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ACTIVATIONS)
@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 10_000), momentum=st.sampled_from([0.0, 0.9]))
def test_five_sgd_steps_give_the_same_weights(activation: str, seed: int,
                                              momentum: float) -> None:
    model = nn.MLP(3, [4, 4, 1], activation=activation, init="xavier_uniform", seed=seed)
    start = [p.data for p in model.parameters()]
    data = nn.MLP(3, [1], seed=seed + 1)  # any fixed function makes targets
    inputs = [[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [-1.0, -2.0, 0.5], [0.0, 1.0, 1.0]]
    targets = [math.sin(data(x).data) for x in inputs]
    sequential = nn.to_torch(model)

    ours = nn.SGD(model.parameters(), lr=0.05, momentum=momentum)
    theirs = torch.optim.SGD(sequential.parameters(), lr=0.05, momentum=momentum)
    x, y = torch.tensor(inputs, dtype=torch.float64), torch.tensor(targets, dtype=torch.float64)
    for _ in range(5):
        ours.zero_grad()
        nn.mse([model(row) for row in inputs], targets).backward()
        ours.step()
        theirs.zero_grad()
        torch.nn.functional.mse_loss(sequential(x)[:, 0], y).backward()
        theirs.step()

    trained = [p.item() for p in torch_parameters_in_our_order(sequential)]
    assert all(math.isfinite(w) for w in trained)
    assert max(abs(a - b) for a, b in zip(trained, start, strict=True)) > 1e-3  # it did train
    assert [p.data for p in model.parameters()] == pytest.approx(trained, abs=1e-10, rel=0)
    assert [p.data for p in nn.from_torch(sequential).parameters()] == trained


# --- the README's section ---------------------------------------------------------------------


def test_the_readme_example_runs_and_says_what_it_does() -> None:
    text = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = text[text.index("## Graduating to PyTorch"):]
    section = section[:section.index("\n## ")]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)
    assert len(blocks) == 1
    namespace: dict[str, Any] = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(blocks[0], "<README: Graduating to PyTorch>", "exec"), namespace)
    net, report = namespace["net"], namespace["report"]
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "Tanh", "Linear"]
    assert [(m.in_features, m.out_features) for m in net if isinstance(m, torch.nn.Linear)] == [
        (2, 8), (8, 8), (8, 1)]
    assert printed.getvalue() == f"{report}\n"
    assert namespace["loss"].item() == report.loss.torch  # same weights, same loss, before the step
