"""History that reads: a site built in a git repository whose commits add, re-prioritise, re-link and re-word
requirements; its change log (one entry per commit, newest first, linked to the repository) and cards, and the
change log's id and kind filters in a browser."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import WAIT_MS
from tests.support import GIT_ENV
from tests.test_changelog import build, commit, make_site, text_of

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPOSITORY = "https://example.org/dm/trace"
SPEC_BEFORE = "The DMS shall record the provenance of every data product."
SPEC_AFTER = "The DMS shall record the full provenance of every released data product."


def requirements(priority_2: str, parent_3: str, specification: str) -> str:
    return (
        "# Requirements\n\n"
        "````{req} Provenance\n:id: DMS-REQ-0001\n:priority: 1a\n\n"
        f":::{{specification}}\n{specification}\n:::\n````\n\n"
        f"```{{req}} Archive\n:id: DMS-REQ-0002\n:priority: {priority_2}\n```\n\n"
        f"```{{req}} Archive metadata\n:id: DMS-REQ-0003\n:priority: 2\n:refines: {parent_3}\n```\n"
    )


TESTS = "# Tests\n\n```{test} Provenance test\n:id: LVV-T1\n:verifies: DMS-REQ-0001\n```\n"
# (day, subject, requirements file): what each commit does, oldest first.
COMMITS = [
    (1, "Import the catalogue", requirements("1a", "DMS-REQ-0001", SPEC_BEFORE)),
    (3, "DMS-REQ-0002 waits for commissioning", requirements("1b", "DMS-REQ-0001", SPEC_BEFORE)),
    (5, "Archive metadata belongs under the archive", requirements("1b", "DMS-REQ-0002", SPEC_BEFORE)),
    (7, "Provenance of released products", requirements("1b", "DMS-REQ-0002", SPEC_AFTER)),
]


@pytest.fixture(scope="module")
def history_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """(the built HTML, subject -> sha) of a small site whose four commits change its requirements."""
    repo = tmp_path_factory.mktemp("history") / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "--quiet", str(repo)], check=True, env={**os.environ, **GIT_ENV})
    make_site(repo)
    with (repo / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(f"\ntrace_repository_url = {REPOSITORY!r}\n")
    shas = {}
    for day, subject, text in COMMITS:
        files = {"needs/dms/reqs.md": text, **({"needs/dms/tests.md": TESTS} if day == 1 else {})}
        shas[subject] = commit(repo, day, subject, files)
    out = tmp_path_factory.mktemp("history-html")
    done = build(repo, out)
    assert done.returncode == 0, done.stderr
    return out, shas


def test_each_commit_is_listed_once_newest_first_with_its_link(history_site: tuple[Path, dict[str, str]]) -> None:
    out, shas = history_site
    source = (out / "docs/changelog.html").read_text(encoding="utf-8")
    page = text_of(out / "docs/changelog.html")
    positions = [page.index(f"{subject} {shas[subject][:7]}") for _, subject, _ in COMMITS]
    assert positions == sorted(positions, reverse=True), "the newest commit comes first"
    assert f"{len(COMMITS)} commits, newest first." in page
    for _, subject, _ in COMMITS:
        assert page.count(subject) == 1, f"{subject!r} is listed once"
        assert source.count(f'href="{REPOSITORY}/commit/{shas[subject]}"') == 1
    # The import added three requirements: one entry, all three in it; the test case is not a requirement.
    assert (
        f"2026-11-01 Import the catalogue {shas['Import the catalogue'][:7]} added 3 requirements: DMS-REQ-0001 "
        "Provenance ; DMS-REQ-0002 Archive ; DMS-REQ-0003 Archive metadata"
    ) in page
    assert "LVV-T1" not in page


def test_the_change_log_says_what_each_commit_did(history_site: tuple[Path, dict[str, str]]) -> None:
    out, _ = history_site
    page = text_of(out / "docs/changelog.html")
    assert "re-prioritised 1 requirement: DMS-REQ-0002 Archive (1a → 1b)" in page
    assert "re-linked 1 requirement: DMS-REQ-0003 Archive metadata (refines +DMS-REQ-0002 −DMS-REQ-0001)" in page
    assert "re-worded 1 requirement: DMS-REQ-0001 Provenance (specification)" in page
    entry = page[page.index("DMS-REQ-0002 waits for commissioning") : page.index("Import the catalogue")]
    assert "re-linked" not in entry and "re-worded" not in entry, "each commit says only what it did"


def test_the_card_says_the_same(history_site: tuple[Path, dict[str, str]]) -> None:
    out, shas = history_site
    needs = json.loads((out / "needs.json").read_text())["versions"][""]["needs"]

    def line(subject: str) -> str:
        day = next(day for day, name, _ in COMMITS if name == subject)
        return f"2026-11-{day:02d} {subject} ({shas[subject][:7]})"

    assert needs["DMS-REQ-0002"]["changes"] == (
        f"{line('DMS-REQ-0002 waits for commissioning')}: priority 1a → 1b; {line('Import the catalogue')}: added"
    )
    assert needs["DMS-REQ-0003"]["changes"].startswith(
        f"{line('Archive metadata belongs under the archive')}: re-linked: refines +DMS-REQ-0002 −DMS-REQ-0001; "
    )
    card = text_of(out / "needs/dms/reqs.html")
    assert f"{line('DMS-REQ-0002 waits for commissioning')}: priority 1a → 1b" in card
    assert f"{line('Provenance of released products')}: re-worded: specification" in card


@pytest.fixture
def changelog_tab(
    history_site: tuple[Path, dict[str, str]], serve: Any, browser: Browser
) -> Iterator[tuple[Any, str, list[str]]]:
    out, _ = history_site
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    yield page, f"{serve(out)}/docs/changelog.html", errors
    context.close()


def shown_subjects(page: Any) -> list[str]:
    return [
        html.unescape(text).strip()
        for text in page.locator("li.trace-commit:visible .trace-commit-subject").all_inner_texts()
    ]


def test_the_change_log_filters_by_kind_and_id_from_the_url(changelog_tab: tuple[Any, str, list[str]]) -> None:
    page, url, errors = changelog_tab
    page.goto(f"{url}?kind=re-prioritised")
    page.wait_for_selector(".trace-changelog-filters")
    assert shown_subjects(page) == ["DMS-REQ-0002 waits for commissioning"]
    assert page.locator(".trace-changelog-filters select").input_value() == "re-prioritised"

    page.locator(".trace-changelog-filters select").select_option("")
    page.locator(".trace-changelog-filters input").fill("0003")
    assert shown_subjects(page) == ["Archive metadata belongs under the archive", "Import the catalogue"]
    items = page.locator("li.trace-commit:visible .trace-change-item:visible").all_inner_texts()
    assert all("DMS-REQ-0003" in item for item in items) and len(items) == 2
    assert re.search(r"[?&]id=0003(&|$)", page.url) and "kind=" not in page.url
    assert page.locator(".trace-changelog-filters .trace-filter-count").inner_text() == "2 of 4 commits"
    assert errors == []
