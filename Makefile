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

test: lint browser iac wheelhouse
	$(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadscope --today $(firstword $(TEST_DATES))
	$(MAKE) --no-print-directory test-dates TEST_DATES="$(wordlist 2,9,$(TEST_DATES))"

# No test may depend on the day it runs: the whole suite runs with the process's real clock moved (time-machine,
# tests/conftest.py --today) to an early day of a month, then the date-sensitive tests (marker `dated`: every unit
# test, the schedules, jobs, clocks, retries and the ledger end to end) run again on a late day of a month in a
# year with no loaded calendar, and on the last day of December, two at a time (tools/test_dates.py).
TEST_DATES ?= 2026-03-02 2027-06-29 2026-12-31
# the first run on both cores (pytest-xdist; loadscope keeps a module's shared moto world and server on one worker)
TEST_WORKERS ?= 2
.PHONY: test-dates
test-dates: $(STAMP)
	$(PY) -m tools.test_dates $(TEST_DATES)

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

# make bench - calls per case, overhead ratios, flat jobs at 1,000/10,000/100,000 cases, cold start and package
# size, cost model, payroll at 20,000 (bench/run.py); prints the figures and rewrites docs/performance.md.
# Counts and ratios, never timings asserted in tests (tests/integration/test_bench_smoke.py runs it tiny).
# (not `python -m bench`: run as __main__ that way, the handlers time ~5x slower against the same bare calls)
bench: $(STAMP)
	$(PY) -c "from bench.run import main; raise SystemExit(main())"

# make fuzz [SEED=1] [EXAMPLES=2] [COVERAGE=8|all] - schemathesis' runner against a fresh local server (tools/fuzz.py):
# no 5xx, every answer as the OpenAPI document describes it (status, Content-Type, body), every error {"error": {...}}
.PHONY: fuzz
fuzz: $(STAMP)
	$(PY) -m tools.fuzz $(strip $(if $(SEED),--seed $(SEED)) $(if $(EXAMPLES),--max-examples $(EXAMPLES)) $(if $(COVERAGE),--max-coverage $(COVERAGE)))

# --- deployment (docs/runbook.md) -----------------------------------------------------------------
# make package STAGE=dev - infra/ merged into `chalice package`, then cfn-lint; offline once `make wheelhouse` ran
# make scan STAGE=dev    - checkov on the packaged template (skips and their reasons: infra/checkov_skips.json)
# make deploy STAGE=dev  - a CloudFormation change set, shown, then executed (needs AWS credentials);
#   PUBLIC_BASE_URL=https://… (the receipts' progress address); CONSOLE_ORIGIN=https://… (also for package:
#   the API's CORS and the materials bucket's), CONSOLE_IDP_DOMAIN, CONSOLE_CLIENT_ID: the console's files and config
STAGE     ?= dev
REGION    ?= cn-north-1
BUILD     := build/$(STAGE)
IAC       := .venv-iac
IAC_STAMP := $(IAC)/.installed-stamp
WHEELS    := .wheelhouse
STACK     := subsidy-$(STAGE)
.PHONY: package scan deploy iac wheelhouse

iac: $(IAC_STAMP)

$(IAC_STAMP): requirements-iac.txt
	$(PYTHON) -m venv $(IAC)
	$(IAC)/bin/pip install --quiet --disable-pip-version-check -r requirements-iac.txt
	touch $(IAC_STAMP)

# the runtime wheels for Lambda (manylinux, Python 3.11), fetched once; `chalice package` then needs no index
wheelhouse: $(STAMP)
	$(PY) -m pip download --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt --dest $(WHEELS) \
	  --only-binary=:all: --platform manylinux2014_x86_64 --platform manylinux_2_28_x86_64 \
	  --implementation cp --python-version 3.11

package: $(STAMP)
	rm -rf $(BUILD) && mkdir -p $(BUILD)
	$(PY) -m infra.template --stage $(STAGE) --out $(BUILD)/resources.json
	$(PY) -m infra.package --stage $(STAGE) --build $(BUILD) --wheels $(WHEELS)
	$(VENV)/bin/cfn-lint --regions $(REGION) -- $(BUILD)/package/sam.json
	@ls -l $(BUILD)/package/deployment.zip

scan: package iac
	$(IAC)/bin/checkov --quiet --compact --skip-download --framework cloudformation -f $(BUILD)/package/sam.json \
	  --skip-check $$($(PY) -m infra.checkov_skips)

deploy: scan
	@$(IAC)/bin/aws sts get-caller-identity --region $(REGION) >/dev/null || \
	  { echo "make deploy: no AWS credentials for $(REGION) (see docs/runbook.md#deploy)"; exit 1; }
	$(IAC)/bin/aws cloudformation package --region $(REGION) --template-file $(BUILD)/package/sam.json \
	  --s3-bucket $${ARTIFACT_BUCKET:?set ARTIFACT_BUCKET to a bucket for the deployment package} \
	  --s3-prefix $(STACK) --output-template-file $(BUILD)/packaged.yaml
	$(IAC)/bin/aws cloudformation deploy --region $(REGION) --stack-name $(STACK) \
	  --template-file $(BUILD)/packaged.yaml --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND \
	  --parameter-overrides PublicBaseUrl=$${PUBLIC_BASE_URL:-} --no-execute-changeset
	$(IAC)/bin/aws cloudformation describe-change-set --region $(REGION) --stack-name $(STACK) \
	  --change-set-name $$($(IAC)/bin/aws cloudformation list-change-sets --region $(REGION) --stack-name $(STACK) \
	    --query 'sort_by(Summaries,&CreationTime)[-1].ChangeSetName' --output text) \
	  --query 'Changes[].ResourceChange.[Action,LogicalResourceId,ResourceType,Replacement]' --output table
	@read -p "Execute this change set on $(STACK)? [y/N] " answer && [ "$$answer" = y ]
	$(IAC)/bin/aws cloudformation execute-change-set --region $(REGION) --stack-name $(STACK) \
	  --change-set-name $$($(IAC)/bin/aws cloudformation list-change-sets --region $(REGION) --stack-name $(STACK) \
	    --query 'sort_by(Summaries,&CreationTime)[-1].ChangeSetName' --output text)
	$(IAC)/bin/aws cloudformation wait stack-update-complete --region $(REGION) --stack-name $(STACK) || \
	  $(IAC)/bin/aws cloudformation wait stack-create-complete --region $(REGION) --stack-name $(STACK)
	@if [ -z "$${CONSOLE_ORIGIN:-}" ]; then echo "console not deployed: set CONSOLE_ORIGIN, CONSOLE_IDP_DOMAIN, \
	  CONSOLE_CLIENT_ID (docs/runbook.md#deploy)"; else \
	  output() { $(IAC)/bin/aws cloudformation describe-stacks --region $(REGION) --stack-name $(STACK) \
	    --query "Stacks[0].Outputs[?OutputKey=='$$1'].OutputValue" --output text; }; \
	  $(PY) -m tools.console_config --out $(BUILD)/console-config.json --stage $(STAGE) --api "$$(output EndpointURL)" \
	    --domain "$${CONSOLE_IDP_DOMAIN:?}" --client-id "$${CONSOLE_CLIENT_ID:?}" --redirect-uri "$$CONSOLE_ORIGIN/console/" \
	    --index-out $(BUILD)/console-index.html --materials-bucket "$$(output MaterialsBucketName)" --region $(REGION) \
	  && $(IAC)/bin/aws s3 sync --region $(REGION) --delete --exclude config.json --exclude index.html console/ \
	    "s3://$$(output ConsoleBucketName)/console/" \
	  && $(IAC)/bin/aws s3 cp --region $(REGION) $(BUILD)/console-index.html \
	    "s3://$$(output ConsoleBucketName)/console/index.html" --content-type "text/html; charset=utf-8" --cache-control no-cache \
	  && $(IAC)/bin/aws s3 cp --region $(REGION) $(BUILD)/console-config.json \
	    "s3://$$(output ConsoleBucketName)/console/config.json" --cache-control no-cache; fi

# make browser - Debian's chromium and a CJK font (fonts-noto-cjk) for the console's browser tests (tests/browser,
# part of make test), so its pages and screenshots show Chinese rather than boxes; apt only when one is missing (CI
# runs as root; elsewhere sudo). Playwright never downloads a browser.
.PHONY: browser test-browser
browser:
	@{ test -x /usr/bin/chromium && fc-list :lang=zh family | grep -q .; } || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk; }

# make test-browser - only the console's browser tests (screenshots: tests/browser/screenshots/)
test-browser: $(STAMP) browser
	$(PY) -m pytest -q -p no:cacheprovider tests/browser
