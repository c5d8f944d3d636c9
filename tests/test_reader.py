"""The reader on the constructs where it used to read MyST differently from the build: each is read as MyST reads
it, or reported (`trace.unreadable`) at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmtrace.core.reader import MAX_NESTING, parse_source, read_sources, read_tree
from dmtrace.core.sources import SourceRules


def needs_of(text: str) -> list[tuple[str, str, int]]:
    return [(need.id, need.type, need.line) for need in parse_source(text, "f.md").needs]


def problems_of(text: str) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in parse_source(text, "f.md").problems]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("~~~{req} Tilde\n:id: R-1\n~~~\n", [("R-1", "req", 1)]),
        ("\ufeff```{req} After a BOM\n:id: R-1\n```\n", [("R-1", "req", 1)]),
        ("Intro.\n\n> ```{req} Quoted\n> :id: R-1\n> ```\n", [("R-1", "req", 3)]),
        ("- item\n\n  - deeper\n\n    ```{req} Listed\n    :id: R-1\n    ```\n", [("R-1", "req", 5)]),
        ("````{req} Outer\n:id: R-1\n\n```{req} Inner\n:id: R-2\n```\n````\n", [("R-1", "req", 1), ("R-2", "req", 4)]),
        ("```{req} Unclosed\n:id: R-1\n", [("R-1", "req", 1)]),
        # MyST puts a blank line before a colon directive's body that opens with a colon fence: one line lower.
        ("::::{note}\n:::{req} In a note\n:id: R-1\n:::\n::::\n", [("R-1", "req", 3)]),
        (":::\n```{req} In a div\n:id: R-1\n```\n:::\n", [("R-1", "req", 2)]),
        ("```{req}NoSpace\n:id: R-1\n```\n", []),
        ("```python\n```{req} An example in code\n:id: R-1\n```\n", []),
        ("    ```{req} Indented code\n    :id: R-1\n    ```\n", []),
        # MyST splits a directive's content with str.splitlines: a U+2028 there is one more line in the nested parse,
        # and a title after it is cut off from its {type} (no options then, so no id: refused).
        ("~~~{note}\nA\u2028B\n\n```{req} After\n:id: R-1\n```\n~~~\n", [("R-1", "req", 5)]),
        ("~~~{note}\n```{req}\u2028Cut off\n:id: R-1\n```\n~~~\n", [("", "req", 2)]),
    ],
)
def test_needs_are_found_where_myst_finds_them(text: str, expected: list[tuple[str, str, int]]) -> None:
    assert needs_of(text) == expected
    assert problems_of(text) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```{req} Tab\n:id:\tR-1\n```\n", "option line ':id:\\tR-1' is not of the form"),
        ("```{REQ} Upper case\n:id: R-1\n```\n", "{REQ}: need directives are written in lower case, {req}"),
    ],
)
def test_needs_the_build_refuses_are_reported_not_read(text: str, message: str) -> None:
    assert needs_of(text) == []
    (problem,) = problems_of(text)
    assert message in problem[1]


def test_values_lose_a_comment_and_links_repeat_no_target() -> None:
    (need,) = parse_source("```{subreq} X\n:id: R-1-V-01\n:refines: R-1, R-1\n:method: test # why\n```\n", "f.md").needs
    assert need.links == {"refines": ["R-1"]}
    assert need.fields["method"] == "test"


def test_a_yaml_option_block_is_reported_at_its_line() -> None:
    text = "Text.\n\n```{req} YAML\n---\nid: R-1\n---\n```\n"
    assert needs_of(text) == []
    assert problems_of(text) == [
        (3, "a YAML option block (---) is not read by make check and make diff; write the options as :key: value lines")
    ]


def test_an_unknown_option_is_reported() -> None:
    assert problems_of("```{subreq} X\n:id: R-1-V-01\n:refine: R-1\n```\n") == [
        (1, "unknown option :refine: of a subreq (the build refuses it too)")
    ]


def test_a_directive_name_close_to_a_need_type_is_reported() -> None:
    assert problems_of("```{reqs} Typo\n:id: R-1\n```\n") == [(1, "unknown directive {reqs}: did you mean {req}?")]


def test_a_backtick_in_a_backtick_fence_title_is_reported_not_dropped() -> None:
    text = "Text.\n\n```{req} The `butler` query\n:id: R-1\n```\n"
    assert needs_of(text) == []
    assert problems_of(text) == [
        (
            3,
            "{req} is not a directive here: a backtick fence's title may not hold a backtick (CommonMark); "
            "use ::: or ~~~ fences",
        )
    ]
    assert needs_of(":::{req} The `butler` query\n:id: R-1\n:::\n") == [("R-1", "req", 1)]


def test_include_and_rst_needs_are_reported() -> None:
    assert [line for line, _ in problems_of("```{include} other.md\n```\n")] == [1]
    assert [line for line, _ in problems_of("```{eval-rst}\n.. req:: In rst\n   :id: R-1\n```\n")] == [2]


def test_deep_nesting_is_one_problem_and_no_recursion() -> None:
    depth = 300
    text = "".join(f"{':' * (depth + 3 - i)}{{note}}\n" for i in range(depth)) + "".join(
        f"{':' * (4 + i)}\n" for i in range(depth)
    )
    problems = problems_of(text)
    assert [message for _, message in problems] == [f"directives nested more than {MAX_NESTING} deep are not read"]


def test_bytes_that_are_not_utf8_are_one_located_problem() -> None:
    tree = read_sources([("needs/a.md", b"# A\n\ntext \xff here\n")])
    assert [(p.file, p.line, p.rule) for p in tree.problems] == [("needs/a.md", 3, "trace.unreadable")]


def test_the_source_predicate_follows_sphinx_and_reads_hidden_and_underscore_folders(tmp_path: Path) -> None:
    for name in ("needs/a.md", "needs/.hidden/b.md", "needs/_under/c.md", "needs/skip/d.md", "needs/e.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(f"```{{req}} {name}\n:id: R-{len(name)}-{name[6]}\n```\n")
    rules = SourceRules(source_dirs=("needs",), exclude_patterns=("needs/skip",))
    assert sorted(need.file for need in read_tree(tmp_path, rules).needs.values()) == [
        "needs/.hidden/b.md",
        "needs/_under/c.md",
        "needs/a.md",
    ]
    assert rules.is_source("needs/_under/c.md") and not rules.is_source("needs/skip/d.md")
    assert not SourceRules(exclude_patterns=("**/_*",)).is_source("needs/_under/c.md")


def test_a_bad_view_scope_is_reported_by_the_reader_at_its_directive() -> None:
    found = parse_source("# Views\n\n```{trace-matrix}\n:scope: DMS-(\n```\n", "docs/v.md").problems
    assert [(p.file, p.line, p.rule) for p in found] == [("docs/v.md", 3, "trace.config")]
    assert found[0].message.startswith("trace-matrix :scope: 'DMS-(' is not a valid regular expression (")
