# Two commands set up everything on a fresh machine with Python 3.11:
#   make demo   create .venv from uv.lock, install, materialize every asset on the demo data
#   make test   the whole test suite (creates .venv first if needed); .ci/run calls this
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.8
export DAGSTER_HOME := $(CURDIR)
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: demo test test-fast ui env demo-data micro-data clean-warehouse

# Two workers (the machine has 2 cores), one test file each at a time: a file's module fixtures
# (a demo build, a Dagster stack) are built once, in one worker.
PYTEST_PARALLEL := -n 2 --dist loadfile

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The environment is rebuilt whenever the lockfile changes.
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(VENV)/bin/python
	touch $@

env: $(VENV)/.synced

demo: env
	$(VENV)/bin/impetus demo

test: env
	$(VENV)/bin/pytest $(PYTEST_PARALLEL)

# The unit tests: no whole-demo build, no subprocess runs, no Dagster stack.
test-fast: env
	$(VENV)/bin/pytest $(PYTEST_PARALLEL) -m "not integration"

ui: env
	VIRTUAL_ENV=$(CURDIR)/$(VENV) $(VENV)/bin/dg dev --host 127.0.0.1 --port 3000

# Rebuild the committed demo panel from ../shared/realdata (real NBS and communiqué figures).
demo-data: env
	$(VENV)/bin/python -m pipelines.demo.build_panel --realdata ../shared/realdata --out data/demo/province_year

# Regenerate the committed synthetic micro records (fixed seed) and their aggregates.
micro-data: env
	$(VENV)/bin/python -m pipelines.demo.generate_micro --out data/demo --panel data/demo/province_year

clean-warehouse:
	rm -f data/warehouse/impetus.duckdb data/warehouse/impetus.duckdb.wal
