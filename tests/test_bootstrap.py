"""The set-up script finds a Python >= 3.13 in the documented order, or stops with one clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support import REPO

SCRIPT = REPO / "scripts" / "bootstrap.sh"


def bootstrap(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT), *args], capture_output=True, text=True, env=env, timeout=60)


def bare_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No python3.13 on PATH, an empty pyenv root: only what the test adds can be found."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("bash", "ls", "sort", "dirname", "rm", "touch"):
        target = subprocess.run(["bash", "-c", f"command -v {tool}"], capture_output=True, text=True).stdout.strip()
        if target and not (bin_dir / tool).exists():
            (bin_dir / tool).symlink_to(target)
    return {"PATH": str(bin_dir), "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "pyenv"), **extra}


def test_no_interpreter_gives_one_clear_message(tmp_path: Path) -> None:
    result = bootstrap(str(tmp_path / "venv"), env=bare_env(tmp_path))
    assert result.returncode == 1
    assert "no Python >= 3.13 found" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "venv").exists()


def test_python_variable_that_is_too_old_is_refused(tmp_path: Path) -> None:
    old = tmp_path / "python-old"
    old.write_text("#!/bin/sh\nexit 1\n")
    old.chmod(0o755)
    result = bootstrap("--find-python", env=bare_env(tmp_path, PYTHON=str(old)))
    assert result.returncode == 1
    assert f"$PYTHON={old} is not a working Python >= 3.13" in result.stderr


def test_finds_python_from_variable_and_from_pyenv_versions(tmp_path: Path) -> None:
    env = bare_env(tmp_path, PYTHON=sys.executable)
    assert bootstrap("--find-python", env=env).stdout.strip() == sys.executable

    versions = tmp_path / "pyenv" / "versions" / "3.13.9" / "bin"
    versions.mkdir(parents=True)
    (versions / "python3.13").symlink_to(os.path.realpath(sys.executable))
    found = bootstrap("--find-python", env=bare_env(tmp_path))
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(versions / "python3.13")
