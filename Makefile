# The two commands a newcomer needs: `make demo` and `make test`.
# Both set up everything themselves: a virtualenv in .venv with the package and its extras,
# and Debian's graphviz (the `dot` binary) when it is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
CLI    := $(VENV)/bin/autograd-lite
# Re-install whenever the project's metadata changes.
STAMP  := $(VENV)/.installed

.PHONY: setup graphviz browser test lint typecheck demo notebooks bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e ".[dev,torch,numpy,plots,browser,notebooks]"
	touch $(STAMP)

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

# The backward stepper's page is tested in a real headless browser: Debian's chromium, driven by
# Playwright at /usr/bin/chromium (nothing downloads a browser; never run `playwright install`).
browser:
	$(call debian-tool,chromium,chromium,the browser the stepper's page is tested in)

lint: setup
	$(PY) -m ruff check .

typecheck: setup
	$(PY) -m mypy autograd_lite nn

test: setup graphviz browser lint typecheck
	$(PY) -m pytest

# The demo is the command line itself (README: "The command line"); everything goes to out/.
demo: setup graphviz
	$(CLI) worked-example --out out
	$(CLI) render "tanh(x1*w1 + x2*w2 + b)" --at x1=2,x2=0,w1=-3,w2=1,b=6.8813735870195432 \
	    -o out/neuron.svg --steps out/neuron_stepper.html
	$(CLI) train --dataset moons --hidden 16,16 --epochs 20 --out out/moons
	$(CLI) predict --model out/moons/model.json 1.0 -0.5

# Run every teaching notebook in a real kernel and export it with its outputs to out/notebooks/.
notebooks: setup graphviz
	$(PY) notebooks/export.py

# Every engine side by side (several minutes): paste the tables into benchmarks/RESULTS.md.
bench: setup
	$(PY) benchmarks/suite.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis

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

test: playground

# WebAssembly does not load from file://: serve site/ on this machine only, then open
# http://127.0.0.1:8000/playground/index.html (PORT=... to change the port).
PORT ?= 8000
serve-docs:
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory site

# --- Mutation testing (tests/README.md: "Mutation testing"); not part of `make test` or CI ------
# mutmut (pinned in the `mutate` extra) changes the engine, the tape and the optimizers one small
# edit at a time ([tool.mutmut] in pyproject.toml lists the files and the fast test subset) and
# runs the tests that reach each edit. About 15 minutes on two cores; survivors are listed at the
# end, and `.venv/bin/mutmut show NAME` shows one.
.PHONY: mutate
mutate: setup
	$(PY) -m pip install --quiet -e ".[mutate]"
	rm -rf mutants
	$(VENV)/bin/mutmut run
	$(VENV)/bin/mutmut results
	$(VENV)/bin/mutmut export-cicd-stats && cat mutants/mutmut-cicd-stats.json && echo
