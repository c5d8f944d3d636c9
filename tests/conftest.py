"""Shared test fixtures: the project's pytest plugin, and throw-away sites built with the real tools."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import PYTHON, REPO, Run, check, exported_needs, run, sphinx_build, write_site

PYTEST_INI = """\
[pytest]
addopts = -p no:cacheprovider --strict-markers
junit_family = xunit2
"""


@dataclass
class Site:
    """A small site in a temporary directory (tests.support's layout), run with pytest, make, check, Sphinx."""

    root: Path

    def write(self, name: str, text: str) -> Path:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def configure(
        self, results: list[str] | None = None, patterns: dict[str, list[str]] | None = None, strict: bool = False
    ) -> None:
        write_site(self.root, {}, results)
        with (self.root / "conf.py").open("a", encoding="utf-8") as conf:
            conf.write(f"trace_id_patterns = {patterns or {}!r}\ntrace_strict = {strict!r}\n")

    def run(self, *args: str) -> Run:
        return run([PYTHON, *args], self.root)

    def check(self, *args: str) -> Run:
        """`make check`: scripts/check.py on this site."""
        return check(self.root, *args)

    def build(self, *args: str) -> Run:
        """`make html`: a Sphinx build of this site from a fresh environment, warnings as errors."""
        return sphinx_build(self.root, "-E", *args)

    def use_pytest(self) -> None:
        """Makes the site a pytest rootdir whose runs load the project's plugin."""
        if not (self.root / "pytest.ini").exists():
            self.write("pytest.ini", PYTEST_INI)

    def pytest(self, *args: str) -> Run:
        """pytest over this site's tests/ with the project's plugin (rootdir: the site)."""
        self.use_pytest()
        return self.run("-m", "pytest", *args)

    def make(self, target: str, **variables: str) -> Run:
        """The project's Makefile run in this site, with the project's scripts and the current virtualenv."""
        for name in ("scripts", "requirements.lock"):
            if not (self.root / name).exists():
                (self.root / name).symlink_to(REPO / name)
        venv = Path(PYTHON).parent.parent
        # -o: the virtualenv counts as installed; a test must never run the bootstrap.
        command = [
            "make",
            "--no-print-directory",
            "-f",
            str(REPO / "Makefile"),
            "-o",
            f"{venv}/.installed",
            target,
            f"VENV={venv}",
            *(f"{key}={value}" for key, value in variables.items()),
        ]
        return run(command, self.root)

    def needs(self) -> dict[str, dict[str, Any]]:
        """The needs of the last build, from its needs.json."""
        return exported_needs(self.root)


def new_site(parent: Path) -> Site:
    made = Site(parent / "site")
    made.configure()
    return made


@pytest.fixture
def site(tmp_path: Path) -> Site:
    """An empty site (conf.py and index) in a fresh directory."""
    return new_site(tmp_path)


@pytest.fixture(scope="session")
def site_factory(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Site]:
    """Makes empty sites for module-scoped fixtures that build once and serve several tests."""
    return lambda name: new_site(tmp_path_factory.mktemp(name))


@pytest.fixture(scope="session")
def published_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The publishing fixture site (tests/publish_site.py) built once per run; the tests using it only read it."""
    from tests.publish_site import build
    from tests.publish_site import write_site as write_publish_site

    root = write_publish_site(tmp_path_factory.mktemp("published") / "site")
    build(root)
    return root
