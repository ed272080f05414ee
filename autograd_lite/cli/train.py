"""``autograd-lite train``: an MLP on a synthetic data set, with its model file and pictures.

Everything here is nn's: ``nn.datasets`` makes the points, ``nn.fit`` trains (with its progress
bar, compiled to tapes), ``nn.evaluate`` measures, ``nn.save`` writes the model,
``nn.views.draw_module``, ``draw_network`` and ``nn.plots`` draw. This module only chooses the
labels and the output layer that suit the loss.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nn
from nn.training import AccuracyFunction, sign_accuracy
from nn.views import draw_module, draw_network

from .output import CommandError, Reporter, write_graph

DATASETS: dict[str, Callable[..., tuple[list[list[float]], list[int]]]] = {
    "xor": nn.datasets.xor,
    "moons": nn.datasets.moons,
    "circles": nn.datasets.circles,
    "spirals": nn.datasets.spirals,
    "blobs": nn.datasets.blobs,
}


@dataclass(frozen=True)
class LossSetup:
    """How a loss wants its model and labels: ``labels`` is "signed" (-1/+1), "binary" (0/1) or
    "index" (class numbers, one output per class); ``threshold`` splits the score's classes."""

    labels: str
    output_activation: str = "linear"
    threshold: float = 0.0
    accuracy: AccuracyFunction | None = None


LOSS_SETUPS: dict[str, LossSetup] = {
    "max_margin": LossSetup("signed"),
    "hinge": LossSetup("signed"),
    "mse": LossSetup("signed", accuracy=sign_accuracy),
    "bce_with_logits": LossSetup("binary"),
    "bce": LossSetup("binary", output_activation="sigmoid", threshold=0.5),
    "cross_entropy": LossSetup("index"),
}

OPTIMIZERS = ("sgd", "adam")
DEFAULT_LR = {"sgd": 0.1, "adam": 0.01}


def hidden_sizes(text: str) -> list[int]:
    """argparse type for ``--hidden 16,16``."""
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected layer sizes separated by commas, like 16,16; got {text!r}"
        ) from None
    if any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {text!r}")
    return sizes


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def fraction(text: str) -> float:
    value = positive_float(text)
    if not value < 1:
        raise argparse.ArgumentTypeError(f"expected a fraction between 0 and 1, got {text!r}")
    return value


def non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def make_data(args: argparse.Namespace) -> tuple[list[list[float]], list[int]]:
    options: dict[str, Any] = {"n_samples": args.samples, "seed": args.seed}
    if args.noise is not None:
        options["std" if args.dataset == "blobs" else "noise"] = args.noise
    try:
        return DATASETS[args.dataset](**options)
    except ValueError as error:
        raise CommandError(f"dataset {args.dataset}: {error}") from None


def run(args: argparse.Namespace, out: Reporter) -> None:
    points, classes = make_data(args)
    n_classes = max(classes) + 1
    loss = args.loss or ("max_margin" if n_classes == 2 else "cross_entropy")
    setup = LOSS_SETUPS[loss]
    if setup.labels != "index" and n_classes != 2:
        raise CommandError(
            f"the {loss} loss separates two classes, but {args.dataset} has {n_classes}; "
            "use --loss cross_entropy"
        )
    labels: list[Any] = nn.datasets.signed_labels(classes) if setup.labels == "signed" else classes
    n_outputs = n_classes if setup.labels == "index" else 1
    try:
        x_train, x_test, y_train, y_test = nn.datasets.train_test_split(
            points, labels, test_size=args.test_size, seed=args.seed
        )
    except ValueError as error:
        raise CommandError(str(error)) from None

    model = nn.MLP(len(points[0]), [*args.hidden, n_outputs], activation=args.activation,
                   output_activation=setup.output_activation, seed=args.seed)
    lr = args.lr if args.lr is not None else DEFAULT_LR[args.optimizer]
    optimizer = (nn.Adam if args.optimizer == "adam" else nn.SGD)(model.parameters(), lr=lr)
    shape = "-".join(str(n) for n in [len(points[0]), *args.hidden, n_outputs])
    out.detail(
        f"{args.dataset}: {len(x_train)} training and {len(x_test)} test points, {n_classes} "
        f"classes; MLP {shape} ({args.activation}), {loss} loss, {args.optimizer} lr {lr:g}"
    )
    try:
        history = nn.fit(model, x_train, y_train, loss=loss, optimizer=optimizer,
                         epochs=args.epochs, batch_size=args.batch_size, X_test=x_test,
                         y_test=y_test, accuracy=setup.accuracy, progress=out.chatty,
                         seed=args.seed, compile=True)
    except (ArithmeticError, ValueError) as error:
        raise CommandError(f"training failed: {error}; try a smaller --lr") from None
    train_loss, train_accuracy = nn.evaluate(model, x_train, y_train, loss=loss,
                                             accuracy=setup.accuracy)
    test_loss, test_accuracy = nn.evaluate(model, x_test, y_test, loss=loss,
                                           accuracy=setup.accuracy)
    assert train_accuracy is not None and test_accuracy is not None  # every setup has one
    out.result(
        f"after {history.epochs} epochs, the trained model: loss {train_loss:.4f} (test "
        f"{test_loss:.4f}), train accuracy {train_accuracy:.1%}, test accuracy "
        f"{test_accuracy:.1%}"
    )
    if history.accuracy:
        out.detail(
            f"(the progress bar's loss {history.loss[-1]:.4f} and acc {history.accuracy[-1]:.1%} "
            "are the last epoch's means over its batches, each measured while the weights were "
            "still changing)"
        )

    folder = Path(args.out)
    files = [_save_model(model, folder / "model.json")]
    files.append(write_graph(draw_module(model), folder / "module.svg", "svg"))
    files.append(write_graph(draw_network(model), folder / "network.svg", "svg"))
    pictures, skipped = _plots(model, history, points, labels, setup, n_outputs, folder,
                               f"MLP {shape} on {args.dataset}")
    files += pictures
    if skipped:
        print(f"autograd-lite: plots skipped: {skipped}", file=sys.stderr)
    for path in files:
        out.detail(f"wrote {path}")
    out.emit({
        "dataset": args.dataset,
        "architecture": shape,
        "loss_name": loss,
        "epochs": history.epochs,
        "train_loss": train_loss,
        "test_loss": test_loss,
        "train_accuracy": train_accuracy,
        "test_accuracy": test_accuracy,
        "history": history.to_dict(),
        "files": [str(path) for path in files],
        "plots_skipped": skipped or None,
    })


def _save_model(model: nn.MLP, path: Path) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        nn.save(model, path)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}") from None
    except ValueError as error:
        raise CommandError(f"the trained model cannot be saved: {error}") from None
    return path


def _plots(model: nn.MLP, history: nn.History, points: list[list[float]], labels: list[Any],
           setup: LossSetup, n_outputs: int, folder: Path, title: str) -> tuple[list[Path], str]:
    """The history and decision-boundary PNGs, or why they were skipped (no matplotlib)."""
    try:
        from nn.plots import plot_decision_boundary, plot_history
    except ImportError as error:
        return [], str(error)
    history_path, boundary_path = folder / "history.png", folder / "decision_boundary.png"
    plot_history(history, history_path, title=title)
    if len(points[0]) != 2:
        return [history_path], ""
    score, threshold, shown = _score_function(model, n_outputs, setup, labels)
    plot_decision_boundary(score, points, shown, boundary_path, threshold=threshold,
                           title=title)
    return [history_path, boundary_path], ""


def _score_function(
    model: nn.MLP, n_outputs: int, setup: LossSetup, labels: Sequence[Any]
) -> tuple[Callable[[list[float]], Any], float, list[float]]:
    """What the boundary plot shades: the score (one output), the margin z1 - z0 (two classes)
    or every class's score (more: each region takes its predicted class's colour), with the
    threshold between classes and the labels to show."""
    if n_outputs == 1:
        return model, setup.threshold, [float(label) for label in labels]
    if n_outputs == 2:

        def margin(p: list[float]) -> Any:
            z0, z1 = model(p)
            return z1 - z0

        return margin, 0.0, [float(label) for label in labels]

    def class_scores(p: list[float]) -> Any:
        return model(p)

    return class_scores, 0.0, [float(label) for label in labels]


def add_parser(subparsers: Any, common: argparse.ArgumentParser) -> None:
    parser = subparsers.add_parser(
        "train",
        parents=[common],
        help="train an MLP on a synthetic data set and save the model and its pictures",
        description=(
            "Train an MLP on a small synthetic data set with a progress bar, then print the "
            "train and test accuracy and write to --out: model.json (for 'predict'), "
            "module.svg (the module view), network.svg (the network diagram), history.png "
            "(loss and accuracy per epoch) and "
            "decision_boundary.png. The plots need matplotlib (the plots extra); without it "
            "they are skipped and the rest is still written."
        ),
    )
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="moons",
                        help="the data (default moons)")
    parser.add_argument("--samples", type=positive_int, default=200,
                        help="number of points (default 200)")
    parser.add_argument("--noise", type=non_negative_float, default=None,
                        help="the data's noise (blobs: spread); default: the data set's own")
    parser.add_argument("--test-size", type=fraction, default=0.2,
                        help="share of points held out for testing (default 0.2)")
    parser.add_argument("--hidden", type=hidden_sizes, default=[16, 16], metavar="SIZES",
                        help="hidden layer sizes, e.g. 16,16 (the default)")
    parser.add_argument("--activation", choices=sorted(nn.ACTIVATIONS), default="relu",
                        help="hidden activation (default relu)")
    parser.add_argument("--loss", choices=sorted(LOSS_SETUPS), default=None,
                        help="default: max_margin for two classes, cross_entropy for more")
    parser.add_argument("--optimizer", choices=OPTIMIZERS, default="adam",
                        help="default adam")
    parser.add_argument("--lr", type=positive_float, default=None,
                        help="learning rate (default 0.01 for adam, 0.1 for sgd)")
    parser.add_argument("--epochs", type=positive_int, default=20, help="default 20")
    parser.add_argument("--batch-size", type=positive_int, default=16, help="default 16")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed for the data, the weights and the batches (default 0)")
    parser.add_argument("--out", default="out", metavar="DIR",
                        help="where to write the model and pictures (default out)")
    parser.set_defaults(handler=run)
