"""Each requirement's text lives in its Markdown: `{specification}` and `{discussion}` blocks in the `{req}` body.

The reader takes them into the need (the same for `make check`, `make diff`, the plugin and the build), the build
writes them into needs.json, the page shows each under its heading, and Sphinx's search finds a requirement by
the words of its specification.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import snowballstemmer

from dmtrace.core.diff import compare
from dmtrace.core.diff_report import render_markdown
from dmtrace.core.needtext import other_text, text_parts
from dmtrace.core.reader import parse_source, read_tree
from dmtrace.core.revisions import read_worktree
from tests.conftest import Site
from tests.support import REPO, write_site
from tests.test_import_rubin import DATA, run_import

TEXT_CSV = DATA / "lse61_text.csv"


def normalised(text: str) -> list[str]:
    """Whitespace only: the text's paragraphs (split at blank lines), each with every run of white space (spaces,
    tabs, line breaks) turned into one space and its ends stripped; empty paragraphs dropped."""
    return [" ".join(paragraph.split()) for paragraph in re.split(r"\n[ \t]*\n", text) if paragraph.strip()]


def text_rows() -> dict[str, dict[str, str]]:
    with TEXT_CSV.open(newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def test_every_requirement_holds_its_specification_and_discussion_as_the_data_gives_them() -> None:
    rows = text_rows()
    requirements = {i: n for i, n in read_tree(REPO).needs.items() if n.type == "req" and i.startswith("DMS-REQ-")}
    assert len(rows) == len(requirements) == 239
    assert sorted(rows) == sorted(requirements)
    wrong_specification = [
        i for i, n in requirements.items() if normalised(n.specification) != normalised(rows[i]["specification"])
    ]
    wrong_discussion = [
        i for i, n in requirements.items() if normalised(n.discussion) != normalised(rows[i]["discussion"])
    ]
    assert wrong_specification == [] and wrong_discussion == []
    assert all(n.specification for n in requirements.values())
    assert sum(1 for n in requirements.values() if n.discussion) == sum(1 for r in rows.values() if r["discussion"])


def test_only_blocks_directly_in_the_body_are_the_requirements_text() -> None:
    body = "\n".join(
        [
            ":::{specification}",
            "The DMS shall",
            "keep it.",
            ":::",
            "",
            "- :::{discussion}",
            "  In a list item: not the requirement's discussion.",
            "  :::",
            "",
            "> :::{specification}",
            "> In a quote: not read.",
            "> :::",
        ]
    )
    assert text_parts(body) == {"specification": "The DMS shall\nkeep it."}
    assert text_parts("Plain text, no blocks.") == {}
    assert other_text(body).startswith("- :::{discussion}")
    assert other_text(":::{specification}\nA.\n:::\n\nA note.\n\n:::{discussion}\nB.\n:::\n") == "A note."


def test_the_reader_gives_the_text_and_keeps_it_in_the_content_too() -> None:
    source = "\n".join(
        [
            "```{req} A requirement",
            ":id: DMS-REQ-0001",
            ":priority: 1a",
            "",
            ":::{specification}",
            "It shall be so.",
            ":::",
            "",
            ":::{discussion}",
            "Because.",
            ":::",
            "",
            "A note.",
            "```",
        ]
    )
    parsed = parse_source(source, "needs/a.md")
    assert parsed.problems == []
    (need,) = parsed.needs
    assert (need.specification, need.discussion) == ("It shall be so.", "Because.")
    assert "It shall be so." in need.content and need.content.endswith("A note.")


def test_a_fence_line_in_the_text_is_refused_with_file_row_and_column(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    rows = list(text_rows().values())
    rows[3]["discussion"] = "Before.\n:::\nAfter."
    with (data / TEXT_CSV.name).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    done = run_import(data, tmp_path / "out")
    assert done.returncode == 1
    label = re.escape((data / TEXT_CSV.name).as_posix())
    assert re.fullmatch(label + r":\d+: column discussion: a line opens a fence .*", done.stderr.strip())
    assert not (tmp_path / "out").exists()


SITE_PAGE = """\
# Requirements

```{req} Consistent archive
:id: DMS-REQ-0001
:priority: 1a

:::{specification}
The archive shall keep every catalog consistent with its zorblaxian images.
:::

:::{discussion}
Consistency is *checked* nightly.
:::

A note after the text.
```

```{req} No text yet
:id: DMS-REQ-0002
:priority: 1b
```

```{test} Checks the archive
:id: LVV-T1
:verifies: DMS-REQ-0001, DMS-REQ-0002
```
"""


@pytest.fixture(scope="module")
def built(site_factory: Callable[[str], Site]) -> Site:
    site = site_factory("text")
    site.write("needs/reqs.md", SITE_PAGE)
    done = site.build()
    assert done.returncode == 0, done.stderr
    return site


def test_needs_json_carries_each_requirements_specification_and_discussion(built: Site) -> None:
    needs = built.needs()
    first, second = needs["DMS-REQ-0001"], needs["DMS-REQ-0002"]
    assert first["specification"] == "The archive shall keep every catalog consistent with its zorblaxian images."
    assert first["discussion"] == "Consistency is *checked* nightly."
    assert (second["specification"], second["discussion"]) == ("", "")


def test_the_page_shows_the_text_under_its_headings_and_not_in_the_field_list(built: Site) -> None:
    html = (built.root / "_build" / "html" / "needs" / "reqs.html").read_text(encoding="utf-8")
    block = re.search(r'<div class="trace-text trace-specification[^"]*">(.*?)</div>', html, re.S)
    assert block, "no specification block"
    assert "Specification" in block[1] and "zorblaxian images" in block[1]
    assert re.search(r'<div class="trace-text trace-discussion[^"]*">.*?Discussion.*?<em>checked</em>', html, re.S)
    meta = re.findall(r'<p class="needs_meta">(.*?)</p>', html, re.S)
    assert meta and not any("zorblaxian" in line or "Specification" in line for line in meta)


def test_searching_a_word_of_the_specification_finds_the_requirements_page(built: Site) -> None:
    text = (built.root / "_build" / "html" / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text[text.index("(") + 1 : text.rindex(")")])
    page = index["docnames"].index("needs/reqs")
    stemmer = snowballstemmer.stemmer("english")
    for word in ("zorblaxian", "consistent"):
        found = index["terms"].get(stemmer.stemWord(word))
        pages = found if isinstance(found, list) else [found]
        assert page in pages, word


def test_make_diff_names_a_change_of_the_specification_apart_from_the_discussion(tmp_path: Path) -> None:
    sides = []
    for name, specification, discussion in (
        ("base", "The archive shall keep catalogs.", "Kept nightly."),
        ("head", "The archive shall keep all catalogs.", "Kept nightly."),
    ):
        page = SITE_PAGE.replace(
            "The archive shall keep every catalog consistent with its zorblaxian images.", specification
        ).replace("Consistency is *checked* nightly.", discussion)
        root = write_site(tmp_path / name, {"needs/reqs.md": page})
        sides.append(read_worktree(root))
    report = render_markdown(compare(*sides))
    (line,) = [text for text in report.splitlines() if "DMS-REQ-0001" in text and "specification:" in text]
    assert "all" in line and "discussion:" not in line and "body:" not in line
