# The duty desk. `make run` and `make test` are all a newcomer needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export DUTYDESK_ENV ?= development

.PHONY: run test lint bench translations i18n-extract clean

$(VENV)/.run-installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.run-installed requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

translations: $(VENV)/.run-installed
	$(VENV)/bin/pybabel compile --use-fuzzy -d translations -D messages >/dev/null

## make run: migrate, load demo data when empty, start the web app and scheduler.py (Ctrl-C stops both)
run: translations
	$(PY) -m desk.run

## make test: the whole suite (PostgreSQL half runs when TEST_DATABASE_URL is set), on TEST_WORKERS processes
## (pytest-xdist; TEST_WORKERS=0 runs it in this one process)
TEST_WORKERS ?= auto
test: $(VENV)/.dev-installed translations
	status=0; $(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS) || status=$$?; \
	  $(if $(PYTEST_STATUS_FILE),echo $$status > $(PYTEST_STATUS_FILE);) exit $$status

## make lint: ruff over everything, mypy --strict over the pure cores listed in pyproject.toml [tool.mypy]
lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(PY) -m mypy --strict

bench: $(VENV)/.dev-installed
	@for b in bench/*_bench.py; do echo "== $$b"; $(PY) $$b || exit 1; done

## i18n-extract: refresh the catalogs after adding user-visible strings, then translate the new entries
i18n-extract: $(VENV)/.run-installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k _l -k lazy_pgettext:1c,2 -o translations/messages.pot . >/dev/null
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching >/dev/null

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
