"""The views' tables: HTML written directly for HTML builders, docutils nodes with the same content for others."""

from __future__ import annotations

import shutil
from pathlib import Path

from dmtrace.views.markup import DocRef, Links, NeedRef, Span, cell_html, lines
from tests.publish_site import REQUIREMENTS, TESTS, build


def _links(fromdocname: str = "docs/traceability/matrix") -> Links:
    uris = {
        "needs/fixture/requirements": "../../needs/fixture/requirements.html",
        "docs/traceability/_milestones/M&1": "_milestones/M&amp;1.html",
    }
    return Links(
        uris.__getitem__, {"DMS-REQ-0001": "needs/fixture/requirements", "DMS-REQ-0002": fromdocname}, fromdocname
    )


def test_a_need_link_points_at_the_card_and_an_unknown_id_stays_plain_code() -> None:
    html = cell_html([NeedRef("DMS-REQ-0001"), " ", NeedRef("DMS-REQ-9999")], _links())
    assert html == (
        '<p><a class="reference internal" href="../../needs/fixture/requirements.html#DMS-REQ-0001" '
        'title="DMS-REQ-0001"><code class="trace-id docutils literal notranslate">'
        '<span class="pre">DMS-REQ-0001</span></code></a> '
        '<code class="trace-id docutils literal notranslate"><span class="pre">DMS-REQ-9999</span></code></p>'
    )


def test_a_link_to_a_need_on_the_same_page_is_an_anchor() -> None:
    assert 'href="#DMS-REQ-0002"' in cell_html(NeedRef("DMS-REQ-0002"), _links())


def test_text_from_the_sources_is_escaped_everywhere() -> None:
    hostile = "<script>alert(\"x\")</script> & 'q'"
    html = cell_html(lines([[Span(hostile, 'trace-title" onclick="x')], [hostile]]), _links())
    assert "<script>" not in html and 'onclick="x"' not in html
    assert html.count("&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; 'q'") == 2
    assert html.startswith("<p><span class=") and html.count("<p>") == 2, html


def test_a_page_link_keeps_its_text_and_escapes_the_uri() -> None:
    html = cell_html(DocRef("docs/traceability/_milestones/M&1", "M&1"), _links())
    assert (
        html == '<p><a class="reference internal" href="_milestones/M&amp;amp;1.html" title="M&amp;1">M&amp;1</a></p>'
    )


def test_an_empty_cell_writes_nothing() -> None:
    assert cell_html("", _links()) == ""


def test_builders_other_than_html_get_the_tables_as_nodes(published_site: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(published_site, site, ignore=shutil.ignore_patterns("_build"))
    out = tmp_path / "text"
    build(site, out, "-b", "text")
    matrix = (out / "docs" / "traceability" / "matrix.txt").read_text(encoding="utf-8")
    for item in REQUIREMENTS:
        assert item.id in matrix, item.id
    reverse = (out / "docs" / "traceability" / "reverse.txt").read_text(encoding="utf-8")
    for item in TESTS:
        assert item.id in reverse, item.id
    assert '"LVV-T2" failed' in matrix and "traced by" in matrix and "not run" in reverse
