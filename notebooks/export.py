"""Run every notebook in a real Jupyter kernel and export it, outputs and pictures included.

    python notebooks/export.py [--out DIR] [notebooks/01_values_and_graphs.ipynb ...]

Each notebook runs top to bottom in the ``python3`` kernel of this interpreter (ipykernel
installs it, so ``import autograd_lite`` works inside), from the notebooks' own folder. The kernel
talks to this process over local sockets (IPC), not TCP. The executed copy is written to
``out/notebooks/`` (or ``--out DIR``) twice: as HTML, with an ``index.html`` listing them, so a reader without
Jupyter can read them, and as ``.ipynb`` with its outputs, which the documentation site renders.
The ``.ipynb`` files in ``notebooks/`` themselves are left without outputs.

The pages work with no network: formulas are typeset by MathJax from a copy beside the pages
(``out/notebooks/mathjax/``, taken from the npm package that ``make notebooks`` installs), and
nothing is loaded from anywhere else.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from traitlets.config import Config

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = ROOT / "out" / "notebooks"
CELL_TIMEOUT = 120  # seconds per cell
#: The MathJax build the pages use: TeX in, SVG out, every TeX extension in one file (SVG needs
#: no font files). ``make notebooks`` installs it from npm (package.json pins the version).
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5" / "tex-svg-full.js"
MATHJAX_URL = "mathjax/tex-svg-full.js"  # relative to the pages
TEMPLATES = HERE / "templates"


def execute(path: Path) -> tuple[nbformat.NotebookNode, float]:
    """The notebook at ``path`` after running every cell, and the seconds it took.

    A cell that raises stops the run with ``nbclient.exceptions.CellExecutionError``.
    """
    notebook = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="autograd-lite-kernel-") as sockets:
        client = NotebookClient(
            notebook,
            config=kernel_config(Path(sockets)),
            kernel_name="python3",
            timeout=CELL_TIMEOUT,
            resources={"metadata": {"path": str(path.parent)}},
            coalesce_streams=True,  # a progress bar's redraws become its last state
        )
        start = time.perf_counter()
        client.execute()
    return notebook, time.perf_counter() - start


def kernel_config(sockets: Path) -> Config:
    """The kernel is reached through Unix sockets in ``sockets`` where the system has them:
    nothing listens on a network port, and the kernel has no reason to warn that its TCP traffic
    is unencrypted. (Elsewhere, Windows, it is TCP on the loopback address.)"""
    config = Config()
    if os.name == "posix":
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = str(sockets / "kernel")
    return config


def title(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The text of the first Markdown heading."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def exporter() -> HTMLExporter:
    """JupyterLab's HTML page, with MathJax from beside the page and no other script from
    elsewhere (``templates/offline``)."""
    return HTMLExporter(
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES)],
        mathjax_url=MATHJAX_URL,
    )


def copy_mathjax(out: Path) -> None:
    """Put MathJax beside the pages, or say how to install it."""
    if not MATHJAX.exists():
        raise SystemExit(
            f"MathJax is missing ({MATHJAX.relative_to(ROOT)}): run `make notebooks`, which "
            "installs it with npm (or run `npm ci` in the project folder)"
        )
    target = out / MATHJAX_URL
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(MATHJAX, target)


def export_one(path: Path, out: Path, html_exporter: HTMLExporter) -> tuple[str, str, float]:
    """Run one notebook; write it to ``out`` as HTML and as an executed ``.ipynb``.

    Returns the page's file name, its title and the seconds the run took.
    """
    notebook, seconds = execute(path)
    body, _ = html_exporter.from_notebook_node(notebook, resources={"metadata": {"name": path.stem}})
    target = out / f"{path.stem}.html"
    target.write_text(body, encoding="utf-8")
    nbformat.write(notebook, out / path.name)
    return target.name, title(notebook, path.stem), seconds


def write_index(out: Path, entries: list[tuple[str, str]]) -> Path:
    """``out/index.html``: a list of the pages, ``(file name, title)`` each, in order."""
    items = "\n".join(
        f'<li><a href="{html.escape(name)}">{html.escape(text)}</a></li>' for name, text in entries
    )
    index = (
        '<!doctype html>\n<html><head><meta charset="utf-8"><title>autograd-lite notebooks</title>'
        "</head>\n<body><h1>autograd-lite: the notebooks</h1>\n<ol>\n"
        f"{items}\n</ol></body></html>\n"
    )
    target = out / "index.html"
    target.write_text(index, encoding="utf-8")
    return target


def export(paths: list[Path], out: Path = OUT) -> None:
    """Run each notebook, write it to ``out`` as HTML and as an executed ``.ipynb``, and write
    ``out/index.html`` listing them, with MathJax beside them."""
    out.mkdir(parents=True, exist_ok=True)
    copy_mathjax(out)
    html_exporter = exporter()
    entries = []
    for path in paths:
        name, text, seconds = export_one(path, out, html_exporter)
        entries.append((name, text))
        print(f"{path.name}: ran in {seconds:.1f} s -> {out / name}")
    print(f"index: {write_index(out, entries)}")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="Run the notebooks and export them to HTML.")
    parser.add_argument("--out", type=Path, default=OUT, help=f"default {OUT.relative_to(ROOT)}")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebook")
    args = parser.parse_args(argv)
    given = [path.resolve() for path in args.notebooks]
    export(given or sorted(HERE.glob("[0-9][0-9]_*.ipynb")), args.out.resolve())


if __name__ == "__main__":
    main(sys.argv[1:])
