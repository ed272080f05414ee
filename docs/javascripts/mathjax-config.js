// MathJax 3 (the copy beside this file, from npm): typesets the formulas of every page with no
// network. Markdown pages mark theirs \( \) and \[ \] (pymdownx.arithmatex); the notebooks keep
// $ $ and $$ $$. Code blocks are never touched.
window.MathJax = {
  tex: {
    inlineMath: [["\\(", "\\)"], ["$", "$"]],
    displayMath: [["\\[", "\\]"], ["$$", "$$"]],
    processEscapes: true,
    processEnvironments: true
  },
  svg: { fontCache: "global" },
  options: {
    ignoreHtmlClass: "highlight|jp-OutputArea",
    menuOptions: { settings: { enrich: false } }  // no speech rules: they would be fetched
  },
  startup: {
    pageReady() {
      return MathJax.startup.defaultPageReady().then(() => {
        document.body.dataset.mathjax = "typeset";
      });
    }
  }
};
