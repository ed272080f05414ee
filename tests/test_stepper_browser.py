"""The stepper's page in a real headless browser: Debian's chromium, driven by Playwright.

Nothing downloads a browser: Playwright is pointed at /usr/bin/chromium (``make test`` installs
it). The page is loaded from a file, every request the browser makes is recorded, and the tests
press the buttons and keys a student would.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from autograd_lite import Value, backward_stepper
from autograd_lite.drawing import format_number
from autograd_lite.stepper import BackwardStepper
from tests.stand_ins import seed_loss, seed_network

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


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield browser
        browser.close()


class Session:
    """A page showing one saved stepper, with every request and script error recorded."""

    def __init__(self, browser: Browser, stepper: BackwardStepper, path: Path) -> None:
        self.stepper = stepper
        self.url = stepper.save(path).resolve().as_uri()
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
        self.page.goto(self.url)
        self.page.wait_for_function("() => document.body.dataset.step === '0'")

    def current(self) -> list[str]:
        ids: list[str] = self.page.eval_on_selector_all(
            "g.node.current", "els => els.map(e => e.id)"
        )
        return ids

    def step(self) -> int:
        return int(self.page.evaluate("document.body.dataset.step"))

    def grad_text(self, node_id: str) -> str:
        text: str = self.page.evaluate(
            """id => Array.from(document.getElementById(id).querySelectorAll("text"))
                     .map(t => t.textContent).find(t => t.startsWith("grad "))""",
            node_id,
        )
        return text

    def classes(self, element_id: str) -> list[str]:
        classes: list[str] = self.page.evaluate(
            "id => Array.from(document.getElementById(id).classList)", element_id
        )
        return classes


@pytest.fixture()
def seed_session(browser: Browser, tmp_path: Path) -> Iterator[Session]:
    session = Session(browser, backward_stepper(seed_loss(seed_network())), tmp_path / "s.html")
    yield session
    session.context.close()


def test_next_moves_the_highlight_through_the_engines_order(seed_session: Session) -> None:
    s = seed_session
    frames = s.stepper.frames
    assert s.current() == [frames[0].node_id]
    for k in range(1, len(frames)):
        s.page.click("#next")
        assert s.current() == [frames[k].node_id]
        assert s.step() == k
    s.page.click("#next")  # past the end it stays on the last frame
    assert s.current() == [frames[-1].node_id]
    assert s.errors == []


def test_each_frame_shows_completed_grads_and_the_flow_into_the_node(seed_session: Session) -> None:
    s = seed_session
    frames = s.stepper.frames
    k = 6
    for _ in range(k):
        s.page.keyboard.press("ArrowRight")
    assert s.current() == [frames[k].node_id]
    for i, frame in enumerate(frames):
        expected = f"grad {format_number(frame.grad)}" if i <= k else "grad ?"
        assert s.grad_text(frame.node_id) == expected
    frame = frames[k]
    assert frame.terms
    for term in frame.terms:
        consumer = s.stepper.node_id(term.consumer)
        assert "upstream" in s.classes(consumer)
        assert "flow" in s.classes(f"e{consumer[1:]}_{term.operand_index}")
        assert "flow" in s.classes(f"op{consumer[1:]}")
    caption = s.page.inner_text("#caption")
    assert caption.endswith(f"= {format_number(frame.grad)}")
    for term in frame.terms:
        assert f"{format_number(term.local_grad)} × {format_number(term.upstream_grad)}" in caption
    assert s.page.inner_text("#counter") == f"step {k + 1} / {len(frames)}"


def test_previous_keys_slider_and_play(seed_session: Session) -> None:
    s = seed_session
    frames = s.stepper.frames
    s.page.keyboard.press("End")
    assert s.current() == [frames[-1].node_id]
    s.page.click("#prev")
    assert s.current() == [frames[-2].node_id]
    s.page.keyboard.press("ArrowLeft")
    assert s.current() == [frames[-3].node_id]
    s.page.keyboard.press("Home")
    assert s.current() == [frames[0].node_id]
    s.page.eval_on_selector(
        "#slider", "el => { el.value = '9'; el.dispatchEvent(new Event('input')); }"
    )
    assert s.current() == [frames[9].node_id]
    s.page.click("#play")
    s.page.wait_for_function("() => Number(document.body.dataset.step) >= 11", timeout=15_000)
    s.page.click("#play")  # pause
    paused_at = s.step()
    s.page.wait_for_timeout(1500)
    assert s.step() == paused_at
    assert s.current() == [frames[paused_at].node_id]


def test_the_page_makes_no_network_request(seed_session: Session) -> None:
    s = seed_session
    s.page.click("#play")
    s.page.wait_for_function("() => Number(document.body.dataset.step) >= 2", timeout=15_000)
    s.page.keyboard.press("End")
    assert s.requests == [s.url]  # the page itself, from disk, and nothing else
    assert s.errors == []


def test_hostile_labels_show_literally_and_break_nothing(browser: Browser, tmp_path: Path) -> None:
    label = '</script><script>document.title="owned"</script> & "q" {x|y} \\N\nnéé 😀'
    a = Value(1.5, label=label)
    b = (a * 2.0).tanh()
    b.label = "{{frames}}"
    session = Session(browser, backward_stepper(b), tmp_path / "h.html")
    try:
        page: Any = session.page
        assert page.title() == "Backward pass, step by step"
        page.keyboard.press("End")
        caption = page.inner_text("#caption")
        assert caption.startswith('grad(</script><script>document.title="owned"</script>')
        texts = page.eval_on_selector_all("g.node text", "els => els.map(e => e.textContent)")
        assert '</script><script>document.title="owned"</script> & "q" {x|y} \\N' in texts
        assert "néé 😀" in texts and "{{frames}}" in texts
        assert session.errors == []
        assert session.requests == [session.url]
    finally:
        session.context.close()


def test_the_notebook_view_works_inside_its_sandboxed_frame(
    browser: Browser, tmp_path: Path
) -> None:
    stepper = backward_stepper(seed_loss(seed_network()))
    host = tmp_path / "notebook.html"
    host.write_text(f"<!DOCTYPE html><html><body>{stepper._repr_html_()}</body></html>",
                    encoding="utf-8")
    context = browser.new_context()
    requests: list[str] = []
    errors: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(host.resolve().as_uri())
        frame = page.frame_locator("iframe")
        frame.locator("#next").click()
        frame.locator("#next").click()
        current = frame.locator("g.node.current")
        assert current.get_attribute("id") == stepper.frames[2].node_id
        assert frame.locator("#counter").inner_text() == f"step 3 / {len(stepper.frames)}"
        assert requests == [host.resolve().as_uri()]
        assert errors == []
    finally:
        context.close()
