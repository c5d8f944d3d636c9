# Public interface: make html | make check | make test | make lint | make diff | make bench. Each sets up .venv on first use.
VENV        ?= .venv
PY          := $(VENV)/bin/python
STAMP       := $(VENV)/.installed
BUILDDIR    ?= _build
SPHINXOPTS  ?=
RESULTS     ?=
STRICT      ?=
BASE        ?= origin/main
HEAD        ?= WORKTREE
DIFFOPTS    ?=

empty :=
space := $(empty) $(empty)
comma := ,
RESULTS_OPT := $(if $(strip $(RESULTS)),-D trace_results=$(subst $(space),$(comma),$(strip $(RESULTS))))
STRICT_OPT  := $(if $(filter-out 0 no false,$(STRICT)),-D trace_strict=1)

.PHONY: html check test lint diff bench clean venv system

$(STAMP): requirements.lock pyproject.toml scripts/bootstrap.sh
	@scripts/bootstrap.sh $(VENV)

venv: $(STAMP)

system:
	@scripts/install_browser.sh

## html: build the site into _build/html (warnings are errors; pages showing other pages' data are re-written)
html: $(STAMP)
	$(PY) scripts/sphinx_build.py -W --keep-going -b html $(RESULTS_OPT) $(STRICT_OPT) $(SPHINXOPTS) . $(BUILDDIR)/html

## check: the traceability rules alone, from the sources, without Sphinx or HTML
check: $(STAMP)
	$(PY) scripts/check.py $(if $(strip $(RESULTS)),--results $(RESULTS)) $(if $(STRICT_OPT),--strict)

## lint: ruff (lint and format) and mypy, as configured in pyproject.toml; zero findings expected
lint: $(STAMP)
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check
	$(VENV)/bin/mypy

## test: lint, the whole suite (rules, builds, browser), then the site built with this run's results
test: $(STAMP) system lint
	$(PY) scripts/run_tests.py

## diff: traceability report between two revisions (HEAD=WORKTREE for uncommitted work)
diff: $(STAMP)
	$(PY) scripts/trace_diff.py $(BASE) $(HEAD) $(DIFFOPTS)

bench: $(STAMP)
	$(PY) scripts/bench.py

clean:
	rm -rf $(BUILDDIR)
