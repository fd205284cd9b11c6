# Two commands for a fresh clone: `make run` and `make test`. Both start with
# `make setup`, which only (re)installs when the lock file changed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: setup run dev test migrate demo lint audit worker beat clean bench lock

setup: $(STAMP)

# The lock holds every package, each pinned with its hashes, so pip installs it
# as written (--no-deps) and `pip check` then proves it whole. Without --no-deps
# pip resolves again: a dependency asked with an extra (weasyprint's
# fonttools[woff]) is looked up on the index, and once a newer release is out,
# hash-checking mode stops on it although the lock pins fonttools.
$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r requirements.lock
	$(BIN)/python -m pip check
	touch $(STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# The demo is served as in production: DEBUG off, static files collected and
# served by whitenoise, gunicorn, the product's French 404/403/500 pages; plain
# HTTP on 127.0.0.1 only (DJANGO_LOCAL_DEMO). A secret key is made once and kept
# in .demo-secret-key (not committed). To develop with Django's debug pages and
# auto-reload instead: `make dev`.
DEMO_ENV = DJANGO_DEBUG=false DJANGO_LOCAL_DEMO=true LOG_FORMAT=text \
	DJANGO_SECRET_KEY="$$(cat .demo-secret-key)"

.demo-secret-key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(64))" > $@

run: demo .demo-secret-key
	$(DEMO_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Application : http://127.0.0.1:$(PORT)/  (Ctrl-C pour arrêter)"
	$(DEMO_ENV) $(BIN)/gunicorn config.wsgi:application --bind 127.0.0.1:$(PORT) \
		--workers 2 --access-logfile -

dev: demo
	@echo "Développement (DEBUG) : http://127.0.0.1:$(PORT)/  (Ctrl-C pour arrêter)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(BIN)/python manage.py check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

# S-DEPLOY-3: known vulnerabilities in the locked dependencies (needs the
# advisory service to be reachable), then the static security linter.
# --strict: a package that could not be audited (service unreachable, package
# unknown to it) fails the audit; an audit that checked nothing never passes.
AUDIT_REQUIREMENTS ?= requirements.lock
audit: setup
	$(BIN)/pip-audit --strict --require-hashes --disable-pip -r $(AUDIT_REQUIREMENTS)
	$(BIN)/bandit -c pyproject.toml -r core cabinet billing replacements cooperation documents config

worker: setup
	$(BIN)/celery -A config worker --loglevel=INFO

beat: setup
	$(BIN)/celery -A config beat --loglevel=INFO

# Speed figures (each script prints one JSON line; PostgreSQL and Redis are
# needed by patient_search.py and documents.py, PostgreSQL by load.py).
bench: setup
	$(BIN)/python bench/ngap.py
	$(BIN)/python bench/tournee.py
	$(BIN)/python bench/tournee_day.py
	$(BIN)/python bench/solomon.py --solver ortools
	$(BIN)/python bench/solomon.py --solver pyvrp
	$(BIN)/python bench/patient_search.py
	$(BIN)/python bench/documents.py
	$(BIN)/python bench/load.py

# Regenerate the lock file after editing pyproject.toml (needs network).
lock:
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .demo-secret-key
