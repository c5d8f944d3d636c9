"""One verification truth: each requirement's and VE's evidence (test runs) and sign-off (recorded status), side by
side, and where the two disagree (the reconciliation)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from dmtrace.core.evidence import Evidence, covering_tests, evidence_all, tallies
from dmtrace.core.graph import NeedGraph
from dmtrace.core.model import Need, Violation
from dmtrace.core.outcomes import FAILURES, PASSES, Outcome, TestResult
from dmtrace.core.results import ResultRecord
from dmtrace.core.signoff import SIGNED_OFF, SignOff, SignOffRecords, SignOffState, Snapshot, signoff_all

DEFAULT_SCOPE = r"^DMS-REQ-"  # the DM catalogue: the tool's own TRACE items have no sign-off
CAMPAIGN_REPORT = "DMTR-412"

# The reconciliation's kinds, in the order the page lists them.
SIGNED_OFF_WITHOUT_EVIDENCE = "signed-off-without-evidence"
EVIDENCE_AWAITING_SIGNOFF = "evidence-awaiting-signoff"
EVIDENCE_AFTER_SNAPSHOT = "evidence-after-snapshot"
FAILING_AFTER_SIGNOFF = "failing-after-signoff"
CAMPAIGN_DISAGREES = "campaign-disagrees-with-vcd"
KINDS = (
    SIGNED_OFF_WITHOUT_EVIDENCE,
    EVIDENCE_AWAITING_SIGNOFF,
    EVIDENCE_AFTER_SNAPSHOT,
    FAILING_AFTER_SIGNOFF,
    CAMPAIGN_DISAGREES,
)


@dataclass(frozen=True)
class Disagreement:
    """One requirement or VE where sign-off and evidence disagree, of one kind, and why (the test cases)."""

    kind: str
    need_id: str
    detail: str


@dataclass
class VerificationTruth:
    """Evidence and sign-off of every requirement and VE in scope, the snapshot they are as of, the disagreements."""

    evidence: dict[str, Evidence] = field(default_factory=dict)
    signoff: dict[str, SignOffState] = field(default_factory=dict)
    snapshot: Snapshot | None = None
    records: SignOffRecords = field(default_factory=SignOffRecords)
    history: dict[str, list[ResultRecord]] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)

    @cached_property
    def results_until(self) -> dt.date | None:
        """The date of the newest dated execution record (what "as of" means for evidence); read once (every page
        that shows status says it)."""
        dates = [r.instant() for records in self.history.values() for r in records]
        known = [d.date() for d in dates if d is not None]
        return max(known) if known else None

    def as_of_text(self) -> str:
        """One sentence for every page that shows status: which records and which snapshot it reads."""
        until = self.results_until
        results = f"execution records up to {until}" if until else "no dated execution record"
        snapshot = f"the sign-off snapshot of {self.snapshot.date}" if self.snapshot else "no sign-off snapshot"
        return f"As of {results} and {snapshot}."

    def signed_off(self, need_id: str) -> bool:
        state = self.signoff.get(need_id)
        return state is not None and state.status in (*SIGNED_OFF, SignOff.FULLY_VERIFIED.value)


def _outcome_word(outcome: Outcome) -> str:
    return "pass" if outcome in PASSES else "failure" if outcome in FAILURES else "not executed"


def why_not_verified(graph: NeedGraph, need: Need, latest: Mapping[str, TestResult]) -> str:
    tests = covering_tests(graph, need)
    if not tests:
        return "no test case"
    parts = []
    for test in tests:
        result = latest.get(test)
        if result is None or result.outcome not in PASSES:
            parts.append(f"{test} {result.provenance.word or result.outcome.value if result else 'not run'}")
    return "; ".join(parts)


def _campaign_disagreements(graph: NeedGraph, need: Need, history: Mapping[str, list[ResultRecord]]) -> list[str]:
    """Test cases of `need` whose campaign execution and VCD last run fall in different classes (pass / not)."""
    found = []
    for test in graph.tests(need.id):
        records = history.get(test.id, [])
        campaign = [r for r in records if r.provenance.report == CAMPAIGN_REPORT]
        vcd = [r for r in records if r.provenance.report == "LDM-692"]
        for run in campaign:
            for last in vcd:
                if _outcome_word(run.outcome) != _outcome_word(last.outcome):
                    found.append(
                        f"{test.id}: {run.provenance.execution} {run.provenance.word} (undated) against the VCD's "
                        f"{last.provenance.word} of {last.when or 'no date'}"
                    )
    return found


def reconcile(
    graph: NeedGraph,
    latest: Mapping[str, TestResult],
    history: Mapping[str, list[ResultRecord]],
    records: SignOffRecords,
    scope: str = DEFAULT_SCOPE,
    as_of: dt.date | None = None,
) -> VerificationTruth:
    pattern = re.compile(scope)
    in_scope = {need_id: need for need_id, need in graph.needs.items() if pattern.search(need_id)}
    requirements = {
        need_id: sorted(child.id for child in graph.children(need_id) if child.type == "subreq")
        for need_id, need in in_scope.items()
        if need.type == "req"
    }
    snapshot = records.in_force(as_of)
    counted = tallies(graph, latest)
    truth = VerificationTruth(
        evidence={i: e for i, e in evidence_all(graph, latest).items() if i in in_scope},
        signoff=signoff_all(requirements, snapshot),
        snapshot=snapshot,
        records=records,
        history=dict(history),
    )
    for need_id in sorted(truth.evidence):
        need = graph.needs[need_id]
        evidence, signed = truth.evidence[need_id], truth.signed_off(need_id)
        if need_id not in truth.signoff or evidence is Evidence.DESCOPED:
            continue
        if signed and evidence is not Evidence.FULLY_VERIFIED:
            why = why_not_verified(graph, need, latest)
            truth.disagreements.append(Disagreement(SIGNED_OFF_WITHOUT_EVIDENCE, need_id, f"{evidence}: {why}"))
        if evidence is Evidence.FULLY_VERIFIED and not signed:
            status = truth.signoff[need_id].status
            truth.disagreements.append(Disagreement(EVIDENCE_AWAITING_SIGNOFF, need_id, f"sign-off: {status}"))
        deciding = counted[need_id].latest if need_id in counted else None
        if snapshot and deciding and deciding > snapshot.date and evidence is not Evidence.NOT_COVERED:
            kind = FAILING_AFTER_SIGNOFF if signed and evidence is Evidence.WITH_FAILURES else EVIDENCE_AFTER_SNAPSHOT
            truth.disagreements.append(
                Disagreement(kind, need_id, f"last run {deciding} after the {snapshot.date} snapshot ({evidence})")
            )
        for detail in _campaign_disagreements(graph, need, history):
            truth.disagreements.append(Disagreement(CAMPAIGN_DISAGREES, need_id, detail))
    return truth


def signoff_violations(graph: NeedGraph, truth: VerificationTruth) -> list[Violation]:
    """STRICT: P1a VEs signed off without passing evidence (`trace.signoff-without-evidence`); a requirement's
    sign-off is its VEs' roll-up, so it is reported through them."""
    found = []
    for item in truth.disagreements:
        need = graph.needs[item.need_id]
        if item.kind == SIGNED_OFF_WITHOUT_EVIDENCE and need.priority == "1a" and need.type == "subreq":
            message = f"signed off ({truth.signoff[item.need_id].status}) without passing evidence: {item.detail}"
            found.append(Violation(need.file, need.line, need.id, message, "trace.signoff-without-evidence"))
    return found
