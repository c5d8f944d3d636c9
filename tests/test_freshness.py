"""Incremental builds re-write the unchanged pages whose cards show links or status that changed elsewhere."""

from __future__ import annotations

from pathlib import Path

from tests.support import sphinx_build, write_site

REQ_PAGE = """\
# Archive

```{req} Science Data Archive
:id: DMS-REQ-0003
:priority: 1a
```
"""
TEST_PAGE = """\
# Tests

```{test} Verify the archive
:id: LVV-T2297
:verifies: DMS-REQ-0003
```
"""


def test_new_back_link_reaches_the_unchanged_page(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"needs/a.md": REQ_PAGE, "needs/b.md": TEST_PAGE})
    assert sphinx_build(root).returncode == 0
    page = root / "_build" / "html" / "needs" / "a.html"
    assert "LVV-T2297" in page.read_text() and "LVV-T77" not in page.read_text()

    (root / "needs" / "c.md").write_text(TEST_PAGE.replace("LVV-T2297", "LVV-T77").replace("# Tests", "# More"))
    result = sphinx_build(root)
    assert result.returncode == 0, result.stderr
    assert "LVV-T77" in page.read_text()


def test_removed_test_makes_requirement_untraced_on_rebuild(tmp_path: Path) -> None:
    root = write_site(tmp_path / "site", {"needs/a.md": REQ_PAGE, "needs/b.md": TEST_PAGE})
    assert sphinx_build(root).returncode == 0
    (root / "needs" / "b.md").write_text("# Tests\n\nNone left.\n")
    result = sphinx_build(root)
    assert result.error_lines() == [
        "needs/a.md:3: error: DMS-REQ-0003: DMS-REQ-0003 (priority 1a) has no "
        "verifying test and no P1a children [trace.untraced]"
    ]
    # A no-op rebuild reports the same violation again: the rules run on every build.
    assert sphinx_build(root).error_lines() == result.error_lines()
    page = (root / "_build" / "html" / "needs" / "a.html").read_text()
    assert "LVV-T2297" not in page
