"""dmtrace.glue.template_cache: compiled theme templates are kept beside the doctrees and give the same pages."""

from __future__ import annotations

from pathlib import Path

from tests.support import sphinx_build, write_site

PAGES = {
    "needs/reqs.md": """\
    # Requirements

    ```{req} Raw images
    :id: DMS-REQ-0001
    :priority: 2
    ```
    """
}


def test_templates_are_cached_and_a_cached_build_writes_the_same_pages(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", PAGES)
    first = sphinx_build(site)
    assert first.returncode == 0, first.stdout + first.stderr
    cache = site / "_build" / "html" / ".doctrees" / "trace_jinja_cache"
    cached = sorted(p.name for p in cache.iterdir())
    assert cached, "no compiled template was cached"
    page = site / "_build" / "html" / "needs" / "reqs.html"
    fresh = page.read_text()
    page.unlink()
    again = sphinx_build(site, "-E")  # a new environment, the same cache
    assert again.returncode == 0, again.stdout + again.stderr
    assert page.read_text() == fresh
    assert sorted(p.name for p in cache.iterdir()) == cached
