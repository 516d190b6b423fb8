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

.PHONY: help venv install system-deps demo demo-stop test lint format typecheck unit selfscan docs docs-check bench loadtest-server clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv install: $(STAMP) ## create the venv and install prodready with its dev tools

system-deps: ## install PostgreSQL and Chromium from Debian when absent (needs root or sudo)
	./scripts/ensure-system-deps.sh

demo: $(STAMP) ## scan this repo and example services, push them to a fresh local server, leave it running
	./scripts/demo.sh

demo-stop: ## stop the server `make demo` left running
	@if [ -f build/demo/serve.pid ] && kill "$$(cat build/demo/serve.pid)" 2>/dev/null; then echo "stopped the demo server"; else echo "no demo server running"; fi; rm -f build/demo/serve.pid

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

loadtest-server: $(STAMP) ## load-test prodready serve with `prodready load`; writes loadtests/results/server-read.json (~1.5 min)
	./scripts/loadtest-server.sh

clean: ## remove the venv and build outputs
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache .coverage .coverage.*
