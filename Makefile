# The two commands the README starts with: `make run` and `make test`. Both set up what they need and are safe to re-run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=
HOST ?= 127.0.0.1:8000
# Links in emails follow the port the portal runs on (the worker has no request to read the host from).
SITE_URL ?= http://$(HOST)

.PHONY: install run test test-postgres lint format assets chromium worker clean smoke faults security

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

## Set up, load the London demo data and run the portal at http://$(HOST) on SQLite.
run: install
	$(BIN)/python manage.py migrate --noinput
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py seed_demo
	@echo "Emails are sent by the worker: run \`make worker HOST=$(HOST)\` in another terminal."
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py runserver $(HOST)

## Run the background worker (emails) beside `make run`.
worker: install
	SITE_URL=$(SITE_URL) $(BIN)/python manage.py portal_worker

## Set up and run the whole test suite on SQLite, browser journeys included.
test: install chromium lint
	$(BIN)/pytest -m "not postgres" $(PYTEST_ARGS)

## The suite on PostgreSQL (DATABASE_URL must point at it), including the `postgres` tests.
test-postgres: install
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=schools_portal.settings.test > /dev/null

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Debian's Chromium for the browser journeys (`playwright install` cannot download here).
chromium:
	@test -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" || (apt-get update -qq && apt-get install -y -qq chromium > /dev/null)

## Rebuild GOV.UK Frontend CSS/JS (needs Node and npm). The built files are committed, so run/test do not need Node.
assets:
	npm ci --no-audit --no-fund
	npm run build

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*

## Production smoke test on PostgreSQL + Redis (gunicorn, portal_worker, an HTTP journey); SMOKE_AFTER=.ci/schemathesis.sh adds the API fuzzing.
smoke: install
	.ci/smoke.sh

## Fault test on the production stack (its own Redis on 6390): Redis stopped, the worker killed mid-task. PostgreSQL is
## restarted only with FAULTS_RESTART_POSTGRES=1 (CI only: it restarts the machine's cluster).
faults: install
	.ci/faults.sh

## Security baseline: bandit (accepted findings in pyproject.toml and .ci/bandit-baseline.json), pip-audit, tests/security.
security: install
	$(BIN)/bandit -c pyproject.toml -r . -q -b .ci/bandit-baseline.json
	$(BIN)/python .ci/audit_deps.py
	$(BIN)/pytest -q tests/security
