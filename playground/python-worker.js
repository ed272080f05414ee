// The playground's Python worker: CPython (Pyodide, WebAssembly) runs autograd_lite here, off the
// page's thread. Everything is loaded from this server: ./pyodide/, ./wheels/ and ./runner.py.
import { loadPyodide } from "./pyodide/pyodide.mjs";

const say = (message) => postMessage(message);

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

async function start() {
  const started = performance.now();
  const [pyodide, manifest] = await Promise.all([
    loadPyodide({ indexURL: new URL("./pyodide/", import.meta.url).href }),
    fetch("./wheels/wheels.json").then((r) => r.json()),
  ]);
  say({ type: "status", text: "installing autograd_lite…" });
  const sitePackages = pyodide.runPython("import site; site.getsitepackages()[0]");
  const wheels = await Promise.all(manifest.wheels.map((name) => fetchBytes(`./wheels/${name}`)));
  wheels.forEach((bytes) => pyodide.unpackArchive(bytes, "wheel", { extractDir: sitePackages }));
  pyodide.FS.writeFile("/home/pyodide/runner.py", await fetchBytes("./runner.py"));
  const runner = pyodide.pyimport("runner");
  say({
    type: "ready",
    seconds: (performance.now() - started) / 1000,
    version: pyodide.runPython("import autograd_lite; autograd_lite.__version__"),
    python: pyodide.runPython("import sys; sys.version.split()[0]"),
    language: JSON.parse(runner.language()),
  });
  return runner;
}

const ready = start();
ready.catch((error) => say({ type: "fatal", text: String(error) }));

onmessage = async (event) => {
  const request = event.data;
  let runner;
  try {
    runner = await ready;
  } catch {
    return; // already reported as fatal
  }
  try {
    const answer = request.type === "run"
      ? runner.run(request.expr, request.at)
      : runner.explain(request.wrt);
    say({ type: request.type, id: request.id, answer: JSON.parse(answer) });
  } catch (error) {
    say({ type: request.type, id: request.id, answer: { error: { message: String(error) } } });
  }
};
