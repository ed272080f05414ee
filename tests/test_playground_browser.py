"""The playground page in a real headless browser: Debian's chromium, driven by Playwright.

``make test`` builds site/playground (``make playground``). The test serves site/ on 127.0.0.1
as ``make serve-docs`` does, opens a shared address, and records every request the page and its
worker make: Python (Pyodide) and Graphviz run in WebAssembly from that server and nowhere else.
The expected numbers, captions and messages come from the same code run here under CPython.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from autograd_lite import backward_stepper
from autograd_lite.cli.expression import ExpressionError, parse
from autograd_lite.cli.main import main
from autograd_lite.drawing import format_number
from tests.browser_offline import launch

SITE = Path(__file__).resolve().parent.parent / "site"
#: Starting Python in WebAssembly takes seconds; on a busy 2-core machine, many.
START_MS = 180_000
SHARED = "playground/index.html?expr=tanh(x*w+b)&at=x=2,w=-3,b=6.88"


def _numbers(result: str) -> dict[str, float]:
    """``value = 0.70`` and ``df/dx = -1.5`` lines of the result panel, as numbers."""
    found = re.findall(r"^\s*(value|df/d\w+) = (\S+)$", result, flags=re.MULTILINE)
    return {name: float(number) for name, number in found}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    if not (SITE / "playground" / "index.html").exists():
        pytest.fail("site/playground is not built: run `make playground` (make test does)")
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch() as browser:
        yield browser


class Visit:
    """One page of the playground, with every request (page and worker) and error recorded."""

    def __init__(self, browser: Browser, url: str) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.page: Page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on(
            "console",
            lambda message: self.errors.append(message.text) if message.type == "error" else None,
        )
        self.page.goto(url)
        self.wait_until_done()

    def wait_until_done(self) -> None:
        self.page.wait_for_function(
            "() => ['done', 'error', 'failed'].includes(document.body.dataset.state)",
            timeout=START_MS,
        )
        assert self.page.evaluate("document.body.dataset.state") != "failed", self.status()

    def status(self) -> str:
        return self.page.inner_text("#status")

    def current(self) -> list[str]:
        ids: list[str] = self.page.eval_on_selector_all(
            "#graph g.node.current", "els => els.map(e => e.id)"
        )
        return ids

    def grad_text(self, node_id: str) -> str:
        text: str = self.page.evaluate(
            """id => Array.from(document.getElementById(id).querySelectorAll("text"))
                     .map(t => t.textContent).find(t => t.startsWith("grad "))""",
            node_id,
        )
        return text

    def edit(self, expression: str, at: str) -> None:
        self.page.fill("#expr", expression)
        self.page.fill("#at", at)
        self.page.press("#at", "Enter")
        self.page.wait_for_function(
            "() => document.body.dataset.state !== 'running'", timeout=START_MS
        )
        self.wait_until_done()


@pytest.fixture(scope="module")
def shared(browser: Browser, origin: str) -> Iterator[Visit]:
    visit = Visit(browser, f"{origin}/{SHARED}")
    yield visit
    visit.context.close()


def test_a_shared_address_fills_the_form_runs_and_draws(shared: Visit) -> None:
    page = shared.page
    assert page.input_value("#expr") == "tanh(x*w+b)"
    assert page.input_value("#at") == "x=2,w=-3,b=6.88"
    evaluation = parse("tanh(x*w+b)").evaluate({"x": 2.0, "w": -3.0, "b": 6.88})
    evaluation.root.backward()
    shown = _numbers(page.inner_text("#result"))
    # WebAssembly's libm may differ from the host's in the last bit of tanh, exp, ...
    assert shown["value"] == pytest.approx(evaluation.root.data, rel=1e-14)
    for name, value in evaluation.inputs.items():
        assert shown[f"df/d{name}"] == pytest.approx(value.grad, rel=1e-14)
    summary = page.eval_on_selector_all(
        "#summary tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))"
    )
    assert ["f", format_number(evaluation.root.data), ""] in summary
    for name, value in evaluation.inputs.items():
        assert [name, format_number(value.data), format_number(value.grad)] in summary
    assert page.locator("#graph svg g.node").count() > 0
    texts = page.eval_on_selector_all("#graph text", "els => els.map(e => e.textContent)")
    assert f"data {format_number(evaluation.root.data)}" in texts
    assert shared.errors == []


def test_arrow_keys_step_through_the_engines_frames(shared: Visit) -> None:
    page = shared.page
    evaluation = parse("tanh(x*w+b)").evaluate({"x": 2.0, "w": -3.0, "b": 6.88})
    evaluation.root.label = "f"
    stepper = backward_stepper(evaluation.root)
    frames = stepper.frames
    page.keyboard.press("Home")
    assert shared.current() == [frames[0].node_id]
    for k in range(1, len(frames)):
        page.keyboard.press("ArrowRight")
        assert shared.current() == [frames[k].node_id]
        assert page.inner_text("#caption") == stepper.caption(frames[k])
        assert page.inner_text("#counter") == f"step {k + 1} / {len(frames)}"
    w = next(f for f in frames if f.node is evaluation.inputs["w"])
    assert shared.grad_text(w.node_id) == f"grad {format_number(w.grad)}"  # gradient on screen
    page.keyboard.press("ArrowLeft")
    assert shared.current() == [frames[-2].node_id]
    assert shared.grad_text(frames[-1].node_id) == "grad ?"
    page.keyboard.press("ArrowLeft")
    assert shared.current() == [frames[-3].node_id]
    assert shared.errors == []


def test_explain_shows_the_command_lines_derivation_for_the_variable_picked(
    shared: Visit, capsys: pytest.CaptureFixture[str]
) -> None:
    page = shared.page
    assert page.eval_on_selector_all("#wrt option", "os => os.map(o => o.value)") == ["x", "w", "b"]
    assert main(["explain", "tanh(x*w+b)", "--at", "x=2,w=-3,b=6.88", "--wrt", "w"]) == 0
    expected = capsys.readouterr().out.rstrip("\n")
    page.select_option("#wrt", "w")
    page.wait_for_function(
        "() => document.getElementById('explain').textContent.startsWith('∂f/∂w')"
    )
    assert page.inner_text("#explain") == expected
    assert shared.errors == []


def test_bad_input_shows_the_command_lines_message_with_the_caret(shared: Visit) -> None:
    for expression, at in [("tanh(x*w+)", "x=2,w=-3"), ("x" + "+x" * 600, "x=1"),
                           ("log(x)", "x=-1")]:
        shared.edit(expression, at)
        with pytest.raises(ExpressionError) as caught:
            parse(expression).evaluate({"x": 2.0, "w": -3.0} if "w" in at else
                                       {"x": float(at.split("=")[1])})
        error = caught.value
        shown = shared.page.inner_text("#error")
        expected = f"error: {error}" + (f"\n{error.caret()}" if error.caret() else "")
        assert shown == expected
        if error.caret():
            lines = shown.split("\n")
            assert lines[2].index("^") == lines[1].index(expression) + error.column - 1  # type: ignore[operator]
    shared.edit("tanh(x*w+b)", "x=2,w=-3,b=6.88")  # and the page still works
    assert not shared.page.is_visible("#error")
    assert shared.errors == []


def test_a_slow_layout_never_holds_the_page(shared: Visit) -> None:
    """A graph Graphviz needs minutes for (two variables feeding 200 products) is laid out in
    a worker: the page keeps answering, shows the numbers, and the next expression replaces
    the layout at once."""
    page = shared.page
    tangled = "+".join(["(" + "*".join(["x", "y"] * 25) + ")"] * 4)
    page.fill("#expr", tangled)
    page.fill("#at", "x=1.001,y=0.999")
    page.press("#at", "Enter")
    page.wait_for_function("() => document.body.dataset.state === 'drawing'", timeout=START_MS)
    assert "laying out the graph" in page.inner_text("#graph")
    assert _numbers(page.inner_text("#result"))["df/dy"] > 0  # the numbers are already there
    shared.edit("x*y", "x=3,y=4")
    assert page.locator("#graph svg g.node").count() > 0
    assert "data 12" in page.eval_on_selector_all(
        "#graph text", "els => els.map(e => e.textContent)"
    )
    assert shared.errors == []


def test_editing_updates_the_address_and_the_address_round_trips(
    shared: Visit, browser: Browser, origin: str
) -> None:
    shared.edit("sigmoid(a*a) + a/2", "a=0.5")
    url = shared.page.url
    assert url == f"{origin}/playground/index.html?expr=sigmoid(a*a)%20+%20a/2&at=a=0.5"
    again = Visit(browser, url)
    try:
        assert again.page.input_value("#expr") == "sigmoid(a*a) + a/2"
        assert again.page.input_value("#at") == "a=0.5"
        assert again.page.inner_text("#result") == shared.page.inner_text("#result")
        assert all(request.startswith(origin + "/") for request in again.requests)
    finally:
        again.context.close()


def test_opened_as_a_file_it_says_to_use_make_serve_docs(browser: Browser) -> None:
    page_file = SITE / "playground" / "index.html"
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(page_file.as_uri() + "?expr=x*y&at=x=1,y=2")
        page.wait_for_function("() => document.body.dataset.state === 'failed'")
        message = page.inner_text("#error")
        assert "needs a web server" in message and "make serve-docs" in message
        assert "http://127.0.0.1:8000/playground/index.html?expr=x*y&at=x=1,y=2" in message
    finally:
        context.close()


def test_no_request_leaves_the_servers_origin(shared: Visit, origin: str) -> None:
    assert any(url.endswith("pyodide.asm.wasm") for url in shared.requests)  # the worker's too
    assert any(url.endswith(".whl") for url in shared.requests)
    outside = [url for url in shared.requests if not url.startswith(origin + "/")]
    assert outside == []
