# Luotsi developer commands. The README's quick start uses only `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test install lint format lock messages bench e2e-setup clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade "pip>=24"
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@rm -f $(VENV)/.installed-*
	@touch $@

install: $(STAMP)

## Create the environment, migrate, load reference and demo data, serve http://127.0.0.1:8000
demo: install
	$(BIN)/luotsi demo

## The whole test suite (DATABASE_URL=postgres://... runs it on PostgreSQL)
test: install
	$(BIN)/luotsi selftest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Re-resolve requirements.lock from pyproject.toml (needs the package index)
lock:
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 --generate-hashes --quiet -o requirements.lock
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --extra bench --universal --python-version 3.11 --generate-hashes --quiet -o requirements-bench.lock

messages: install
	cd luotsi && ../$(PY) ../manage.py makemessages -l fi -l sv -l en --no-obsolete --no-location
	$(PY) manage.py compilemessages --ignore=.venv

## All benchmarks; each prints ratios against a baseline measured in the same run
bench: install
	$(PY) -m pip install --quiet --require-hashes -r requirements-bench.lock
	$(PY) -m benchmarks

e2e-setup:
	apt-get install -y chromium
	npm install --silent --no-audit --no-fund --prefix /tmp/axe axe-core@4.14.1

clean:
	rm -rf $(VENV) var/*.sqlite3 var/analytics
