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


def test_output_layer_first_order_json(tmp_path: Path, runs: dict[str, WorkedExample]) -> None:
    result = run_cli("worked-example", "--order", "output_layer_first", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    walk_through = runs[OUTPUT_LAYER_FIRST]
    assert document["order"] == OUTPUT_LAYER_FIRST
    assert document["error_after_1_update"] == walk_through.error_after_one_update
    assert f"{document['error_after_1_update']:.9f}" == "0.291027924"  # the published figure
    assert document["steps"] == 10_000
    assert document["error_after_steps"] == walk_through.error_after
    assert document["outputs_after_steps"] == list(walk_through.outputs_after)
    rows = worked_example.table_rows(runs[GRADIENT_DESCENT], walk_through)
    assert document["rows"] == [
        {"quantity": r.quantity, "published": r.published_figure, "computed": r.computed_figure,
         "matches": r.matches}
        for r in rows
    ]
    assert document["files"] == ["out/worked_example_network.svg",
                                 "out/worked_example_stepper.html"]
    assert all((tmp_path / name).exists() for name in document["files"])


def test_quiet_prints_the_two_errors(tmp_path: Path, runs: dict[str, WorkedExample]) -> None:
    result = run_cli("worked-example", "--quiet", "--order", "output_layer_first", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    walk_through = runs[OUTPUT_LAYER_FIRST]
    assert result.stdout.splitlines() == [
        "E_total after 1 update: 0.291027924",  # the published figure, reproduced
        f"E_total after 10,000 updates: {walk_through.error_after:.10f}",
    ]


def test_the_help_names_the_public_source_and_the_order_option(tmp_path: Path) -> None:
    result = run_cli("worked-example", "--help", cwd=tmp_path)
    text = " ".join(result.stdout.split())
    assert 'Matt Mazur\'s "A Step by Step Backpropagation Example" (2015)' in text
    assert "--order {gradient_descent,output_layer_first}" in text
    top = " ".join(run_cli("--help", cwd=tmp_path).stdout.split())
    for shown in (text, top):
        assert "seed" not in shown.lower()


def test_an_unknown_order_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("worked-example", "--order", "backwards", cwd=tmp_path)
    assert result.returncode == 2 and "invalid choice: 'backwards'" in result.stderr
    assert "gradient_descent" in result.stderr and "output_layer_first" in result.stderr
