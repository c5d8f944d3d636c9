"""`make report [AS_OF=YYYY-MM-DD]`: the sign-off and the evidence of the DM requirements per priority, as Markdown.

With a date: the sign-off snapshot in force on that day, and the evidence of the execution records known today that
are dated on or before it. Without one: the latest snapshot and every record. The counting is
`dmtrace.core.summary`'s, the same as the site's and `make diff`'s; the terms are defined on the site's definitions
page (docs/traceability/definitions.md).

Exit status: 0 with the report on stdout (problems reading the records go to stderr), 2 on a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path

from dmtrace.core.evaluation import evaluate_results
from dmtrace.core.graph import NeedGraph
from dmtrace.core.outcomes import PASSES
from dmtrace.core.reader import read_tree
from dmtrace.core.report import format_violations
from dmtrace.core.settings import ProjectSettings, SettingsError, load_settings, results_from_environment
from dmtrace.core.signoff import load_signoff
from dmtrace.core.summary import (
    TOTAL,
    Summary,
    descoped_apart,
    evidence_summary,
    signoff_summary,
    truth_as_of,
    undated,
)

AS_OF_VARIABLE = "TRACE_AS_OF"
DEFINITIONS = "docs/traceability/definitions.md"


class UsageError(Exception):
    """A bad argument: one message, exit status 2."""


def parse_as_of(text: str) -> dt.date | None:
    """AS_OF as typed: empty for the latest, else an ISO date (YYYY-MM-DD)."""
    text = text.strip()
    if not text:
        return None
    try:
        if len(text) != len("YYYY-MM-DD"):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"AS_OF {text!r} is not a date: write it YYYY-MM-DD, e.g. 2024-10-29") from None


def markdown_table(summary: Summary) -> list[str]:
    """The summary as a Markdown table: a header row `priority | <columns> | Total`, one row per priority, Total."""
    header = ["priority", *summary.columns, TOTAL]
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    lines += [f"| {label} | " + " | ".join(str(n) for n in counts) + " |" for label, counts in summary.rows()]
    return lines


def render(as_of: dt.date | None, settings: ProjectSettings, names: list[str]) -> tuple[str, list[str]]:
    """The report, and the problems met reading the sources, the records and the snapshots (violation lines)."""
    root, scope = settings.root, settings.signoff_scope
    tree = read_tree(root, settings.sources)
    results = evaluate_results(root, names)
    records = load_signoff(root / settings.signoff_dir, root)
    graph = NeedGraph.build(tree.needs)
    truth = truth_as_of(graph, results, records, scope, as_of)
    day = str(as_of) if as_of else "the latest records"
    lines = [f"# Verification of the DM requirements as of {day}", "", truth.as_of_text()]

    snapshot = truth.snapshot
    if snapshot is None:
        first = records.snapshots[0].date if records.snapshots else None
        known = f" (the first is of {first})" if first else ""
        sign_source = (
            f"No sign-off snapshot is in force{known}: every requirement counts as Not Started (those the "
            "catalogue descopes as Descoped)."
        )
    else:
        sign_source = (
            f"Requirements of the DM catalogue (ids matching `{scope}`) by the roll-up of their verification "
            f"elements' statuses recorded in the snapshot of {snapshot.date} (`{snapshot.file}`); those the "
            "catalogue descopes count as Descoped."
        )
    lines += ["", "## Sign-off", "", sign_source, "", *markdown_table(signoff_summary(graph, truth))]
    apart = []
    for need, status in descoped_apart(graph, truth):
        note = truth.signoff[need.id].note if need.id in truth.signoff else ""
        state = "descoped" if not need.is_active else "active"
        apart.append(f"{need.id} ({state} in the catalogue; roll-up {status}{' — ' + note if note else ''})")
    if apart and snapshot is not None:
        lines += [
            "",
            "A requirement the catalogue descopes counts as Descoped whatever its verification elements' statuses; "
            f"the roll-up alone says otherwise for {', '.join(apart)}.",
        ]

    if as_of is None:
        evidence_source = "every execution record known"
        history = "The VCD (LDM-692) keeps only each test case's last run, so earlier runs are not in the data."
    else:
        evidence_source = f"the execution records known today dated on or before {as_of}"
        left_out = undated(results)
        passes = sum(r.outcome in PASSES for r in left_out)
        history = (
            "The VCD (LDM-692) keeps only each test case's last run, so earlier runs are not in the data: a test "
            f"case whose last run is dated after {as_of} counts here as not executed, even if it ran before. "
            f"Undated records are not dated on or before {as_of}: {len(left_out)} are left out ({passes} of them "
            "passes, campaign executions recorded without a date); a test case left without a record counts as "
            "not executed."
        )
    lines += [
        "",
        "## Evidence",
        "",
        f"The same requirements by the last run of each test case among {evidence_source}; those the catalogue "
        "descopes count as Descoped.",
        "",
        *markdown_table(evidence_summary(graph, truth)),
        "",
        history,
        "",
        f"Definitions: {DEFINITIONS}.",
    ]
    problems = [*tree.problems, *results.problems, *records.problems]
    return "\n".join(lines) + "\n", format_violations(problems)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="site root (holds conf.py); default: cwd")
    parser.add_argument(
        "--as-of", help=f"YYYY-MM-DD (default: ${AS_OF_VARIABLE}, what make report AS_OF=... sets; else the latest)"
    )
    parser.add_argument("--results", nargs="*", help="results files (JUnit XML or CSV), replacing conf.py's")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        as_of = parse_as_of(args.as_of if args.as_of is not None else os.environ.get(AS_OF_VARIABLE, ""))
        settings = load_settings(root)
    except (UsageError, SettingsError) as err:
        print(f"report: error: {err}", file=sys.stderr)
        return 2
    names = args.results if args.results is not None else results_from_environment() or settings.result_names()
    report, problems = render(as_of, settings, names)
    sys.stdout.write(report)
    for line in problems:
        print(line, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
