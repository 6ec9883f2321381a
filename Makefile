# The two commands the README promises, plus what they need. Each target installs what it
# uses, so a fresh Debian machine with Python 3.11 needs nothing else: `make demo`, `make test`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck pytest peers postgres clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Run the main job: the demo exchange.
demo: $(STAMP)
	$(BIN)/brug demo

## Everything CI checks: lint, types, and the whole test suite with its peers.
test: $(STAMP) peers postgres lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

## Independent interop peers (xmlsec1, Apache WSS4J) from Debian; skipped quietly if present.
peers:
	bash .ci/install-peers.sh

## PostgreSQL for the database tests; starts the machine's cluster if it is not running.
postgres:
	bash .ci/ensure-postgres.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
