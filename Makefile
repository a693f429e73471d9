# The two commands of a fresh machine: `make serve` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint typecheck unit bench corpus clean

$(STAMP): pyproject.toml constraints.txt clients/python/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,fast,postgres]'
	$(BIN)/pip install --quiet -c constraints.txt -e clients/python
	touch $(STAMP)

serve: $(STAMP)
	$(BIN)/schemareg serve

WORKFLOWS := $(wildcard examples/github-actions/*.yml)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# The action and the example workflows: GitHub's schemas (vendored, offline), then the security audit.
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows $(WORKFLOWS)
	$(BIN)/check-jsonschema --builtin-schema vendor.github-actions action.yml
	$(BIN)/zizmor --offline --no-progress --config .github/zizmor.yml action.yml $(WORKFLOWS)

typecheck: $(STAMP)
	@mkdir -p .typecheck && ln -sfn ../registry .typecheck/schemareg && ln -sfn ../api .typecheck/schemareg_api
	$(BIN)/mypy
	$(BIN)/mypy --strict clients/python/src

unit: $(STAMP)
	$(BIN)/pytest -q -n 2 tests/unit

test: lint typecheck
	scripts/ensure-test-tools.sh
	$(BIN)/pytest -q -n 2

bench: $(STAMP)
	$(BIN)/python -m bench

corpus: $(STAMP)
	$(BIN)/python -m bench.corpus ../shared/corpus

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .typecheck
