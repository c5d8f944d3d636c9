"""`make diff`: traceability report between two git revisions (or the working tree), from the sources.

Like a pull request's diff, the base is where the head's branch left it (the merge base), so commits that landed
on the base branch since then do not show as reverted. The library is `dmtrace.core.revisions` (reading) and
`dmtrace.core.diff` / `dmtrace.core.diff_report` (comparing, reporting).

Exit status: 0 when the head satisfies the rules, 1 when it does not, 2 on a usage error (an unknown revision).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

from dmtrace.core.diff import compare
from dmtrace.core.diff_report import render_markdown
from dmtrace.core.report import format_violations, summary
from dmtrace.core.revisions import WORKTREE, UsageError, base_commit, read_revision, read_worktree, resolve

FROM_ENVIRONMENT = "--from-environment"


def from_environment(argv: list[str]) -> list[str]:
    """`make diff`: BASE, HEAD and DIFFOPTS arrive as TRACE_BASE, TRACE_HEAD and TRACE_DIFFOPTS, never through a shell.

    DIFFOPTS is split as a shell would split words (quotes respected) but nothing in it is run or expanded; the
    revisions follow `--`, so a revision name that starts with a dash is a revision, not an option.
    """
    try:
        options = shlex.split(os.environ.get("TRACE_DIFFOPTS", ""))
    except ValueError as err:
        raise UsageError(f"DIFFOPTS cannot be split into words: {err}") from err
    revisions = [os.environ.get("TRACE_BASE", "") or "origin/main", os.environ.get("TRACE_HEAD", "") or WORKTREE]
    return [*argv, *options, "--", *revisions]


def main(argv: list[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if FROM_ENVIRONMENT in arguments:
        arguments.remove(FROM_ENVIRONMENT)
        try:
            arguments = from_environment(arguments)
        except UsageError as err:
            print(f"trace_diff: error: {err}", file=sys.stderr)
            return 2
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="base revision (e.g. origin/main)")
    parser.add_argument(
        "head", nargs="?", default=WORKTREE, help=f"head revision, or {WORKTREE} for the working tree (default)"
    )
    parser.add_argument(
        FROM_ENVIRONMENT, action="store_true", help="take BASE, HEAD and DIFFOPTS from TRACE_* (what make diff does)"
    )
    parser.add_argument(
        "--root", type=Path, default=Path.cwd(), help="repository root (default: the current directory)"
    )
    parser.add_argument(
        "--no-merge-base",
        dest="merge_base",
        action="store_false",
        help="compare with the base's tip, not with where the head's branch left it",
    )
    parser.add_argument("--output", "-o", type=Path, help="write the Markdown report here (default: stdout)")
    parser.add_argument(
        "--violations",
        choices=("all", "new", "none"),
        default="all",
        help="which violations at head to print on stderr (GitHub annotations under Actions)",
    )
    args = parser.parse_args(arguments)
    root = args.root.resolve()
    try:
        if args.base == WORKTREE:
            raise UsageError(f"the base must be a revision; {WORKTREE} is only allowed as head")
        commit, label = (
            base_commit(root, args.base, args.head)
            if args.merge_base
            else (resolve(root, args.base), f"`{args.base}` ({resolve(root, args.base)[:10]})")
        )
        base = read_revision(root, commit, label)
        if args.head == WORKTREE:
            head = read_worktree(root)
        else:
            head_commit = resolve(root, args.head)
            head = read_revision(root, head_commit, f"`{args.head}` ({head_commit[:10]})")
    except UsageError as err:
        print(f"trace_diff: error: {err}", file=sys.stderr)
        return 2
    diff = compare(base, head)
    report = render_markdown(diff)
    if args.output:
        args.output.write_text(report, encoding="utf-8")
    else:
        sys.stdout.write(report)
    shown = {
        "all": head.evaluation.violations,
        "none": [],
        "new": [v for v in head.evaluation.violations if v in diff.new_violations],
    }[args.violations]
    for line in format_violations(shown):
        print(line, file=sys.stderr)
    if args.output:
        verdict = summary(len(head.evaluation.violations))
        print(f"{verdict} at head; report written to {args.output}", file=sys.stderr)
    return 1 if head.evaluation.violations else 0


if __name__ == "__main__":
    sys.exit(main())
