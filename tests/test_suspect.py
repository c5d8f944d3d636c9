"""Suspect verification in a temporary git repository: a re-worded verified requirement is suspect in check, build
and diff; re-formatting is not; a change before the starting point is not; a newer pass or a review clears it; a
wrong review fingerprint is an error. Dates are set on each commit, so the oracle is the calendar."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from dmtrace.core.model import Need
from dmtrace.core.normative import fingerprint
from tests.conftest import Site
from tests.publish_site import table_rows
from tests.support import git

REQUIREMENT = """\
# Requirements

```{{req}} {title}
:id: DMS-REQ-0001
:priority: 1a{extra}

:::{{specification}}
{specification}
:::

:::{{discussion}}
{discussion}
:::
```

```{{req}} Unchanged requirement
:id: DMS-REQ-0002
:priority: 1a

:::{{specification}}
The system shall keep this.
:::
```
"""
TESTS = """\
# Tests

```{test} Replay check
:id: LVV-T1
:verifies: DMS-REQ-0001, DMS-REQ-0002

Replay the stream.
```
"""
VIEWS = """\
# Views

```{trace-matrix}
```

```{trace-coverage}
```
"""
RESULTS = "results/runs.csv"
SPEC = "The system shall replay the alert stream."


def write_requirement(site: Site, specification: str = SPEC, discussion: str = "Why.", **options: str) -> None:
    extra = "".join(f"\n:{key}: {value}" for key, value in options.items())
    site.write(
        "needs/reqs.md",
        REQUIREMENT.format(title="Alert replay", extra=extra, specification=specification, discussion=discussion),
    )


def commit(site: Site, message: str, date: str) -> str:
    git(site.root, "add", "-A")
    git(site.root, "commit", "-q", "-m", message, date=date)
    return git(site.root, "rev-parse", "HEAD")


def set_since(site: Site, revision: str) -> None:
    conf = site.root / "conf.py"
    lines = [line for line in conf.read_text().splitlines() if not line.startswith("trace_suspect_since")]
    conf.write_text("\n".join([*lines, f"trace_suspect_since = {revision!r}"]) + "\n")


@pytest.fixture
def repo(site: Site) -> Site:
    """A verified site: LVV-T1 passed on 2026-01-10; the starting point is the import commit of 2026-01-05."""
    site.configure(results=[RESULTS])
    write_requirement(site)
    site.write("needs/tests.md", TESTS)
    site.write(RESULTS, "test_case,last_run,status,source\nLVV-T1,2026-01-10,Passed,campaign\n")
    site.write(".gitignore", "_build/\n")
    site.write("needs/views.md", VIEWS)
    git(site.root, "init", "-q", "-b", "main")
    start = commit(site, "Import the requirements", "2026-01-05T12:00:00+00:00")
    set_since(site, start)
    commit(site, "Start counting changes", "2026-01-06T12:00:00+00:00")
    return site


def suspect_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if ": suspect: " in line]


def test_nothing_is_suspect_until_a_change(repo: Site) -> None:
    run = repo.check()
    assert run.returncode == 0, run.stderr
    assert suspect_lines(run.stdout) == []
    assert "suspect verification: 0 item(s)" in run.stdout


def test_rewording_a_verified_requirement_makes_it_suspect_in_check_build_and_diff(repo: Site) -> None:
    base = git(repo.root, "rev-parse", "HEAD")
    write_requirement(repo, specification="The system shall replay the alert stream within 60 seconds.")
    change = commit(repo, "Tighten the replay requirement", "2026-02-01T09:00:00+00:00")
    check = repo.check()
    (line,) = suspect_lines(check.stdout)
    assert line.startswith("needs/reqs.md:3: suspect: DMS-REQ-0001 (P1a)")
    assert f"commit {change[:10]} of 2026-02-01" in line and "last pass of LVV-T1 on 2026-01-10" in line
    strict = repo.check("--strict")
    assert strict.returncode == 1 and "[trace.suspect]" in strict.stderr and "needs/reqs.md:3" in strict.stderr
    build = repo.build()
    assert build.returncode == 0, build.stderr
    needs = repo.needs()
    assert needs["DMS-REQ-0001"]["suspect"] is True and needs["DMS-REQ-0002"]["suspect"] is False
    assert change[:10] in needs["DMS-REQ-0001"]["suspect_change"]
    assert needs["DMS-REQ-0001"]["suspect_outdates"] == "last pass of LVV-T1 on 2026-01-10"
    views = (repo.root / "_build" / "html" / "needs" / "views.html").read_text()
    matrix = {row.cells[0].split()[0]: row for row in table_rows(views, "trace-matrix")}
    assert "x-suspect" in matrix["DMS-REQ-0001"].classes and "x-suspect" not in matrix["DMS-REQ-0002"].classes
    assert "suspect" in matrix["DMS-REQ-0001"].cells[6] and "suspect" not in matrix["DMS-REQ-0002"].cells[6]
    counts = {row.cells[0]: row.cells[1] for row in table_rows(views, "trace-suspect-counts")}
    assert counts["P1a"] == "1" and counts["all"] == "1"
    card = (repo.root / "_build" / "html" / "needs" / "reqs.html").read_text()
    assert 'class="needs_suspect"' in card and card.count('class="needs_suspect"') == 1
    diff = repo.make("diff", BASE=base, HEAD="HEAD")
    assert diff.returncode == 0, diff.stderr
    section = diff.stdout.split("Became suspect", 1)[1]
    assert "DMS-REQ-0001" in section.split("\n#", 1)[0]


def test_reformatting_and_the_discussion_are_not_normative(repo: Site) -> None:
    write_requirement(
        repo, specification="The system shall *replay*\n   the alert   stream.", discussion="New reasons."
    )
    commit(repo, "Reflow and emphasis", "2026-02-01T09:00:00+00:00")
    assert suspect_lines(repo.check().stdout) == []


def test_a_change_before_the_starting_point_does_not_count(repo: Site) -> None:
    write_requirement(repo, specification="The system shall replay the alert stream twice.")
    later = commit(repo, "Reword", "2026-02-01T09:00:00+00:00")
    set_since(repo, later)
    assert suspect_lines(repo.check().stdout) == []


def test_a_regenerating_commit_does_not_count(repo: Site) -> None:
    write_requirement(repo, specification="The system shall replay the alert stream twice.")
    git(repo.root, "add", "-A")
    message = "Regenerate from the reference data\n\nTrace-Regenerated: yes"
    git(repo.root, "commit", "-q", "-m", message, date="2026-02-01T09:00:00+00:00")
    assert suspect_lines(repo.check().stdout) == []


def test_a_newer_pass_clears_it(repo: Site) -> None:
    write_requirement(repo, specification="The system shall replay the alert stream twice.")
    commit(repo, "Reword", "2026-02-01T09:00:00+00:00")
    assert len(suspect_lines(repo.check().stdout)) == 1
    repo.write(RESULTS, "test_case,last_run,status,source\nLVV-T1,2026-02-03,Passed,campaign\n")
    commit(repo, "New run", "2026-02-03T18:00:00+00:00")
    assert suspect_lines(repo.check().stdout) == []


def test_a_test_case_rewritten_after_its_pass_makes_what_it_verifies_suspect(repo: Site) -> None:
    repo.write("needs/tests.md", TESTS.replace("Replay the stream.", "Replay half of the stream."))
    commit(repo, "Shorter procedure", "2026-02-01T09:00:00+00:00")
    lines = suspect_lines(repo.check().stdout)
    assert [line.split(": suspect: ")[1].split()[0] for line in lines] == ["DMS-REQ-0001", "DMS-REQ-0002"]
    assert all("LVV-T1's text" in line for line in lines)


def test_a_review_fingerprint_clears_it_and_a_wrong_one_is_an_error(repo: Site) -> None:
    reworded = "The system shall replay the alert stream twice."
    write_requirement(repo, specification=reworded)
    commit(repo, "Reword", "2026-02-01T09:00:00+00:00")
    (line,) = suspect_lines(repo.check().stdout)
    recorded = line.rsplit(":reviewed: ", 1)[1]
    # The oracle: the fingerprint of the content as the author wrote it, recomputed from its parts.
    need = Need("DMS-REQ-0001", "req", "Alert replay", "needs/reqs.md", 3, {"priority": "1a"}, specification=reworded)
    assert recorded == fingerprint(need)
    write_requirement(repo, specification=reworded, reviewed=recorded)
    commit(repo, "Review: verification stands", "2026-02-02T09:00:00+00:00")
    run = repo.check("--strict")
    assert suspect_lines(run.stdout) == [] and run.returncode == 0, run.stderr
    write_requirement(repo, specification=reworded, reviewed="0123456789ab")
    wrong = repo.check()
    assert wrong.returncode == 1
    assert (
        "needs/reqs.md:3: error: DMS-REQ-0001: reviewed fingerprint '0123456789ab' matches no version" in wrong.stderr
    )
    assert "[trace.review-mismatch]" in wrong.stderr


def test_an_uncommitted_reword_is_suspect_at_once(repo: Site) -> None:
    write_requirement(repo, specification="The system shall replay the alert stream twice.")
    (line,) = suspect_lines(repo.check().stdout)
    assert "uncommitted change" in line


def test_a_shallow_clone_without_the_starting_point_says_so(repo: Site, tmp_path: Path) -> None:
    write_requirement(repo, specification="The system shall replay the alert stream twice.")
    commit(repo, "Reword", "2026-02-01T09:00:00+00:00")
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True, capture_output=True
    )
    run = Site(clone).check()
    assert suspect_lines(run.stdout) == []
    assert "suspect verification: not computed (this is a shallow clone without the starting point" in run.stdout


def test_git_is_read_once_per_head_and_a_new_commit_is_seen(repo: Site) -> None:
    cache = repo.root / "_build" / "trace_normative.pickle"
    assert suspect_lines(repo.check().stdout) == [] and cache.is_file()
    kept = cache.read_bytes()
    repo.check()
    assert cache.read_bytes() == kept  # same HEAD: the kept answer is used, not re-written
    write_requirement(repo, specification="The system shall replay the alert stream twice.")
    commit(repo, "Reword", "2026-02-01T09:00:00+00:00")
    assert len(suspect_lines(repo.check().stdout)) == 1  # a new HEAD: read again
    cache.write_bytes(b"not a pickle")
    assert len(suspect_lines(repo.check().stdout)) == 1  # a broken cache is read past


def test_without_the_history_a_review_fingerprint_is_not_judged() -> None:
    from dmtrace.core.graph import NeedGraph
    from dmtrace.core.normative_history import NormativeHistory
    from dmtrace.core.suspect import review_violations

    need = Need("DMS-REQ-0001", "req", "t", "x.md", 1, {"priority": "1a", "reviewed": "0123456789ab"})
    graph = NeedGraph.build({need.id: need})
    assert review_violations(graph, NormativeHistory(unavailable="shallow clone")) == []
    known = NormativeHistory(since="abc")
    assert [v.rule for v in review_violations(graph, known)] == ["trace.review-mismatch"]
