"""Test helpers: write small real sites into temp dirs, build them with Sphinx or check them, read the output."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
# A git identity and no user or system configuration, for tests that commit in a temporary repository.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "A",
    "GIT_AUTHOR_EMAIL": "a@example.org",
    "GIT_COMMITTER_NAME": "A",
    "GIT_COMMITTER_EMAIL": "a@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
PYTHON = sys.executable
# A requirement and the test case that verifies it: the smallest site the make targets run on.
ONE_VERIFIED_NEED = """# Needs

```{req} Alert latency
:id: DMS-REQ-0001
:priority: 1a
```

```{test} Alert timing
:id: LVV-T1
:verifies: DMS-REQ-0001
```
"""


def git(root: Path, *args: str, date: str = "") -> str:
    """git in `root` with the test identity and no user configuration (GIT_ENV); `date` sets the commit's dates.
    Its output, stripped; a failing command raises."""
    env = {**os.environ, **GIT_ENV, **({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {})}
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True).stdout.strip()


FIXTURE_CONF = """
from dmtrace.core.model import sphinx_needs_config
project = "fixture"
extensions = ["myst_parser", "dmtrace"]
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build"]
globals().update(sphinx_needs_config())
trace_results = {results}
"""

FIXTURE_INDEX = """# Fixture

```{toctree}
:glob:

needs/**
```
"""


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str

    def error_lines(self) -> list[str]:
        """The violation lines (plain format) printed by the run, in order."""
        return [line for line in self.stderr.splitlines() if ": error: " in line]


def write_site(
    root: Path, pages: dict[str, str], results: list[str] | None = None, files: dict[str, str] | None = None
) -> Path:
    """A fixture site: conf.py, an index with a glob toctree over needs/, and the given pages (dedented)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "conf.py").write_text(FIXTURE_CONF.replace("{results}", repr(results or [])))
    (root / "index.md").write_text(FIXTURE_INDEX)
    for name, text in {**pages, **(files or {})}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    # `make test RESULTS=...` exports TRACE_*: the fixture sites are built and checked with their own settings.
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS" and not k.startswith("TRACE_")}
    # Sphinx colours its messages under CI=true; the tests read them as plain text.
    env["NO_COLOR"] = "1"
    env.update(extra or {})
    return env


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> Run:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=_env(env), timeout=timeout)
    return Run(done.returncode, done.stdout, done.stderr)


def sphinx_build(root: Path, *options: str, env: dict[str, str] | None = None) -> Run:
    return run(
        [PYTHON, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", *options, ".", "_build/html"], root, env
    )


def check(root: Path, *options: str, env: dict[str, str] | None = None) -> Run:
    return run([PYTHON, str(REPO / "scripts" / "check.py"), "--root", str(root), *options], root, env)


def exported_needs(root: Path) -> dict[str, dict]:
    data = json.loads((root / "_build" / "html" / "needs.json").read_text())
    version = data["current_version"]
    return data["versions"][version]["needs"]


def load_script(name: str) -> ModuleType:
    """scripts/ is no package: a script's module, loaded from its file once per test session."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]
