"""dmtrace.core.words and dmtrace.core.diff_report: the short word diff and the escaping of source text."""

from __future__ import annotations

from dmtrace.core.diff_report import MAX_ROWS_SHOWN, _section
from dmtrace.core.words import md, word_diff


def test_word_diff_marks_removed_and_added_words_with_context() -> None:
    old = "The DMS shall keep the alert latency below sixty seconds for every visit"
    new = "The DMS shall keep the alert latency below two minutes for every visit"
    assert word_diff(old, new) == "… alert latency below ~~sixty seconds~~ **two minutes** for every visit"


def test_word_diff_of_equal_words_is_empty_whatever_the_whitespace() -> None:
    assert word_diff("a  b\nc", "a b c") == ""


def test_word_diff_is_cut_after_the_limit() -> None:
    old = " ".join(f"w{i}" for i in range(100))
    new = " ".join(f"x{i}" for i in range(100))
    assert word_diff(old, new, limit=5).split(" ")[-1] == "…"
    assert len(word_diff(old, new, limit=5).split(" ")) == 6


def test_md_shows_source_text_as_typed() -> None:
    assert md("<script>alert(1)</script> a|b *c* [d](e) `f` & ~g~") == (
        "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b \\*c\\* \\[d\\](e) \\`f\\` &amp; \\~g\\~"
    )


def test_long_sections_are_cut_but_counted() -> None:
    rows = [f"- row {n}" for n in range(MAX_ROWS_SHOWN + 5)]
    lines = _section("Added", rows)
    assert lines[1] == f"### Added ({MAX_ROWS_SHOWN + 5})"
    assert lines[-2:] == [f"- row {MAX_ROWS_SHOWN - 1}", "- … and 5 more"]
    assert _section("Added", []) == []
