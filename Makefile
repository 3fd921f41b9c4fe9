# jingzhun — entry points. `make demo` and `make test` work on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
DEMO_HOUSEHOLDS ?= 2000
PORT ?= 8000
PYTEST_WORKERS ?= 2
export UV_LINK_MODE := copy
# Installed packages are compiled once: processes then load bytecode instead of compiling
# every imported module again (PYTHONDONTWRITEBYTECODE keeps them from caching it).
export UV_COMPILE_BYTECODE := 1

.PHONY: demo install test test-deps lint test-sqlite test-postgres fuzz messages serve bench clean

$(BIN)/jingzhun: pyproject.toml uv.lock
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --quiet
	@touch $@

install: $(BIN)/jingzhun

# Embedded SQLite database, the demo county, the web UI on http://127.0.0.1:$(PORT)
# The demo runs as a deployment does (its own error pages, no debug output), on plain
# HTTP on this machine; its secret key is made once and kept in var/.
DEMO_ENV = JINGZHUN_SECRET_KEY="$$(cat var/demo-secret-key)" JINGZHUN_ALLOWED_HOSTS=127.0.0.1,localhost \
	JINGZHUN_SECURE_COOKIES=false JINGZHUN_SSL_REDIRECT=false JINGZHUN_HSTS_SECONDS=0

demo: install
	@mkdir -p var
	@test -s var/demo-secret-key || $(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > var/demo-secret-key
	$(DEMO_ENV) $(BIN)/jingzhun migrate --no-input -v 0
	$(DEMO_ENV) $(BIN)/jingzhun demo-data --households $(DEMO_HOUSEHOLDS) --seed 1 --replace --screen
	@echo "Open http://127.0.0.1:$(PORT)/ and log in with one of the accounts above."
	@# The worker runs screenings started from the web; it stops with the server.
	@$(DEMO_ENV) $(BIN)/jingzhun db_worker --queue-name '*' --no-reload & worker=$$!; \
	trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	$(DEMO_ENV) $(BIN)/jingzhun runserver --insecure 127.0.0.1:$(PORT)

# System packages the tests use: PostgreSQL server binaries, Chromium, gettext, and nginx
# with openssl for the deployment check.
test-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk" || missing="$$missing fonts-wqy-microhei"; \
	test -x /usr/sbin/nginx || missing="$$missing nginx-light"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy jingzhun config
	$(BIN)/lint-imports

test-sqlite: install
	JINGZHUN_DATABASE_URL=sqlite:///var/test.sqlite3 $(BIN)/pytest -n $(PYTEST_WORKERS) -q

test-postgres: install
	$(BIN)/python scripts/with_postgres.py -- $(BIN)/pytest -n $(PYTEST_WORKERS) -q

test: test-deps install lint test-sqlite test-postgres

# The API fuzzer with many random examples (make test runs it derandomised, with few).
FUZZ_EXAMPLES ?= 300
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) JINGZHUN_DATABASE_URL=sqlite:///var/fuzz.sqlite3 \
	  $(BIN)/pytest -q tests/integration/test_api_schema.py

# English is the source language; the Chinese catalogue must stay complete (a test checks it).
messages: install
	cd jingzhun && DJANGO_SETTINGS_MODULE=config.test_settings PYTHONPATH=.. ../$(BIN)/django-admin makemessages -l zh_Hans --no-obsolete --no-location
	msgfmt --check-format -o jingzhun/locale/zh_Hans/LC_MESSAGES/django.mo jingzhun/locale/zh_Hans/LC_MESSAGES/django.po

# Benchmarks against peer baselines in the same run; results in bench/results/.
# BENCH_HOUSEHOLDS (default 1,000,000), BENCH_ORM_HOUSEHOLDS (10,000), BENCH_REPEATS (3);
# imports: BENCH_XLSX_MEMBERS (100,000), BENCH_CSV_MEMBERS (1,000,000), BENCH_ORM_MEMBERS (20,000);
# API: BENCH_API_HOUSEHOLDS (20,000), BENCH_API_SECONDS (10), BENCH_API_CLIENTS (16); installs wrk.
bench: install
	$(BIN)/python bench/screening.py
	$(BIN)/python bench/imports.py
	$(BIN)/python bench/dashboards.py
	$(BIN)/python bench/api.py
	$(BIN)/python bench/encryption.py
	$(BIN)/python bench/funds.py
	$(BIN)/python bench/night.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache test-artifacts
