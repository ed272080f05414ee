"""The exported notebooks (``make notebooks``) read offline in chromium: every formula typeset
by the MathJax copy beside them, no request leaving the machine, no raw TeX on screen."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Browser

from tests.browser_offline import RAW_TEX, offline_visit, wait_for_mathjax
from tests.notebook_pages import NOTEBOOKS, Exported

#: Formulas in Markdown cells: $...$ or $$...$$ (a currency sign would need a backslash).
FORMULA = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", flags=re.DOTALL)


def formulas(path_name: str) -> int:
    notebook = nbformat.read(NOTEBOOKS[0].parent / path_name, as_version=4)
    return sum(len(FORMULA.findall(cell.source)) for cell in notebook.cells
               if cell.cell_type == "markdown")


def test_the_notebooks_have_formulas_to_typeset() -> None:
    assert sum(formulas(path.name) for path in NOTEBOOKS) >= 20


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_each_page_typesets_every_formula_offline(
    offline_browser: Browser, exported_notebooks: Exported, path: Path
) -> None:
    name, stem = path.name, path.stem
    assert name not in exported_notebooks.failures, exported_notebooks.failures.get(name)
    page = exported_notebooks.out / f"{stem}.html"
    html = page.read_text(encoding="utf-8")
    assert "require.js" not in html and "cdnjs" not in html and "mathjax/2." not in html
    with offline_visit(offline_browser, page) as visit:
        wait_for_mathjax(visit)
        assert visit.blocked == [], "the page reached for the network"
        assert all(url.startswith(("file:", "data:", "blob:")) for url in visit.requests)
        assert any(url.endswith("mathjax/tex-svg-full.js") for url in visit.requests)
        assert visit.errors == []
        typeset = visit.page.evaluate("document.querySelectorAll('mjx-container').length")
        errors = visit.page.evaluate("document.querySelectorAll('mjx-merror').length")
        assert errors == 0, "MathJax could not read a formula"
        assert typeset >= formulas(name)
        assert visit.raw_tex() == []


def test_raw_tex_is_seen_when_mathjax_is_missing(
    offline_browser: Browser, exported_notebooks: Exported, tmp_path: Path
) -> None:
    """The check above can fail: the same page without its MathJax copy shows raw TeX."""
    source = exported_notebooks.out / "02_worked_example.html"
    page = tmp_path / source.name
    page.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")  # no mathjax/ here
    with offline_visit(offline_browser, page) as visit:
        visit.page.wait_for_load_state("load")
        assert visit.raw_tex(), "raw TeX should show without MathJax"
        assert RAW_TEX.search(r"$\tfrac12$") and RAW_TEX.search(r"\partial E")
