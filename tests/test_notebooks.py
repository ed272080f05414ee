"""The teaching notebooks: stored without outputs, and each runs top to bottom in a real kernel.

Each notebook is executed by nbclient in the ``python3`` kernel of this interpreter, exactly as
``make notebooks`` does (once per session, shared with the page and site tests: see
``tests/notebook_pages.py``); a cell that raises fails the test. The wall time is printed, not
asserted (speed is not a test); every notebook is meant to run in well under a minute.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tests.notebook_pages import NOTEBOOK_DIR, NOTEBOOKS, Exported, export_module

EXPECTED = [
    "01_values_and_graphs.ipynb",
    "02_worked_example.ipynb",
    "03_two_moons.ipynb",
    "04_vanishing_exploding.ipynb",
    "05_overfitting.ipynb",
    "06_why_backprop.ipynb",
    "07_beyond_first_derivatives.ipynb",
    "08_forward_vs_reverse.ipynb",
]


def test_the_notebooks_are_there_in_reading_order() -> None:
    present = [path.name for path in NOTEBOOKS]
    assert present == [name for name in EXPECTED if name in present]
    assert present, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_is_stored_clean_and_valid(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {index}: outputs are committed"
            assert cell.execution_count is None, f"{path.name} cell {index}: execution count"
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    first, last = notebook.cells[0], notebook.cells[-1]
    assert first.cell_type == "markdown" and first.source.startswith("# "), "starts with a title"
    assert last.cell_type == "markdown" and last.source.startswith("## Exercises"), (
        f"{path.name} must end with an Exercises cell"
    )
    exercises = [line for line in last.source.splitlines() if line[:2] in {"1.", "2.", "3."}]
    assert 2 <= len(exercises) <= 3, f"{path.name}: two or three exercises"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_a_real_kernel(path: Path, exported_notebooks: Exported) -> None:
    assert path.name not in exported_notebooks.failures, exported_notebooks.failures[path.name]
    print(f"{path.name}: {exported_notebooks.seconds[path.name]:.1f} s", file=sys.stderr)
    notebook = nbformat.read(exported_notebooks.out / path.name, as_version=4)
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    # Pictures arrive inline: graphs as SVG, matplotlib figures as PNG.
    kinds = {kind for o in outputs for kind in o.get("data", {})}
    assert kinds & {"image/svg+xml", "image/png"}, f"{path.name} shows no picture"


def test_the_kernel_is_this_interpreter_with_this_checkout(tmp_path: Path) -> None:
    probe = nbformat.v4.new_notebook()
    probe.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}
    probe.cells = [nbformat.v4.new_code_cell(
        "import sys, autograd_lite, nn\nprint(sys.prefix)\nprint(autograd_lite.__file__)"
    )]
    path = tmp_path / "probe.ipynb"
    nbformat.write(probe, path)
    notebook, _ = export_module().execute(path)
    prefix, engine = notebook.cells[0].outputs[0].text.split()
    assert Path(prefix).resolve() == Path(sys.prefix).resolve()
    assert Path(engine).resolve().parent == NOTEBOOK_DIR.parent / "autograd_lite"


def test_make_notebooks_prints_no_kernel_warning(tmp_path: Path) -> None:
    """The export talks to its kernel over Unix sockets: no unencrypted-TCP warning, nor any
    other line on standard error."""
    first = NOTEBOOKS[0]
    result = subprocess.run(
        [sys.executable, str(NOTEBOOK_DIR / "export.py"), "--out", str(tmp_path), str(first)],
        capture_output=True, text=True, timeout=600, check=False,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert f"{first.name}: ran in" in result.stdout
    assert (tmp_path / f"{first.stem}.html").exists() and (tmp_path / first.name).exists()
