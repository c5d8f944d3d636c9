"""Suspect verification: a requirement or VE whose normative content (or a test case's text) changed after the
evidence that verifies it (its test cases' last passing execution, its sign-off snapshot), unless a newer pass or a
review fingerprint recorded on the need clears it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from dmtrace.core.evidence import covering_tests
from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import REQUIREMENT_TYPES, Need, Violation
from dmtrace.core.normative import fingerprint
from dmtrace.core.normative_history import NormativeChange, NormativeHistory
from dmtrace.core.outcomes import PASSES
from dmtrace.core.results import ResultRecord
from dmtrace.core.signoff import SignOffState

SUSPECT = "trace.suspect"
REVIEW_MISMATCH = "trace.review-mismatch"
REVIEW_FIELD = "reviewed"


@dataclass(frozen=True)
class Evidence:
    """The newest evidence of an item: a passing execution or a sign-off snapshot, and when."""

    at: dt.datetime
    text: str  # "last pass of LVV-T98 (LVV-E3528) on 2025-08-21", "sign-off snapshot of 2025-07-16 (Verified)"


@dataclass(frozen=True)
class Suspicion:
    """Why an item is suspect: the change, whose it is (the item or one of its test cases), and what it outdates."""

    need_id: str
    change: NormativeChange
    outdates: Evidence

    def text(self) -> str:
        whose = "" if self.change.need_id == self.need_id else f"{self.change.need_id}'s text, "
        return f"changed ({whose}{self.change.text()}) after its evidence: {self.outdates.text}"


def _end_of_day(day: dt.date) -> dt.datetime:
    """A date-only record counts as the end of its day: a change that day is not after it."""
    return dt.datetime.combine(day, dt.time.max, dt.UTC)


def newest_evidence(
    graph: NeedGraph,
    need: Need,
    history: Mapping[str, list[ResultRecord]],
    signoff: SignOffState | None,
) -> Evidence | None:
    """The newest dated evidence of the item; undated records cannot show they came after a change."""
    found: list[Evidence] = []
    for test_id in covering_tests(graph, need):
        for record in history.get(test_id, []):
            instant = record.instant()
            if record.outcome in PASSES and instant is not None:
                at = _end_of_day(instant.date()) if len(record.when.strip()) == 10 else instant
                execution = f" ({record.provenance.execution})" if record.provenance.execution else ""
                found.append(Evidence(at, f"last pass of {test_id}{execution} on {record.when}"))
    if signoff is not None and signoff.date is not None and not signoff.note:
        found.append(
            Evidence(_end_of_day(signoff.date), f"sign-off snapshot of {signoff.date.isoformat()} ({signoff.status})")
        )
    return max(found, key=lambda e: e.at) if found else None


def _reviewed(need: Need) -> bool:
    return bool(need.get(REVIEW_FIELD)) and need.get(REVIEW_FIELD) == fingerprint(need)


def suspects(
    graph: NeedGraph,
    history: Mapping[str, list[ResultRecord]],
    signoff: Mapping[str, SignOffState],
    normative: NormativeHistory,
) -> dict[str, Suspicion]:
    """Every active requirement and VE whose newest evidence predates a normative change of it or of a test case
    that verifies it; a change is cleared by a review fingerprint on the changed need matching its content now."""
    found: dict[str, Suspicion] = {}
    if not normative.known or not normative.changes:
        return found
    for need in graph.needs.values():
        if need.type not in REQUIREMENT_TYPES or not need.is_active:
            continue
        evidence = newest_evidence(graph, need, history, signoff.get(need.id))
        if evidence is None:
            continue
        changed = [need.id, *covering_tests(graph, need)]
        late = [
            change
            for changed_id in changed
            for change in normative.changes.get(changed_id, [])
            if change.at > evidence.at and not _reviewed(graph.needs[changed_id])
        ]
        if late:
            found[need.id] = Suspicion(need.id, max(late, key=lambda c: c.at), evidence)
    return found


def review_violations(graph: NeedGraph, normative: NormativeHistory) -> list[Violation]:
    """A `reviewed` fingerprint that matches no version of the need's normative content: an error. Without the
    history (no starting point, no git, a shallow clone) the versions are unknown and nothing is said: every tool
    reaches the same verdict or says what it could not read."""
    found: list[Violation] = []
    if not normative.known:
        return found
    for need in graph.needs.values():
        recorded = need.get(REVIEW_FIELD)
        if not recorded:
            continue
        known = normative.versions.get(need.id, set()) | {fingerprint(need)}
        if recorded not in known:
            found.append(
                Violation(
                    need.file,
                    need.line,
                    need.id,
                    f"reviewed fingerprint {recorded!r} matches no version of its normative content "
                    f"(now {fingerprint(need)})",
                    REVIEW_MISMATCH,
                )
            )
    return found


def suspect_violations(graph: NeedGraph, found: Mapping[str, Suspicion]) -> list[Violation]:
    """STRICT: a suspect P1a item is an error, located at the need."""
    return [
        Violation(need.file, need.line, need.id, f"suspect verification: {found[need.id].text()}", SUSPECT)
        for need in (graph.needs[i] for i in sorted(found))
        if need.priority == "1a"
    ]


def suspect_lines(graph: NeedGraph, found: Mapping[str, Suspicion], normative: NormativeHistory) -> list[str]:
    """What `make check` prints about suspect items: one located line each, then a summary line (nothing when no
    starting point is configured: the check is off)."""
    if not normative.since:
        return []
    if not normative.known:
        return [f"suspect verification: not computed ({normative.unavailable})"]
    lines = []
    for need_id in sorted(found):
        need = graph.needs[need_id]
        lines.append(
            f"{need.file}:{need.line}: suspect: {need_id} (P{need.priority or '?'}) {found[need_id].text()}; "
            f"a review that verification stands records :{REVIEW_FIELD}: {fingerprint(need)}"
        )
    p1a = sum(1 for need_id in found if graph.needs[need_id].priority == "1a")
    lines.append(f"suspect verification: {len(found)} item(s), {p1a} of them P1a (changes since {normative.since})")
    return lines
