# The two commands of the quick start are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint check migrate seed worker test-services backup restore clean demo-code lock

# Every package, with everything it needs, is locked to one version and its hashes in
# requirements/*.txt (compiled from requirements/*.in by `make lock`); pip refuses
# anything else.
$(VENV)/.installed: requirements/base.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --require-hashes -r requirements/base.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.txt
	$(PIP) install --quiet --require-hashes -r requirements/dev.txt
	touch $@

## make lock: after changing requirements/base.in or dev.in, compile the locked files again.
LOCK := $(abspath $(VENV))/bin/pip-compile --quiet --generate-hashes --strip-extras \
	--allow-unsafe --no-emit-find-links --no-emit-index-url
lock: $(VENV)/.installed-dev
	cd requirements && $(LOCK) --output-file=base.txt base.in && $(LOCK) --output-file=dev.txt dev.in

## make run: install, migrate, load the demo data and serve http://$(HOST):$(PORT) with a worker.
run: $(VENV)/.installed
	PY=$(PY) HOST=$(HOST) PORT=$(PORT) bin/run-portal

## make demo-code EMAIL=business.unit@demo.csap.example: a demo account's two-factor code.
demo-code: $(VENV)/.installed
	$(PY) manage.py demo_code "$(EMAIL)"

## make test: lint, Django checks, and the whole pytest suite on PostgreSQL, Redis and Chromium.
test: $(VENV)/.installed-dev test-services lint check
	$(VENV)/bin/pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit --quiet --recursive --exclude "*/migrations/*" \
		accounts audits section11 section175 multiagency reports csap_portal

check: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=csap_portal.settings.test $(PY) manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=csap_portal.settings.test $(PY) manage.py makemigrations --check --dry-run

## Starts PostgreSQL and Redis if they are down and installs Chromium if it is missing.
test-services:
	bin/test-services

## make backup: the database and the uploaded files, with a manifest, in a new folder under BACKUP_DIR.
backup: $(VENV)/.installed
	$(PY) manage.py backup

## make restore BACKUP=var/backups/csap-backup-... RESTORE_DATABASE_URL=... RESTORE_MEDIA_ROOT=...
## checks the backup's hashes and refuses a target holding data (add REPLACE=1 to overwrite it).
restore: $(VENV)/.installed
	@test -n "$(BACKUP)" || { echo "Say which backup: make restore BACKUP=var/backups/csap-backup-..."; exit 2; }
	@# RESTORE_DATABASE_URL and RESTORE_MEDIA_ROOT reach the command through the
	@# environment, so that make never prints a database password.
	$(PY) manage.py restore "$(BACKUP)" $(if $(REPLACE),--replace)

clean:
	rm -rf $(VENV) var
