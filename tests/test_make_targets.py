"""The authoring loop on a copy of this repository: a new untraced P1a requirement fails `make check` and
`make html` naming its id, file and line; adding a test that verifies it makes both pass again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.support import REPO, run

IGNORED = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".pytest_cache", "screenshots")
NEW_REQ = """# Added in a pull request

A new requirement the committee asked for.

```{req} A new P1a capability
:id: DMS-REQ-0999
:priority: 1a
```
"""
NEW_TEST = """
```{test} Verify the new capability
:id: LVV-T99999
:verifies: DMS-REQ-0999
```
"""


@pytest.fixture(scope="module")
def repo_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo") / "site"
    shutil.copytree(REPO, root, ignore=IGNORED)
    return root


def make(root: Path, target: str) -> tuple[int, str, list[str]]:
    venv = REPO / ".venv"
    # -o: the copy uses this checkout's .venv as it is (its bootstrap would re-point the editable install).
    command = ["make", "--no-print-directory", "-o", f"{venv}/.installed", target, f"VENV={venv}"]
    result = run(command, root, timeout=1200)
    return result.returncode, result.stderr, result.error_lines()


def test_untraced_p1a_fails_check_and_html_then_passes_with_a_test(repo_copy: Path) -> None:
    new_file = repo_copy / "needs" / "pr" / "new-capability.md"
    new_file.parent.mkdir(parents=True)
    new_file.write_text(NEW_REQ)
    expected = [
        "needs/pr/new-capability.md:5: error: DMS-REQ-0999: DMS-REQ-0999 (priority 1a) has no verifying "
        "test and no P1a children [trace.untraced]"
    ]

    code, stderr, lines = make(repo_copy, "check")
    assert (code, lines) == (2, expected), stderr  # make reports the script's exit 1 as 2
    code, stderr, lines = make(repo_copy, "html")
    assert (code, lines) == (2, expected), stderr

    new_file.write_text(NEW_REQ + NEW_TEST)
    code, stderr, lines = make(repo_copy, "check")
    assert (code, lines) == (0, []), stderr
    code, stderr, lines = make(repo_copy, "html")
    assert (code, lines) == (0, []), stderr
    assert "WARNING" not in stderr
    page = (repo_copy / "_build" / "html" / "needs" / "pr" / "new-capability.html").read_text()
    assert "DMS-REQ-0999" in page and "LVV-T99999" in page
