// The playground's Graphviz worker: @viz-js/viz (Graphviz's dot compiled to WebAssembly) lays
// out the DOT source autograd_lite wrote. A layout can take long (dot's cost grows fast when a
// few inputs feed many operations), so it runs here, where the page can stop it.
import { instance } from "./viz/viz.js";

const viz = instance();

onmessage = async (event) => {
  const { id, dot } = event.data;
  try {
    const svg = (await viz).renderString(dot, { format: "svg", engine: "dot" });
    postMessage({ id, svg: svg.slice(svg.indexOf("<svg")) });
  } catch (error) {
    postMessage({ id, error: String(error) });
  }
};
