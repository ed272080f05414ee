// The playground page: the form and its address, the two workers (Python running autograd_lite,
// Graphviz laying out its graph), and the backward stepper's controls over that graph (the same
// ids, classes and keys as the page `backward_stepper(...).save(...)` writes).
"use strict";

const DEFAULT = { expr: "tanh(x*w + b)", at: "x=2, w=-3, b=6.88" };

const $ = (id) => document.getElementById(id);
const exprField = $("expr");
const atField = $("at");
const slider = $("slider");
const playButton = $("play");

// --- the address: ?expr=...&at=... (a literal "+" is a plus, never a space) ------------------

function readAddress() {
  const found = {};
  for (const part of location.search.replace(/^\?/, "").split("&")) {
    if (!part) continue;
    const cut = part.indexOf("=");
    const key = cut < 0 ? part : part.slice(0, cut);
    try {
      found[decodeURIComponent(key)] = cut < 0 ? "" : decodeURIComponent(part.slice(cut + 1));
    } catch {
      found[key] = part.slice(cut + 1); // a malformed %-escape: take the text as written
    }
  }
  return found;
}

function encode(text) {
  return encodeURIComponent(text)
    .replace(/%2B/g, "+").replace(/%2C/g, ",").replace(/%3D/g, "=").replace(/%2F/g, "/");
}

function writeAddress() {
  const query = `?expr=${encode(exprField.value)}&at=${encode(atField.value)}`;
  history.replaceState(null, "", location.pathname + query + location.hash);
}

// --- the workers: Python (autograd_lite) and Graphviz, each stoppable ----------------------

const PYTHON_LIMIT_MS = 30000; // a run that takes longer is stopped and Python restarted
const LAYOUT_LIMIT_MS = 20000; // a layout that takes longer is stopped; the numbers stay
const MIN_FIT_SCALE = 0.6; // a graph that would be shrunk more opens at full size, scrollable

let python = null;
let ready = false;
let nextId = 0;
let pending = null; // the Python run in flight: {id, timer}
let queued = null; // the latest run asked for while one was in flight
let graphviz = null;
let drawing = null; // the layout in flight: {id, timer, answer}
let firstShown = false;

function startPython() {
  ready = false;
  document.body.dataset.state = "loading";
  $("status").textContent = "loading Python (Pyodide)…";
  python = new Worker(new URL("./python-worker.js", import.meta.url), { type: "module" });
  python.onmessage = (event) => fromPython(event.data);
  python.onerror = (event) => fatal(event.message || "the Python worker failed to start");
}

function startGraphviz() {
  graphviz = new Worker(new URL("./graphviz-worker.js", import.meta.url), { type: "module" });
  graphviz.onmessage = (event) => fromGraphviz(event.data);
}

function fatal(text) {
  $("status").textContent = "Python could not start: " + text;
  document.body.dataset.state = "failed";
}

function fromPython(message) {
  if (message.type === "status") {
    $("status").textContent = message.text;
  } else if (message.type === "fatal") {
    fatal(message.text);
  } else if (message.type === "ready") {
    ready = true;
    $("status").textContent = `autograd_lite ${message.version} on Python ${message.python} ` +
      `in this browser (started in ${message.seconds.toFixed(1)} s)`;
    $("operators").textContent = message.language.operators;
    $("functions").textContent = message.language.functions.join(" ");
    if (queued) send(queued);
  } else if (message.type === "run" && pending && message.id === pending.id) {
    clearTimeout(pending.timer);
    pending = null;
    if (queued) send(queued); // the form changed meanwhile: this answer is stale
    else showAnswer(message.answer);
  } else if (message.type === "explain") {
    const answer = message.answer;
    $("explain").textContent = answer.error ? (answer.error.message || answer.error) : answer.text;
  }
}

function send(request) {
  queued = null;
  if (!ready || pending) { queued = request; return; }
  const id = ++nextId;
  const timer = setTimeout(() => {
    pending = null;
    python.terminate();
    showError({ message: `Python gave no answer within ${PYTHON_LIMIT_MS / 1000} s and was ` +
                         "stopped; it is starting again", caret: "" });
    startPython();
  }, PYTHON_LIMIT_MS);
  pending = { id, timer };
  document.body.dataset.state = "running";
  python.postMessage({ ...request, id });
}

function run() {
  send({ type: "run", expr: exprField.value, at: atField.value });
}

function cancelDrawing() {
  if (!drawing) return;
  clearTimeout(drawing.timer);
  drawing = null;
  graphviz.terminate();
  startGraphviz();
}

function draw(answer) {
  cancelDrawing(); // a newer graph replaces one still being laid out
  const id = ++nextId;
  const timer = setTimeout(() => {
    drawing = null;
    graphviz.terminate();
    startGraphviz();
    $("graph").replaceChildren(note(`Graphviz did not finish laying out this graph of ` +
      `${answer.nodes} values within ${LAYOUT_LIMIT_MS / 1000} s, so it was stopped; the ` +
      "value and gradients above are complete. (Layout takes longest when a few variables " +
      "feed many operations.)"));
    $("caption").textContent = "";
    $("counter").textContent = "";
    document.body.dataset.state = "done";
  }, LAYOUT_LIMIT_MS);
  drawing = { id, timer, answer };
  $("graph").replaceChildren(note(`laying out the graph (${answer.nodes} values)…`));
  document.body.dataset.state = "drawing";
  graphviz.postMessage({ id, dot: answer.dot });
}

function fromGraphviz(message) {
  if (!drawing || message.id !== drawing.id) return;
  clearTimeout(drawing.timer);
  const answer = drawing.answer;
  drawing = null;
  if (message.error) {
    $("graph").replaceChildren(note("Graphviz could not draw the graph: " + message.error));
  } else {
    showGraph(answer, message.svg);
  }
  document.body.dataset.state = "done";
  if (!firstShown) {
    firstShown = true;
    document.body.dataset.firstGraphMs = String(Math.round(performance.now()));
  }
}

function note(text) {
  const p = document.createElement("p");
  p.className = "note";
  p.textContent = text;
  return p;
}

// --- showing a result ------------------------------------------------------------------------

function showError(error) {
  const box = $("error");
  box.textContent = "error: " + error.message + (error.caret ? "\n" + error.caret : "");
  box.hidden = false;
  document.body.dataset.state = "error";
}

let frames = [];
let gradTexts = {};
let step = 0;
let timer = null;

function showAnswer(answer) {
  stop();
  if (answer.error) {
    if (drawing) {
      cancelDrawing();
      $("graph").replaceChildren();
    }
    showError(answer.error);
    return;
  }
  $("error").hidden = true;
  $("result").textContent = answer.lines.join("\n");
  summarise(answer);
  if (!document.body.dataset.firstResultMs) {
    document.body.dataset.firstResultMs = String(Math.round(performance.now()));
  }
  const wrt = $("wrt");
  const previous = wrt.value;
  wrt.replaceChildren(...answer.variables.map((name) => new Option(name, name)));
  if (answer.variables.includes(previous)) wrt.value = previous;
  explain();
  frames = [];
  $("caption").textContent = "";
  $("counter").textContent = "";
  draw(answer);
}

// The numbers as the graph shows them (4 significant digits); the lines below give them in full.
function summarise(answer) {
  const row = (cells, tag = "td") => {
    const tr = document.createElement("tr");
    for (const text of cells) {
      const cell = document.createElement(tag);
      cell.textContent = text;
      tr.append(cell);
    }
    return tr;
  };
  const rows = [row(["", "value", "gradient ∂f/∂·"], "th"), row(["f", answer.short, ""])];
  for (const name of answer.variables) {
    const g = answer.gradients[name];
    rows.push(row([name, g.data, g.short]));
  }
  $("summary").replaceChildren(...rows);
}

function showGraph(answer, svgText) {
  const svg = new DOMParser().parseFromString(svgText, "image/svg+xml").documentElement;
  const graph = $("graph");
  graph.replaceChildren(document.importNode(svg, true));
  // Fitted to the width unless that would shrink the text past reading; then full size.
  const natural = graph.querySelector("svg").viewBox.baseVal.width * 4 / 3; // pt to px
  setFitted(natural <= 0 || graph.clientWidth / natural >= MIN_FIT_SCALE);
  frames = answer.frames;
  gradTexts = {};
  for (const frame of frames) {
    const group = document.getElementById(frame.node);
    gradTexts[frame.node] = Array.from(group.querySelectorAll("text"))
      .find((t) => t.textContent.startsWith("grad "));
  }
  slider.max = String(Math.max(0, frames.length - 1));
  if (frames.length) {
    show(0);
  } else {
    $("caption").textContent = "no variables, so there is no backward pass";
  }
}

function explain() {
  const wrt = $("wrt").value;
  if (!wrt) { $("explain").textContent = "(no variables)"; return; }
  python.postMessage({ type: "explain", wrt, id: ++nextId });
}

// --- the stepper -----------------------------------------------------------------------------

function clearMarks() {
  for (const cls of ["current", "upstream", "flow", "done", "pending"]) {
    for (const el of document.querySelectorAll("#graph ." + cls)) el.classList.remove(cls);
  }
}

function show(k) {
  if (!frames.length) return;
  step = Math.max(0, Math.min(frames.length - 1, k));
  clearMarks();
  frames.forEach((frame, i) => {
    document.getElementById(frame.node).classList.add(i <= step ? "done" : "pending");
    const text = gradTexts[frame.node];
    if (text) text.textContent = i <= step ? frame.grad : "grad ?";
  });
  const frame = frames[step];
  const current = document.getElementById(frame.node);
  current.classList.add("current");
  current.scrollIntoView({ block: "nearest", inline: "nearest" });
  for (const f of frame.flow) {
    for (const id of [f.edge, f.op]) {
      const el = document.getElementById(id);
      if (el) el.classList.add("flow");
    }
    document.getElementById(f.consumer).classList.add("upstream");
  }
  $("caption").textContent = frame.caption;
  $("counter").textContent = `step ${step + 1} / ${frames.length}`;
  slider.value = String(step);
  document.body.dataset.step = String(step);
}

function stop() {
  if (timer !== null) { clearInterval(timer); timer = null; }
  playButton.innerHTML = "&#9654; Play";
}

function play() {
  if (timer !== null) { stop(); return; }
  if (!frames.length) return;
  if (step >= frames.length - 1) show(0);
  playButton.innerHTML = "&#10074;&#10074; Pause";
  timer = setInterval(() => {
    if (step >= frames.length - 1) { stop(); return; }
    show(step + 1);
  }, 1000);
}

// --- wiring ----------------------------------------------------------------------------------

let typing = null;
function edited() {
  writeAddress();
  clearTimeout(typing);
  typing = setTimeout(run, 400);
}

$("form").addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(typing);
  writeAddress();
  document.activeElement.blur(); // done typing: the arrow keys step through the graph again
  run();
});
exprField.addEventListener("input", edited);
atField.addEventListener("input", edited);
$("wrt").addEventListener("change", explain);
$("prev").addEventListener("click", () => { stop(); show(step - 1); });
$("next").addEventListener("click", () => { stop(); show(step + 1); });
playButton.addEventListener("click", play);
function setFitted(fitted) {
  $("graph").classList.toggle("actual", !fitted);
  $("fit").textContent = fitted ? "Full size" : "Fit width";
}
function toggleFit() {
  setFitted($("graph").classList.contains("actual"));
  if (frames.length) show(step);
}
$("fit").addEventListener("click", toggleFit);
slider.addEventListener("input", () => { stop(); show(Number(slider.value)); });
document.addEventListener("keydown", (event) => {
  const tag = event.target.tagName;
  if (tag === "INPUT" && event.target !== slider || tag === "SELECT" || tag === "TEXTAREA") return;
  if (event.target === slider && (event.key === "ArrowLeft" || event.key === "ArrowRight")) {
    event.preventDefault();
  }
  if (event.key === "ArrowRight") { stop(); show(step + 1); }
  else if (event.key === "ArrowLeft") { stop(); show(step - 1); }
  else if (event.key === "Home") { stop(); show(0); }
  else if (event.key === "End") { stop(); show(frames.length - 1); }
  else if (event.key === " " && tag !== "BUTTON") { event.preventDefault(); play(); }
  else if (event.key === "f") toggleFit();
});

const address = readAddress();
const given = "expr" in address;
exprField.value = given ? address.expr : DEFAULT.expr;
atField.value = given ? (address.at || "") : DEFAULT.at;
if (!given) writeAddress();
if (location.protocol !== "file:") { // served.js explains why nothing can start from a file
  startGraphviz();
  startPython();
  run();
}
