# The two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export FLASK_APP := app:create_app

.PHONY: run test test-pg test-e2e install lint clean translations outbox

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python run.py

# The suite in random order (pytest-randomly prints the seed), over every core up to four (TEST_WORKERS=0:
# one process); each worker restores its own saved database before each test (tests/snapshots.py).
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/python -m pytest --numprocesses=$(TEST_WORKERS) --maxprocesses=4 --dist=worksteal $(PYTEST_ARGS)

# Browser tests (tests_e2e/): Playwright drives Debian's Chromium, never a downloaded browser.
# Screenshots of every step go to artifacts/e2e/.
CHROMIUM ?= /usr/bin/chromium
test-e2e: $(STAMP) node_modules/axe-core/axe.min.js
	@test -x "$(CHROMIUM)" || { echo "test-e2e: Chromium is missing at $(CHROMIUM). Install Debian's package (apt-get install chromium) or set CHROMIUM=/path/to/chromium." >&2; exit 1; }
	CHROMIUM_PATH="$(CHROMIUM)" $(BIN)/python -m pytest tests_e2e $(PYTEST_ARGS)

# axe-core for the accessibility walk (tests_e2e/test_accessibility.py), pinned in package-lock.json
node_modules/axe-core/axe.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The SMS the local sender recorded (sign-in codes included), from the project's own flask:
# make outbox WHO=app1
outbox: $(STAMP)
	$(BIN)/flask sms outbox $(if $(WHO),--user $(WHO))

clean:
	rm -rf $(VENV) instance .pytest_cache

# The English catalogue: re-extract the Chinese msgids, merge them into app/translations/en, compile.
# New entries come in with an empty msgstr: translate them, then run this again to compile.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k gettext -k _ -o app/translations/messages.pot .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d app/translations --statistics
