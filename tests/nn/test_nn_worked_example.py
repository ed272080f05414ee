"""The textbook 2-2-2 worked example (Matt Mazur, 2015): every published figure, to its digits."""

from __future__ import annotations

import pytest
import torch

import nn
from nn import worked_example as we


@pytest.fixture(scope="module")
def gd() -> we.WorkedExample:
    return we.run(we.GRADIENT_DESCENT)


@pytest.fixture(scope="module")
def output_layer_first() -> we.WorkedExample:
    return we.run(we.OUTPUT_LAYER_FIRST)


def _to_digits(x: float, figure: str) -> str:
    decimals = len(figure.split(".")[1])
    return f"{x:.{decimals}f}"


PRINTED = [
    ("net_h1", "0.3775"),
    ("out_h1", "0.593269992"),
    ("out_h2", "0.596884378"),
    ("net_o1", "1.105905967"),
    ("out_o1", "0.75136507"),
    ("out_o2", "0.772928465"),
    ("e_o1", "0.274811083"),
    ("e_o2", "0.023560026"),
    ("e_total", "0.298371109"),
    ("de_dout_o1", "0.74136507"),
    ("dout_o1_dnet_o1", "0.186815602"),
    ("dnet_o1_dw5", "0.593269992"),
    ("de_dw5", "0.082167041"),
    ("delta_o1", "0.138498562"),
    ("de_o1_dout_h1", "0.055399425"),
    ("de_dout_h1", "0.036350306"),
    ("dout_h1_dnet_h1", "0.241300709"),
    ("dnet_h1_dw1", "0.05"),
    ("de_dw1", "0.000438568"),
]


@pytest.mark.parametrize(("name", "figure"), PRINTED)
def test_every_printed_figure_of_the_first_step(
    gd: we.WorkedExample, name: str, figure: str
) -> None:
    assert _to_digits(getattr(gd, name), figure) == figure


def test_de_o2_dout_h1_agrees_to_the_last_printed_digit(gd: we.WorkedExample) -> None:
    # The document multiplies rounded intermediates (delta_o2 * w7), which moves its last digit:
    # it prints -0.019049119 for the exact -0.0190491183.
    assert gd.de_o2_dout_h1 == pytest.approx(-0.019049119, abs=1e-9)
    assert _to_digits(gd.de_o2_dout_h1, "0.000000000") == "-0.019049118"


@pytest.mark.parametrize(
    ("name", "figure"),
    [("w1", "0.149780716"), ("w2", "0.19956143"), ("w3", "0.24975114"), ("w4", "0.29950229"),
     ("w5", "0.35891648"), ("w6", "0.408666186"), ("w7", "0.511301270"),
     ("w8", "0.561370121")],
)
def test_updated_weights(gd: we.WorkedExample, name: str, figure: str) -> None:
    assert _to_digits(gd.updated[name], figure) == figure


def test_gradient_descent_facts(gd: we.WorkedExample) -> None:
    assert _to_digits(gd.error_after_one_update, "0.000000000") == "0.291027774"
    assert gd.steps == 10_000
    assert f"{gd.error_after:.5e}" == "3.51019e-05"
    assert _to_digits(gd.outputs_after[0], "0.000000000") == "0.015913620"
    assert _to_digits(gd.outputs_after[1], "0.000000000") == "0.984064274"
    # The document's 0.0000351085 is gradient descent's error one update earlier.
    assert _to_digits(gd.error_history[9_999], "0.0000000000") == "0.0000351085"


def test_the_documents_own_figures_come_from_updating_w5_to_w8_first(
    output_layer_first: we.WorkedExample,
) -> None:
    assert _to_digits(output_layer_first.error_after_one_update, "0.000000000") == "0.291027924"
    assert _to_digits(output_layer_first.outputs_after[0], "0.000000000") == "0.015912196"
    assert _to_digits(output_layer_first.outputs_after[1], "0.000000000") == "0.984065734"
    # The first-step figures and the output weights are the same in both orders ...
    assert output_layer_first.e_total == pytest.approx(0.298371109, abs=5e-10)
    assert _to_digits(output_layer_first.updated["w5"], "0.00000000") == "0.35891648"
    # ... but the hidden weights differ from the document's printed w1+ (which follow gradients).
    assert _to_digits(output_layer_first.updated["w1"], "0.000000000") != "0.149780716"


def test_gradients_match_torch(gd: we.WorkedExample) -> None:
    w = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True)
         for k, v in we.WEIGHTS.items()}
    i1, i2 = we.INPUTS
    b1, b2 = we.BIASES["b1"], we.BIASES["b2"]
    h1 = torch.sigmoid(w["w1"] * i1 + w["w2"] * i2 + b1)
    h2 = torch.sigmoid(w["w3"] * i1 + w["w4"] * i2 + b1)
    o1 = torch.sigmoid(w["w5"] * h1 + w["w6"] * h2 + b2)
    o2 = torch.sigmoid(w["w7"] * h1 + w["w8"] * h2 + b2)
    error = 0.5 * (we.TARGETS[0] - o1) ** 2 + 0.5 * (we.TARGETS[1] - o2) ** 2
    error.backward()
    assert gd.e_total == pytest.approx(error.item(), abs=1e-15)
    for name, tensor in w.items():
        assert tensor.grad is not None
        assert gd.gradients[name] == pytest.approx(tensor.grad.item(), abs=1e-15)


def test_the_network_is_an_mlp_with_named_shared_frozen_biases() -> None:
    model, params = we.build_network()
    assert isinstance(model, nn.MLP)
    assert model.nin == 2 and model.nouts == [2, 2]
    assert all(n.activation == "sigmoid" for layer in model.layers for n in layer.neurons)
    assert sorted(params) == sorted([f"w{i}" for i in range(1, 9)] + ["b1", "b2"])
    assert params["b1"] is model.layers[0].neurons[1].b and not params["b1"].requires_grad
    assert params["w6"] is model.layers[1].neurons[0].w[1] and params["w6"].label == "w6"
    o1, o2 = model(list(we.INPUTS))
    assert _to_digits(o1.data, "0.00000000") == "0.75136507"
    assert _to_digits(o2.data, "0.000000000") == "0.772928465"
    assert we.build_network(freeze_biases=False).params["b2"].requires_grad


def test_table_rows_cover_the_document_and_mark_what_differs(
    gd: we.WorkedExample, output_layer_first: we.WorkedExample
) -> None:
    rows = we.table_rows(gd, output_layer_first)
    assert all(isinstance(r, we.Row) and len(r) == 3 for r in rows)
    differs = {r.quantity for r in rows if not r.matches}
    assert differs == {
        "E_total after 1 update [gradient descent]",
        "E_total after 10,000 updates [gradient descent]",
        "out_o1 after 10,000 updates [gradient descent]",
        "out_o2 after 10,000 updates [gradient descent]",
        "E_total after 10,000 updates [w5..w8 first]",
    }
    assert ("dE/dw5", "0.082167041", "0.082167041") in rows
    text = we.format_table(rows)
    assert "w8 after one update" in text and "differs" in text


def test_first_pass_leaves_the_graph_with_its_gradients() -> None:
    (_model, params), total = we.first_pass()
    assert total.label == "E_total" and _to_digits(total.data, "0.000000000") == "0.298371109"
    assert _to_digits(params["w5"].grad, "0.000000000") == "0.082167041"
    assert params["b1"].grad == 0.0  # frozen: nothing flows into it


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="unknown order"):
        we.run("backwards")
    with pytest.raises(ValueError, match="steps"):
        we.run(steps=0)
