"""Flow-down: LSE-61's "Derived from requirements" as links. A requirement `derives_from` another DMS requirement
and `flows_from` the upstream requirements of LSE-30 (OSS-REQ) and LSE-29 (LSR-REQ), which are needs of their own
(`upstream`, written by the importer with the titles the data gives); cards show both directions and
`{trace-flowdown}` lists each upstream requirement with what derives from it. The CSV is the oracle."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from dmtrace.core import rules
from dmtrace.core.diff import compare
from dmtrace.core.diff_report import render_markdown
from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import IdOccurrence, Need
from dmtrace.core.reader import read_tree
from dmtrace.core.results import ResultSet
from dmtrace.core.revisions import read_worktree
from dmtrace.views.flowdown import derived_by, summary
from tests.conftest import Site
from tests.support import REPO, write_site
from tests.test_import_rubin import DATA

ITEM = re.compile(r"^(\S+): (.+)$")


def derived_items() -> list[tuple[str, str, str]]:
    """(requirement, cited id, cited title) for every item of lse61_text.csv's derived_from, in file order."""
    with (DATA / "lse61_text.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    items = []
    for row in rows:
        for item in filter(None, (part.strip() for part in row["derived_from"].split("; "))):
            match = ITEM.match(item)
            assert match, item
            items.append((row["id"], match[1], match[2].strip()))
    return items


def catalogue_ids() -> set[str]:
    with (DATA / "dms_requirements.csv").open(newline="", encoding="utf-8") as handle:
        return {row["id"] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def needs() -> dict[str, Need]:
    return read_tree(REPO).needs


def pairs(needs: dict[str, Need], link: str, prefix: str = "") -> set[tuple[str, str]]:
    return {(n.id, t) for n in needs.values() for t in n.targets(link) if t.startswith(prefix)}


def test_dms_to_dms_links_are_the_datas_among_catalogued_ids(needs: dict[str, Need]) -> None:
    known = catalogue_ids()
    cited = [(req, ref) for req, ref, _ in derived_items() if ref.startswith("DMS-REQ-")]
    linked = {(req, ref) for req, ref in cited if ref in known}
    # The data cites 67 DMS ids; 45 are requirements of the catalogue, 22 name 15 ids LSE-61 rel10.2.1 lacks.
    assert (len(cited), len(linked), len({ref for _, ref in cited if ref not in known})) == (67, 45, 15)
    assert pairs(needs, "derives_from") == linked


def test_uncatalogued_dms_ids_stay_a_note_in_the_body(needs: dict[str, Need]) -> None:
    known = catalogue_ids()
    for req, ref, _ in derived_items():
        if ref.startswith("DMS-REQ-") and ref not in known:
            assert ref not in needs
            assert ref in needs[req].content and "not linked" in needs[req].content


def test_upstream_links_are_the_datas(needs: dict[str, Need]) -> None:
    items = derived_items()
    oss = {(req, ref) for req, ref, _ in items if ref.startswith("OSS-REQ-")}
    lsr = {(req, ref) for req, ref, _ in items if ref.startswith("LSR-REQ-")}
    assert (len({ref for _, ref in oss}), len({req for req, _ in oss})) == (118, 215)
    assert len(lsr) == 6
    assert pairs(needs, "flows_from", "OSS-REQ-") == oss
    assert pairs(needs, "flows_from", "LSR-REQ-") == lsr


def test_each_upstream_need_has_the_datas_title_and_document(needs: dict[str, Need]) -> None:
    titles = {ref: title for _, ref, title in derived_items() if not ref.startswith("DMS-REQ-")}
    upstream = {n.id: n for n in needs.values() if n.type == "upstream"}
    assert set(upstream) == set(titles)
    assert {i: n.title for i, n in upstream.items()} == titles
    assert upstream["LSR-REQ-0040"].title == "Data Quality Monitoring"
    assert upstream["LSR-REQ-0040"].get("document") == "LSE-29"
    assert upstream["OSS-REQ-0004"].file == "needs/upstream/lse-30.md"
    assert {n.get("document") for i, n in upstream.items() if i.startswith("OSS-")} == {"LSE-30"}


def _check(*found: Need) -> list[tuple[str, str]]:
    graph = NeedGraph.build({n.id: n for n in found})
    occurrences = [IdOccurrence(n.id, n.type, n.file, n.line) for n in found]
    return [(v.need_id, v.rule) for v in rules.run_rules(rules.CheckInput(graph, occurrences, ResultSet()))]


def test_the_rules_ask_no_priority_of_an_upstream_need_but_a_document_and_typed_links() -> None:
    up = Need("OSS-REQ-0004", "upstream", "The Archive Facility", "needs/u.md", 1, {"document": "LSE-30"})
    req = Need("DMS-REQ-0346", "req", "Raw data", "needs/r.md", 1, {"priority": "2"}, {"flows_from": ["OSS-REQ-0004"]})
    assert _check(up, req) == []
    no_document = Need("LSR-REQ-0040", "upstream", "Data Quality Monitoring", "needs/u.md", 5)
    wrong = Need(
        "DMS-REQ-0347", "req", "Fluxes", "needs/r.md", 9, {"priority": "2"}, {"derives_from": ["OSS-REQ-0004"]}
    )
    dangling = Need("DMS-REQ-0348", "req", "X", "needs/r.md", 20, {"priority": "2"}, {"flows_from": ["OSS-REQ-0999"]})
    assert _check(up, no_document, wrong, dangling) == [
        ("DMS-REQ-0347", "trace.link-type"),
        ("DMS-REQ-0348", "trace.dangling-link"),
        ("LSR-REQ-0040", "trace.field-value"),
    ]


SITE_PAGE = """\
# Requirements

```{req} Raw data
:id: DMS-REQ-0346
:priority: 1b
:flows_from: OSS-REQ-0004
```

```{req} Data products
:id: DMS-REQ-0347
:priority: 2
:derives_from: DMS-REQ-0346
```

```{test} Checks raw data
:id: LVV-T1
:verifies: DMS-REQ-0346, DMS-REQ-0347
```
"""

UPSTREAM_PAGE = """\
# LSE-30

```{upstream} The Archive Facility
:id: OSS-REQ-0004
:document: LSE-30
```

```{upstream} Data Archiving
:id: OSS-REQ-0167
:document: LSE-30
```
"""

FLOWDOWN_PAGE = """\
---
orphan: true
---

# Flow-down from LSE-30

```{trace-flowdown}
:document: LSE-30
```
"""


@pytest.fixture(scope="module")
def built(site_factory: Callable[[str], Site]) -> Site:
    site = site_factory("flowdown")
    site.write("needs/reqs.md", SITE_PAGE)
    site.write("needs/upstream.md", UPSTREAM_PAGE)
    site.write("flowdown.md", FLOWDOWN_PAGE)
    done = site.build()
    assert done.returncode == 0, done.stderr
    return site


def _text(built: Site, page: str) -> str:
    html = (built.root / "_build" / "html" / page).read_text(encoding="utf-8")
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_cards_show_both_directions_of_each_link(built: Site) -> None:
    reqs, upstream = _text(built, "needs/reqs.html"), _text(built, "needs/upstream.html")
    assert re.search(r"Flows down from: OSS-REQ-0004", reqs)
    assert re.search(r"Source of: DMS-REQ-0347", reqs)
    assert re.search(r"Derives from: DMS-REQ-0346", reqs)
    assert re.search(r"Flows down to: DMS-REQ-0346", upstream)
    needs = built.needs()
    assert needs["DMS-REQ-0346"]["flows_from"] == ["OSS-REQ-0004"]
    assert needs["OSS-REQ-0004"]["flows_from_back"] == ["DMS-REQ-0346"]
    assert needs["DMS-REQ-0346"]["derives_from_back"] == ["DMS-REQ-0347"]


def test_the_flowdown_page_lists_each_upstream_requirement_and_what_derives_from_it(built: Site) -> None:
    html = (built.root / "_build" / "html" / "flowdown.html").read_text(encoding="utf-8")
    text = _text(built, "flowdown.html")
    assert "2 requirements of LSE-30; 1 DMS requirement derives from them (1 link)." in text
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)
        if "<td" in row
    ]
    assert rows == ["OSS-REQ-0004 The Archive Facility DMS-REQ-0346", "OSS-REQ-0167 Data Archiving"]
    assert 'href="needs/reqs.html#DMS-REQ-0346"' in html
    assert 'href="needs/upstream.html#OSS-REQ-0004"' in html


def test_the_real_flowdown_counts_match_the_data(needs: dict[str, Need]) -> None:
    upstream = [n for n in needs.values() if n.type == "upstream" and n.get("document") == "LSE-30"]
    assert summary("LSE-30", upstream, derived_by(needs)) == (
        "118 requirements of LSE-30; 215 DMS requirements derive from them ("
        f"{sum(1 for _, ref, _ in derived_items() if ref.startswith('OSS-REQ-'))} links)."
    )


def test_make_diff_reports_a_changed_flowdown_link(tmp_path: Path) -> None:
    sides = []
    for name, target in (("base", "OSS-REQ-0004"), ("head", "OSS-REQ-0167")):
        pages = {"needs/reqs.md": SITE_PAGE.replace(":flows_from: OSS-REQ-0004", f":flows_from: {target}")}
        sides.append(read_worktree(write_site(tmp_path / name, {**pages, "needs/upstream.md": UPSTREAM_PAGE})))
    report = render_markdown(compare(*sides))
    assert "DMS-REQ-0346" in report and "flows down from" in report
    assert "OSS-REQ-0167" in report and "OSS-REQ-0004" in report
