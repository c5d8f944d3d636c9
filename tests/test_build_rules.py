"""Every rule fixture, end to end: `make check`'s script and the Sphinx HTML build report the same exact lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmtrace.core.model import FIELDS, LINK_TYPES
from dmtrace.core.reader import read_tree
from tests.rule_fixtures import FIXTURES, RuleFixture
from tests.support import check, exported_needs, sphinx_build, write_site


@pytest.fixture(params=FIXTURES, ids=lambda f: f.name)
def built(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[RuleFixture, Path]:
    fx: RuleFixture = request.param
    return fx, write_site(tmp_path / fx.name, fx.pages)


def test_check_reports_exact_lines(built: tuple[RuleFixture, Path]) -> None:
    fx, root = built
    result = check(root)
    assert result.error_lines() == fx.expected
    assert result.returncode == (1 if fx.expected else 0)


def test_html_build_reports_exact_lines_and_matches_fast_reader(built: tuple[RuleFixture, Path]) -> None:
    fx, root = built
    result = sphinx_build(root)
    assert result.error_lines() == fx.expected, result.stderr
    assert result.returncode == (1 if fx.expected else 0), result.stderr
    if not fx.expected:
        assert "WARNING" not in result.stderr
    # The fast path finds exactly the needs, links, fields and locations the Sphinx build exported.
    exported = exported_needs(root)
    fast = read_tree(root).needs
    assert sorted(exported) == sorted(fast)
    for need_id, need in fast.items():
        item = exported[need_id]
        assert (item["type"], item["title"], item["lineno"]) == (need.type, need.title, need.line)
        assert item["docname"] + ".md" == need.file
        for link in LINK_TYPES:
            assert item[link] == need.targets(link), (need_id, link)
        for name in FIELDS:
            assert (item.get(name) or "") == need.get(name), (need_id, name)
        assert (item.get("status") or "") == need.get("status")
