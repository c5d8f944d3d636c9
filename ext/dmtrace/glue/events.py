"""Connects the model to Sphinx: records id occurrences, runs the rules when sphinx-needs seals, reports, fails."""

from __future__ import annotations

import datetime as dt
import logging as pylogging
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging
from sphinx_needs.data import SphinxNeedsData

from dmtrace.core.evaluation import Evaluation, evaluate, evaluate_results
from dmtrace.core.milestones import milestone_facts
from dmtrace.core.model import (
    FIELDS,
    LINK_TYPES,
    NEED_TYPES,
    REQUIREMENT_TYPES,
    IdOccurrence,
    Need,
    Violation,
    id_patterns,
)
from dmtrace.core.needtext import parameters, text_parts
from dmtrace.core.normative import fingerprint
from dmtrace.core.normative_history import CACHE_FILE, read_normative_history
from dmtrace.core.outcomes import Outcome, Provenance
from dmtrace.core.reader import UNREADABLE, decode_source, outside_problems, parse_source
from dmtrace.core.report import format_violations, summary
from dmtrace.core.results import ResultRecord
from dmtrace.core.settings import result_names
from dmtrace.core.signoff import load_signoff
from dmtrace.core.sources import SourceRules
from dmtrace.core.suspect import suspect_lines
from dmtrace.glue import freshness
from dmtrace.glue.domain import trace_domain
from dmtrace.glue.resolve import build_date
from dmtrace.glue.state import build_state

logger = logging.getLogger(__name__)
NEEDS_DIR = "needs"


def _relative_file(app: Sphinx, docname: str) -> str:
    # Asked once per need: the path arithmetic, repeated 10,000 times, was a tenth of an incremental build.
    cache = build_state(app).relative_files
    if docname not in cache:
        path = Path(app.env.doc2path(docname))
        try:
            cache[docname] = path.relative_to(app.srcdir).as_posix()
        except ValueError:
            cache[docname] = path.as_posix()
    return cache[docname]


class _DuplicateIdFilter(pylogging.Filter):
    """Drops sphinx-needs' own duplicate-id warning: the duplicate-id rule reports it with both places."""

    def filter(self, record: pylogging.LogRecord) -> bool:
        return not (getattr(record, "subtype", "") == "create_need" and "already exists" in record.getMessage())


def install_log_filter(app: Sphinx) -> None:
    for handler in pylogging.getLogger("sphinx").handlers:
        if not any(isinstance(f, _DuplicateIdFilter) for f in handler.filters):
            handler.addFilter(_DuplicateIdFilter())


def source_rules(app: Sphinx) -> SourceRules:
    """The source predicate from the configuration the build runs with (what `make check` reads from conf.py),
    made once per build: its glob patterns are compiled once, not for every document read."""
    state = build_state(app)
    if state.source_rules is None:
        state.source_rules = _source_rules(app.config)
    return state.source_rules


def _source_rules(config: Config) -> SourceRules:
    excluded = [*config.exclude_patterns, *config.templates_path]
    excluded += [*getattr(config, "html_static_path", []), *getattr(config, "html_extra_path", [])]
    return SourceRules(
        source_dirs=tuple(config.trace_source_dirs),
        exclude_patterns=tuple(str(p) for p in excluded),
        include_patterns=tuple(config.include_patterns),
    )


def record_occurrences(app: Sphinx, docname: str, source: list[str]) -> None:
    """`source-read`: reads the document with the reader `make check` uses: where each need id is defined (since
    sphinx-needs drops a duplicate before we can see it) and what the reader cannot read."""
    file = _relative_file(app, docname)
    parsed = parse_source(source[0], file)
    problems = list(parsed.problems)
    if "\ufffd" in source[0]:  # maybe a byte that is not UTF-8, replaced by the lenient codec (glue/encoding.py)
        problems += decode_source(Path(app.env.doc2path(docname)).read_bytes(), file)[1]
    needs = parsed.needs
    if needs and not source_rules(app).is_source(file):
        problems, needs = outside_problems([(file, source[0])]), []  # make check reads nothing else in such a file
    if any(p.message.startswith("directives nested more than") for p in problems):
        source[0] = ""  # docutils would recurse once per level and crash: the located problem says why
    domain = trace_domain(app.env)
    domain.occurrences[docname] = [IdOccurrence(n.id, n.type, n.file, n.line) for n in needs]
    domain.problems[docname] = problems


def allow_orphan_need_pages(app: Sphinx, doctree: Any) -> None:
    """Pages under needs/ may stay out of every toctree: they are sources, reached through links and tables."""
    if app.env.docname.startswith(NEEDS_DIR + "/"):
        app.env.metadata[app.env.docname]["orphan"] = True


def to_model(app: Sphinx, item: Any) -> Need:
    """One sphinx-needs NeedItem as the model's Need."""
    need_type = item["type"]
    fields = {name: str(item[name]) for name in FIELDS if item.get(name) not in (None, "")}
    if item.get("status"):
        fields["status"] = str(item["status"])
    links = {name: list(item[name]) for name in LINK_TYPES if item.get(name)}
    content = item.get("content") or ""
    text = text_parts(content)
    return Need(
        id=item["id"],
        type=need_type,
        title=item["title"],
        file=_relative_file(app, item["docname"]),
        line=int(item["lineno"] or 0),
        fields=fields,
        links=links,
        content=content,
        specification=text.get("specification", ""),
        discussion=text.get("discussion", ""),
        parameters=parameters(content),
    )


def evaluate_build(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """`env-updated`: evaluates the rules on the needs as read, reports, and returns the pages to re-write.

    The needs are read unsealed here: sealing them before Sphinx pickles the environment would freeze them
    for the next incremental build.
    """
    needs = SphinxNeedsData(env).get_needs_mutable()
    model = {
        need_id: to_model(app, item)
        for need_id, item in needs.items()
        if not item.get("is_external") and item.get("docname") and item["type"] in NEED_TYPES
    }
    rules = source_rules(app)  # needs outside the sources are reported, not evaluated, as make check does
    model = {need_id: need for need_id, need in model.items() if rules.is_source(need.file)}
    domain = trace_domain(env)
    occurrences = list(domain.all_occurrences())
    problems = [*domain.all_problems(), *unread_needs(model, occurrences, domain.all_problems())]
    srcdir = Path(app.srcdir)
    names = result_names(srcdir, app.config.trace_results, app.config.trace_results_if_present)
    results = evaluate_results(srcdir, names)
    evaluation = evaluate(
        model,
        occurrences,
        results,
        strict=app.config.trace_strict,
        patterns=id_patterns(app.config.trace_id_patterns),
        problems=problems,
        signoff=load_signoff(srcdir / app.config.trace_signoff_dir, srcdir),
        signoff_scope=app.config.trace_signoff_scope,
        normative=read_normative_history(
            srcdir,
            app.config.trace_suspect_since,
            app.config.trace_source_dirs,
            cache=Path(app.doctreedir) / CACHE_FILE,
        ),
    )
    build_state(app).evaluation = evaluation
    report(evaluation)
    if evaluation.suspects or app.config.trace_suspect_since:
        for line in suspect_lines(evaluation.graph, evaluation.suspects, evaluation.normative):
            logger.info(line)
    return freshness.docs_to_rewrite(env, evaluation)


def unread_needs(
    model: dict[str, Need], occurrences: list[IdOccurrence], problems: Iterable[Violation]
) -> Iterator[Violation]:
    """Needs the build has that the reader did not find where the build found them (and did not report)."""
    read = {(occurrence.id, occurrence.file) for occurrence in occurrences}
    reported = {(problem.file, problem.line) for problem in problems}
    for need in model.values():
        if (need.id, need.file) not in read and (need.file, need.line) not in reported:
            yield Violation(
                need.file,
                need.line,
                need.id,
                "the build reads this need, make check and make diff do not: write it as a plain fenced directive",
                UNREADABLE,
            )


def seal_computed_fields(app: Sphinx, needs: Any) -> None:
    """`needs-before-sealing`: the computed status goes into every need, and so into needs.json."""
    evaluation = build_state(app).evaluation
    if evaluation is not None:
        write_computed_fields(needs, evaluation)
        write_milestone_fields(needs, evaluation, build_date(app))
        write_suspect_fields(needs, evaluation)


def write_milestone_fields(needs: Any, evaluation: Evaluation, today: dt.date) -> None:
    """Each milestone's state, deciding actual date, latest forecast (and its snapshot) and planning history."""
    for milestone in (n for n in evaluation.graph.needs.values() if n.type == "milestone"):
        if milestone.id not in needs:
            continue
        facts = milestone_facts(milestone, today, evaluation.planning_snapshot)
        needs[milestone.id]["state"] = facts.state
        needs[milestone.id]["actual"] = facts.actual.date.isoformat() if facts.actual else ""
        needs[milestone.id]["forecast_latest"] = facts.latest.date.isoformat() if facts.latest else ""
        needs[milestone.id]["forecast_month"] = facts.latest.month if facts.latest else ""
        needs[milestone.id]["forecast_history"] = [date.as_json() for date in facts.history]


def write_suspect_fields(needs: Any, evaluation: Evaluation) -> None:
    """Each requirement, VE and test case: its normative fingerprint; each requirement and VE: suspect or not, and
    for a suspect one the change and the evidence it outdates."""
    for need_id, need in evaluation.graph.needs.items():
        if need_id not in needs or need.type not in (*REQUIREMENT_TYPES, "test"):
            continue
        needs[need_id]["fingerprint"] = fingerprint(need)
        if need.type == "test":
            continue
        suspicion = evaluation.suspects.get(need_id)
        needs[need_id]["suspect"] = suspicion is not None
        if suspicion is not None:
            needs[need_id]["suspect_change"] = suspicion.change.text()
            needs[need_id]["suspect_outdates"] = suspicion.outdates.text


def write_computed_fields(needs: Any, evaluation: Evaluation) -> None:
    for need_id, need in evaluation.graph.needs.items():
        if need_id in needs:  # the text each requirement's body holds, for needs.json
            needs[need_id]["specification"] = need.specification
            needs[need_id]["discussion"] = need.discussion
            needs[need_id]["parameters"] = [parameter.as_json() for parameter in need.parameters]
    for need_id, state in evaluation.statuses.items():
        needs[need_id]["trace"] = state.trace.value
        needs[need_id]["verification"] = state.verification.value
    for need_id, need in evaluation.graph.needs.items():
        if need.type == "test" and need_id in needs:
            result = evaluation.latest.get(need_id)
            # A test case no results file mentions has not run: say so rather than show nothing.
            needs[need_id]["last_result"] = result.outcome.value if result else Outcome.NOT_RUN.value
            if result:
                needs[need_id]["last_run"] = result.when
                needs[need_id]["result_source"] = result.source
                needs[need_id]["last_status"] = result.provenance.word or result.outcome.value
                needs[need_id]["last_record"] = record_text(result.provenance)
            needs[need_id]["executions"] = [
                execution_json(record) for record in evaluation.truth.history.get(need_id, [])
            ]
    for need_id, names in evaluation.missing_pytest_nodes.items():
        needs[need_id]["pytest_missing"] = " ".join(names)
    truth = evaluation.truth
    for need_id, evidence in truth.evidence.items():
        if need_id in needs:
            needs[need_id]["evidence"] = evidence.value
    for need_id, signed in truth.signoff.items():
        if need_id in needs:
            needs[need_id]["signoff"] = signed.status
            needs[need_id]["signoff_date"] = signed.date.isoformat() if signed.date else ""
            needs[need_id]["signoff_note"] = signed.note


def record_text(provenance: Provenance) -> str:
    """A record's provenance as the VCD's Last Run cell gives it: execution, plan, cycle, report and source, each
    once (a report already named by the source is not repeated)."""
    parts = [provenance.execution, provenance.plan, provenance.cycle, provenance.report, provenance.source]
    kept = [
        part
        for part in dict.fromkeys(p for p in parts if p)
        if not any(part in other for other in parts if other != part)
    ]
    return " · ".join(kept)


def execution_json(record: ResultRecord) -> dict[str, str]:
    provenance = record.provenance
    return {
        "date": record.when,
        "status": provenance.word or record.outcome.value,
        "outcome": record.outcome.value,
        "source": provenance.source or record.file,
        "execution": provenance.execution,
        "plan": provenance.plan,
        "cycle": provenance.cycle,
        "report": provenance.report,
        "file": record.file,
        "line": str(record.line),
    }


def report(evaluation: Evaluation) -> None:
    if not evaluation.violations:
        return
    for line in format_violations(evaluation.violations):
        print(line, file=sys.stderr)
    sys.stderr.flush()
    logger.warning(summary(len(evaluation.violations)) + " (listed above)", type="trace", subtype="violations")


def fail_on_violations(app: Sphinx, exception: Exception | None) -> None:
    evaluation = build_state(app).evaluation
    if exception is None and evaluation is not None and evaluation.violations:
        app.statuscode = 1
