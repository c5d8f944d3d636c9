"""Each requirement's parameters are data in its Markdown: `{parameter} NAME` blocks with `:value:`, `:unit:`,
`:confirmed:` and the description; the reader reads them, the card shows them as a table (unconfirmed ones
marked), needs.json lists them and `{trace-parameters}` indexes them site-wide."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from dmtrace.core.diff import compare
from dmtrace.core.diff_report import render_markdown
from dmtrace.core.model import Parameter
from dmtrace.core.needtext import other_text, parameters
from dmtrace.core.reader import read_tree
from dmtrace.core.revisions import read_worktree
from tests.conftest import Site
from tests.support import REPO, write_site
from tests.test_import_rubin import DATA

PARAMETERS_CSV = DATA / "lse61_parameters.csv"


def parameter_rows() -> list[dict[str, str]]:
    with PARAMETERS_CSV.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def as_row(need_id: str, parameter: Parameter) -> dict[str, str]:
    return {
        "requirement": need_id,
        "name": parameter.name,
        "value": parameter.value,
        "unit": parameter.unit,
        "description": parameter.description,
        "confirmed_2025": "yes" if parameter.confirmed else "no",
    }


def test_the_reader_finds_every_parameter_of_the_data_in_its_requirement() -> None:
    needs = read_tree(REPO).needs
    read = [as_row(need_id, p) for need_id, need in needs.items() if need.type == "req" for p in need.parameters]
    # The description's white space runs count as one space (the data has none to lose).
    expected = [{**row, "description": " ".join(row["description"].split())} for row in parameter_rows()]
    key = lambda row: (row["requirement"], row["name"])  # noqa: E731
    assert sorted(read, key=key) == sorted(expected, key=key)
    assert len(read) == 126 and sum(1 for row in read if row["confirmed_2025"] == "no") == 4


def test_a_parameter_block_is_read_with_its_options_and_description() -> None:
    body = "\n".join(
        [
            ":::{specification}",
            "Within L1PublicT.",
            ":::",
            "",
            ":::{parameter} L1PublicT",
            ":value: 24",
            ":unit: hour",
            ":confirmed: no",
            "",
            "Maximum time",
            "to release.",
            ":::",
            "",
            "A note.",
        ]
    )
    assert parameters(body) == (Parameter("L1PublicT", "24", "hour", "Maximum time to release.", confirmed=False),)
    assert other_text(body) == "A note."
    assert parameters(":::{parameter} X\n:value: 1\n:::") == (Parameter("X", "1"),)


SITE_PAGE = """\
# Requirements

```{req} Level 1 data product availability
:id: DMS-REQ-0004
:priority: 1b

:::{specification}
Level 1 Data Products shall be available within L1PublicT.
:::

:::{parameter} L1PublicT
:value: 24
:unit: hour
:confirmed: yes

Maximum time from the acquisition of science data to the release of associated Level 1 Data Products
:::

:::{parameter} OTT1
:value: 1
:unit: minute
:confirmed: no

The latency of reporting optical transients
:::
```

```{req} Alerts
:id: DMS-REQ-0002
:priority: 1a

:::{parameter} OTT1
:value: 1
:unit: minute
:confirmed: yes

The latency of reporting optical transients
:::
```

```{test} Checks latency
:id: LVV-T1
:verifies: DMS-REQ-0004, DMS-REQ-0002
```
"""

INDEX_PAGE = """\
---
orphan: true
---

# Parameters

```{trace-parameters}
```
"""


@pytest.fixture(scope="module")
def built(site_factory: Callable[[str], Site]) -> Site:
    site = site_factory("parameters")
    site.write("needs/reqs.md", SITE_PAGE)
    site.write("parameters.md", INDEX_PAGE)
    done = site.build()
    assert done.returncode == 0, done.stderr
    return site


def test_needs_json_lists_each_requirements_parameters(built: Site) -> None:
    needs = built.needs()
    assert needs["DMS-REQ-0004"]["parameters"][0] == {
        "name": "L1PublicT",
        "value": "24",
        "unit": "hour",
        "description": "Maximum time from the acquisition of science data to the release of associated Level 1 "
        "Data Products",
        "confirmed": True,
    }
    assert [p["confirmed"] for p in needs["DMS-REQ-0004"]["parameters"]] == [True, False]
    assert needs["LVV-T1"]["parameters"] == []


def _card_html(built: Site) -> str:
    return (built.root / "_build" / "html" / "needs" / "reqs.html").read_text(encoding="utf-8")


def test_the_card_shows_the_parameters_as_a_table_marking_the_unconfirmed(built: Site) -> None:
    html = _card_html(built)
    table = re.search(r'<table class="needs_parameters">.*?</table>', html, re.S)
    assert table, "no parameter table"
    rows = re.findall(
        r"<tr id=\"[^\"]*\"( class=\"trace-unconfirmed\")?><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>", table[0]
    )
    assert [(bool(marked), re.sub(r"<[^>]+>", "", name), value, unit) for marked, name, value, unit in rows] == [
        (False, "L1PublicT", "24", "hour"),
        (True, "OTT1 (unconfirmed)", "1", "minute"),
    ]
    meta = re.findall(r'<p class="needs_meta">(.*?)</p>', html, re.S)
    assert meta and not any("L1PublicT" in line for line in meta)


def test_a_parameter_named_in_the_specification_links_to_its_row(built: Site) -> None:
    html = _card_html(built)
    assert 'id="DMS-REQ-0004-parameter-L1PublicT"' in html
    specification = re.search(r'<div class="[^"]*trace-specification[^"]*">(.*?)</div>', html, re.S)
    assert specification, "no specification block"
    assert 'href="#DMS-REQ-0004-parameter-L1PublicT"' in specification[1]
    assert "OTT1" not in specification[1], "only names the specification writes are linked"


def test_the_index_lists_each_parameter_with_value_unit_and_the_requirements_using_it(built: Site) -> None:
    html = (built.root / "_build" / "html" / "parameters.html").read_text(encoding="utf-8")
    rows = {
        re.sub(r"<[^>]+>", "", cells[0]).strip(): [re.sub(r"<[^>]+>", " ", c).split() for c in cells[1:]]
        for cells in (
            re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
        )
        if cells
    }
    assert rows["L1PublicT"][:3] == [["24"], ["hour"], ["DMS-REQ-0004"]]
    assert rows["OTT1"][:3] == [
        ["1", "(unconfirmed:", "DMS-REQ-0004)"],
        ["minute"],
        ["DMS-REQ-0002", ",", "DMS-REQ-0004"],
    ]
    assert 'href="needs/reqs.html#DMS-REQ-0004"' in html


def test_make_diff_reports_a_changed_parameter_value(tmp_path: Path) -> None:
    sides = []
    for name, value in (("base", "24"), ("head", "48")):
        page = SITE_PAGE.replace(":value: 24", f":value: {value}")
        sides.append(read_worktree(write_site(tmp_path / name, {"needs/reqs.md": page})))
    report = render_markdown(compare(*sides))
    (line,) = [text for text in report.splitlines() if "DMS-REQ-0004" in text and "parameters:" in text]
    assert "24" in line and "48" in line and "body:" not in line and "specification:" not in line
