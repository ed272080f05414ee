"""Cold start of the playground in headless Chromium, and the size of what it serves.

Builds nothing: run ``make playground`` (or ``make docs``) first. Serves site/ on 127.0.0.1,
opens the shared address ``ROUNDS`` times, each in a fresh browser context (empty cache, so
Pyodide, the standard library and Graphviz are fetched and compiled every time), and reports
the median time from navigation to the first result on screen (the value and gradients) and to
the first graph (laid out by Graphviz in WebAssembly), as the page itself records them.

Usage: ``.venv/bin/python benchmarks/playground_start.py [ROUNDS]``.
"""

from __future__ import annotations

import functools
import http.server
import statistics
import sys
import threading
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

SITE = Path(__file__).resolve().parent.parent / "site"
ADDRESS = "playground/index.html?expr=tanh(x*w+b)&at=x=2,w=-3,b=6.88"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def folder_bytes(folder: Path) -> int:
    """The bytes of every file under ``folder``."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(rounds: int) -> None:
    if not (SITE / "playground" / "index.html").exists():
        sys.exit("site/playground is missing: run `make playground` first")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/{ADDRESS}"
    results, graphs = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=FLAGS
        )
        for _ in range(rounds):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("() => document.body.dataset.firstGraphMs", timeout=300_000)
            results.append(int(page.evaluate("document.body.dataset.firstResultMs")))
            graphs.append(int(page.evaluate("document.body.dataset.firstGraphMs")))
            context.close()
        browser.close()
    server.shutdown()
    print(f"cold start, {rounds} fresh contexts (ms): first result {results}, first graph {graphs}")
    print(f"median: first result {statistics.median(results) / 1000:.2f} s, "
          f"first graph {statistics.median(graphs) / 1000:.2f} s")
    print(f"site/playground: {folder_bytes(SITE / 'playground') / 1e6:.1f} MB; "
          f"site/ in all: {folder_bytes(SITE) / 1e6:.1f} MB")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
