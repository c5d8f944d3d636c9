"""Make variables reach the scripts as typed: no shell, no make expansion, revisions never read as options."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Site
from tests.support import git

NEEDS = """```{req} Alert latency
:id: DMS-REQ-0001
:priority: 1a
```

```{test} Alert timing
:id: LVV-T1
:verifies: DMS-REQ-0001
```
"""


@pytest.fixture
def repo(site: Site) -> Site:
    site.write("needs/needs.md", NEEDS)
    for args in (["init", "-q", "--initial-branch=main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        git(site.root, *args)
    return site


@pytest.mark.parametrize("base", ["HEAD;touch injected", "HEAD$(touch injected)", "HEAD`touch injected`"])
def test_a_revision_with_shell_syntax_is_a_bad_revision_not_a_command(repo: Site, base: str) -> None:
    done = repo.make("diff", BASE=base)
    assert not (repo.root / "injected").exists()
    assert done.returncode == 2  # make's status for a failed recipe; the script said 2
    assert f"trace_diff: error: unknown revision {base!r}" in done.stderr


def test_a_revision_that_looks_like_an_option_is_a_revision(repo: Site) -> None:
    done = repo.make("diff", BASE="--output=written.md")
    assert not (repo.root / "written.md").exists()
    assert "trace_diff: error: unknown revision '--output=written.md'" in done.stderr


def test_results_with_shell_syntax_name_a_file_and_run_nothing(repo: Site) -> None:
    name = "x$(touch${IFS}injected)`touch${IFS}injected`;touch${IFS}injected.csv"
    done = repo.make("check", RESULTS=name)
    assert not (repo.root / "injected").exists()
    assert f"{name}:1: error: results: results file not found [trace.results]" in done.stderr
    assert done.returncode != 0


def test_a_comma_in_a_results_file_name_reads_that_file_in_check_and_build(repo: Site) -> None:
    """RESULTS is separated by white space only: check and build read the one file 'a,b.csv'."""
    repo.write("a,b.csv", "test_case,last_run,status,source\nLVV-T1,2026-01-05,Failed,campaign\n")
    check = repo.make("check", RESULTS="a,b.csv", STRICT="1")
    html = repo.make("html", RESULTS="a,b.csv", STRICT="1")
    failing = (
        "needs/needs.md:1: error: DMS-REQ-0001: DMS-REQ-0001 (priority 1a) has failing tests: LVV-T1 [trace.failing]"
    )
    assert check.error_lines() == [failing]
    assert html.error_lines() == [failing]


def test_diff_options_are_split_into_words_without_a_shell(repo: Site, tmp_path: Path) -> None:
    report = tmp_path / "report with space.md"
    done = repo.make("diff", BASE="HEAD", HEAD="HEAD", DIFFOPTS=f"--output '{report}' $(touch injected)")
    assert not (repo.root / "injected").exists()
    assert done.returncode == 2  # the stray words are not options the script knows
    done = repo.make("diff", BASE="HEAD", HEAD="HEAD", DIFFOPTS=f"--violations none --output '{report}'")
    assert done.returncode == 0, done.stderr
    assert report.read_text(encoding="utf-8").startswith("## Traceability: `HEAD`")
