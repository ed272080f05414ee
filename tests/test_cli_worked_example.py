"""``autograd-lite worked-example`` through a real process: nn's table, the errors, the pictures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nn import worked_example
from nn.worked_example import GRADIENT_DESCENT, OUTPUT_LAYER_FIRST, WorkedExample
from tests.cli_helpers import run_cli
from tests.svg_helpers import all_texts, parse


@pytest.fixture(scope="module")
def runs() -> dict[str, WorkedExample]:
    return {order: worked_example.run(order) for order in (GRADIENT_DESCENT, OUTPUT_LAYER_FIRST)}


def test_the_table_the_errors_and_the_pictures(tmp_path: Path,
                                               runs: dict[str, WorkedExample]) -> None:
    result = run_cli("worked-example", "--out", "pictures", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = worked_example.table_rows(runs[GRADIENT_DESCENT], runs[OUTPUT_LAYER_FIRST])
    assert worked_example.format_table(rows) in result.stdout
    lines = result.stdout.splitlines()
    gradient_descent = runs[GRADIENT_DESCENT]
    assert "E_total after 1 update: 0.291027774" in lines
    assert "E_total after 10,000 updates: 0.0000351019" in lines
    assert f"{gradient_descent.error_after_one_update:.9f}" == "0.291027774"
    assert lines[-2:] == ["wrote pictures/worked_example_network.svg",
                          "wrote pictures/worked_example_stepper.html"]

    texts = " ".join(all_texts(parse((tmp_path / "pictures" /
                                      "worked_example_network.svg").read_text())))
    for name in ["w1", "w5", "w8", "b1", "b2", "i1", "i2"]:
        assert name in texts
    page = (tmp_path / "pictures" / "worked_example_stepper.html").read_text()
    assert "The worked example, backward" in page and "E_total" in page


def test_seed_order_json(tmp_path: Path, runs: dict[str, WorkedExample]) -> None:
    result = run_cli("worked-example", "--seed-order", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    seed_order = runs[OUTPUT_LAYER_FIRST]
    assert document["order"] == OUTPUT_LAYER_FIRST
    assert document["error_after_1_update"] == seed_order.error_after_one_update
    assert f"{document['error_after_1_update']:.9f}" == "0.291027924"  # the seed's figure
    assert document["steps"] == 10_000
    assert document["error_after_steps"] == seed_order.error_after
    assert document["outputs_after_steps"] == list(seed_order.outputs_after)
    rows = worked_example.table_rows(runs[GRADIENT_DESCENT], seed_order)
    assert document["rows"] == [
        {"quantity": r.quantity, "published": r.published_figure, "computed": r.computed_figure,
         "matches": r.matches}
        for r in rows
    ]
    assert document["files"] == ["out/worked_example_network.svg",
                                 "out/worked_example_stepper.html"]
    assert all((tmp_path / name).exists() for name in document["files"])


def test_quiet_prints_the_two_errors(tmp_path: Path, runs: dict[str, WorkedExample]) -> None:
    result = run_cli("worked-example", "--quiet", "--seed-order", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    seed_order = runs[OUTPUT_LAYER_FIRST]
    assert result.stdout.splitlines() == [
        "E_total after 1 update: 0.291027924",  # the seed's own figure, reproduced
        f"E_total after 10,000 updates: {seed_order.error_after:.10f}",
    ]
