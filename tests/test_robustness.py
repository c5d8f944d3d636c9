"""Inputs at the edges: far dates, odd milestone ids, bad regexes in conf.py and directives, a BOM, control
characters in commit subjects. Each must give pages or one located message, never a traceback."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest

from dmtrace.core.changekinds import Change
from dmtrace.core.evaluation import evaluate
from dmtrace.core.history import Commit, card_text, parse_log, read_history
from dmtrace.core.milestones import milestone_facts, parse_day
from dmtrace.core.model import IdOccurrence, Need, id_patterns
from dmtrace.core.results import ResultSet, read_results_csv
from dmtrace.glue.milestone_pages import page_name
from dmtrace.views.changelog import Entry, changelog_html
from dmtrace.views.charts import ForecastSeries, TimelineItem, forecast_history, month_ticks, timeline
from tests.publish_site import page, table_rows
from tests.support import GIT_ENV

if TYPE_CHECKING:
    from tests.conftest import Site

TODAY = dt.date(2026, 11, 25)
PAGES_DIR = "docs/traceability/_milestones"
MILESTONES_PAGE = "# Milestones\n\n```{trace-milestones}\n```\n"
INDEX = """\
# Fixture

```{toctree}
:glob:

docs/*
needs/**
```
"""

# --- 1: far dates, in a site that must build cleanly -----------------------------------------------------------------

FAR_NEEDS = """\
# Needs

```{milestone} Due in the last month a date can hold
:id: LDM-9999
:due: 9999-12
:forecast: 0001-01=0001-01-01 0002-06=9999-12-31 9999-12=9999-12-31
```

```{milestone} Due on the first day a date can hold
:id: LDM-0001
:due: 0001-01-01
:forecast: 0001-01=0001-01-31 0001-02=0001-01-01
```

```{milestone} Completed in year one
:id: LDM-0002
:due: 0001-02
:completed: 0001-01-02
:after: LDM-0001
```
"""


def _sphinx_ok(run: Any) -> None:
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stderr and "Exception occurred" not in run.stderr, run.stderr


def _site(site_factory: Callable[[str], Site], name: str, needs: str, conf: str = "", **pages: str) -> Site:
    made = site_factory(name)
    made.configure()
    with (made.root / "conf.py").open("a", encoding="utf-8") as conf_file:
        conf_file.write(f"trace_today = {TODAY.isoformat()!r}\n{conf}")
    made.write("index.md", INDEX)
    made.write("needs/needs.md", needs)
    for page_path, text in pages.items():
        made.write(f"docs/{page_path}.md", text)
    return made


@pytest.fixture(scope="module")
def far_site(site_factory: Callable[[str], Site]) -> Path:
    """Milestones due in December 9999 and in year 1, forecasts made in year 1: built once."""
    made = _site(site_factory, "far", FAR_NEEDS, milestones=MILESTONES_PAGE)
    _sphinx_ok(made.build())
    return made.root / "_build" / "html"


def test_far_due_dates_and_year_one_forecasts_build_and_count_days(far_site: Path) -> None:
    far = page(far_site, f"{PAGES_DIR}/LDM-9999")
    assert f"due in {(dt.date(9999, 12, 31) - TODAY).days} days" in far
    assert "Forecast history" in far and "<svg" in far
    first = page(far_site, f"{PAGES_DIR}/LDM-0001")
    assert f"overdue by {(TODAY - dt.date(1, 1, 1)).days} days" in first
    index = page(far_site, "docs/milestones")
    assert "Timeline" in index and "Forecast history" in index
    svgs = re.findall(r"<svg.*?</svg>", index, re.DOTALL)
    assert len(svgs) == 3  # the timeline, and one forecast chart each for the two milestones with forecasts
    for svg in svgs:
        ET.fromstring(svg)
    assert [r.cells[1] for r in table_rows(index, "trace-milestones")] == ["0001-01-01", "9999-12", "0001-02"]


# --- 2: odd milestone ids, in a site that must build cleanly ---------------------------------------------------------

ODD_MILESTONES = ["M&1", "M&1/2?", "A&", "A_26", ".hidden", "Ü-1", "M%41#x", "LDM-503-1"]  # A_26: "A&", escaped naively
ODD_NEEDS = "# Needs\n\n" + "".join(
    f"```{{milestone}} Milestone {index}\n:id: {milestone_id}\n:due: 2027-{index + 1:02d}\n```\n\n"
    for index, milestone_id in enumerate(ODD_MILESTONES)
)
ODD_NEEDS += """\
```{req} Needed by odd milestones
:id: DMS-REQ-0001
:priority: 1a
:milestone: M&1/2?, M&1
```

```{test} Verifies it
:id: LVV-T1
:verifies: DMS-REQ-0001
```
"""


@pytest.fixture(scope="module")
def odd_site(site_factory: Callable[[str], Site]) -> Path:
    """Milestone ids with `&`, `/`, `?`, `#`, `%`, `_`, a leading dot and a non-ASCII letter (conf.py allows any id
    without white space): built once."""
    made = _site(
        site_factory,
        "odd",
        ODD_NEEDS,
        'trace_id_patterns = {"milestone": [r"^\\S+$"]}\n',
        milestones=MILESTONES_PAGE,
        matrix="# Matrix\n\n```{trace-matrix}\n```\n",
    )
    _sphinx_ok(made.build())
    return made.root / "_build" / "html"


def test_every_milestone_gets_its_own_page_whatever_its_id(odd_site: Path) -> None:
    names = {milestone_id: page_name(milestone_id) for milestone_id in ODD_MILESTONES}
    assert len(set(names.values())) == len(names)
    written = {p.stem for p in (odd_site / PAGES_DIR).glob("*.html")}
    assert written == set(names.values())
    for milestone_id, name in names.items():
        html = page(odd_site, f"{PAGES_DIR}/{name}")
        assert f"<h1>{milestone_id.replace('&', '&amp;')}: Milestone" in html, milestone_id


def test_the_index_links_every_milestone_page_and_the_matrix_every_milestone(odd_site: Path) -> None:
    index = page(odd_site, "docs/milestones")
    rows = table_rows(index, "trace-milestones")
    assert len(rows) == len(ODD_MILESTONES)
    hrefs = {href for row in rows for href in row.hrefs}
    for milestone_id in ODD_MILESTONES:
        assert f"traceability/_milestones/{page_name(milestone_id)}.html" in hrefs, milestone_id
    matrix = table_rows(page(odd_site, "docs/matrix"), "trace-matrix")
    # columns: see tests/test_render_matrix.py; each milestone named with why, linked to its page
    assert [row.cells[5] for row in matrix] == ["M&1 (linked) M&1/2? (linked)"]
    assert f"traceability/_milestones/{page_name('M&1/2?')}.html" in " ".join(matrix[0].hrefs)


def test_plain_milestone_ids_keep_their_page_names() -> None:
    assert page_name("LDM-503-19a") == "LDM-503-19a"
    assert page_name("LDM-503-1.2") == "LDM-503-1.2"


def test_page_names_are_safe_unique_and_stable() -> None:
    ids = [
        "M&1",
        "M&1/2?",
        "M_261",
        "M_26",
        "M&",
        "A&",
        "A_26",
        "A_5F26",
        ".hidden",
        "_2Ehidden",
        "..",
        "Ü-1",
        "U\u0308-1",
        "M%41#x",
        "a\\b",
        "x" * 300,
        "x" * 299 + "y",
        "&" * 300,
        "M\ud800",
    ]
    names = [page_name(i) for i in ids]
    assert len(set(names)) == len(ids)
    assert names == [page_name(i) for i in ids]
    for name in names:
        assert re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*", name) and len(name) <= 120, name


# --- 1: the date arithmetic on its own ------------------------------------------------------------------------------


def test_date_arithmetic_holds_at_the_first_and_last_day_a_date_can_hold() -> None:
    assert parse_day("9999-12") == dt.date.max
    assert parse_day("0001-01", end_of_month=False) == dt.date.min
    assert parse_day("0000-01") is None and parse_day("10000-01") is None
    need = Need("M-1", "milestone", "t", "x.md", 1, fields={"due": "9999-12"})
    assert milestone_facts(need, dt.date.min).distance() == f"due in {(dt.date.max - dt.date.min).days} days"
    items = [TimelineItem("late", dt.date.max, "upcoming"), TimelineItem("early", dt.date.min, "overdue")]
    for today in (dt.date.min, TODAY, dt.date.max):
        ET.fromstring(timeline(items, today, "t"))
    series = [ForecastSeries("m", [(dt.date.min, dt.date.max), (dt.date.max, dt.date.min)])]
    ET.fromstring(forecast_history(series, "h"))
    early = [ForecastSeries("m", [(dt.date(1, 1, 1), dt.date(1, 6, 1)), (dt.date(1, 3, 1), dt.date(2, 1, 1))])]
    svg = forecast_history(early, "h")
    ET.fromstring(svg)
    assert ">0001-03<" in svg and ">1-03<" not in svg  # zero-padded years (strftime's %Y is not, below 1000)
    ticks, _ = month_ticks(dt.date.min, dt.date.max)
    assert 1 <= len(ticks) <= 8


# --- 3: bad regexes: one located message each, in the build and in `make check` ------------------------------------

BAD_PATTERNS = 'trace_id_patterns = {"milestone": ["^M-(1", "^M-[0-9]+$"], "test": ["LVV-[T"]}\n'
VIEWS = """\
# Views

Text.

```{trace-matrix}
:scope: DMS-(
```

```{trace-coverage}
```
"""
BAD_NEEDS = """\
# Needs

```{milestone} First
:id: M-1
:due: 2027-01
```

```{req} A requirement
:id: DMS-REQ-0001
:priority: 2
:milestone: M-1
```

```{test} Any id passes while the only test pattern is broken
:id: ANY-TEST
:verifies: DMS-REQ-0001
```
"""
ID_PATTERN_MESSAGES = [
    "conf.py:1: error: trace_id_patterns: the milestone id pattern '^M-(1' is not a valid regular expression "
    "(missing ), unterminated subpattern at position 3) [trace.config]",
    "conf.py:1: error: trace_id_patterns: the test id pattern 'LVV-[T' is not a valid regular expression "
    "(unterminated character set at position 4) [trace.config]",
]


@pytest.fixture(scope="module")
def scope_site(site_factory: Callable[[str], Site]) -> Site:
    needs = BAD_NEEDS.replace("ANY-TEST", "LVV-T1")
    return _site(site_factory, "bad-scope", needs, 'trace_view_scope = "DMS-["\n', views=VIEWS)


@pytest.fixture(scope="module")
def scope_build(scope_site: Site) -> Any:
    return scope_site.build()


def test_a_bad_scope_is_one_message_at_its_directive(scope_site: Site, scope_build: Any) -> None:
    stderr = scope_build.stderr
    assert scope_build.returncode != 0
    assert "Traceback" not in stderr and "Exception occurred" not in stderr, stderr
    views = scope_site.root / "docs" / "views.md"
    scope = [line for line in stderr.splitlines() if ":scope:" in line]
    assert views.is_file()
    assert scope == [
        "docs/views.md:5: error: trace-matrix :scope: 'DMS-(' is not a valid regular expression "
        "(missing ), unterminated subpattern at position 4) [trace.config]"
    ], stderr
    check = scope_site.check()
    assert [line for line in check.error_lines() if ":scope:" in line] == scope, "make check says the same"
    assert "Not shown: the :scope: of this trace-matrix is not a valid regular expression." in page(
        scope_site.root / "_build" / "html", "docs/views"
    )


def test_a_bad_view_scope_in_conf_py_is_one_message_naming_conf_py(scope_site: Site, scope_build: Any) -> None:
    conf = scope_site.root / "conf.py"
    line = conf.read_text().splitlines().index('trace_view_scope = "DMS-["') + 1
    assert [line for line in scope_build.stderr.splitlines() if "trace_view_scope" in line] == [
        f"{conf}:{line}: WARNING: trace_view_scope = 'DMS-[' is not a valid regular expression (unterminated "
        "character set at position 4); the views show every need [trace.config]"
    ]
    # The one violation is the directive's bad :scope: (the test above); the setting itself is a warning.
    assert [line for line in scope_build.error_lines() if "trace_view_scope" in line] == []


@pytest.fixture(scope="module")
def pattern_site(site_factory: Callable[[str], Site]) -> Site:
    return _site(site_factory, "bad-pattern", BAD_NEEDS, BAD_PATTERNS, about="# About\n")


def test_a_bad_id_pattern_is_one_message_naming_conf_py_in_the_build(pattern_site: Site) -> None:
    run = pattern_site.build()
    assert run.returncode != 0
    assert "Traceback" not in run.stderr and "Exception occurred" not in run.stderr, run.stderr
    assert run.error_lines() == ID_PATTERN_MESSAGES, run.stderr


def test_a_bad_id_pattern_is_one_message_naming_conf_py_in_make_check(pattern_site: Site) -> None:
    run = pattern_site.check()
    assert run.returncode == 1
    assert "Traceback" not in run.stderr, run.stderr
    assert run.error_lines() == ID_PATTERN_MESSAGES


def test_id_patterns_that_are_no_regex_are_reported_not_raised() -> None:
    patterns = id_patterns({"milestone": ["(", "^M-[0-9]+$"], "test": 7})  # type: ignore[dict-item]
    needs = {"M-1": Need("M-1", "milestone", "t", "m.md", 3, fields={"due": "2027-01"})}
    evaluation = evaluate(needs, [IdOccurrence("M-1", "milestone", "m.md", 3)], ResultSet(), patterns=patterns)
    assert [(v.file, v.need_id, v.rule) for v in evaluation.violations] == [
        ("conf.py", "trace_id_patterns", "trace.config"),
        ("conf.py", "trace_id_patterns", "trace.config"),
    ]
    assert "the test id pattern 7 is not a valid regular expression (not a string" in evaluation.violations[1].message


# --- 4: a results CSV written with a byte order mark ------------------------------------------------------------------


def test_a_csv_header_starting_with_a_bom_names_its_columns(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_bytes("\ufefftest_case,last_run,status,source\nLVV-T1,2026-11-20,Passed,campaign\n".encode())
    results = ResultSet()
    read_results_csv(path, "results.csv", results)
    assert results.problems == []
    assert [(r.test_id, r.when) for r in results.records] == [("LVV-T1", "2026-11-20")]


# --- 5: control characters in a commit subject ------------------------------------------------------------------------

SHA_1, SHA_2 = "a" * 40, "b" * 40
PATCH = (
    "\ndiff --git a/needs/r.md b/needs/r.md\n--- a/needs/r.md\n+++ b/needs/r.md\n"
    "@@ -3,2 +3,2 @@ :id: DMS-REQ-0001\n-old \x0c text\n+new \x0c text\n"
)
LOG = (
    f"\x1e{SHA_2}\x1f2026-11-02\x1fColour \x1b[31mred\x1b[0m, bell\x07, NUL\x00, rec\x1esep, unit\x1fsep, cr\rlf"
    f"{PATCH}"
    f"\x1e{SHA_1}\x1f2026-11-01\x1fPlain\tsubject\u202eevil{PATCH}"
)
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def test_control_characters_in_a_subject_are_shown_as_visible_placeholders() -> None:
    changes = parse_log(LOG)
    assert list(changes) == ["DMS-REQ-0001"]
    assert changes["DMS-REQ-0001"] == [
        Commit(SHA_2, "2026-11-02", "Colour ␛[31mred␛[0m, bell␇, NUL␀, rec␞sep, unit␟sep, cr␍lf"),
        Commit(SHA_1, "2026-11-01", "Plain subject\ufffdevil"),
    ]


def test_the_card_and_the_change_log_row_show_no_control_character() -> None:
    raw = [Commit(SHA_2, "2026-11-02", "Bad \x1b[2J\x00\x1e subject\x85"), Commit(SHA_1, "2026-11-01", "ok")]
    text = card_text(raw)
    assert not CONTROL.search(text)
    assert text == f"2026-11-02 Bad ␛[2J␀␞ subject\ufffd ({SHA_2[:7]}); 2026-11-01 ok ({SHA_1[:7]})"
    builder = SimpleNamespace(format="html", get_relative_uri=lambda start, to: f"{to}.html")
    entries = [Entry(commit, {"DMS-REQ-0001": (Change("re-worded", "title"),)}) for commit in raw]
    node = changelog_html(builder, "changelog", entries, {"DMS-REQ-0001": "needs/r"})  # type: ignore[arg-type]
    html = node["html"]
    assert not CONTROL.search(html.replace("\n", ""))
    heads = [
        " ".join(re.sub(r"<[^>]+>", " ", head).split())
        for head in re.findall(r'<p class="trace-commit-head">(.*?)</p>', html)
    ]
    assert heads == [f"2026-11-02 Bad ␛[2J␀␞ subject\ufffd {SHA_2[:7]}", f"2026-11-01 ok {SHA_1[:7]}"]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_real_commit_subject_with_control_characters_keeps_its_row(tmp_path: Path) -> None:
    """From git itself: a carriage return, a record separator followed by a sha-like word, a unit separator."""
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "--quiet", str(tmp_path)], check=True, env=env)
    need = "```{req} R\n:id: DMS-REQ-0001\n:priority: 1a\n\n%s\n```\n"
    subject = f"Add \x1b[31mred\x1b[0m cr\rlf rec\x1e{SHA_1}\x1fz"
    for text, message in (("One.", subject), ("Two.", "second")):
        (tmp_path / "needs").mkdir(exist_ok=True)
        (tmp_path / "needs" / "r.md").write_text(need % text, encoding="utf-8")
        subprocess.run(["git", "add", "-A"], cwd=tmp_path, check=True, env=env)
        subprocess.run(["git", "commit", "-q", "--cleanup=verbatim", "-m", message], cwd=tmp_path, check=True, env=env)
    commits = read_history(tmp_path).changes["DMS-REQ-0001"]
    assert [c.subject for c in commits] == ["second", f"Add ␛[31mred␛[0m cr␍lf rec␞{SHA_1}␟z"]
    assert not CONTROL.search(card_text(commits))
