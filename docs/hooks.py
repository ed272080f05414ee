"""MkDocs hooks: the pages that are generated from the project itself, at build time.

- ``index.md``, the guide: README.md, with its links pointed at the site's own pages.
- ``api/*.md``, the API reference: one ``::: name`` block (mkdocstrings) for every name in
  ``autograd_lite.__all__`` and ``nn.__all__`` (read when the site is built, so a new public name
  appears without anyone listing it), a page per public module among them and for the picture
  modules ``nn.views`` and ``nn.plots``.
- ``notebooks/*.ipynb``: the notebooks as ``make notebooks`` ran them (``out/notebooks/``, or the
  folder in ``AUTOGRAD_LITE_NOTEBOOKS``), rendered with their outputs by mkdocs-jupyter.
- ``benchmarks.md``: benchmarks/RESULTS.md.
- ``javascripts/``: MathJax, which typesets the formulas, and the iframe-worker shim, which runs
  the search from ``file://``, both from npm (``node_modules``): the site needs no network.

The navigation lists the generated notebooks and API pages in order.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import tempfile
import types
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
#: Browser assets from npm (package.json pins them) -> where the site serves them.
ASSETS = {
    NODE_MODULES / "mathjax" / "es5" / "tex-svg-full.js": "javascripts/mathjax/tex-svg-full.js",
    NODE_MODULES / "iframe-worker" / "shim" / "index.js": "javascripts/iframe-worker/shim.js",
}
PACKAGES = ("autograd_lite", "nn")
#: Public modules whose names are not re-exported at the top but belong in the reference.
EXTRA_MODULES = ("nn.views", "nn.plots", "autograd_lite.vectorized")
#: A repository file the README links to -> the site page that shows it.
README_LINKS = {"benchmarks/RESULTS.md": "benchmarks.md"}


def notebook_dir() -> Path:
    """Where the executed notebooks are: ``make notebooks`` writes them to out/notebooks/."""
    return Path(os.environ.get("AUTOGRAD_LITE_NOTEBOOKS", ROOT / "out" / "notebooks"))


def executed_notebooks() -> list[Path]:
    """The executed notebooks, in reading order; a clear error when there are none."""
    folder = notebook_dir()
    found = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
    stored = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    missing = [p.name for p in stored if not (folder / p.name).exists()]
    if missing:
        raise SystemExit(
            f"docs: the executed notebooks {missing} are not in {folder}: run `make notebooks` "
            "first (make docs does), or point AUTOGRAD_LITE_NOTEBOOKS at a folder holding them"
        )
    return found


def guide(readme: str) -> str:
    """README.md as the site's first page: links to repository files become links to pages,
    images are taken from the site's copy of docs/."""
    text = readme.replace("](docs/", "](")
    for source, page in README_LINKS.items():
        text = text.replace(f"]({source})", f"]({page})")
    return text


def benchmarks() -> str:
    """benchmarks/RESULTS.md, as it is."""
    return (ROOT / "benchmarks" / "RESULTS.md").read_text(encoding="utf-8")


def public_names(package: str) -> tuple[list[str], list[str]]:
    """(names, modules) of ``package.__all__``: the names to document on the package's page,
    and the public modules among them, each documented on its own page."""
    module = importlib.import_module(package)
    names, modules = [], []
    for name in module.__all__:
        if isinstance(getattr(module, name), types.ModuleType):
            modules.append(f"{package}.{name}")
        else:
            names.append(name)
    return names, modules


def api_pages() -> dict[str, str]:
    """``api/<module>.md`` -> its Markdown, for both packages and their public modules."""
    pages: dict[str, str] = {}
    extra = list(EXTRA_MODULES)
    for package in PACKAGES:
        names, modules = public_names(package)
        summary = importlib.import_module(package).__doc__ or ""
        first = summary.strip().split("\n\n")[0]
        blocks = "\n\n".join(f"::: {package}.{name}" for name in names)
        pages[f"api/{package}.md"] = (
            f"# `{package}`\n\n{first}\n\nEvery name in `{package}.__all__`"
            f"{' (modules on their own pages)' if modules else ''}.\n\n{blocks}\n"
        )
        extra = modules + [m for m in extra if m not in modules]
        for module in modules:
            pages[f"api/{module}.md"] = _module_page(module)
    for module in extra:
        if f"api/{module}.md" not in pages:
            pages[f"api/{module}.md"] = _module_page(module)
    listing = "\n".join(f"- [`{Path(path).stem}`]({Path(path).name})" for path in pages)
    pages["api/index.md"] = (
        "# API reference\n\nGenerated from the docstrings of every public name: "
        f"`autograd_lite.__all__`, `nn.__all__` and the public modules.\n\n{listing}\n"
    )
    return pages


def _module_page(module: str) -> str:
    return f"# `{module}`\n\n::: {module}\n    options:\n      show_root_heading: false\n"


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """The navigation's notebook and API sections, from what exists at build time."""
    notebooks = [f"notebooks/{path.name}" for path in executed_notebooks()]
    api: list[Any] = [{"Overview": "api/index.md"}]
    api += [path for path in api_pages() if path != "api/index.md"]
    nav: list[Any] = []
    for entry in config.nav or []:
        if isinstance(entry, dict) and "Notebooks" in entry:
            entry = {"Notebooks": notebooks}
        elif isinstance(entry, dict) and "API reference" in entry:
            entry = {"API reference": api}
        nav.append(entry)
    config.nav = nav
    return config


_STAGING = tempfile.TemporaryDirectory(prefix="autograd-lite-docs-")


def on_shutdown() -> None:
    _STAGING.cleanup()


@event_priority(100)  # before mkdocs-jupyter looks for notebooks among the files
def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated pages, the executed notebooks and MathJax to the site's files."""
    files.append(File.generated(config, "index.md",
                                content=guide((ROOT / "README.md").read_text(encoding="utf-8"))))
    files.append(File.generated(config, "benchmarks.md", content=benchmarks()))
    for path, text in api_pages().items():
        files.append(File.generated(config, path, content=text))
    # Real files under <staging>/notebooks/: mkdocs-jupyter's wrapper reads a file's path from
    # src_dir and src_uri, which a generated File lacks.
    staging = Path(_STAGING.name)
    (staging / "notebooks").mkdir(exist_ok=True)
    for path in executed_notebooks():
        shutil.copyfile(path, staging / "notebooks" / path.name)
        files.append(File(f"notebooks/{path.name}", src_dir=str(staging),
                          dest_dir=config.site_dir, use_directory_urls=False))
    for source, target in ASSETS.items():
        if not source.exists():
            raise SystemExit(f"docs: {source} is missing: run `make docs` (it runs npm ci)")
        files.append(File.generated(config, target, abs_src_path=str(source)))
    return files


#: nbconvert's MathJax 2 loader and configuration, which a notebook page would otherwise carry
#: (an empty <script src> and a MathJax.Hub call): the site's own MathJax 3 typesets the page.
_NBCONVERT_MATHJAX = re.compile(
    r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", flags=re.DOTALL
)


_ID = re.compile(r'\bid="([^"]+)"')


def on_page_content(html: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Notebook pages: drop nbconvert's MathJax 2 block, and point the table of contents at the
    headings' real ids and text (mkdocs-jupyter's contents leave out code in a heading:
    "`backward()` fills in" -> #fills-in..., while nbconvert's ids keep it)."""
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    ids = set(_ID.findall(html))
    headings = {
        match.group(1): re.sub(r"<[^>]+>", "", match.group(2)).strip()
        for match in re.finditer(r'<h[1-6] id="([^"]+)">(.*?)<a class="anchor-link"', html)
    }
    stack = list(page.toc.items)
    while stack:
        item = stack.pop()
        stack.extend(item.children)
        if item.id not in ids:
            found = [i for i in ids if i.endswith(f"-{item.id}") or i.startswith(f"{item.id}-")]
            if len(found) == 1:
                item.id = found[0]
                item.title = headings.get(found[0], item.title)
    return _NBCONVERT_MATHJAX.sub("", html)
