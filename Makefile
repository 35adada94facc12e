# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Each creates .venv on first use and re-installs only when pyproject.toml changes.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.certnb-installed

.PHONY: demo test lint typecheck pytest bench emulator clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,sdk]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/certnb emulator --seed data/tenant.json

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check certnb tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
