# The two commands a newcomer needs: `make demo` and `make test`.
# Both set up everything themselves: a virtualenv in .venv with the package and its extras,
# and Debian's graphviz (the `dot` binary) when it is missing.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Re-install whenever the project's metadata changes.
STAMP  := $(VENV)/.installed

.PHONY: setup graphviz browser test lint typecheck demo notebooks bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e ".[dev,torch,numpy,plots,browser,notebooks]"
	touch $(STAMP)

# The `dot` binary renders graphs; the Python package `graphviz` only writes DOT source.
graphviz:
	@if ! command -v dot >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's graphviz for the dot binary..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "The 'dot' binary is missing: install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz;" \
	         "macOS: brew install graphviz), then run make again."; \
	    exit 1; \
	  fi; \
	fi

# The backward stepper's page is tested in a real headless browser: Debian's chromium, driven by
# Playwright at /usr/bin/chromium (nothing downloads a browser; never run `playwright install`).
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The 'chromium' browser is missing: install it (Debian/Ubuntu: sudo apt-get install" \
	         "chromium), then run make again."; \
	    exit 1; \
	  fi; \
	fi

lint: setup
	$(PY) -m ruff check .

typecheck: setup
	$(PY) -m mypy autograd_lite nn

test: setup graphviz browser lint typecheck
	$(PY) -m pytest

demo: setup graphviz
	$(PY) examples/demo.py
	$(PY) examples/draw_demo.py

# Run every teaching notebook in a real kernel and export it with its outputs to out/notebooks/.
notebooks: setup graphviz
	$(PY) notebooks/export.py

# Every engine side by side (several minutes): paste the tables into benchmarks/RESULTS.md.
bench: setup
	$(PY) benchmarks/suite.py

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache .hypothesis
