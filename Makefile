# make run   - the embedded default: moto + the API on http://127.0.0.1:8000
# make test  - the whole suite (unit, integration on moto, end-to-end over HTTP)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: run test lint token job bench venv clean

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m tools.local --port $${PORT:-8000} --moto-port $${MOTO_PORT:-5000}

test: lint
	$(PY) -m pytest -q -p no:cacheprovider

# ruff (pyflakes, bugbear, import order) on everything, mypy on the application
lint: $(STAMP)
	$(VENV)/bin/ruff check --quiet --select F,E9,B,I --line-length 120 app.py chalicelib tools infra bench tests
	$(VENV)/bin/mypy --no-error-summary app.py chalicelib

# make token ROLE=window UNIT=310101002
token: $(STAMP)
	@$(PY) -m tools.token --role $(ROLE) --unit $(UNIT)

clean:
	rm -rf $(VENV) .pytest_cache

# make job JOB=sweep [NOW=2026-10-12T01:00:00+08:00]  - run a scheduled job now against `make run`
job: $(STAMP)
	$(PY) -m tools.jobs $(JOB) $(if $(NOW),--now $(NOW),)

# make bench - benchmarks report counts and ratios, never timings asserted in tests
bench: $(STAMP)
	$(PY) -m bench.sweep_reads --sizes 1000 20000 --due 50
	$(PY) -m bench.payroll

# make fuzz [SEED=1] [EXAMPLES=2] [COVERAGE=8|all] - schemathesis against a fresh local server (tools/fuzz.py):
# no 5xx, and every error is {"error": {code, message, field}}
.PHONY: fuzz
fuzz: $(STAMP)
	$(PY) -m tools.fuzz $(strip $(if $(SEED),--seed $(SEED)) $(if $(EXAMPLES),--max-examples $(EXAMPLES)) $(if $(COVERAGE),--max-coverage $(COVERAGE)))
