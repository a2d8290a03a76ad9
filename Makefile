# Two entry points: `make demo` and `make test`. Everything else is a step they depend on.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export NEXTSTEPS_DATA_DIR ?= $(CURDIR)/data

.PHONY: demo test setup messages lint types pytest clean lock

$(BIN)/nextsteps: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

setup: $(BIN)/nextsteps messages

# Compiled catalogues are build output (not committed). With GNU gettext's msgfmt, Django compiles and checks
# them; without it (a machine with only Python and make), polib writes the same files.
messages: $(BIN)/nextsteps
	if command -v msgfmt >/dev/null; then cd nextsteps && ../$(BIN)/nextsteps compilemessages --ignore=.venv -v0; \
	else $(BIN)/python -m nextsteps.catalogues; fi

# init-keys first: every command but the key commands refuses to start without encryption keys, and on a
# fresh clone the demo makes its own key file in the data folder (it never replaces an existing one).
demo: setup
	$(BIN)/nextsteps init-keys
	$(BIN)/nextsteps migrate -v0
	DEBUG=1 $(BIN)/nextsteps demo

lint: $(BIN)/nextsteps
	$(BIN)/ruff check nextsteps tests benchmarks
	$(BIN)/ruff format --check nextsteps tests benchmarks

types: $(BIN)/nextsteps
	$(BIN)/mypy nextsteps tests

pytest: setup
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)

test: setup lint types pytest

# Re-pin every dependency after changing pyproject.toml: make lock
lock:
	rm -rf /tmp/nextsteps-lock && $(PYTHON) -m venv /tmp/nextsteps-lock
	/tmp/nextsteps-lock/bin/pip install --quiet --disable-pip-version-check ".[dev]"
	/tmp/nextsteps-lock/bin/pip freeze --exclude nextsteps > requirements.lock

clean:
	rm -rf $(VENV) data
