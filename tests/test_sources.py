"""The fast reader: which fences are needs, their options, links and 1-based directive lines."""

from __future__ import annotations

from pathlib import Path

from dmtrace.core.reader import parse_markdown, read_texts, read_tree

DOC = """\
# Page

```{req} Image Archive
:id: DMS-REQ-0066
:priority: 1a
:refines: DMS-REQ-0003; DMS-REQ-0004 | DMS-REQ-0005

Body line.
```

:::{test} Colon fenced
:id: LVV-T2303
:verifies: DMS-REQ-0066
:::

````markdown
```{req} An example inside a code block
:id: DMS-REQ-9999
```
````

`````{note}
````{subreq} Nested in an admonition
:id: DMS-REQ-0066-V-01
:priority: 2
:refines: DMS-REQ-0066
````
`````

```{eval-rst}
.. req:: Not read: reStructuredText
   :id: DMS-REQ-8888
```
"""


def test_finds_needs_with_lines_fields_and_links() -> None:
    needs = list(parse_markdown(DOC, "needs/p.md"))
    assert [(n.id, n.type, n.line) for n in needs] == [
        ("DMS-REQ-0066", "req", 3),
        ("LVV-T2303", "test", 11),
        ("DMS-REQ-0066-V-01", "subreq", 23),
    ]
    req = needs[0]
    assert req.title == "Image Archive"
    assert req.fields == {"priority": "1a"}
    assert req.links == {"refines": ["DMS-REQ-0003", "DMS-REQ-0004", "DMS-REQ-0005"]}
    assert req.content == "Body line."


def test_unclosed_fence_runs_to_end_without_error() -> None:
    needs = list(parse_markdown("```{req} Open\n:id: DMS-REQ-0001\n:priority: 2\n", "needs/o.md"))
    assert [(n.id, n.fields) for n in needs] == [("DMS-REQ-0001", {"priority": "2"})]


def test_first_definition_wins_and_all_occurrences_are_kept() -> None:
    text = "```{req} A\n:id: DMS-REQ-0001\n```\n\n```{req} B\n:id: DMS-REQ-0001\n```\n"
    tree = read_texts([("needs/a.md", text)])
    assert tree.needs["DMS-REQ-0001"].title == "A"
    assert [o.line for o in tree.occurrences] == [1, 5]


def test_read_tree_walks_needs_and_docs(tmp_path: Path) -> None:
    (tmp_path / "needs" / "deep" / "er").mkdir(parents=True)
    (tmp_path / "needs" / "deep" / "er" / "x.md").write_text("```{req} X\n:id: DMS-REQ-0001\n```\n")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "y.md").write_text("```{test} Y\n:id: LVV-T1\n```\n")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "z.md").write_text("```{test} Z\n:id: LVV-T2\n```\n")
    tree = read_tree(tmp_path)
    assert {n.id: n.file for n in tree.needs.values()} == {"DMS-REQ-0001": "needs/deep/er/x.md", "LVV-T1": "docs/y.md"}
