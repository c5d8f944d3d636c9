"""dmtrace.core.history and glue.changelog: commits per need from `git log -p`, the change-log page, `changes`."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import dmtrace.core.history as history_module
from dmtrace.core.history import Commit, cached_history, read_history
from tests.support import GIT_ENV, git

ROOT = Path(__file__).resolve().parent.parent
BODY = "\n".join(f"Line {n} of the requirement text." for n in range(1, 9))
NARRATIVE = "\n".join(f"Narrative sentence {n}." for n in range(1, 9))


def reqs(title_2: str = "Archive", priority_2: str = "2", body: str = BODY, narrative: str = NARRATIVE) -> str:
    return (
        f"# Requirements\n\n```{{req}} Provenance\n:id: DMS-REQ-0001\n:priority: 1a\n\n{body}\n```\n\n"
        f"{narrative}\n\n```{{req}} {title_2}\n:id: DMS-REQ-0002\n:priority: {priority_2}\n```\n"
    )


TESTS = "# Tests\n\n```{test} Provenance test\n:id: LVV-T1\n:verifies: DMS-REQ-0001\n```\n"


def commit(repo: Path, day: int, message: str, files: dict[str, str]) -> str:
    for name, text in files.items():
        path = repo / name
        if text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        else:
            path.unlink()
    date = f"2026-11-{day:02d}T12:00:00+00:00"
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def history_repo(tmp_path: Path) -> tuple[Path, dict[str, Commit]]:
    git(tmp_path, "init", "--quiet")
    shas: dict[str, Commit] = {}

    def record(day: int, subject: str, files: dict[str, str]) -> None:
        shas[subject] = Commit(commit(tmp_path, day, subject, files), f"2026-11-{day:02d}", subject)

    record(1, "Import", {"needs/dms/reqs.md": reqs(), "needs/dms/tests.md": TESTS})
    record(2, "Reword deep in the body of 0001", {"needs/dms/reqs.md": reqs(body=BODY.replace("Line 7", "Row 7"))})
    record(
        3,
        "Narrative only",
        {
            "needs/dms/reqs.md": reqs(
                body=BODY.replace("Line 7", "Row 7"), narrative=NARRATIVE.replace("sentence 6", "phrase 6")
            )
        },
    )
    record(
        4,
        "Drop 0002 to 3, remove LVV-T1",
        {
            "needs/dms/reqs.md": reqs(
                priority_2="3",
                body=BODY.replace("Line 7", "Row 7"),
                narrative=NARRATIVE.replace("sentence 6", "phrase 6"),
            ),
            "needs/dms/tests.md": "",
        },
    )
    record(
        5,
        "Retitle 0002",
        {
            "needs/dms/reqs.md": reqs(
                title_2="Archive metadata",
                priority_2="3",
                body=BODY.replace("Line 7", "Row 7"),
                narrative=NARRATIVE.replace("sentence 6", "phrase 6"),
            )
        },
    )
    record(6, "Docs only", {"docs/index.md": "# Index\n\n:id: DMS-REQ-0001\n"})
    return tmp_path, shas


def test_each_id_gets_exactly_the_commits_that_changed_its_block(history_repo: tuple[Path, dict[str, Commit]]) -> None:
    repo, c = history_repo
    history = read_history(repo)
    assert (history.unavailable, history.shallow) == ("", False)
    assert history.changes == {
        "DMS-REQ-0001": [c["Reword deep in the body of 0001"], c["Import"]],
        "DMS-REQ-0002": [c["Retitle 0002"], c["Drop 0002 to 3, remove LVV-T1"], c["Import"]],
        "LVV-T1": [c["Drop 0002 to 3, remove LVV-T1"], c["Import"]],
    }


def test_the_history_is_read_again_only_when_head_moves(
    history_repo: tuple[Path, dict[str, Commit]],
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo, _ = history_repo
    cache = tmp_path_factory.mktemp("doctrees") / "trace_history.pickle"
    first = cached_history(repo, cache)
    assert first == read_history(repo) and cache.is_file()
    (repo / "needs/dms/reqs.md").write_text(reqs(title_2="Uncommitted"), encoding="utf-8")  # not in the log
    with monkeypatch.context() as patched:
        patched.setattr(history_module, "read_history", lambda *args: pytest.fail("HEAD did not move: cache expected"))
        assert cached_history(repo, cache) == first
    later = commit(repo, 7, "Commit the retitle", {})
    moved = cached_history(repo, cache)
    assert moved.changes["DMS-REQ-0002"][0] == Commit(later, "2026-11-07", "Commit the retitle")


def test_outside_git_the_history_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    history = read_history(tmp_path)
    assert history.changes == {}
    assert history.unavailable == "the site was not built from a git checkout"


SITE_PARTS = ("conf.py", "docs/_static", "docs/_templates", "docs/references.bib", "docs/changelog.md")


def make_site(repo: Path) -> None:
    for part in SITE_PARTS:
        copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copy
        (repo / part).parent.mkdir(parents=True, exist_ok=True)
        copy(ROOT / part, repo / part)
    (repo / "docs/index.md").write_text("# Site\n\n```{toctree}\n:glob:\n\nchangelog\n/needs/*/*\n```\n")
    (repo / "results").mkdir(exist_ok=True)
    (repo / "results/campaign_results.csv").write_text("test_case,last_run,status,source\n")


def build(site: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(site.parent)}
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(site), str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def text_of(page: Path) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split())


def test_site_shows_the_change_log_page_and_the_field_on_each_requirement(
    history_repo: tuple[Path, dict[str, Commit]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo, c = history_repo
    (repo / "needs/dms/tests.md").write_text(TESTS)  # uncommitted: the rules need 0001 traced
    make_site(repo)
    out = tmp_path_factory.mktemp("html")
    done = build(repo, out)
    assert done.returncode == 0, done.stderr
    page = text_of(out / "docs/changelog.html")

    def head(subject: str) -> str:
        return f"{c[subject].date} {subject} {c[subject].sha[:7]}"

    # One entry per commit that changed a requirement, newest first, saying what it did in traceability terms.
    assert (
        f"4 commits, newest first. {head('Retitle 0002')} re-worded 1 requirement: DMS-REQ-0002 Archive metadata "
        f"(title) {head('Drop 0002 to 3, remove LVV-T1')} re-prioritised 1 requirement: DMS-REQ-0002 Archive "
        f"metadata (2 → 3) {head('Reword deep in the body of 0001')} re-worded 1 requirement: DMS-REQ-0001 "
        f"Provenance (text) {head('Import')} added 2 requirements: DMS-REQ-0001 Provenance ; DMS-REQ-0002 Archive "
        "metadata"
    ) in page
    assert "Narrative only" not in page and "Docs only" not in page
    assert "LVV-T1 Provenance test" not in page, "the page lists requirements only"
    assert 'href="../needs/dms/reqs.html#DMS-REQ-0001"' in (out / "docs/changelog.html").read_text()

    def line(subject: str) -> str:
        return f"{c[subject].date} {subject} ({c[subject].sha[:7]})"

    needs = json.loads((out / "needs.json").read_text())["versions"][""]["needs"]
    assert needs["DMS-REQ-0002"]["changes"] == (
        f"{line('Retitle 0002')}: re-worded: title; {line('Drop 0002 to 3, remove LVV-T1')}: priority 2 → 3; "
        f"{line('Import')}: added"
    )
    assert needs["LVV-T1"].get("changes") in (None, "")
    assert line("Retitle 0002") in text_of(out / "needs/dms/reqs.html")


def test_site_outside_git_builds_and_says_there_is_no_history(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "needs/dms").mkdir(parents=True)
    (site / "needs/dms/reqs.md").write_text(reqs())
    (site / "needs/dms/tests.md").write_text(TESTS)
    make_site(site)
    done = build(site, tmp_path / "html")
    assert done.returncode == 0, done.stderr
    page = text_of(tmp_path / "html/docs/changelog.html")
    assert "No change log: the site was not built from a git checkout." in page


def test_a_commit_alone_refreshes_cards_and_the_page_in_an_incremental_build(
    history_repo: tuple[Path, dict[str, Commit]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Committing work that was already built changes no source, yet the card and the change log must show it."""
    repo, _ = history_repo
    (repo / "needs/dms/tests.md").write_text(TESTS)
    make_site(repo)
    (repo / "needs/dms/reqs.md").write_text(
        reqs(
            title_2="Archive metadata",
            priority_2="2",
            body=BODY.replace("Line 7", "Row 7"),
            narrative=NARRATIVE.replace("sentence 6", "phrase 6"),
        )
    )
    out = tmp_path_factory.mktemp("html")
    assert build(repo, out).returncode == 0
    assert "Back to P2" not in text_of(out / "needs/dms/reqs.html")

    sha = commit(repo, 7, "Back to P2", {})
    done = build(repo, out)
    assert done.returncode == 0, done.stderr
    assert f"2026-11-07 Back to P2 ({sha[:7]}): priority 3 → 2" in text_of(out / "needs/dms/reqs.html")
    assert f"2026-11-07 Back to P2 {sha[:7]} re-prioritised 1 requirement: DMS-REQ-0002 Archive metadata (3 → 2)" in (
        text_of(out / "docs/changelog.html")
    )


def test_the_page_is_rewritten_when_a_row_changes_and_only_then(
    history_repo: tuple[Path, dict[str, Commit]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo, _ = history_repo
    (repo / "needs/dms/tests.md").write_text(TESTS)
    make_site(repo)
    current = dict(
        priority_2="3",
        body=BODY.replace("Line 7", "Row 7"),
        narrative=NARRATIVE.replace("sentence 6", "phrase 6"),
        title_2="Archive metadata",
    )
    out = tmp_path_factory.mktemp("html")
    assert build(repo, out).returncode == 0
    page = out / "docs/changelog.html"
    before = page.stat().st_mtime_ns

    (repo / "needs/dms/reqs.md").write_text(reqs(**{**current, "priority_2": "2"}))  # not a row of the page
    assert build(repo, out).returncode == 0
    assert page.stat().st_mtime_ns == before

    (repo / "needs/dms/reqs.md").write_text(reqs(**{**current, "title_2": "Archive provenance"}))
    assert build(repo, out).returncode == 0
    assert "DMS-REQ-0002 Archive provenance (title)" in text_of(page)
    clean = tmp_path_factory.mktemp("clean")
    assert build(repo, clean).returncode == 0
    assert page.read_text() == (clean / "docs/changelog.html").read_text()


def test_a_shallow_clone_is_flagged_and_its_oldest_commit_not_counted(
    history_repo: tuple[Path, dict[str, Commit]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo, c = history_repo
    clone = tmp_path_factory.mktemp("clone") / "shallow"
    subprocess.run(
        ["git", "clone", "--quiet", "--depth", "3", f"file://{repo}", str(clone)],
        check=True,
        env={**os.environ, **GIT_ENV},
    )
    history = read_history(clone)
    assert history.shallow
    assert history.changes == {"DMS-REQ-0002": [c["Retitle 0002"]]}


def test_a_card_cuts_a_long_subject_the_change_log_keeps_it_whole() -> None:
    from dmtrace.core.history import SUBJECT_ON_CARD, card_text, commit_text

    long = Commit("a" * 40, "2026-11-28", "word " * 40)
    shown = card_text([long])
    subject = shown.removeprefix("2026-11-28 ").removesuffix(" (aaaaaaa)")
    assert len(subject) == SUBJECT_ON_CARD and subject.endswith("…")
    assert ("word " * 40).strip() in commit_text(long)
