# Two commands do all set-up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PYBABEL := $(VENV)/bin/pybabel
TRANSLATIONS := appraisal/translations
HOST ?= 127.0.0.1
PORT ?= 5000
TEST_WORKERS ?= auto

.PHONY: run test lint test-browser install translations messages db demo scheduler clean

run: install translations db  ## set up, migrate, seed the demo if empty, serve on :5000
	$(FLASK) demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install translations lint  ## lint, then the whole suite except the browser tests
	@$(PY) -m pytest -m "not browser" -n $(TEST_WORKERS) $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure here"; fi; exit $$rc

lint: install  ## ruff, with the rules chosen in pyproject.toml
	$(VENV)/bin/ruff check appraisal tests benchmarks migrations wsgi.py

test-browser: install translations  ## the browser tests (Playwright + Debian's chromium)
	@$(PY) -m pytest -m browser $(PYTEST_ARGS); rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no browser tests: that is a failure here"; fi; exit $$rc

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

translations: install  ## compile the .po catalogues into .mo files
	$(PYBABEL) compile -d $(TRANSLATIONS)

messages: install  ## extract new strings and merge them into the catalogues
	$(PYBABEL) extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 --no-location --sort-output -o $(TRANSLATIONS)/messages.pot .
	$(PYBABEL) update -N --no-wrap --ignore-obsolete -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS)

db: install  ## upgrade the database to the newest migration
	$(FLASK) db upgrade

demo: db  ## seed the demo hospital (refuses on a database that holds data)
	$(FLASK) demo

scheduler: install translations db  ## run the scheduler process (one per installation is enough)
	$(FLASK) scheduler

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache
