# The two commands a newcomer needs: `make demo` and `make test`.
# Both set up everything themselves: a virtualenv in .venv with the package and what they need,
# and Debian's graphviz (the `dot` binary) when it is missing. `make demo` installs only the
# demo's own needs (the package and matplotlib); `make test` and the other targets install every
# extra.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CLI    := $(VENV)/bin/autograd-lite
# Each set-up is done again whenever the project's metadata changes.
STAMP      := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
EXTRAS     := dev,torch,numpy,plots,browser,notebooks,docs
# Browser assets of the pages (MathJax; the search's iframe-worker shim), from npm, pinned by
# package.json and package-lock.json.
NPM_STAMP  := node_modules/.installed

.PHONY: setup graphviz browser npm test test-compiled compiled lint typecheck demo notebooks lab \
        docs docs-site bench clean

setup: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP) $(DEMO_STAMP)

# What `make demo` needs and nothing more: no PyTorch, no browser driver, no Jupyter, no MkDocs.
$(DEMO_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[demo]"
	touch $(DEMO_STAMP)

# $(call debian-tool,COMMAND,PACKAGE,WHY): install PACKAGE with apt when COMMAND is missing and
# we are root; otherwise say exactly what to install and stop.
define debian-tool
	@if ! command -v $(1) >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's $(2) ($(3))..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null; \
	  else \
	    echo "'$(1)' is missing ($(3)): install $(2) (Debian/Ubuntu: sudo apt-get install $(2);" \
	         "macOS: brew install $(2)), then run make again."; \
	    exit 1; \
	  fi; \
	fi
endef

# The `dot` binary renders graphs; the Python package `graphviz` only writes DOT source.
graphviz:
	$(call debian-tool,dot,graphviz,the dot binary that renders graphs)

# npm installs the pages' browser assets; Debian's npm when the machine has none.
npm:
	$(call debian-tool,npm,npm,the package manager that installs MathJax for the pages)

$(NPM_STAMP): package.json package-lock.json
	$(MAKE) --no-print-directory npm
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NPM_STAMP)

# The backward stepper's page is tested in a real headless browser: Debian's chromium, driven by
# Playwright at /usr/bin/chromium (nothing downloads a browser; never run `playwright install`).
browser:
	$(call debian-tool,chromium,chromium,the browser the stepper's page is tested in)

lint: setup
	$(PY) -m ruff check .

typecheck: setup
	$(PY) -m mypy autograd_lite nn

test: setup graphviz browser $(NPM_STAMP) lint typecheck
	$(PY) -m pytest
	$(MAKE) --no-print-directory test-compiled

# The engine compiled by mypyc (setup.py), installed beside the checkout in build/compiled: the
# same source as C extension modules. Built afresh each time (mypyc's own build/ files included),
# so no stale extension module outlives its source.
COMPILED := build/compiled
compiled: setup
	rm -rf build
	AUTOGRAD_LITE_COMPILE=1 $(PY) -m pip install --quiet --no-deps --no-build-isolation \
	    --target $(COMPILED) .

# The tests again, on the compiled engine (tests/test_build.py checks it is the one imported).
# Left out: the docstring contract (it reads the source's signatures, which compiled functions
# do not carry) and the pages in the browser, which test the same source through Pyodide.
test-compiled: compiled
	AUTOGRAD_LITE_EXPECT_COMPILED=1 PYTHONPATH=$(CURDIR)/$(COMPILED) $(PY) -P -m pytest \
	    --import-mode=append \
	    -q tests --ignore=tests/test_docstrings.py --ignore=tests/test_notebooks.py \
	    --ignore=tests/test_docs_site.py -k "not browser"

# The demo is the command line itself (README: "The command line"); everything goes to out/.
demo: $(DEMO_STAMP) graphviz
	$(CLI) worked-example --out out
	$(CLI) render "tanh(x1*w1 + x2*w2 + b)" --at x1=2,x2=0,w1=-3,w2=1,b=6.8813735870195432 \
	    -o out/neuron.svg --steps out/neuron_stepper.html
	$(CLI) train --dataset moons --hidden 16,16 --epochs 20 --out out/moons
	$(CLI) predict --model out/moons/model.json 1.0 -0.5

# Run every teaching notebook in a real kernel and export it with its outputs to out/notebooks/:
# HTML pages that typeset their formulas with the MathJax copy beside them (no network), and the
# executed .ipynb files the documentation site renders.
notebooks: setup graphviz $(NPM_STAMP)
	$(PY) notebooks/export.py

# The exported notebooks, run again only when a notebook or the code they run has changed.
EXPORTED := out/notebooks/index.html
$(EXPORTED): notebooks/*.ipynb notebooks/export.py notebooks/templates/offline/* \
             $(wildcard autograd_lite/*.py autograd_lite/*/*.py nn/*.py nn/*/*.py) \
             | $(STAMP) $(NPM_STAMP)
	$(MAKE) --no-print-directory notebooks

# JupyterLab in the venv, on the notebooks, with this checkout's kernel. LAB_ARGS adds options
# (make lab LAB_ARGS="--no-browser --port 8899"); as root (a container) it must be allowed.
LAB_ARGS ?=
lab: setup graphviz
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=notebooks \
	    $(if $(filter 0,$(shell id -u)),--ServerApp.allow_root=True) $(LAB_ARGS)

# The documentation site in site/ (open site/index.html; it works from file:// with no network):
# the guide (README), the API reference from the docstrings, the notebooks as `make notebooks`
# ran them (run again only if they or the code changed), the benchmark results; see mkdocs.yml.
# Parts built into site/ after MkDocs (which empties site/ first) are listed in DOCS_PARTS: a
# target NAME that writes site/NAME/ adds itself with `DOCS_PARTS += NAME` (e.g. the playground).
DOCS_PARTS ?=
docs: docs-site
	@for part in $(DOCS_PARTS); do $(MAKE) --no-print-directory $$part || exit 1; done
	@echo "The site is in site/: open site/index.html"

docs-site: setup $(EXPORTED) $(NPM_STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --clean --site-dir site

# Every engine side by side (several minutes): paste the tables into benchmarks/RESULTS.md.
bench: setup compiled
	$(PY) benchmarks/suite.py
	$(PY) benchmarks/scalar_step.py
	PYTHONPATH=$(COMPILED) $(PY) benchmarks/scalar_step.py

clean:
	rm -rf $(VENV) out site build node_modules .cache .pytest_cache .mypy_cache .ruff_cache \
	    .hypothesis *.egg-info

# --- The playground (README: "The playground"): autograd_lite in the browser -----------------
# Pyodide (CPython in WebAssembly) and Graphviz in WebAssembly come from npm, pinned in
# playground/package-lock.json; the project's wheel and its pure-Python dependencies come from
# pip. Everything lands in site/playground/, which loads nothing from elsewhere.
.PHONY: playground serve-docs
PLAYGROUND_NPM := playground/node_modules/.installed

$(PLAYGROUND_NPM): playground/package.json playground/package-lock.json
	$(call debian-tool,npm,npm,installs the playground's WebAssembly builds from the npm registry)
	npm ci --prefix playground --no-audit --no-fund --loglevel=error
	touch $@

playground: setup $(PLAYGROUND_NPM)
	$(PY) playground/build.py site/playground

# make docs builds it into the site after MkDocs; make test builds it for its browser test.
DOCS_PARTS += playground
test: playground

# WebAssembly does not load from file://: serve site/ on this machine only, then open
# http://127.0.0.1:8000/playground/index.html (PORT=... to change the port).
PORT ?= 8000
serve-docs:
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory site

# --- Mutation testing (tests/README.md: "Mutation testing"); not part of `make test` or CI ------
# mutmut (pinned in the `mutate` extra) changes the engine, the tape and the optimizers one small
# edit at a time ([tool.mutmut] in pyproject.toml lists the files and the fast test subset) and
# runs the tests that reach each edit. Tens of minutes on two cores (tests/README.md has the last
# run); survivors are listed at the
# end, and `.venv/bin/mutmut show NAME` shows one.
.PHONY: mutate
mutate: setup
	$(PY) -m pip install --quiet -e ".[mutate]"
	rm -rf mutants
	$(VENV)/bin/mutmut run
	$(VENV)/bin/mutmut results
	$(VENV)/bin/mutmut export-cicd-stats && cat mutants/mutmut-cicd-stats.json && echo
