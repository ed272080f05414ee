"""Pages opened in Debian's chromium (through Playwright) as an offline reader would.

Every request that is not for a local file is blocked and recorded, so a page that reaches for
the network fails its test instead of quietly working on a connected machine. Typeset formulas
are checked from what the reader sees: MathJax's containers in place, and no TeX left in the
visible text.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL = ("file:", "data:", "blob:", "about:")

#: TeX that would show if MathJax had not typeset a formula: a $...$ pair around TeX, a
#: \( \) or \[ \] pair, or a control word such as \frac, \partial, \sum.
RAW_TEX = re.compile(
    r"\$[^$\n]*\\[A-Za-z]+[^$\n]*\$|\$[^$\s][^$\n]*[_^][^$\n]*\$|\\\(|\\\[|"
    r"\\(?:frac|tfrac|dfrac|partial|sum|prod|sqrt|cdot|times|mathrm|text|left|right|eta|sigma"
    r"|alpha|beta|delta|nabla|operatorname|begin|end)\b"
)

#: Visible text outside formulas, code and outputs: where raw TeX would be a bug.
VISIBLE_TEXT = """() => {
  const skip = "mjx-container, pre, code, script, style, svg, .jp-OutputArea, .jp-CodeCell";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const element = node.parentElement;
    if (!element || element.closest(skip)) continue;
    const style = getComputedStyle(element);
    if (style.display === "none" || style.visibility === "hidden") continue;
    if (element.offsetParent === null && style.position !== "fixed") continue;
    parts.push(node.textContent);
  }
  return parts.join(" ");
}"""


@dataclass
class Visit:
    """One page load: the page, every request and every script error it caused."""

    page: Page
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def visible_text(self) -> str:
        text: str = self.page.evaluate(VISIBLE_TEXT)
        return text

    def raw_tex(self) -> list[str]:
        return RAW_TEX.findall(self.visible_text())


@contextmanager
def launch() -> Iterator[Browser]:
    """Debian's chromium, headless (the ``offline_browser`` fixture of conftest.py)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


@contextmanager
def offline_visit(browser: Browser, path: Path, width: int = 1280) -> Iterator[Visit]:
    """Open ``path`` from ``file://`` with every non-local request blocked and recorded."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    visit = Visit(page)

    def route(route: Route) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            visit.blocked.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", route)
    context.on("request", lambda request: visit.requests.append(request.url))
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    page.on("console",
            lambda message: visit.errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(path.resolve().as_uri())
        yield visit
    finally:
        context.close()


def wait_for_mathjax(visit: Visit) -> None:
    """Until MathJax has typeset the page (the pages mark ``data-mathjax="typeset"``)."""
    visit.page.wait_for_function("() => document.body.dataset.mathjax === 'typeset'",
                                 timeout=60_000)
