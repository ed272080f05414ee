"""Assemble the playground into a folder a static server can serve (``make playground``).

Run after ``npm ci --prefix playground`` (which installs the pinned Pyodide and @viz-js/viz
into playground/node_modules). It copies the page, the Pyodide files it loads, the Graphviz
WebAssembly build and the Python runner, builds the project's wheel and fetches its pure-Python
dependencies' wheels (pinned in playground/requirements.txt) with pip, and lists the wheels in
wheels/wheels.json for the worker. Nothing the page needs is left outside the folder.

Usage: ``python playground/build.py OUT_DIR``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MODULES = HERE / "node_modules"

#: The page's own files.
PAGE = (
    "index.html",
    "playground.js",
    "served.js",
    "playground.css",
    "python-worker.js",
    "graphviz-worker.js",
    "runner.py",
)
#: What Pyodide's loader fetches at start-up (the npm package also holds consoles and maps).
PYODIDE = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
#: The ES-module build of Graphviz in WebAssembly (its .wasm is inside the script).
VIZ = ("viz.js",)


def build(out: Path) -> None:
    """Write the playground into ``out`` (replacing what was there)."""
    if not (MODULES / "pyodide").is_dir() or not (MODULES / "@viz-js" / "viz").is_dir():
        sys.exit("playground/node_modules is missing: run `npm ci --prefix playground` first")
    if out.exists():
        shutil.rmtree(out)
    (out / "pyodide").mkdir(parents=True)
    (out / "viz").mkdir()
    (out / "wheels").mkdir()
    for name in PAGE:
        shutil.copy2(HERE / name, out / name)
    for name in PYODIDE:
        shutil.copy2(MODULES / "pyodide" / name, out / "pyodide" / name)
    for name in VIZ:
        shutil.copy2(MODULES / "@viz-js" / "viz" / "dist" / name, out / "viz" / name)
    wheels = out / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    with tempfile.TemporaryDirectory() as scratch:
        # The project's own wheel, built from a copy so no build/ or egg-info lands in the tree.
        source = Path(scratch) / "src"
        shutil.copytree(
            ROOT,
            source,
            ignore=shutil.ignore_patterns(
                ".git", ".venv", "node_modules", "site", "out", "build", "*.egg-info",
                "__pycache__", ".*_cache", ".hypothesis", "notebooks", "benchmarks", "tests",
            ),
        )
        subprocess.run([*pip, "wheel", "--no-deps", "-w", str(wheels), str(source)], check=True)
    subprocess.run(
        [*pip, "download", "--no-deps", "--only-binary=:all:", "-d", str(wheels),
         "-r", str(HERE / "requirements.txt")],
        check=True,
    )
    names = sorted(p.name for p in wheels.glob("*.whl"))
    (wheels / "wheels.json").write_text(json.dumps({"wheels": names}, indent=1) + "\n")
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"playground: {out} ({size / 1e6:.1f} MB, wheels: {', '.join(names)})")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    build(Path(sys.argv[1]))
