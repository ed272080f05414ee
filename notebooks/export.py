"""Run every notebook in a real Jupyter kernel and export it, outputs and pictures included.

    python notebooks/export.py [notebooks/01_values_and_graphs.ipynb ...]

Each notebook runs top to bottom in the ``python3`` kernel of this interpreter (ipykernel
installs it, so ``import autograd_lite`` works inside), from the notebooks' own folder. The
executed copy is written as HTML to ``out/notebooks/`` with an ``index.html`` listing them, so a
reader without Jupyter can read them. The ``.ipynb`` files themselves are left without outputs.
"""

from __future__ import annotations

import html
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "notebooks"
CELL_TIMEOUT = 120  # seconds per cell


def execute(path: Path) -> tuple[nbformat.NotebookNode, float]:
    """The notebook at ``path`` after running every cell, and the seconds it took.

    A cell that raises stops the run with ``nbclient.exceptions.CellExecutionError``.
    """
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        coalesce_streams=True,  # a progress bar's redraws become its last state
    )
    start = time.perf_counter()
    client.execute()
    return notebook, time.perf_counter() - start


def title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the first Markdown heading."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def export(paths: list[Path]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    exporter = HTMLExporter()
    entries = []
    for path in paths:
        notebook, seconds = execute(path)
        body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": path.stem}})
        target = OUT / f"{path.stem}.html"
        target.write_text(body, encoding="utf-8")
        entries.append((target.name, title(notebook, path.stem)))
        print(f"{path.name}: ran in {seconds:.1f} s -> {target}")
    items = "\n".join(
        f'<li><a href="{html.escape(name)}">{html.escape(text)}</a></li>' for name, text in entries
    )
    index = (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>autograd-lite notebooks</title>'
        "</head>\n<body><h1>autograd-lite: the notebooks</h1>\n<ol>\n"
        f"{items}\n</ol></body></html>\n"
    )
    (OUT / "index.html").write_text(index, encoding="utf-8")
    print(f"index: {OUT / 'index.html'}")


if __name__ == "__main__":
    given = [Path(arg).resolve() for arg in sys.argv[1:]]
    export(given or sorted(HERE.glob("[0-9][0-9]_*.ipynb")))
