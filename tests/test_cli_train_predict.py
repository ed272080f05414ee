"""``autograd-lite train`` and ``predict`` through a real process, checked against nn itself."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

import nn
from autograd_lite import no_grad
from tests.cli_helpers import PNG_MAGIC, assert_one_line_error, run_cli
from tests.svg_helpers import parse

SMALL = ["--samples", "40", "--hidden", "4", "--epochs", "3", "--batch-size", "8"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    """One small run on two moons, shared by the tests that read what it wrote."""
    folder = tmp_path_factory.mktemp("train")
    result = run_cli("train", "--dataset", "moons", *SMALL, "--seed", "3", "--out", "run",
                     "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress bar in JSON mode
    return folder / "run", json.loads(result.stdout)


def test_train_writes_the_model_and_the_pictures(trained: tuple[Path, dict[str, object]]) -> None:
    folder, document = trained
    names = ["model.json", "module.svg", "network.svg", "history.png", "decision_boundary.png"]
    assert sorted(path.name for path in folder.iterdir()) == sorted(names)
    assert document["files"] == [f"run/{name}" for name in names]
    assert (folder / "history.png").read_bytes().startswith(PNG_MAGIC)
    assert (folder / "decision_boundary.png").read_bytes().startswith(PNG_MAGIC)
    clusters = [e for e in parse((folder / "module.svg").read_text()).values()
                if "cluster" in e.classes]
    assert len(clusters) == 2  # one hidden layer, one output layer, drawn by dot


def test_the_saved_model_is_the_trained_one(trained: tuple[Path, dict[str, object]]) -> None:
    """The reported accuracies are those of the file on disk, on the same seeded split."""
    folder, document = trained
    model = nn.load(folder / "model.json")
    points, classes = nn.datasets.moons(n_samples=40, seed=3)
    labels = nn.datasets.signed_labels(classes)
    x_train, x_test, y_train, y_test = nn.datasets.train_test_split(points, labels,
                                                                    test_size=0.2, seed=3)
    assert document["architecture"] == "2-4-1" and document["loss_name"] == "max_margin"
    assert (document["train_loss"], document["train_accuracy"]) == nn.evaluate(
        model, x_train, y_train, loss="max_margin")
    assert (document["test_loss"], document["test_accuracy"]) == nn.evaluate(
        model, x_test, y_test, loss="max_margin")
    history = document["history"]
    assert isinstance(history, dict) and len(history["loss"]) == document["epochs"] == 3


def test_train_shows_a_progress_bar_and_a_summary(tmp_path: Path) -> None:
    result = run_cli("train", "--dataset", "xor", *SMALL, "--out", "xor", "--json",
                     cwd=tmp_path)
    history = json.loads(result.stdout)["history"]
    result = run_cli("train", "--dataset", "xor", *SMALL, "--out", "xor", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "epoch 3/3" in result.stderr and "100%" in result.stderr  # nn.fit's tqdm bar
    lines = result.stdout.splitlines()
    assert lines[0].startswith("xor: 32 training and 8 test points, 2 classes; MLP 2-4-1 (relu)")
    assert lines[1].startswith("after 3 epochs, the trained model: loss ")
    assert "train accuracy" in lines[1] and "test accuracy" in lines[1]
    # The bar's last numbers are the last epoch's running means: the summary says so, and
    # gives the very numbers the bar ends on.
    bar_end = result.stderr.rsplit("epoch 3/3", 1)[1]
    loss, accuracy = f"{history['loss'][-1]:.4f}", f"{history['accuracy'][-1]:.1%}"
    assert f"loss={loss}" in bar_end and f"acc={accuracy}" in bar_end
    assert lines[2] == (
        f"(the progress bar's loss {loss} and acc {accuracy} are the last epoch's means over its "
        "batches, each measured while the weights were still changing)"
    )
    assert "wrote xor/model.json" in lines


def test_quiet_train_prints_only_the_summary(tmp_path: Path) -> None:
    result = run_cli("train", "--dataset", "circles", *SMALL, "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.splitlines()) == 1
    assert (tmp_path / "out" / "model.json").exists()  # the default folder


def test_three_classes_train_with_cross_entropy_and_predict_three_scores(tmp_path: Path) -> None:
    result = run_cli("train", "--dataset", "spirals", *SMALL, "--optimizer", "sgd", "--lr",
                     "0.05", "--activation", "tanh", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["architecture"] == "2-4-3" and document["loss_name"] == "cross_entropy"
    predicted = run_cli("predict", "--model", "out/model.json", "0.1", "-0.2", "--json",
                        cwd=tmp_path)
    assert predicted.returncode == 0, predicted.stderr
    model = nn.load(tmp_path / "out" / "model.json")
    with no_grad():
        expected = [z.data for z in model([0.1, -0.2])]
    document = json.loads(predicted.stdout)
    assert document["outputs"] == [expected]
    best = max(range(3), key=expected.__getitem__)
    softmax = [math.exp(z) / math.fsum(math.exp(x) for x in expected) for z in expected]
    (prediction,) = document["predictions"]
    assert prediction["class"] == best
    assert prediction["probability"] == pytest.approx(softmax[best], rel=1e-12)
    plain = run_cli("predict", "--model", "out/model.json", "0.1", "-0.2", cwd=tmp_path)
    assert plain.stdout.splitlines() == [
        "The model has 3 outputs, one score per class: the largest wins, and the softmax of "
        "the scores is its probability.",
        f"class {best} (probability {softmax[best]:.4g})",
    ]


def test_without_matplotlib_the_model_is_still_saved(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('matplotlib is blocked here')\n")
    env = {**os.environ, "PYTHONPATH": str(blocker.parent)}
    result = run_cli("train", "--dataset", "moons", *SMALL, "--quiet", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "plots skipped" in result.stderr and "autograd-lite[plots]" in result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["model.json", "module.svg", "network.svg"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--dataset", "iris"], "invalid choice: 'iris'"),
        (["--optimizer", "rmsprop"], "invalid choice: 'rmsprop'"),
        (["--loss", "huber"], "invalid choice: 'huber'"),
        (["--activation", "gelu"], "invalid choice: 'gelu'"),
        (["--hidden", "16,x"], "layer sizes separated by commas"),
        (["--hidden", "0"], "at least 1"),
        (["--epochs", "0"], "at least 1"),
        (["--lr", "-0.1"], "positive number"),
        (["--test-size", "1.5"], "between 0 and 1"),
        (["--learning-rate", "0.1"], "unrecognized arguments"),
    ],
)
def test_train_usage_errors_exit_2(tmp_path: Path, args: list[str], words: str) -> None:
    result = run_cli("train", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_two_class_loss_on_three_classes_is_refused(tmp_path: Path) -> None:
    result = run_cli("train", "--dataset", "blobs", "--loss", "hinge", *SMALL, cwd=tmp_path)
    assert_one_line_error(result, "two classes", "blobs has 3", "--loss cross_entropy")
    assert list(tmp_path.iterdir()) == []


def test_a_diverging_run_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("train", *SMALL, "--optimizer", "sgd", "--lr", "1e300", "--quiet",
                     cwd=tmp_path)
    assert_one_line_error(result, "training failed", "smaller --lr")


# --- predict ---------------------------------------------------------------------------------


def test_predict_one_row_from_the_arguments(trained: tuple[Path, dict[str, object]]) -> None:
    folder, _ = trained
    result = run_cli("predict", "--model", "model.json", "0.5", "-0.25", cwd=folder)
    assert result.returncode == 0, result.stderr
    with no_grad():
        expected = nn.load(folder / "model.json")([0.5, -0.25]).data
    assert result.stdout.splitlines() == [
        "The model has one output, a margin: class 1 when it is positive, class 0 otherwise.",
        f"class {int(expected > 0)} (margin {expected:+.6g})",
    ]
    quiet = run_cli("predict", "--model", "model.json", "-q", "0.5", "-0.25", cwd=folder)
    assert quiet.stdout == f"class {int(expected > 0)} (margin {expected:+.6g})\n"


def test_predict_rows_from_standard_input(trained: tuple[Path, dict[str, object]]) -> None:
    folder, _ = trained
    rows = [[0.5, -0.25], [1.0, 1.0], [-1.5, 0.0]]
    text = "0.5 -0.25\n\n1,1\n  -1.5   0\n"
    result = run_cli("predict", "--model", "model.json", "--json", cwd=folder, stdin=text)
    assert result.returncode == 0, result.stderr
    model = nn.load(folder / "model.json")
    with no_grad():
        expected = [[model(row).data] for row in rows]
    predictions = [{"class": int(row[0] > 0), "margin": row[0]} for row in expected]
    assert json.loads(result.stdout) == {"model": "model.json", "inputs": rows,
                                         "outputs": expected, "predictions": predictions}
    assert {p["class"] for p in predictions} == {0, 1}  # both classes among these rows
    plain = run_cli("predict", "--model", "model.json", "-q", cwd=folder, stdin=text)
    assert plain.stdout.splitlines() == [
        f"class {int(row[0] > 0)} (margin {row[0]:+.6g})" for row in expected
    ]


def test_a_sigmoid_output_is_the_probability_of_class_1(tmp_path: Path) -> None:
    result = run_cli("train", "--dataset", "xor", *SMALL, "--loss", "bce", "--quiet",
                     cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    model = nn.load(tmp_path / "out" / "model.json")
    rows = [[0.9, 0.9], [-0.9, 0.9]]
    with no_grad():
        probabilities = [model(row).data for row in rows]
    text = "".join(f"{a} {b}\n" for a, b in rows)
    predicted = run_cli("predict", "--model", "out/model.json", "--json", cwd=tmp_path, stdin=text)
    expected = [{"class": int(p >= 0.5), "probability": p if p >= 0.5 else 1 - p}
                for p in probabilities]
    assert json.loads(predicted.stdout)["predictions"] == expected
    plain = run_cli("predict", "--model", "out/model.json", cwd=tmp_path, stdin=text)
    assert plain.stdout.splitlines() == [
        "The model has one output, the probability of class 1 (class 1 from 0.5 on).",
        *(f"class {e['class']} (probability {e['probability']:.4g})" for e in expected),
    ]


@pytest.mark.parametrize(
    ("args", "stdin", "words"),
    [
        (["1.0"], "", ["takes 2 inputs, got 1"]),
        (["1.0", "x"], "", ["'x' is not a number"]),
        (["1.0", "nan"], "", ["not a finite number"]),
        ([], "1 2\n3\n", ["row 2", "takes 2 inputs, got 1"]),
        ([], "1 2\n3 four\n", ["line 2 of standard input", "'four' is not a number"]),
        ([], "", ["no rows of numbers"]),
    ],
)
def test_predict_input_errors(trained: tuple[Path, dict[str, object]], args: list[str],
                              stdin: str, words: list[str]) -> None:
    folder, _ = trained
    result = run_cli("predict", "--model", "model.json", "--", *args, cwd=folder, stdin=stdin)
    assert_one_line_error(result, *words)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, ["does not exist"]),
        ('{"format": "autograd-lite.nn", "version": 1, "archi', ["not valid JSON"]),
        ("[1, 2, 3]", ["expected a JSON object"]),
        ('{"format": "something else"}', ["not an autograd-lite model"]),
        (b"\xff\xfe", ["not UTF-8"]),
    ],
)
def test_missing_or_corrupt_model_files(tmp_path: Path, content: str | bytes | None,
                                        words: list[str]) -> None:
    path = tmp_path / "model.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    result = run_cli("predict", "--model", "model.json", "1", "2", cwd=tmp_path)
    first = assert_one_line_error(result, *words)
    assert "model.json" in first


def test_a_model_file_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "model.json").mkdir()
    result = run_cli("predict", "--model", "model.json", "1", "2", cwd=tmp_path)
    assert_one_line_error(result, "model.json", "is a directory")


def test_predict_needs_a_model(tmp_path: Path) -> None:
    result = run_cli("predict", "1", "2", cwd=tmp_path)
    assert result.returncode == 2 and "--model" in result.stderr


def test_a_number_in_exponent_form_beginning_with_minus_gets_the_dash_hint(
    trained: tuple[Path, dict[str, object]]
) -> None:
    folder, _ = trained
    result = run_cli("predict", "--model", "model.json", "1", "-1e-3", cwd=folder)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "hint: '-1e-3' begins with '-', so it was read as an option; put '--' after the "
        "options: autograd-lite predict [OPTIONS] -- x ..."
    )
    fixed = run_cli("predict", "--model", "model.json", "-q", "--", "1", "-1e-3", cwd=folder)
    assert fixed.returncode == 0 and fixed.stdout.startswith("class ")
