"""The pytest plugin used from another repository: the package installed without extras into a fresh virtualenv
brings pytest and the reader's needs only (no Sphinx, theme or Playwright), and a separate pipeline repository's
`@pytest.mark.verifies` markers, checked against a site given with --trace-root, reach its JUnit XML; an unknown
id stops that run, naming the id."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from dmtrace.core.results import NODE_ID_PROPERTY, TEST_CASE_PROPERTY
from tests.support import Run, write_site

REPO = Path(__file__).resolve().parent.parent
# What a checkout holds besides the package's sources; left out of the copy the wheel is built from.
IGNORED = shutil.ignore_patterns(
    ".venv", "_build", "build", ".git", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", "*.egg-info"
)
# Outer settings that would change what the fresh environment imports or which plugins its pytest loads.
LEAKY_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")
LEAKY_ENV += ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_CURRENT_TEST")
SITE_ONLY = ("sphinx", "sphinx-needs", "myst-parser", "pydata-sphinx-theme", "playwright")

SITE_NEEDS = """\
# Needs

```{req} Requirement
:id: DMS-REQ-0001
:priority: 1a
```

```{test} Test case implemented in the pipeline repository
:id: LVV-T1
:verifies: DMS-REQ-0001
```
"""

PIPELINE_INI = "[pytest]\naddopts = --strict-markers\n"  # an unregistered marker would be an error

PIPELINE_TESTS = """\
import pytest


@pytest.mark.verifies("LVV-T1")
def test_covered():
    pass


def test_unmarked():
    pass
"""

UNKNOWN_ID_TESTS = """\
from pathlib import Path

import pytest


@pytest.mark.verifies("LVV-T1")
def test_known():
    Path("ran-known").touch()


@pytest.mark.verifies("LVV-T999")
def test_unknown():
    Path("ran-unknown").touch()
"""

# Run in the fresh environment: what it can import, where dmtrace comes from, and its metadata.
PROBE = """\
import importlib, importlib.metadata, json

absent = {}
for name in ("sphinx", "sphinx_needs", "myst_parser", "pydata_sphinx_theme", "playwright"):
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as err:
        absent[name] = err.name == name
    else:
        absent[name] = False
plugin = importlib.import_module("dmtrace.pytest_plugin.plugin")
print(json.dumps({
    "absent": absent,
    "plugin_file": plugin.__file__,
    "entry_points": sorted((e.name, e.value) for e in importlib.metadata.entry_points(group="pytest11")),
    "requires": importlib.metadata.requires("dmtrace"),
    "installed": sorted(d.metadata["Name"].lower() for d in importlib.metadata.distributions()),
}))
"""


@dataclass(frozen=True)
class FreshEnv:
    """A virtualenv holding the package as a pipeline repository would install it: `pip install <repo>`."""

    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    def run(self, *args: str | Path, cwd: Path) -> Run:
        env = {key: value for key, value in os.environ.items() if key not in LEAKY_ENV}
        done = subprocess.run(
            [str(self.python), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )
        return Run(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def fresh_env(tmp_path_factory: pytest.TempPathFactory) -> FreshEnv:
    """The repository installed, non-editable and without extras, into a new virtualenv of this interpreter.

    The wheel is built from a copy: an in-tree setuptools build writes build/ and *.egg-info into the source.
    pip resolves the dependencies from the package's metadata through its configured indexes, as in a pipeline.
    """
    base = tmp_path_factory.mktemp("other-repository")
    source = base / "dmtrace-source"
    shutil.copytree(REPO, source, ignore=IGNORED, symlinks=True)
    made = subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], capture_output=True, text=True)
    assert made.returncode == 0, made.stdout + made.stderr
    env = FreshEnv(base / "venv")
    # An absolute path: a bare folder name is looked up on the index as a project of that name.
    install = env.run("-m", "pip", "install", "--quiet", "--disable-pip-version-check", source.resolve(), cwd=base)
    assert install.returncode == 0, install.stdout + install.stderr
    return env


@pytest.fixture(scope="module")
def trace_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site outside the pipeline repository: conf.py and one page of needs, as tests.support writes them."""
    return write_site(tmp_path_factory.mktemp("trace-site") / "site", {"needs/needs.md": SITE_NEEDS})


def pipeline_repo(parent: Path, tests: str) -> Path:
    """A separate repository (no git, no dmtrace of its own): a pytest.ini and one test module."""
    root = parent / "pipeline"
    root.mkdir()
    (root / "pytest.ini").write_text(PIPELINE_INI, encoding="utf-8")
    (root / "test_pipeline.py").write_text(textwrap.dedent(tests), encoding="utf-8")
    return root


def run_pipeline(env: FreshEnv, repo: Path, site: Path) -> Run:
    # `--trace-root=DIR`, one argument: pytest finds the rootdir and ini file before it loads entry-point plugins,
    # so in `--trace-root DIR` it takes DIR for a test path, and the rootdir becomes DIR's common ancestor with
    # the repository (its pytest.ini ignored, every node id prefixed).
    return env.run("-m", "pytest", "-p", "no:cacheprovider", f"--trace-root={site}", "--junitxml=out.xml", cwd=repo)


def junit_properties(path: Path) -> dict[str, list[tuple[str | None, str | None]]]:
    """Per <testcase> (by its classname and name, not by the plugin's own property), its properties in order."""
    root = ET.parse(path).getroot()
    return {
        f"{case.get('classname')}.{case.get('name')}": [(p.get("name"), p.get("value")) for p in case.iter("property")]
        for case in root.iter("testcase")
    }


def test_install_without_extras_brings_the_plugin_and_no_site_dependencies(fresh_env: FreshEnv, tmp_path: Path) -> None:
    probe = fresh_env.run("-c", PROBE, cwd=tmp_path)
    check = fresh_env.run("-m", "pip", "check", "--disable-pip-version-check", cwd=tmp_path)

    assert probe.returncode == 0, probe.stdout + probe.stderr
    found = json.loads(probe.stdout)
    assert found["absent"] == {
        "sphinx": True,
        "sphinx_needs": True,
        "myst_parser": True,
        "pydata_sphinx_theme": True,
        "playwright": True,
    }
    assert not set(SITE_ONLY) & set(found["installed"])
    assert {"pytest", "defusedxml", "dmtrace"} <= set(found["installed"])
    # The installed copy, not the checkout the tests run from.
    assert Path(found["plugin_file"]).is_relative_to(fresh_env.root)
    assert ["trace", "dmtrace.pytest_plugin.plugin"] in found["entry_points"]
    requirements = [Requirement(line) for line in found["requires"]]
    unconditional = {r.name.lower() for r in requirements if not r.marker or r.marker.evaluate({"extra": ""})}
    # pytest for the plugin; what the reader needs: defusedxml (results) and markdown-it-py with its plugins
    assert unconditional == {"pytest", "defusedxml", "markdown-it-py", "mdit-py-plugins"}
    with_extra = {r.name.lower() for r in requirements if r.name.lower() not in unconditional}
    assert set(SITE_ONLY) <= with_extra  # sphinx & co. in `site`; playwright in `dev`, which pulls in `site`
    assert (check.returncode, check.stdout.strip()) == (0, "No broken requirements found."), check.stderr


def test_pipeline_repository_marker_reaches_its_junit_xml(
    fresh_env: FreshEnv, trace_site: Path, tmp_path: Path
) -> None:
    repo = pipeline_repo(tmp_path, PIPELINE_TESTS)

    run = run_pipeline(fresh_env, repo, trace_site)

    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stdout.splitlines()[-1]
    assert junit_properties(repo / "out.xml") == {
        "test_pipeline.test_covered": [
            (TEST_CASE_PROPERTY, "LVV-T1"),
            (NODE_ID_PROPERTY, "test_pipeline.py::test_covered"),
        ],
        "test_pipeline.test_unmarked": [(NODE_ID_PROPERTY, "test_pipeline.py::test_unmarked")],
    }


def test_pipeline_repository_marker_naming_an_unknown_id_stops_the_run(
    fresh_env: FreshEnv, trace_site: Path, tmp_path: Path
) -> None:
    repo = pipeline_repo(tmp_path, UNKNOWN_ID_TESTS)
    marker_line = UNKNOWN_ID_TESTS.splitlines().index('@pytest.mark.verifies("LVV-T999")') + 1

    run = run_pipeline(fresh_env, repo, trace_site)

    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.stdout + run.stderr
    naming = [line for line in run.stderr.splitlines() if "LVV-T999" in line]
    assert naming == [
        f"test_pipeline.py:{marker_line}: error: LVV-T999: @pytest.mark.verifies on test_pipeline.py::test_unknown "
        f"names LVV-T999, which is not a need of the site under {trace_site.resolve()} [trace.pytest-unknown-id]"
    ]
    assert "LVV-T1:" not in run.stderr  # the known id is fine; only the unknown one is named
    assert "no tests ran" in run.stdout
    assert list(repo.glob("ran-*")) == []  # neither test ran, not even the one marked with a known id
    assert "Traceback" not in run.stdout + run.stderr
