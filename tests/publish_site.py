"""A small fixture site for the publishing tests: its sources come from plain Python data the tests also count."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TODAY = "2026-11-25"
SCREENSHOTS = REPO / "_build" / "screenshots"
SCRIPT_TITLE = "Raw science images <script>alert(1)</script>"
SCRIPT_MILESTONE = "Operations readiness <script>alert(2)</script>"


@dataclass
class Item:
    id: str
    type: str
    title: str
    options: dict[str, str] = field(default_factory=dict)


# Requirements and sub-requirements; the test cases name what they verify; milestones link with after.
REQUIREMENTS = [
    Item("DMS-REQ-0001", "req", SCRIPT_TITLE, {"priority": "1a", "milestone": "LDM-503-19a"}),
    Item("DMS-REQ-0002", "req", "Calibration products production", {"priority": "1a"}),
    Item("DMS-REQ-0002-V-01", "subreq", "Calibration products (flats)", {"priority": "1a", "refines": "DMS-REQ-0002"}),
    Item("DMS-REQ-0002-V-02", "subreq", "Calibration products (biases)", {"priority": "1a", "refines": "DMS-REQ-0002"}),
    Item("DMS-REQ-0003", "req", "Alert publication latency", {"priority": "1a"}),
    Item("DMS-REQ-0004", "req", "Data backbone replication", {"priority": "1b", "milestone": "LDM-503-19a"}),
    Item("DMS-REQ-0005", "req", "Retired photometry requirement", {"priority": "1a", "status": "descoped"}),
    Item("DMS-REQ-0006", "req", "Science platform catalog queries", {"priority": "2", "milestone": "LDM-503-11"}),
    Item("DMS-REQ-0007", "req", "Archive format migration", {"priority": "3"}),
    Item("DMS-REQ-0008", "req", "Image differencing templates", {"priority": "1a"}),
]
TESTS = [
    Item("LVV-T1", "test", "Ingest raw science images", {"verifies": "DMS-REQ-0001"}),
    Item("LVV-T2", "test", "Produce master flats", {"verifies": "DMS-REQ-0002-V-01"}),
    Item("LVV-T3", "test", "Produce master biases and templates", {"verifies": "DMS-REQ-0002-V-02, DMS-REQ-0008"}),
    Item("LVV-T4", "test", "Measure alert latency", {"verifies": "DMS-REQ-0003"}),
    Item("LVV-T5", "test", "Query the catalog", {"verifies": "DMS-REQ-0006"}),
]
MILESTONES = [
    Item(
        "LDM-503-11", "milestone", "Science platform integration test", {"due": "2026-06-30", "completed": "2026-07-15"}
    ),
    Item(
        "LDM-503-19a",
        "milestone",
        "All P1a DM requirements verified",
        {
            "due": "2025-02-12",
            "after": "LDM-503-11",
            "forecast": "2023-10=2025-01-27 2023-12=2025-02-12 2024-02=2024-11-01",
        },
    ),
    Item("LDM-503-20", "milestone", SCRIPT_MILESTONE, {"due": "2027-03", "after": "LDM-503-19a"}),
]
# test case -> (last run, observatory status word)
RESULTS = {
    "LVV-T1": ("2025-01-10", "Passed"),
    "LVV-T2": ("2025-01-11", "Failed"),
    "LVV-T4": ("2025-01-12", "Pass w/Deviation"),
    "LVV-T5": ("2025-01-13", "Error"),
}

CONF = f"""
from dmtrace.core.model import sphinx_needs_config
project = "Publishing fixture"
root_doc = "docs/index"
extensions = ["myst_parser", "sphinx_needs", "dmtrace"]
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build"]
globals().update(sphinx_needs_config())
trace_results = ["results.csv"]
trace_today = {TODAY!r}
html_theme = "pydata_sphinx_theme"
html_static_path = [{str(REPO / "docs" / "_static")!r}]
html_css_files = ["trace.css"]
html_js_files = ["trace.js"]
html_favicon = {str(REPO / "docs" / "_static" / "favicon.svg")!r}
html_context = {{"default_mode": "light"}}
"""

INDEX = """# Publishing fixture

```{trace-dashboard}
```

```{toctree}
traceability/matrix
traceability/vcd
traceability/reverse
traceability/coverage
traceability/milestones
traceability/self
```
"""


def directive(item: Item) -> str:
    options = "".join(f":{key}: {value}\n" for key, value in item.options.items())
    return f"```{{{item.type}}} {item.title}\n:id: {item.id}\n{options}```\n"


def write_site(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "conf.py").write_text(CONF)
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text(INDEX)
    shutil.copytree(REPO / "docs" / "traceability", root / "docs" / "traceability", dirs_exist_ok=True)
    for name, items in (("requirements", REQUIREMENTS), ("tests", TESTS), ("milestones", MILESTONES)):
        path = root / "needs" / "fixture" / f"{name}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# {name.title()}\n\n" + "\n".join(directive(i) for i in items))
    lines = ["test_case,last_run,status,source"]
    lines += [f"{test},{when},{status},fixture campaign" for test, (when, status) in RESULTS.items()]
    (root / "results.csv").write_text("\n".join(lines) + "\n")
    return root


def build(root: Path, out: Path | None = None, *extra: str) -> subprocess.CompletedProcess[str]:
    """Builds the site warning-free (-W) and fails the calling test with Sphinx's output otherwise."""
    out = out or root / "_build" / "html"
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html", *extra, str(root), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run


@dataclass
class TableRow:
    classes: list[str]
    cells: list[str]
    hrefs: list[str]


class _Tables(HTMLParser):
    """Collects, per table with a given class, its body rows: classes, cell texts and link targets."""

    def __init__(self, table_class: str) -> None:
        super().__init__()
        self.table_class = table_class
        self.depth = 0
        self.rows: list[TableRow] = []
        self.in_body = False
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table" and (self.depth or self.table_class in classes):
            self.depth += 1
        elif self.depth == 1 and tag == "tbody":
            self.in_body = True
        elif self.depth == 1 and self.in_body and tag == "tr":
            self.rows.append(TableRow(classes, [], []))
        elif self.depth == 1 and self.in_body and tag == "td":
            self.cell = []
        elif self.depth == 1 and tag == "a" and self.rows and self.in_body:
            self.rows[-1].hrefs.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self.depth:
            self.depth -= 1
            self.in_body = False
        elif tag == "td" and self.cell is not None and self.rows:
            self.rows[-1].cells.append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html: str, table_class: str) -> list[TableRow]:
    parser = _Tables(table_class)
    parser.feed(html)
    return parser.rows


def page(out: Path, docname: str) -> str:
    return (out / f"{docname}.html").read_text(encoding="utf-8")


# --- Expected numbers, derived here from the data above (not from the extension's output) ---------------------
PASSING_WORDS = {"Passed", "Pass w/Deviation"}
BROKEN_WORDS = {"Failed", "Error"}
RANK = {"1a": 0, "1b": 1, "2": 2, "3": 3}


def _verified_by(item_id: str) -> list[str]:
    return [t.id for t in TESTS if item_id in [v.strip() for v in t.options["verifies"].split(",")]]


def expected_verification(item_id: str) -> str:
    """The verification state of one requirement as the rules in the README define it."""
    item = next(i for i in REQUIREMENTS if i.id == item_id)
    if item.options.get("status") == "descoped":
        return "descoped"
    words = [RESULTS.get(t, ("", "Not Executed"))[1] for t in _verified_by(item_id)]
    if words:
        if all(w in PASSING_WORDS for w in words):
            return "verified"
        if any(w in BROKEN_WORDS for w in words):
            return "failing"
        return "partially run" if any(w in PASSING_WORDS for w in words) else "not run"
    children = [
        i
        for i in REQUIREMENTS
        if i.options.get("refines") == item_id
        and i.options.get("status") != "descoped"
        and RANK[i.options["priority"]] <= RANK[item.options["priority"]]
    ]
    states = [expected_verification(c.id) for c in children]
    if not states or "untraced" in states:
        return "untraced"
    if all(s == "verified" for s in states):
        return "verified"
    if "failing" in states:
        return "failing"
    return "not run" if all(s == "not run" for s in states) else "partially run"


def expected_milestone_items(milestone_id: str) -> list[str]:
    """Linked requirements, plus every active P1a item for the 'All P1a ...' milestone."""
    title = next(m.title for m in MILESTONES if m.id == milestone_id)
    every_p1a = title.startswith("All P1a")
    return [
        i.id
        for i in REQUIREMENTS
        if i.options.get("milestone") == milestone_id
        or (every_p1a and i.options["priority"] == "1a" and i.options.get("status") != "descoped")
    ]
