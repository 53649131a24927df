# Two commands: `make run` (local demo on SQLite) and `make test` (PostgreSQL + Redis).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# axe-core for the browser journeys (tests/browser), from package-lock.json.
NPM_STAMP := node_modules/.installed-stamp

# make test: real services. Override DATABASE_URL / REDIS_URL to point elsewhere.
TEST_ENV := FTP_ENV=test \
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/ftp} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/15} \
	REDIS_CACHE_URL=$${REDIS_CACHE_URL:-redis://127.0.0.1:6379/14}

.PHONY: install npm run serve backup test test-fast test-browser lint check-services bench bench-wres \
	bench-seed bench-scale bench-load bench-tenants clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

$(NPM_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $(NPM_STAMP)

npm: $(NPM_STAMP)

run: install
	bin/run-local

# Production mode: gunicorn + a Celery worker + beat on PostgreSQL and Redis
# (FTP_ENV=production and its secrets from the environment; README "Production server").
serve: install
	bin/serve

# pg_dump of the configured database (the environment serve uses) to
# FTP_BACKUP_DIR; restoring is in docs/operations.md.
backup: install
	$(BIN)/python manage.py backup

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/mypy .
	$(BIN)/lint-imports --no-cache
	FTP_ENV=local FTP_VAR_DIR=$$(mktemp -d) $(BIN)/python manage.py makemigrations --check --dry-run

check-services: install
	$(TEST_ENV) $(BIN)/python bin/check_services.py

# The whole suite, browser journeys included (tests/browser: Debian's chromium +
# axe-core), as two pytest processes at once with their own databases
# (bin/run_tests.py); PYTEST_ARGS runs one pytest with those arguments instead.
test: install npm check-services lint
	$(TEST_ENV) $(BIN)/python bin/run_tests.py $(PYTEST_ARGS)

# The edit-test loop: no lint, no browser, no real workers, no exhaustive
# tests (markers `services` and `slow`). CI still runs everything.
test-fast: install check-services
	$(TEST_ENV) $(BIN)/pytest -p no:cacheprovider --durations=25 -m "not services and not slow" \
		--ignore=tests/browser $(PYTEST_ARGS)

# Only the browser journeys; screenshots and the axe report go to artefacts/browser/.
test-browser: install npm check-services
	$(TEST_ENV) $(BIN)/pytest -p no:cacheprovider tests/browser $(PYTEST_ARGS)

bench: install check-services
	$(TEST_ENV) $(BIN)/python bench/run.py
	$(TEST_ENV) $(BIN)/python bench/audit_verify.py
	$(TEST_ENV) $(BIN)/python bench/sweep.py
	$(TEST_ENV) $(BIN)/python bench/parallel.py

# WRES reports at 1,000,000 cases (about two minutes, most of it seeding).
bench-wres: install check-services
	$(TEST_ENV) $(BIN)/python bench/wres.py

# Realistic databases at 1,000 and 100,000 cases (ftp_scale_1k, ftp_scale_100k; built
# once, about 5 minutes for 100,000, then reused), the page times at both sizes
# (bench/pages.py) and the load benchmark on the production server (bench/load.py,
# locust, a dev dependency). README "Benchmarks".
bench-seed: install check-services
	$(TEST_ENV) $(BIN)/python bench/seed.py --cases 1000
	$(TEST_ENV) $(BIN)/python bench/seed.py --cases 100000
	$(TEST_ENV) $(BIN)/python bench/seed.py --cases 2500 --trusts 40

bench-scale: install check-services
	$(TEST_ENV) $(BIN)/python bench/pages.py

# One trust among 40 x 2,500 against one trust of 100,000 and of 1,000, read as the
# application's role with row-level security (bench/tenants.py, docs/performance.md).
bench-tenants: install check-services
	$(TEST_ENV) $(BIN)/python bench/tenants.py

bench-load: install check-services
	$(TEST_ENV) $(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache .hypothesis node_modules artefacts
