"""`make test`: runs pytest over tests/ into JUnit XML, then builds the site with that run's results."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import defusedxml.ElementTree
from defusedxml import DefusedXmlException

from dmtrace.core.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent

JUNIT = "_build/results/pytest.xml"
NO_TESTS_COLLECTED = 5  # pytest.ExitCode.NO_TESTS_COLLECTED


def pytest_summary(junit: Path, code: int) -> str:
    """The closing line, from the JUnit XML pytest wrote: 'summary: N passed, N failed, N skipped'."""
    if code == NO_TESTS_COLLECTED:
        return f"pytest: no tests collected (exit {code}): counted as a failure"
    try:
        suite = defusedxml.ElementTree.parse(junit).getroot().find("testsuite")
    except (OSError, DefusedXmlException, defusedxml.ElementTree.ParseError):
        suite = None
    if suite is None:
        return f"pytest: exit {code}, no JUnit XML at {junit}"
    tests, failures, errors, skipped = (int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped"))
    return f"summary: {tests - failures - errors - skipped} passed, {failures + errors} failed, {skipped} skipped"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, epilog="Other arguments are passed on to pytest.")
    parser.add_argument("--root", type=Path, default=ROOT, help="site root (holds conf.py and tests/)")
    args, pytest_args = parser.parse_known_args(argv)
    root = args.root.resolve()
    junit = root / JUNIT
    junit.unlink(missing_ok=True)  # a stale file must not pass for this run's results

    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "tests", f"--junitxml={JUNIT}", *pytest_args], cwd=root, check=False
    )
    # The site is built whatever pytest said: failing results are exactly what it must show.
    results = ",".join([*load_settings(root).results, JUNIT])
    site = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "sphinx_build.py"),
            "-W",
            "--keep-going",
            "-b",
            "html",
            "-D",
            f"trace_results={results}",
            ".",
            "_build/html",
        ],
        cwd=root,
        check=False,
    )

    print()
    print(f"site: {'built' if site.returncode == 0 else 'FAILED'} with results {results} (exit {site.returncode})")
    print(pytest_summary(junit, tests.returncode))
    return 0 if tests.returncode == 0 and site.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
