#!/usr/bin/env bash
# Creates .venv with a Python >= 3.13 and installs the locked dependencies; idempotent.
# Interpreter search order: $PYTHON, a python3.13 on PATH that actually runs, pyenv's 3.13+ versions.
# `bootstrap.sh --find-python` only prints the interpreter it would use.
set -euo pipefail
venv=${1:-.venv}
here=$(cd "$(dirname "$0")/.." && pwd)

suitable() {  # a command that runs and is Python >= 3.13
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 13) else 1)' >/dev/null 2>&1
}

find_python() {
  if [ -n "${PYTHON:-}" ]; then
    if suitable "$PYTHON"; then echo "$PYTHON"; return 0; fi
    echo "bootstrap: \$PYTHON=$PYTHON is not a working Python >= 3.13" >&2
    return 1
  fi
  for candidate in python3.13 python3.14 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && suitable "$candidate"; then command -v "$candidate"; return 0; fi
  done
  local root
  root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
  for candidate in $(ls -d "$root"/versions/3.1[3-9]*/bin/python3.1[3-9] 2>/dev/null | sort -rV); do
    if suitable "$candidate"; then echo "$candidate"; return 0; fi
  done
  return 1
}

if [ "$venv" = "--find-python" ]; then
  find_python || { echo "bootstrap: no Python >= 3.13 found" >&2; exit 1; }
  exit 0
fi

if [ ! -x "$venv/bin/python" ] || ! suitable "$venv/bin/python"; then
  if ! python=$(find_python); then
    echo "bootstrap: no Python >= 3.13 found (tried \$PYTHON, python3.13 on PATH, pyenv versions)." >&2
    echo "bootstrap: Sphinx 9.2 needs Python >= 3.13; install one or set PYTHON=/path/to/python3.13." >&2
    exit 1
  fi
  echo "bootstrap: creating $venv with $python"
  rm -rf "$venv"
  "$python" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.lock"
# The project itself, editable: the checkout's ext/dmtrace is what Sphinx, the scripts and pytest import.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps -e "$here"
touch "$venv/.installed"
