"""The documentation site (``make docs``): built by MkDocs from this checkout, every internal
link resolves, every public name has its reference entry, and it reads offline in chromium,
search box included."""

from __future__ import annotations

import html.parser
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser

import autograd_lite
import nn
from tests.browser_offline import offline_visit, wait_for_mathjax
from tests.notebook_pages import NOTEBOOKS, Exported

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(exported_notebooks: Exported, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built as ``make docs`` builds it, from the session's executed notebooks."""
    target = tmp_path_factory.mktemp("site")
    env = {**os.environ, "AUTOGRAD_LITE_NOTEBOOKS": str(exported_notebooks.out),
           "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--site-dir", str(target)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False,
    )
    assert result.returncode == 0, result.stderr
    # make docs then builds its DOCS_PARTS into the site: the playground the guide links to.
    part = subprocess.run(
        [sys.executable, str(ROOT / "playground" / "build.py"), str(target / "playground")],
        cwd=ROOT, capture_output=True, text=True, timeout=900, check=False,
    )
    assert part.returncode == 0, part.stderr
    return target


class Links(html.parser.HTMLParser):
    """Every link (href, src) of a page and every id it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in {"href", "src"}:
                self.links.append((tag, name, value))
            if name in {"id", "name"}:
                self.ids.add(value)


def parse(page: Path) -> Links:
    links = Links()
    links.feed(page.read_text(encoding="utf-8"))
    return links


def pages(site: Path) -> Iterator[Path]:
    """The site's pages. Not 404.html, which a web server shows at any depth and so links with
    absolute paths; not the playground, whose own tests check it."""
    yield from sorted(p for p in site.rglob("*.html")
                      if "playground" not in p.parts and p.name != "404.html")


def test_the_site_has_the_guide_the_notebooks_the_reference_and_the_benchmarks(site: Path) -> None:
    assert "The two commands" in (site / "index.html").read_text(encoding="utf-8")
    for notebook in NOTEBOOKS:
        page = site / "notebooks" / f"{notebook.stem}.html"
        text = page.read_text(encoding="utf-8")
        assert "jp-OutputArea" in text, f"{page.name} shows no outputs"
    assert "W1" in (site / "benchmarks.html").read_text(encoding="utf-8")
    assert (site / "api" / "autograd_lite.html").exists() and (site / "api" / "nn.html").exists()
    assert (site / "javascripts" / "mathjax" / "tex-svg-full.js").exists()


def test_every_internal_link_resolves(site: Path) -> None:
    broken = []
    checked = 0
    cache: dict[Path, Links] = {}
    for page in pages(site):
        for tag, attribute, value in parse(page).links:
            parts = urlsplit(value)
            if parts.scheme in {"http", "https", "mailto"}:
                assert tag == "a", f"{page.relative_to(site)} loads {value} from the network"
                continue
            if parts.scheme in {"data", "javascript", "blob"}:
                continue
            assert not parts.scheme and not parts.netloc, value
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            checked += 1
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(site)}: {attribute}={value}")
                continue
            if parts.fragment and target.suffix == ".html":
                ids = cache.setdefault(target, parse(target)).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{page.relative_to(site)}: {value} (no such anchor)")
    assert checked > 500
    assert broken == []


def test_the_link_check_finds_a_broken_link(site: Path, tmp_path: Path) -> None:
    """The check above can fail: a page with a dead link and a dead anchor is caught."""
    page = site / "benchmarks.html"
    links = parse(page)
    links.feed('<a href="nowhere.html">x</a><a href="index.html#no-such-heading">y</a>')
    assert ("a", "href", "nowhere.html") in links.links
    assert not (page.parent / "nowhere.html").exists()
    assert "no-such-heading" not in parse(site / "index.html").ids


@pytest.mark.parametrize(
    ("package", "names"), [("autograd_lite", autograd_lite.__all__), ("nn", nn.__all__)]
)
def test_every_public_name_has_its_reference_entry(site: Path, package: str,
                                                   names: list[str]) -> None:
    ids: set[str] = set()
    for page in (site / "api").glob("*.html"):
        ids |= parse(page).ids
    missing = [name for name in names
               if f"{package}.{name}" not in ids]
    assert missing == [], f"no reference entry for {missing}"


def test_every_page_reads_offline(offline_browser: Browser, site: Path) -> None:
    """Each page from file://, every non-local request blocked: none is made, no script error,
    every formula typeset and no raw TeX on screen."""
    seen = 0
    for page in pages(site):
        with offline_visit(offline_browser, page) as visit:
            wait_for_mathjax(visit)
            where = page.relative_to(site)
            assert visit.blocked == [], f"{where} reached for the network"
            assert visit.errors == [], f"{where}: {visit.errors}"
            assert visit.page.evaluate("document.querySelectorAll('mjx-merror').length") == 0
            assert visit.raw_tex() == [], f"{where} shows raw TeX"
            seen += 1
    assert seen >= len(NOTEBOOKS) + 4


def test_a_notebook_page_typesets_its_formulas(offline_browser: Browser, site: Path) -> None:
    with offline_visit(offline_browser, site / "notebooks" / "02_worked_example.html") as visit:
        wait_for_mathjax(visit)
        assert visit.page.evaluate("document.querySelectorAll('mjx-container').length") >= 10


def test_the_search_box_finds_a_page_offline(offline_browser: Browser, site: Path) -> None:
    with offline_visit(offline_browser, site / "index.html") as visit:
        page = visit.page
        box = page.locator("input[data-md-component='search-query']")
        box.click()
        box.press_sequentially("hessian")
        page.wait_for_selector(".md-search-result__item", timeout=30_000)
        results = page.eval_on_selector_all(
            ".md-search-result__item a", "links => links.map(a => a.getAttribute('href'))")
        assert any("#derivatives-as-functions" in link for link in results)
        assert any("07_beyond_first_derivatives.html" in link for link in results)
        assert visit.blocked == [] and visit.errors == []
