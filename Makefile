# Autogestion: `make run` serves the demo, `make test` runs lint and the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export AUTOGESTION_DATA_DIR ?= $(CURDIR)/data
# Workers for pytest-xdist; the CI machine has 2 cores.
TEST_WORKERS ?= 2
BENCH ?=

.PHONY: run test lint install dev bench browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

# The local demo: plain HTTP on 127.0.0.1, so cookies are not marked Secure here.
# The task worker runs beside the server under a small supervisor: the worker waits out a
# database outage by itself, and if it dies all the same (killed, crashed) it is started
# again 5 s later. It exits with 0 only when asked to stop (Ctrl-C, SIGTERM): not restarted.
run: install
	$(BIN)/autogestion migrate --noinput -v 0
	$(BIN)/autogestion demo --if-empty
	@echo "Serving http://127.0.0.1:8000 (Ctrl-C to stop)"
	@( trap 'kill $$pid 2>/dev/null; wait $$pid; exit 0' TERM; \
	  while :; do \
	    SECURE_COOKIES=0 $(BIN)/autogestion worker & pid=$$!; \
	    wait $$pid && exit 0; \
	    echo "autogestion worker stopped (status $$?); starting it again in 5 s" >&2; \
	    sleep 5 & wait $$!; \
	  done ) & supervisor=$$!; \
	trap 'kill $$supervisor 2>/dev/null' EXIT INT TERM; \
	SECURE_COOKIES=0 $(BIN)/autogestion serve --host 127.0.0.1 --port 8000

lint: dev
	$(BIN)/ruff check .

# Debian's chromium for the browser tests and faketime for the clock check: installed
# when missing and possible; the browser tests say "skipped" when chromium cannot be
# had. Never a browser download. axe-core (accessibility checks the browser tests inject
# into pages) comes from npm, at the version tests/e2e/package-lock.json pins.
browser:
	@{ command -v chromium && command -v faketime; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium faketime >/dev/null) \
	      || echo "chromium or faketime could not be installed"; \
	  else echo "chromium or faketime missing and not installable here"; fi; }
	@[ -f tests/e2e/node_modules/axe-core/axe.min.js ] || { \
	  command -v npm >/dev/null 2>&1 && npm ci --prefix tests/e2e --no-audit --no-fund --silent \
	    || echo "axe-core could not be installed (npm): the accessibility checks will skip"; }

# The suite runs on SQLite, then on PostgreSQL when DATABASE_URL is set (CI sets it).
# The SQLite pass runs with the machine's clock a year ahead (libfaketime): the suite has
# its own clock (tests/support/clock.py), so a test that reads the real date fails here.
YEAR_AHEAD = $(shell command -v faketime >/dev/null 2>&1 && echo "faketime -f +365d")
test: dev lint browser
	@echo "== test suite on SQLite$(if $(YEAR_AHEAD), with the machine's clock a year ahead,)"
	DATABASE_URL= $(YEAR_AHEAD) $(BIN)/pytest -n $(TEST_WORKERS) -q
	@if [ -n "$$DATABASE_URL" ]; then \
	  echo "== test suite on PostgreSQL ($$DATABASE_URL)"; \
	  $(BIN)/pytest -n $(TEST_WORKERS) -q; \
	else echo "== PostgreSQL run skipped: no PostgreSQL (DATABASE_URL is not set)"; fi

bench: dev
	$(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf $(VENV) data .pytest_cache .ruff_cache
