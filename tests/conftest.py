"""Shared test fixtures: the project's pytest plugin, and throw-away sites built with the real tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

pytest_plugins = ["ext.pytest_plugin"]

SITE_CONF = """\
import sys
sys.path.insert(0, {repo!r})
from ext.model import sphinx_needs_config
extensions = ["myst_parser", "sphinx_needs", "ext"]
myst_enable_extensions = ["colon_fence"]
root_doc = "index"
exclude_patterns = ["_build", "tests", "results"]
globals().update(sphinx_needs_config())
trace_results = {results!r}
trace_id_patterns = {patterns!r}
trace_strict = {strict!r}
"""

SITE_INDEX = """\
# Site

```{toctree}
:glob:

needs/*
```
"""

PYTEST_INI = """\
[pytest]
addopts = -p ext.pytest_plugin -p no:cacheprovider --strict-markers
junit_family = xunit2
"""


def clean_env() -> dict[str, str]:
    """The environment for child processes: plain (not GitHub) messages, and the project importable."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = str(REPO)
    return env


@dataclass
class Site:
    """A small site in a temporary directory: conf.py, an index, needs pages, results and pytest tests."""

    root: Path

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def configure(self, results: list[str] | None = None, patterns: dict[str, list[str]] | None = None,
                  strict: bool = False) -> None:
        self.write("conf.py", SITE_CONF.format(repo=str(REPO), results=results or [], patterns=patterns or {},
                                              strict=strict))

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=self.root, env=clean_env(), capture_output=True,
                              text=True, timeout=300, check=False)

    def check(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`make check`: scripts/check.py on this site."""
        return self.run(str(REPO / "scripts" / "check.py"), "--root", str(self.root), *args)

    def build(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`make html`: a fresh Sphinx build of this site, warnings as errors."""
        return self.run("-m", "sphinx", "-E", "-W", "--keep-going", "-b", "html", *args, ".", "_build/html")

    def use_pytest(self) -> None:
        """Makes the site a pytest rootdir whose runs load the project's plugin."""
        if not (self.root / "pytest.ini").exists():
            self.write("pytest.ini", PYTEST_INI)

    def pytest(self, *args: str) -> subprocess.CompletedProcess[str]:
        """pytest over this site's tests/ with the project's plugin (rootdir: the site)."""
        self.use_pytest()
        return self.run("-m", "pytest", *args)

    def make(self, target: str, **variables: str) -> subprocess.CompletedProcess[str]:
        """The project's Makefile run in this site, with the project's scripts and the current virtualenv."""
        for name in ("scripts", "requirements.lock"):
            if not (self.root / name).exists():
                (self.root / name).symlink_to(REPO / name)
        venv = Path(sys.executable).parent.parent
        # -o: the virtualenv counts as installed; a test must never run the bootstrap.
        command = ["make", "--no-print-directory", "-f", str(REPO / "Makefile"), "-o", f"{venv}/.installed",
                   target, f"VENV={venv}", *(f"{key}={value}" for key, value in variables.items())]
        return subprocess.run(command, cwd=self.root, env=clean_env(), capture_output=True, text=True,
                              timeout=300, check=False)

    def needs(self) -> dict[str, dict[str, Any]]:
        """The needs of the last build, from its needs.json."""
        data = json.loads((self.root / "_build" / "html" / "needs.json").read_text(encoding="utf-8"))
        return data["versions"][data["current_version"]]["needs"]


def new_site(parent: Path) -> Site:
    made = Site(parent / "site")
    made.root.mkdir()
    made.configure()
    made.write("index.md", SITE_INDEX)
    return made


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty site (conf.py and index) in a fresh directory."""
    return new_site(tmp_path)


@pytest.fixture(scope="session")
def site_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Site]:
    """Makes empty sites for module-scoped fixtures that build once and serve several tests."""
    return lambda name: new_site(tmp_path_factory.mktemp(name))
