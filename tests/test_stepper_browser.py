"""The stepper's page in a real headless browser: Debian's chromium, driven by Playwright.

Nothing downloads a browser: Playwright is pointed at /usr/bin/chromium (``make test`` installs
it). The page is loaded from a file, every request the browser makes is recorded, and the tests
press the buttons and keys a student would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from autograd_lite import Value, backward_stepper
from autograd_lite.drawing import format_number
from autograd_lite.naming import decimal, signed
from autograd_lite.stepper import BackwardStepper
from tests.browser_offline import launch
from tests.stand_ins import seed_loss, seed_network


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with launch() as browser:
        yield browser


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
    assert caption == s.stepper.caption(frame)
    assert caption.endswith(f"= {decimal(frame.grad)}")
    for term in frame.terms:
        local, upstream = signed(decimal(term.local_grad)), signed(decimal(term.upstream_grad))
        assert f"{local} × {upstream}" in caption
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
        assert caption.startswith(
            '∂({{frames}})/∂(</script><script>document.title="owned"</script>'
        )
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


# --- always in view: the current node is inside the visible area at every step ----------------

IN_VIEW = """() => {
  const node = document.querySelector("g.node.current").getBoundingClientRect();
  const graph = document.getElementById("graph").getBoundingClientRect();
  const inGraph = node.left >= graph.left && node.right <= graph.right &&
                  node.top >= graph.top && node.bottom <= graph.bottom;
  const inWindow = node.left >= 0 && node.top >= 0 &&
                   node.right <= window.innerWidth && node.bottom <= window.innerHeight;
  return {inGraph, inWindow, width: node.width, step: Number(document.body.dataset.step),
          zoom: Number(document.body.dataset.zoom)};
}"""


def mlp_sample_loss() -> Value:
    """One sample through an MLP 3-6-6-1 and its squared error: about a hundred gradients."""
    import nn

    model = nn.MLP(3, [6, 6, 1], activation="tanh", seed=3)
    out = model([0.5, -1.0, 2.0])
    loss = (out - 1.0) ** 2
    loss.label = "loss"
    return loss


def worked_example_total() -> Value:
    from nn.worked_example import first_pass

    return first_pass()[1]


GRAPHS = {
    "2-2-2": lambda: backward_stepper(seed_loss(seed_network())),
    "worked example": lambda: backward_stepper(worked_example_total(), hide_constants=True),
    "MLP 3-6-6-1": lambda: backward_stepper(mlp_sample_loss()),
}


def walk_every_step(frame: Any, frames: int) -> list[dict[str, Any]]:
    """Click Next through every step (in the page, one click a step, as a student would);
    where the current node was at each step."""
    seen: list[dict[str, Any]] = frame.evaluate(
        f"""() => {{
          const where = {IN_VIEW};
          const seen = [where()];
          for (let i = 1; i < {frames}; i++) {{
            document.getElementById("next").click();
            seen.push(where());
          }}
          return seen;
        }}"""
    )
    return seen


@pytest.mark.parametrize("size", [(1400, 900), (1000, 700)])
@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_the_current_node_is_in_view_at_every_step(
    browser: Browser, tmp_path: Path, graph: str, size: tuple[int, int]
) -> None:
    stepper = GRAPHS[graph]()
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(stepper.save(tmp_path / "s.html").resolve().as_uri())
        page.wait_for_function("() => document.body.dataset.step === '0'")
        seen = walk_every_step(page, len(stepper.frames))
        assert [s["step"] for s in seen] == list(range(len(stepper.frames)))
        hidden = [s["step"] for s in seen if not (s["inGraph"] and s["inWindow"])]
        assert hidden == [], f"{graph} at {size}: the current node is out of view at {hidden}"
        assert all(s["width"] > 0 for s in seen)
        assert min(s["zoom"] for s in seen) >= 0.5  # readable, not shrunk to a speck
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("graph", ["2-2-2", "MLP 3-6-6-1"])
def test_in_view_inside_the_notebook_frame(browser: Browser, tmp_path: Path, graph: str) -> None:
    stepper = GRAPHS[graph]()
    host = tmp_path / "notebook.html"
    host.write_text(
        "<!DOCTYPE html><html><body style='margin:0'><div style='width:900px'>"
        f"<p>a notebook cell</p>{stepper._repr_html_()}</div></body></html>",
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()
    try:
        page.goto(host.resolve().as_uri())
        inner = page.frames[1]
        inner.wait_for_function("() => document.body.dataset.step === '0'")
        box = page.locator("iframe").bounding_box()
        assert box is not None and box["y"] + box["height"] <= 800  # the frame fits the page
        seen = walk_every_step(inner, len(stepper.frames))
        hidden = [s["step"] for s in seen if not (s["inGraph"] and s["inWindow"])]
        assert hidden == [], f"{graph} in the notebook frame: out of view at steps {hidden}"
    finally:
        context.close()


def test_fit_pan_and_zoom(browser: Browser, tmp_path: Path) -> None:
    stepper = GRAPHS["MLP 3-6-6-1"]()
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    try:
        page.goto(stepper.save(tmp_path / "s.html").resolve().as_uri())
        page.wait_for_function("() => document.body.dataset.step === '0'")
        whole = """() => {
          const drawing = document.getElementById("viewport").getBoundingClientRect();
          const graph = document.getElementById("graph").getBoundingClientRect();
          return drawing.left >= graph.left && drawing.right <= graph.right + 0.5 &&
                 drawing.top >= graph.top && drawing.bottom <= graph.bottom + 0.5;
        }"""
        assert not page.evaluate(whole)  # too large to read whole: it opens at a readable zoom
        page.click("#fit")
        assert page.evaluate(whole)
        fitted = float(page.evaluate("document.body.dataset.zoom"))
        page.click("#zoom-in")
        assert float(page.evaluate("document.body.dataset.zoom")) == pytest.approx(fitted * 1.25)
        page.keyboard.press("-")
        assert float(page.evaluate("document.body.dataset.zoom")) == pytest.approx(fitted)
        before = page.locator("#viewport").bounding_box()
        graph = page.locator("#graph").bounding_box()
        assert before is not None and graph is not None
        page.mouse.move(graph["x"] + 200, graph["y"] + 100)
        page.mouse.down()
        page.mouse.move(graph["x"] + 260, graph["y"] + 140, steps=4)
        page.mouse.up()
        after = page.locator("#viewport").bounding_box()
        assert after is not None
        assert (after["x"] - before["x"], after["y"] - before["y"]) == pytest.approx((60, 40))
        page.keyboard.press("End")  # a step brings its node back into view after panning
        assert page.evaluate(IN_VIEW)["inGraph"]
    finally:
        context.close()


def test_a_frame_first_seen_below_the_fold_opens_readable(browser: Browser, tmp_path: Path) -> None:
    """A notebook's stepper far down the page is laid out late: it must still open readable."""
    stepper = GRAPHS["worked example"]()
    host = tmp_path / "long_notebook.html"
    host.write_text(
        "<!DOCTYPE html><html><body><div style='height:3000px'>earlier cells</div>"
        f"{stepper._repr_html_()}<div style='height:2000px'></div></body></html>",
        encoding="utf-8",
    )
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    try:
        page.goto(host.resolve().as_uri())
        page.wait_for_timeout(300)
        page.locator("iframe").scroll_into_view_if_needed()
        inner = page.frames[1]
        inner.wait_for_function("() => document.body.dataset.step === '0'")
        page.wait_for_timeout(300)
        seen = walk_every_step(inner, len(stepper.frames))
        assert min(s["zoom"] for s in seen) >= 0.5, [s["zoom"] for s in seen]
        assert all(s["inGraph"] and s["inWindow"] for s in seen)
    finally:
        context.close()
