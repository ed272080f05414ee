"""What every subcommand shares: its error type, its three output modes and writing files."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any, TextIO

import graphviz


class CommandError(Exception):
    """A failure to report as one line (exit status 1); ``detail`` lines may follow it."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class UsageError(CommandError):
    """Options that contradict each other (exit status 2, like argparse's own usage errors)."""


class Reporter:
    """Prints a command's output in the mode asked for.

    Normal: everything. ``--quiet``: only the results (no tables, no bars, no "wrote" lines).
    ``--json``: nothing but one JSON object on standard output at the end.
    """

    def __init__(self, *, quiet: bool = False, json_output: bool = False,
                 stream: TextIO | None = None) -> None:
        self.quiet = quiet
        self.json_output = json_output
        self.stream = stream if stream is not None else sys.stdout

    @property
    def chatty(self) -> bool:
        """True when progress and explanations should be shown."""
        return not (self.quiet or self.json_output)

    def detail(self, text: str = "") -> None:
        """Explanations, tables and file lists: normal mode only."""
        if self.chatty:
            print(text, file=self.stream)

    def result(self, text: str) -> None:
        """The answer itself: normal and quiet modes."""
        if not self.json_output:
            print(text, file=self.stream)

    def emit(self, document: dict[str, Any]) -> None:
        """The JSON object, in JSON mode only."""
        if self.json_output:
            print(json.dumps(_strict_json(document), allow_nan=False), file=self.stream)


def json_number(x: float) -> float | str:
    """A float for JSON; infinities and NaN (which strict JSON lacks) as "inf", "-inf", "nan"."""
    return x if math.isfinite(x) else str(x)


def _strict_json(data: Any) -> Any:
    """``data`` with every non-finite float spelled as a string (see :func:`json_number`)."""
    if isinstance(data, float):
        return json_number(data)
    if isinstance(data, dict):
        return {key: _strict_json(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_strict_json(value) for value in data]
    return data


def write_bytes(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path``, creating its folder; a clear error when that fails."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as error:
        raise CommandError(f"cannot write {path}: {error.strerror or error}") from None
    return path


def graph_bytes(graph: graphviz.Digraph, fmt: str) -> bytes:
    """A Graphviz graph drawn as ``fmt`` (svg, png) by ``dot``, or its DOT source (dot)."""
    if fmt == "dot":
        return str(graph.source).encode("utf-8")
    try:
        return bytes(graph.pipe(format=fmt))
    except graphviz.ExecutableNotFound:
        raise CommandError(
            "Graphviz's 'dot' program is not installed, so no picture can be drawn; install "
            "graphviz (Debian/Ubuntu: sudo apt-get install graphviz), or write DOT source with "
            "--format dot"
        ) from None
    except graphviz.CalledProcessError as error:
        raise CommandError(f"Graphviz could not draw the picture: {error}") from None


def write_graph(graph: graphviz.Digraph, path: Path, fmt: str) -> Path:
    """Draw a Graphviz graph into ``path`` (see :func:`graph_bytes`)."""
    return write_bytes(path, graph_bytes(graph, fmt))


def write_all(files: list[tuple[Path, bytes]]) -> list[Path]:
    """Write files whose contents are all ready, so a failure to compute one writes none."""
    return [write_bytes(path, data) for path, data in files]
