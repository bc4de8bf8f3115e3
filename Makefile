# Two commands on a fresh machine: `make run` and `make test`. Everything installs from uv.lock.
SHELL := /bin/bash
PYTHON ?= python3
# resolved now, before .venv/bin goes first on PATH: uv (and pip) belong to the system Python, not to the venv
PYTHON := $(or $(shell command -v $(PYTHON) 2>/dev/null),$(PYTHON))
UV_VERSION := 0.13.9
VENV := .venv
PY := $(VENV)/bin/python
UV := $(PYTHON) -m uv
HOME_DIR ?= data
export OGI_WORK_DB ?= $(CURDIR)/dbt/target/parse_only.duckdb
# the project's own dbt and dagster first (dagster-dbt's packaging step looks `dbt` up on PATH)
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install browser run test test-fast lint ui bench docs manifest clean

$(VENV)/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) sync --frozen --python 3.11 --compile-bytecode
	@touch $@

# Bytecode written at install time: with PYTHONDONTWRITEBYTECODE set (as on CI machines) every process would
# otherwise compile dagster, dbt and Great Expectations again (measured: 14.6 s → 5.5 s to import the definitions)
install: $(VENV)/.installed manifest
	@$(PY) -m compileall -q -j 0 extractors dagster_project expectations ingest synthetic benchmarks >/dev/null

# dagster-dbt reads the dbt manifest at import time; build it from the dbt project, only when the project
# changed since (a `make run` with nothing new must not spend a minute re-parsing dbt)
DBT_SOURCES := $(shell find dbt/dbt_project.yml dbt/profiles.yml dbt/models dbt/macros dbt/seeds dbt/tests -type f 2>/dev/null)
manifest: dbt/target/manifest.json
dbt/target/manifest.json: $(VENV)/.installed $(DBT_SOURCES)
	@$(VENV)/bin/dagster-dbt project prepare-and-package --file dagster_project/defs/warehouse.py >/dev/null
	@touch $@

run: install ## build the warehouse from the bundled sample corpus
	$(VENV)/bin/ogi run --landing sample_corpus --home $(HOME_DIR)

# in TEST_WORKERS processes (pytest-xdist), a test module to a worker: its module fixtures are built once
TEST_WORKERS ?= 2
test: install browser lint ## lint, then the whole test suite
	$(PY) -m pytest -q --durations=20 -n $(TEST_WORKERS) --dist loadfile

test-fast: install ## everything but the slow tests (no dbt, no `ogi run`, no subprocess, no browser)
	$(PY) -m pytest -q -m "not slow" -n $(TEST_WORKERS) --dist loadfile

# the habit lane (also .pre-commit-config.yaml): ruff and mypy as configured in pyproject.toml, sqlfluff in .sqlfluff
lint: $(VENV)/.installed ## ruff, mypy (the typed subset), sqlfluff on the dbt models
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/sqlfluff lint dbt/models dbt/macros dbt/tests

# Debian's chromium and a CJK font for the browser tests (tests/test_ui_browser.py, tests/test_quality_report_browser.py, which skip without chromium); never fails the make
browser:
	@[ -x /usr/bin/chromium ] && [ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; \
	else echo "make browser: /usr/bin/chromium is missing and installing it needs root: the browser test will be skipped"; exit 0; fi; \
	echo "make browser: installing chromium and fonts-noto-cjk with apt-get"; log=$$(mktemp); export DEBIAN_FRONTEND=noninteractive; \
	if $$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk >$$log 2>&1 || \
	   { $$SUDO apt-get update >>$$log 2>&1 && $$SUDO apt-get install -y --no-install-recommends chromium fonts-noto-cjk >>$$log 2>&1; }; \
	then echo "make browser: chromium installed"; \
	else tail -n 5 $$log; echo "make browser: could not install chromium (apt-get failed, see above): the browser test will be skipped"; fi; \
	rm -f $$log

ui: install ## the Dagster UI on http://127.0.0.1:3000
	$(VENV)/bin/ogi ui --home $(HOME_DIR)

docs: install ## dbt docs of the warehouse built by `make run`
	OGI_WORK_DB=$(CURDIR)/$(HOME_DIR)/work/ogi_work.duckdb $(VENV)/bin/dbt docs generate --quiet \
	  --project-dir dbt --profiles-dir dbt --target-path $(CURDIR)/$(HOME_DIR)/warehouse/dbt_docs
	@echo "dbt docs: $(CURDIR)/$(HOME_DIR)/warehouse/dbt_docs/index.html (serve: $(VENV)/bin/dbt docs serve --project-dir dbt --profiles-dir dbt --target-path $(HOME_DIR)/warehouse/dbt_docs)"

bench: install ## throughput and memory figures
	$(PY) -m benchmarks.run

clean:
	rm -rf $(VENV) dbt/target dbt/logs data
