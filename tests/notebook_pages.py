"""The teaching notebooks run once per test session and exported as ``make notebooks`` does.

Several tests need executed notebooks: the notebook tests (each must run in a real kernel), the
offline pages in the browser and the documentation site, which renders them with their outputs.
Running the seven notebooks is the slow part, so it happens once, here, and each notebook's
failure is kept for its own test instead of stopping the others.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def export_module() -> ModuleType:
    """``notebooks/export.py``, the script ``make notebooks`` runs, as a module."""
    spec = importlib.util.spec_from_file_location("notebook_export", NOTEBOOK_DIR / "export.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Exported:
    """``out``: the folder ``make notebooks`` would write; ``failures``: notebook -> its error."""

    out: Path
    seconds: dict[str, float] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


def export_all(out: Path) -> Exported:
    """Run and export every notebook into ``out``, as ``notebooks/export.py`` does."""
    export = export_module()
    result = Exported(out)
    out.mkdir(parents=True, exist_ok=True)
    export.copy_mathjax(out)
    html_exporter = export.exporter()
    entries = []
    for path in NOTEBOOKS:
        try:
            name, title, seconds = export.export_one(path, out, html_exporter)
        except Exception as error:  # reported by the notebook's own test
            result.failures[path.name] = f"{type(error).__name__}: {error}"
            continue
        entries.append((name, title))
        result.seconds[path.name] = seconds
    export.write_index(out, entries)
    return result
