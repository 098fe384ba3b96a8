# Two commands on a fresh machine: `make run` (set up and launch) and `make test` (set up and test).
PYTHON ?= python3
VENV ?= .venv
# CPU torch pinned for this project's machines and CI; override for your own (e.g. TORCH=torch).
TORCH ?= torch==2.13.0
BIN := $(VENV)/bin
SAMPLE := resources/samples/girl-lineart.png
SAMPLE_HINTS := resources/samples/girl-hints.png

# Type checkers and IDEs cannot follow the editable install's import hook: build/typecheck/linetint/ links
# each package to its folder ([tool.mypy] mypy_path and [tool.pyright] extraPaths point there).
TYPECHECK_TREE := build/typecheck/linetint
PACKAGES := app model imaging training resources

.PHONY: setup run test lint typecheck clean

$(BIN)/linetint: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet "$(TORCH)"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

setup: $(BIN)/linetint $(TYPECHECK_TREE)

$(TYPECHECK_TREE): Makefile
	mkdir -p $@
	for p in $(PACKAGES); do ln -sfn ../../../$$p $@/$$p; done

# Opens the window on the sample line art with the hint layer its artist drew.
run: setup
	$(BIN)/linetint $(SAMPLE) --hints $(SAMPLE_HINTS)

test: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory typecheck

# mypy at the level pyproject's [tool.mypy] states (docs/architecture.md).
typecheck: setup
	$(BIN)/mypy --python-executable $(BIN)/python \
		-p linetint.model -p linetint.imaging -p linetint.training -p linetint.app

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache

# The app bundle and this OS's installer in dist/ (packaging/build.py; see docs/packaging.md).
.PHONY: bundle
bundle: setup
	$(BIN)/python -m pip install --quiet -e ".[packaging]"
	$(BIN)/python packaging/build.py
