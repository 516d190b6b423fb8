# The one task runner. The README's two commands are `make demo` and `make test`;
# both work on a fresh machine with Python 3.11 and Debian packages only.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help venv install system-deps demo test lint format typecheck unit selfscan docs docs-check bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv install: $(STAMP) ## create the venv and install prodready with its dev tools

system-deps: ## install PostgreSQL and Chromium from Debian when absent (needs root or sudo)
	./scripts/ensure-system-deps.sh

demo: $(STAMP) ## scan this repo and an example service, then push them to a fresh local server
	./scripts/demo.sh

lint: $(STAMP) ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## apply ruff format and safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP) ## mypy strict on src/
	$(BIN)/mypy

unit: $(STAMP) system-deps ## the test suite with coverage (warnings are errors)
	$(BIN)/python -m pytest -n 2 --dist loadgroup --cov --cov-report=term --cov-report=xml:build/coverage.xml $(PYTEST_ARGS)

selfscan: $(STAMP) ## eat our own cooking: this repo must reach Bronze and score well
	$(BIN)/prodready scan . --no-progress --min-level bronze --fail-under 70 --format text --format json --output build/selfscan.json

docs: $(STAMP) ## regenerate generated docs (checks catalogue, OpenAPI, CLI help)
	$(BIN)/python -m prodready.devtools.gendocs --write

docs-check: $(STAMP) ## fail when generated docs are stale
	$(BIN)/python -m prodready.devtools.gendocs --check

test: lint typecheck unit docs-check selfscan ## everything CI runs

bench: $(STAMP) ## run every benchmark (each prints its figures and ratios)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b; done

clean: ## remove the venv and build outputs
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.*
