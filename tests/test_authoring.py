"""docs/authoring.md: its snippets are valid needs when pasted, and are never needs of the site itself."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from dmtrace.core.evaluation import evaluate
from dmtrace.core.reader import parse_markdown, read_texts, read_tree
from dmtrace.core.results import ResultSet

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "authoring.md"
SNIPPET = re.compile(r"^````markdown\n(.*?)^````$", re.S | re.M)
SITE_PARTS = (
    "conf.py",
    "ext",
    "docs/_static",
    "docs/_templates",
    "docs/references.bib",
    "docs/changelog.md",
    "docs/authoring.md",
)


def snippets() -> list[str]:
    return SNIPPET.findall(GUIDE.read_text(encoding="utf-8"))


def snippet_needs() -> dict[str, str]:
    return {need.id: need.type for text in snippets() for need in parse_markdown(text, "snippet.md")}


def test_every_kind_of_change_has_a_snippet() -> None:
    assert len(snippets()) == 5
    assert snippet_needs() == {
        "DMS-REQ-0408": "req",
        "DMS-REQ-0066-V-02": "subreq",
        "DMS-REQ-0066-V-03": "subreq",
        "LVV-T2726": "test",
        "LVV-T2725": "test",
        "DM-AP-18": "milestone",
        "LVV-P200": "plan",
    }


def test_snippets_pasted_together_break_no_rule_but_links_to_the_catalogue() -> None:
    """Pasted into a site that lacks the catalogue, the only complaints are links to catalogue ids."""
    tree = read_texts((f"needs/snippet{n}.md", text) for n, text in enumerate(snippets()))
    violations = evaluate(tree.needs, tree.occurrences, ResultSet()).violations
    assert {(v.need_id, v.rule) for v in violations} == {
        ("DMS-REQ-0408", "trace.dangling-link"),
        ("DMS-REQ-0066-V-02", "trace.dangling-link"),
        ("DMS-REQ-0066-V-03", "trace.dangling-link"),
        ("DM-AP-18", "trace.dangling-link"),
    }
    assert {re.search(r"points to (\S+),", v.message)[1] for v in violations} == {
        "DMS-REQ-0002",
        "DMS-REQ-0066",
        "DM-AP-17",
    }


def test_make_check_reader_skips_the_snippets() -> None:
    tree = read_tree(ROOT)
    assert [n.id for n in tree.needs.values() if n.file == "docs/authoring.md"] == []
    assert not snippet_needs().keys() & {occ.id for occ in tree.occurrences}


def test_sphinx_shows_the_snippets_as_code_and_defines_no_need(tmp_path: Path) -> None:
    site = tmp_path / "site"
    for part in SITE_PARTS:
        (site / part).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (ROOT / part).is_dir() else shutil.copy)(ROOT / part, site / part)
    (site / "docs/index.md").write_text("# Site\n\n```{toctree}\nauthoring\nchangelog\n```\n")
    (site / "results").mkdir()
    (site / "results/campaign_results.csv").write_text("test_case,last_run,status,source\n")
    env = {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html", str(site), str(tmp_path / "html")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    needs = json.loads((tmp_path / "html/needs.json").read_text())["versions"][""]["needs"]
    assert needs == {}
    page = (tmp_path / "html/docs/authoring.html").read_text(encoding="utf-8")
    assert page.count('<div class="highlight-markdown') == 5
    assert re.search(r"<pre>.*:id: DMS-REQ-0066-V-02", page, re.S)
