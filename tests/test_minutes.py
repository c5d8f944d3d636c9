"""docs/minutes.md: the record says what the DM-SST minutes of 2023-10-16 say, the quoted specifications are the
catalogue's, and what happened afterwards sits in a separate "Since the meeting" section that agrees with the
reference data."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "minutes.md"
DATA = ROOT / "data" / "rubin"
SINCE_HEADING = "## Since the meeting"
QUOTE_HEAD = re.compile(r"^> Specification of (DMS-REQ-\d{4}) \(LSE-61 rel10\.2\.1, 2025-09-15\):$")

# Requirements the minutes discuss (slides 7 to 12, the items after them, and the dataset-selection session).
DISCUSSED = {
    "DMS-REQ-0034",
    "DMS-REQ-0266",
    "DMS-REQ-0297",
    "DMS-REQ-0298",
    "DMS-REQ-0176",
    "DMS-REQ-0315",
    "DMS-REQ-0003",
    "DMS-REQ-0398",
    "DMS-REQ-0066",
    "DMS-REQ-0339",
    "DMS-REQ-0362",
    "DMS-REQ-0293",
}

# The minutes' "List of SST tasks": (due date, assignee column, task appears on), in the minutes' order and words.
TASKS = [
    ("28 Feb 2022", "Robert Lupton", "2018-11-05 DM SST F2F Agenda and Meeting notes"),
    ("31 Mar 2022", "Gregory Dubois-Felsmann", "2022-02-14 DM-SST Virtual F2F Agenda and Meeting notes"),
    ("16 May 2022", "Steve Ritz", "2022-03-14 DM-SST Agenda and Meeting Notes"),
    ("13 Jun 2022", "Gregory Dubois-Felsmann", "2022-05-09 DM-SST Agenda and Meeting Notes"),
    ("25 Jul 2022", "Eli Rykoff", "2022-06-06 DM-SST VF2F Agenda and Meeting notes"),
    ("12 Sep 2022", "Melissa Graham", "2022-08-15 DM-SST Agenda and Meeting Notes"),
    ("26 Sep 2022", "Steve Ritz", "2022-09-12 DM-SST Agenda and Meeting Notes"),
    ("31 Oct 2022", "Gregory Dubois-Felsmann", "2022-08-22 DM-SST Agenda and Meeting Notes"),
    ("31 Dec 2022", "Leanne Guy", "2022-06-06 DM-SST VF2F Agenda and Meeting notes"),
    ("28 Feb 2023", "Leanne Guy", "2023-01-23 DM-SST Agenda and Meeting Notes"),
    ("20 Mar 2023", "Leanne Guy", "2023-02-27 DM-SST Agenda and Meeting Notes"),
    ("31 Mar 2023", "Jim Bosch", "2023-02-27 DM-SST Agenda and Meeting Notes"),
    ("29 May 2023", "Leanne Guy", "2023-05-01 DM-SST Focus Meeting - Brokers in Commissioning"),
    ("02 Jun 2023", "Leanne Guy", "2023-03-27 DM-SST Agenda and Meeting Notes"),
    ("26 Jun 2023", "Jim Bosch", "2023-05-08 DM-SST Agenda and Meeting Notes"),
    ("30 Jun 2023", "Parker Fagrelius", "2023-03-27 DM-SST Agenda and Meeting Notes"),
    ("31 Jul 2023", "Colin Slater", "2023-07-10 DM-SST Agenda and Meeting Notes"),
    ("31 Jul 2023", "Eli Rykoff", "2023-01-30 DM-SST Agenda and Meeting Notes"),
    ("28 Aug 2023", "Yusra AlSayyad", "2023-08-14 DM-SST Agenda and Meeting Notes"),
    ("31 Aug 2023", "Jim Bosch", "2023-02-27 DM-SST Agenda and Meeting Notes"),
]


def page() -> str:
    return PAGE.read_text(encoding="utf-8")


def record() -> str:
    """The record of the meeting: everything before the "Since the meeting" section."""
    text = page()
    assert text.count(SINCE_HEADING) == 1
    return text.split(SINCE_HEADING, 1)[0]


def since() -> str:
    return page().split(SINCE_HEADING, 1)[1]


def flat(text: str) -> str:
    """Whitespace collapsed, so that a phrase wrapped over two lines is still found."""
    return re.sub(r"\s+", " ", text)


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+|\n\s*\n", text) if s.strip()]


def catalogue(name: str) -> dict[str, dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def quoted_specifications(text: str) -> dict[str, str]:
    """Each "> Specification of <id> (...):" blockquote, its body with the "> " prefixes removed."""
    quotes: dict[str, str] = {}
    lines = text.splitlines()
    for n, line in enumerate(lines):
        head = QUOTE_HEAD.match(line)
        if not head:
            continue
        assert lines[n + 1] == ">", f"{head[1]}: a blank quoted line must follow the heading"
        body = []
        for inner in lines[n + 2 :]:
            if inner == ">":
                body.append("")
            elif inner.startswith("> "):
                body.append(inner[2:])
            else:
                break
        assert head[1] not in quotes, f"{head[1]} is quoted twice"
        quotes[head[1]] = "\n".join(body)
    return quotes


def table_rows(text: str, header: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header line starts with `header`, as lists of cells."""
    lines = text.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split(" | ")])
    return rows


def test_no_claim_that_sitcom_114_tracks_anything() -> None:
    text = flat(page())
    assert not re.search(r"track\w*\s+(by|in|under|as|via)\s+SITCOM-114", text, re.I)
    mentions = [m.start() for m in re.finditer(r"SITCOM-114", text)]
    assert mentions, "the minutes' SITCOM ticket is missing"
    for at in mentions:
        assert text[max(0, at - 40) : at].lower().endswith("the related sitcom ticket is "), text[at - 80 : at + 20]


def test_no_claim_that_every_date_is_linked() -> None:
    for sentence in sentences(page()):
        claim = re.search(r"\b(every|all|each)\b", sentence, re.I) and re.search(r"\bdates?\b", sentence, re.I)
        assert not (claim and re.search(r"\blink", sentence, re.I)), sentence


def test_dp1_is_not_recorded_as_a_deferral() -> None:
    dp1 = [s for s in sentences(record()) if "DP1" in s]
    assert dp1, "the DP1 question is missing"
    for sentence in dp1:
        assert not re.search(r"defer|postpon|decision was", sentence, re.I), sentence
    assert "still in discussion" in flat(record()).lower()


def test_task_assignees_are_the_assignee_column() -> None:
    rows = table_rows(record(), "| Task | Due | Assignee | From |")
    assert [(due, assignee, origin) for _, due, assignee, origin in rows] == TASKS


def test_omitted_points_are_in_the_record() -> None:
    text = flat(record())
    assert re.search(r"\*\*Slide 8, reporting\.\*\*", text)
    assert re.search(r"\*\*Slide 11\.\*\* Disaggregate 1a and non-1a priority aspects", text)
    assert re.search(r"Comcam nominally finished in September 2024", text, re.I)
    assert re.search(r"Ops Rehearsal for Commissioning Meeting \(13:00[–-]14:00\)", text)


def test_each_discussed_requirement_is_linked_and_quoted_from_the_catalogue() -> None:
    text = record()
    quotes = quoted_specifications(text)
    assert set(quotes) == DISCUSSED
    specifications = catalogue("lse61_text.csv")
    for need_id, quoted in quotes.items():
        assert quoted == specifications[need_id]["specification"], need_id
        assert f"{{need}}`{need_id}`" in text, need_id


def test_the_minutes_quote_of_0293_is_the_catalogue_text() -> None:
    """The minutes (line 106) quote DMS-REQ-0293's specification; the page's quotation must be that text."""
    minutes_quote = (
        "A Dataset may consist of one or more pixel images, a set of records in a file or database, or any other "
        "grouping of data that are processed or produced as a logical unit. The DMS shall be able to identify and "
        "retrieve complete, consistent datasets for processing."
    )
    assert quoted_specifications(record())["DMS-REQ-0293"] == minutes_quote


def test_nothing_after_the_meeting_is_in_the_record() -> None:
    text = record()
    for later in ("LCR-3543", "LCR-3643", "LCR-3683", "DMTR-412", "DMS-REQ-0402", "release 10.0"):
        assert later not in text, later


def test_since_the_meeting_names_lcr_3543_and_its_requirements() -> None:
    text = since()
    stated = re.search(r"LCR-3543,? in LSE-61 release ([\d.]+) \((\d{4}-\d{2}-\d{2})\)", flat(text))
    assert stated, "LCR-3543's release and date are missing"
    notes = flat((DATA / "PROVENANCE.txt").read_text(encoding="utf-8"))
    assert f"P1a split: LCR-3543 (release {stated[1]}, {stated[2]})" in notes
    requirements = catalogue("dms_requirements.csv")
    rows = {row[0]: row for row in table_rows(text, "| Requirement | Title | Priority | Parent | LCRs |")}
    expected = {f"DMS-REQ-{n:04d}" for n in range(402, 407)}
    assert expected <= {re.sub(r"\{need\}`(.*)`", r"\1", cell) for cell in rows}
    for cell, (_, title, priority, parent, lcrs) in rows.items():
        need_id = re.fullmatch(r"\{need\}`(DMS-REQ-\d{4})`", cell)[1]
        row = requirements[need_id]
        assert "Added:LCR-3543" in row["lcrs"].split(";"), need_id
        assert (title, priority, lcrs) == (row["title"], row["priority"], row["lcrs"].replace(";", ", ")), need_id
        assert parent == (f"{{need}}`{row['parent']}`" if row["parent"] else "none"), need_id
    named = re.search(
        r"put DMS-REQ-0402 \((\w+)\), 0403 \((\w+)\), 0404 \((\w+)\), 0405 \((\w+)\) and 0406 \((\w+)\)", flat(text)
    )
    assert named, "the prose list of LCR-3543's requirements is missing"
    assert list(named.groups()) == [requirements[f"DMS-REQ-{n:04d}"]["priority"] for n in range(402, 407)]


def test_since_the_meeting_states_the_catalogue_of_the_discussed_requirements() -> None:
    requirements = catalogue("dms_requirements.csv")
    header = "| Requirement | Priority (2019 edition) | Priority (release 10.2.1) | Status | LCRs |"
    rows = table_rows(since(), header)
    assert {re.fullmatch(r"\{need\}`(.*)`", row[0])[1] for row in rows} == DISCUSSED
    for cell, old, new, status, lcrs in rows:
        row = requirements[re.fullmatch(r"\{need\}`(.*)`", cell)[1]]
        listed = row["lcrs"].replace(";", ", ") or "none listed"
        assert (old, new, status, lcrs) == (row["priority_lse61_2019"], row["priority"], row["status"], listed), cell


@pytest.mark.parametrize("need_id", sorted(DISCUSSED | {f"DMS-REQ-{n:04d}" for n in range(400, 407)}))
def test_linked_requirements_exist_in_the_catalogue(need_id: str) -> None:
    assert need_id in catalogue("dms_requirements.csv")
    assert f"{{need}}`{need_id}`" in page()
