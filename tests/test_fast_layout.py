"""dmtrace cards: the compact need cards of a real build (summary lines, links both ways, escaping, opt-outs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import sphinx_build, write_site

PAGES = {
    "needs/reqs.md": """\
        # Requirements

        ```{req} Raw <b>quokka</b> images & "archive"
        :id: DMS-REQ-0001
        :priority: 1a
        ```

        ```{subreq} Raw images, P1a aspect
        :id: DMS-REQ-0001-V-01
        :priority: 1a
        :refines: DMS-REQ-0001
        ```

        ```{req} Keeps the layout it asks for
        :id: DMS-REQ-0002
        :priority: 2
        :layout: complete
        ```
        """,
    "needs/tests.md": """\
        # Tests

        ```{test} Ingest raw images
        :id: LVV-T1
        :verifies: DMS-REQ-0001-V-01
        :method: test
        ```
        """,
}


def _build(root: Path, extra_conf: str = "") -> Path:
    site = write_site(root, PAGES)
    if extra_conf:
        (site / "conf.py").write_text((site / "conf.py").read_text() + extra_conf)
    done = sphinx_build(site)
    assert done.returncode == 0, done.stdout + done.stderr
    return site / "_build" / "html"


def _card(html: str, need_id: str) -> str:
    match = re.search(rf'<div class="need needs_compact[^"]*"[^>]* id="{re.escape(need_id)}">(.*?)\n</div>', html, re.S)
    assert match, f"no compact card for {need_id}"
    return match[1]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("cards"))


def test_a_card_shows_type_title_id_and_fields(out: Path) -> None:
    card = _card((out / "needs" / "reqs.html").read_text(), "DMS-REQ-0001")
    assert (
        '<p class="needs_head"><span class="needs_type_name">Requirement</span>: '
        '<strong class="needs_title">Raw &lt;b&gt;quokka&lt;/b&gt; images &amp; "archive"</strong> '
        '<a class="needs-id reference internal" href="#DMS-REQ-0001">DMS-REQ-0001</a></p>'
    ) in card
    assert (
        '<span class="needs_priority"><span class="needs_label">Priority: </span>'
        '<span class="needs_data">1a</span></span>'
    ) in card
    assert '<span class="needs_label">Traced: </span><span class="needs_data">traced by children</span>' in card
    assert "<b>" not in card


def test_links_show_both_ways_with_the_target_title(out: Path) -> None:
    reqs = (out / "needs" / "reqs.html").read_text()
    assert (
        '<p class="needs_links"><span class="needs_label">Refined by: </span><a class="reference internal" '
        'href="#DMS-REQ-0001-V-01" title="Raw images, P1a aspect">DMS-REQ-0001-V-01</a></p>'
    ) in _card(reqs, "DMS-REQ-0001")
    element = _card(reqs, "DMS-REQ-0001-V-01")
    assert (
        '<span class="needs_label">Verified by: </span><a class="reference internal" href="tests.html#LVV-T1" '
        'title="Ingest raw images">LVV-T1</a>'
    ) in element
    assert (
        '<span class="needs_label">Refines: </span><a class="reference internal" href="#DMS-REQ-0001" '
        'title="Raw &lt;b&gt;quokka&lt;/b&gt; images &amp; &quot;archive&quot;">DMS-REQ-0001</a>'
    ) in element
    test = _card((out / "needs" / "tests.html").read_text(), "LVV-T1")
    assert 'href="reqs.html#DMS-REQ-0001-V-01"' in test


def test_without_results_or_snapshot_the_cards_say_so(out: Path) -> None:
    """The fixture reads no results file and has no sign-off snapshot: nothing ran, nothing was recorded."""
    element = _card((out / "needs" / "reqs.html").read_text(), "DMS-REQ-0001-V-01")
    assert (
        '<p class="needs_truth"><span class="needs_evidence"><span class="needs_label">Evidence: </span>'
        '<span class="needs_data trace-badge e-not-verified">Not Verified</span></span>'
        '<span class="needs_signoff"><span class="needs_label">Sign-off (no sign-off snapshot): </span>'
        '<span class="needs_data trace-badge so-not-covered">Not Covered</span> '
        '<span class="needs_note">(no recorded status: counts as Not Covered)</span></span></p>'
    ) in element
    test = _card((out / "needs" / "tests.html").read_text(), "LVV-T1")
    assert (
        '<p class="needs_result"><span class="needs_last_result"><span class="needs_label">Last result: </span>'
        '<span class="needs_data">not run (no execution record)</span></span></p>'
    ) in test
    assert "needs_executions" not in test


def test_card_text_stays_searchable(out: Path) -> None:
    assert '"quokka"' in (out / "searchindex.js").read_text()


def test_a_need_with_its_own_layout_keeps_sphinx_needs_rendering(out: Path) -> None:
    reqs = (out / "needs" / "reqs.html").read_text()
    assert 'id="DMS-REQ-0002"' in reqs
    assert not re.search(r'needs_compact[^"]*"[^>]* id="DMS-REQ-0002"', reqs)
    assert reqs.count('class="need needs_compact') == 2


def test_the_cards_can_be_switched_off(tmp_path: Path) -> None:
    reqs = (_build(tmp_path, "\ntrace_compact_needs = False\n") / "needs" / "reqs.html").read_text()
    assert "needs_compact" not in reqs
    assert 'id="DMS-REQ-0001"' in reqs
