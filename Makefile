# Public interface: make html | make check | make test | make lint | make diff | make report | make bench
#   | make serve | make release | make verify-release. Each sets up .venv on first use.
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
AS_OF       ?=

# Values people type reach the scripts through the environment, as typed: no shell and no make expansion
# ($(value ...)), so `BASE='HEAD;touch x'` is a (bad) revision name, never a command. RESULTS is a list of
# file names separated by white space (a name holding white space belongs in conf.py's trace_results).
export TRACE_RESULTS  = $(value RESULTS)
export TRACE_STRICT   = $(value STRICT)
export TRACE_BASE     = $(value BASE)
export TRACE_HEAD     = $(value HEAD)
export TRACE_DIFFOPTS = $(value DIFFOPTS)
export TRACE_AS_OF    = $(value AS_OF)

.PHONY: html check test lint diff report bench clean venv system serve release verify-release

$(STAMP): requirements.lock pyproject.toml scripts/bootstrap.sh
	@scripts/bootstrap.sh $(VENV)

venv: $(STAMP)

system:
	@scripts/install_browser.sh

## html: build the site into _build/html (warnings are errors; pages showing other pages' data are re-written)
html: $(STAMP)
	$(PY) scripts/sphinx_build.py -W --keep-going -b html $(SPHINXOPTS) . $(BUILDDIR)/html

## check: the traceability rules alone, from the sources, without Sphinx or HTML
check: $(STAMP)
	$(PY) scripts/check.py

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
	$(PY) scripts/trace_diff.py --from-environment

## report: sign-off and evidence of the DM requirements per priority, as Markdown (AS_OF=YYYY-MM-DD; default latest)
report: $(STAMP)
	$(PY) scripts/report.py

bench: $(STAMP)
	$(PY) scripts/bench.py

# Live preview and frozen releases. PORT and TAG reach the scripts like the variables above (environment, as typed).
PORT        ?= 8000
TAG         ?=
export TRACE_PORT = $(value PORT)
export TRACE_TAG  = $(value TAG)

## serve: live preview on http://127.0.0.1:PORT/, rebuilt on every save with make html's options (PORT=0: any free port)
serve: $(STAMP)
	$(PY) scripts/serve.py -W --keep-going -b html $(SPHINXOPTS) . $(BUILDDIR)/html

## release: tag HEAD as TAG and write _build/release/TAG/ (site archive, needs.json, MANIFEST.json of sha256s)
release: $(STAMP)
	$(PY) scripts/release.py

## verify-release: re-check _build/release/TAG/ against the tag's tree and its own archive
verify-release: $(STAMP)
	$(PY) scripts/release.py --verify

clean:
	rm -rf $(BUILDDIR)
