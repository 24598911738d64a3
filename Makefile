# kebao: `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kebao-installed

.PHONY: demo test setup system lint typecheck constraints clean

demo: setup system
	$(BIN)/kebao validate
	$(BIN)/kebao pack --all
	$(BIN)/kebao book --quiet
	@echo
	@echo "Course packs (handbook, trainer guide, timetable, attendance, credits, zip):"
	@ls -d $(CURDIR)/build/packs/*/* | grep -v /_failed
	@echo "The site: open $(CURDIR)/_build/html/index.html in a browser."
	@echo "Try: $(BIN)/kebao plan xpcc-cadres"

test: setup system lint typecheck
	$(BIN)/pytest -q

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[notebooks,dev]'
	touch $@

system:
	@.ci/system-packages

lint: setup
	$(BIN)/ruff check

typecheck: setup
	$(BIN)/mypy

# Re-pin after changing dependencies in pyproject.toml (then commit constraints.txt).
constraints: setup
	{ echo '# Versions tested together; `make` installs with `pip install -c constraints.txt`.'; \
	  echo '# Regenerate after changing dependencies: make constraints'; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -iv '^kebao'; } > constraints.txt

clean:
	rm -rf build _build
