// Opened as a file, the page cannot work: browsers load no module script, worker or WebAssembly
// from file://. Say so, and where the same page is served (make serve-docs).
"use strict";
if (location.protocol === "file:") {
  const served = "http://127.0.0.1:8000/playground/index.html" + location.search;
  document.body.dataset.state = "failed";
  document.getElementById("status").textContent = "not started: this page needs a web server";
  const box = document.getElementById("error");
  box.textContent = "The playground needs a web server: browsers load no WebAssembly, worker or " +
    "module script from file://.\nIn the project, run `make serve-docs` and open\n" + served;
  box.hidden = false;
}
