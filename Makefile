# The two commands the README promises, plus what they need. Each target installs what it
# uses, so a fresh Debian machine with Python 3.11 needs nothing else: `make demo`, `make test`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# The runtime dependencies only: what `make demo` needs (`make test` adds the dev extra).
RUNTIME := $(VENV)/.runtime

.PHONY: demo test lint typecheck imports pytest peers postgres clean

$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(RUNTIME)

$(STAMP): $(RUNTIME)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Run the main job: the demo exchange (runtime dependencies only, no test tools).
demo: $(RUNTIME)
	$(BIN)/brug demo

## Everything CI checks: lint, types, import layers, and the whole test suite with its peers.
test: $(STAMP) peers postgres lint typecheck imports pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

## The import graph points one way: the contracts in pyproject.toml [tool.importlinter].
imports: $(STAMP)
	$(BIN)/lint-imports --no-cache

pytest: $(STAMP)
	$(BIN)/pytest -q

## Independent interop peers (xmlsec1, Apache WSS4J) from Debian; skipped quietly if present.
peers:
	bash .ci/install-peers.sh

## PostgreSQL for the database tests; starts the machine's cluster if it is not running.
postgres:
	bash .ci/ensure-postgres.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache
