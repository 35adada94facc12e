# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
# Each creates .venv on first use and re-installs when pyproject.toml, setup.py or the C walker change.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.certnb-installed

.PHONY: demo test lint typecheck pytest nbval notebooks bench emulator clean js

$(STAMP): pyproject.toml setup.py certnb/frame/_walk.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,sdk]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/certnb demo

emulator: $(STAMP)
	$(BIN)/certnb emulator --seed data/tenant.json

test: lint typecheck pytest nbval

lint: $(STAMP)
	$(BIN)/ruff check certnb tests benchmarks
	$(BIN)/lint-imports  # the layer contracts in pyproject.toml: every import points down

typecheck: $(STAMP)
	$(BIN)/mypy

# Two workers (a test file stays on one, so its module fixtures start once): most tests wait on sockets,
# the emulator and browsers, so two workers take about half the time of one even on two cores.
pytest: $(STAMP) $(VENV)/.chromium
	$(BIN)/pytest -n 2 --dist loadfile

# The browser test of the notebook forms (tests/widgets) drives Debian's chromium, never a downloaded one.
$(VENV)/.chromium:
	command -v chromium || (apt-get update && apt-get install -y chromium)
	mkdir -p $(VENV)
	touch $@

# The notebooks are docs and tests: their committed outputs must match a fresh run (sanitized).
nbval: $(STAMP)
	$(BIN)/pytest --nbval notebooks/ --nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider

# Re-execute the notebooks in place (after changing them or the library), then check with `make nbval`.
notebooks: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.store_widget_state=False notebooks/*.ipynb

# The grid's browser side: bundle js/ (Tabulator + certnb's view) into certnb/widgets/datagrid/static/ (committed,
# so installing certnb needs no Node); tests/widgets/test_grid_bundle.py checks the bundle matches js/.
js:
	cd js && npm ci --no-audit --no-fund && npm run build

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info

# Full-scale reliability runs: 2,000 edits under faults, 20 SIGKILL points, 1,000 hypothesis examples (minutes).
.PHONY: soak
soak: $(STAMP)
	CERTNB_SOAK=1 $(BIN)/pytest tests/reliability tests/security tests/emulator/test_properties.py -q --timeout=1800
