# kebao: `make demo` and `make test` do all set-up on a fresh machine; `make test-fast` runs the pure tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kebao-installed

.PHONY: demo records-demo test test-fast setup system lint typecheck constraints clean lab

demo: setup system
	$(BIN)/kebao validate
	$(BIN)/kebao pack --all
	$(BIN)/kebao book --quiet
	$(MAKE) --no-print-directory records-demo
	@echo
	@echo "Course packs (handbook, trainer guide, timetable, attendance, credits, zip):"
	@ls -d $(CURDIR)/build/packs/*/* | grep -v /_failed
	@echo "The site: open $(CURDIR)/_build/html/index.html in a browser."
	@echo "Learner records (fake example learners, git-ignored): records/; certificates in records/certificates/"
	@echo "Try: $(BIN)/kebao plan xpcc-cadres"
	@echo "Design a programme in JupyterLab: make lab"

# The learner-records loop on fake example data (examples/records.py, all under the git-ignored records/):
# roster -> filled attendance, score and survey workbooks imported -> status -> certificates -> credit-bank export.
records-demo: setup
	$(BIN)/python examples/records.py
	$(BIN)/kebao records roster xpcc-cadres records/example/xpcc-cadres/xpcc-2026-12/roster.csv
	$(BIN)/kebao records roster college-managers-study-tour \
	  records/example/college-managers-study-tour/managers-tour-2026-12/roster.csv
	for f in records/example/*/*/*.xlsx; do $(BIN)/kebao records import "$$f" || exit 1; done
	$(BIN)/kebao records status xpcc-cadres
	$(BIN)/kebao records certificates xpcc-cadres
	$(BIN)/kebao records export xpcc-cadres --format creditbank

test: setup system lint typecheck
	$(BIN)/pytest -q

# The pure lane (about 20 s): no site or pack builds, kernels, browsers or databases (markers in pyproject.toml).
test-fast: setup
	$(BIN)/pytest -q -m "not (slow or kernel or browser or database)"

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

# JupyterLab, in Simplified Chinese, on the design studio; modules and cases open as notebooks and
# notebooks/ is saved without outputs (jupytext.toml, cases/jupytext.toml, and the Jupyter server and
# JupyterLab settings in .jupyter/; see docs/authoring.md).
lab: setup system
	@echo "kebao: starting JupyterLab on notebooks/design_studio.ipynb: open the URL printed below"
	@echo "kebao: (the one with /lab/tree/notebooks/design_studio.ipynb?token=...); Ctrl+C twice stops it."
	JUPYTER_CONFIG_PATH="$(CURDIR)/.jupyter$${JUPYTER_CONFIG_PATH:+:$$JUPYTER_CONFIG_PATH}" \
	  $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/notebooks/design_studio.ipynb $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf build _build
