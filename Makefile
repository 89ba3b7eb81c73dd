# OneWindow 一窗通办 — `make run` and `make test` are all the set-up anyone needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format install messages i18n-check clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## run: the portal on http://127.0.0.1:8000 with a Celery worker and beat (SQLite + file broker
## by default; DATABASE_URL / REDIS_URL switch to PostgreSQL / Redis). Ctrl-C stops all of it.
run: $(STAMP)
	@bash scripts/run.sh

## test: the whole suite (DATABASE_URL, else PostgreSQL on 127.0.0.1:5432, else SQLite).
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=static --ignore=bench --no-obsolete
	$(BIN)/python scripts/translate.py locale/sources/*.json

## i18n-check: every visible string has its English translation (run by CI).
i18n-check: messages
	$(BIN)/python scripts/translate.py --missing

clean:
	rm -rf var/broker var/celerybeat-schedule* .pytest_cache
