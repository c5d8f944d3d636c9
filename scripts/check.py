"""`make check`: runs the traceability rules on the Markdown sources without Sphinx; exit 1 on any violation."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from dmtrace.core.evaluation import evaluate_results, evaluate_site
from dmtrace.core.normative_history import CACHE_FILE, read_normative_history
from dmtrace.core.reader import read_tree
from dmtrace.core.report import format_violations, summary
from dmtrace.core.settings import load_settings, results_from_environment, strict_from_environment
from dmtrace.core.signoff import load_signoff
from dmtrace.core.suspect import suspect_lines

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="site root (holds conf.py); default: cwd")
    parser.add_argument("--results", nargs="*", help="results files (JUnit XML or CSV), replacing conf.py's")
    parser.add_argument("--strict", action="store_true", help="P1a items must also be verified (passing tests)")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    root = args.root.resolve()
    settings = load_settings(root)
    tree = read_tree(root, settings.sources)
    names = args.results if args.results is not None else results_from_environment() or settings.result_names()
    signoff = load_signoff(root / settings.signoff_dir, root)
    strict = args.strict or strict_from_environment()
    cache = root / "_build" / CACHE_FILE  # git's answer kept while HEAD stays (the build keeps its own)
    normative = read_normative_history(root, settings.suspect_since, settings.source_dirs, cache=cache)
    evaluation = evaluate_site(tree, evaluate_results(root, names), settings, signoff, strict, normative)
    for line in format_violations(evaluation.violations):
        print(line, file=sys.stderr)
    for line in suspect_lines(evaluation.graph, evaluation.suspects, evaluation.normative):
        print(line)
    elapsed = time.perf_counter() - started
    print(f"{summary(len(evaluation.violations))} ({len(tree.needs)} needs, {elapsed:.2f} s)")
    return 1 if evaluation.violations else 0


if __name__ == "__main__":
    sys.exit(main())
