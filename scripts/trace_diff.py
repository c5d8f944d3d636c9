"""`make diff`: traceability report between two git revisions (or the working tree), from the sources.

Reads the Markdown under the source folders at each revision straight from git objects (`git ls-tree` and one
`git cat-file --batch`), with the fast source reader: no checkout, no Sphinx build, and the cost does not grow
with the length of the history. Like a pull request's diff, the base is where the head's branch left it (the
merge base), so commits that landed on the base branch since then do not show as reverted.

Exit status: 0 when the head satisfies the rules, 1 when it does not, 2 on a usage error (an unknown revision).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ext.checker import evaluate, evaluate_results  # noqa: E402
from ext.diff import Side, compare, render_markdown  # noqa: E402
from ext.model import id_patterns  # noqa: E402
from ext.project import DEFAULT_SOURCE_DIRS, ProjectSettings, load_settings  # noqa: E402
from ext.report import format_violations, summary  # noqa: E402
from ext.results import load_results  # noqa: E402
from ext.sources import SOURCE_SUFFIX, read_texts, read_tree  # noqa: E402

WORKTREE = "WORKTREE"
SETTING_NAMES = ("trace_results", "trace_results_if_present", "trace_strict", "trace_source_dirs", "trace_id_patterns")


class UsageError(Exception):
    """A problem with the command line or the repository: one message, exit status 2."""


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, check=False)
    except FileNotFoundError as err:
        raise UsageError("git is not installed") from err
    if done.returncode != 0:
        raise UsageError(done.stderr.decode(errors="replace").strip() or f"git {args[0]} failed")
    return done.stdout


def resolve(root: Path, revision: str) -> str:
    """The commit a revision names; a clear UsageError when it names none."""
    try:
        named = git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
        return named.decode().strip()
    except UsageError as err:
        inside = subprocess.run(["git", "-C", str(root), "rev-parse", "--git-dir"], capture_output=True, check=False)
        if inside.returncode != 0:
            raise UsageError(f"{root} is not a git repository") from err
        raise UsageError(f"unknown revision {revision!r} (not a commit in {root}; "
                         f"for a pull request, fetch the base branch: git fetch origin main)") from err


def read_blobs(root: Path, commit: str, paths: list[str]) -> dict[str, bytes]:
    """The contents of `paths` at `commit`, read through one `git cat-file --batch` process; absent paths omitted."""
    if not paths:
        return {}
    out = git(root, "cat-file", "--batch", stdin="".join(f"{commit}:./{p}\n" for p in paths).encode())
    blobs: dict[str, bytes] = {}
    position = 0
    for path in paths:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        position = end + 1
        if header[-1] == b"missing":
            continue
        size = int(header[2])
        blobs[path] = out[position:position + size]
        position += size + 1
    return blobs


def _is_source(path: str, folder: str) -> bool:
    """The same files `ext.sources.iter_source_files` reads from a working tree."""
    inner = path[len(folder) + 1:].split("/")
    return path.endswith(SOURCE_SUFFIX) and not any(p.startswith((".", "_")) for p in inner[:-1])


def settings_at(root: Path, commit: str) -> ProjectSettings:
    """The trace_* settings of conf.py at a revision, read as literals: an old conf.py is never executed."""
    values: dict[str, object] = {}
    conf = read_blobs(root, commit, ["conf.py"]).get("conf.py")
    if conf is not None:
        try:
            module = ast.parse(conf)
        except SyntaxError as err:
            raise UsageError(f"conf.py at {commit[:10]}: cannot parse line {err.lineno}: {err.msg}") from err
        for node in module.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                if name in SETTING_NAMES:
                    with contextlib.suppress(ValueError):
                        values[name] = ast.literal_eval(node.value)
    return ProjectSettings(root=root, results=tuple(values.get("trace_results", ())),  # type: ignore[arg-type]
                           results_if_present=tuple(values.get("trace_results_if_present", ())),  # type: ignore[arg-type]
                           strict=bool(values.get("trace_strict", False)),
                           source_dirs=tuple(values.get("trace_source_dirs", DEFAULT_SOURCE_DIRS)),  # type: ignore[arg-type]
                           id_patterns=id_patterns(values.get("trace_id_patterns")))  # type: ignore[arg-type]


def _texts(blobs: dict[str, bytes]) -> Iterator[tuple[str, str]]:
    for path in sorted(blobs):
        yield path, blobs[path].decode("utf-8", errors="replace")


def base_commit(root: Path, base: str, head: str) -> tuple[str, str]:
    """Where the head's branch left the base (as a pull request's diff counts), and how the report names it."""
    tip = resolve(root, base)
    head_commit = resolve(root, "HEAD" if head == WORKTREE else head)
    fork = subprocess.run(["git", "-C", str(root), "merge-base", tip, head_commit], capture_output=True, text=True,
                          check=False).stdout.strip()
    if not fork or fork == tip:
        return tip, f"`{base}` ({tip[:10]})"
    return fork, f"`{base}` at the merge base ({fork[:10]})"


def read_revision(root: Path, commit: str, label: str) -> Side:
    settings = settings_at(root, commit)
    listed = git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--",
                 *settings.source_dirs).decode().split("\0")
    sources = [p for p in listed for d in settings.source_dirs if p.startswith(d + "/") and _is_source(p, d)]
    tree = read_texts(_texts(read_blobs(root, commit, sources)))
    names = [*settings.results, *settings.results_if_present]
    result_blobs = read_blobs(root, commit, names)
    with tempfile.TemporaryDirectory(prefix="trace-diff-") as tmp:
        folder = Path(tmp)
        for name, data in result_blobs.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        present = [n for n in settings.results_if_present if n in result_blobs]
        results = load_results([folder / n for n in [*settings.results, *present]], folder)
    evaluation = evaluate(tree.needs, tree.occurrences, results, strict=settings.strict, patterns=settings.id_patterns)
    return Side(label, tree, evaluation)


def read_worktree(root: Path) -> Side:
    """The working tree, read exactly as `make check` reads it."""
    settings = load_settings(root)
    tree = read_tree(root, settings.source_dirs)
    results = evaluate_results(root, settings.result_names())
    return Side("working tree", tree, evaluate(tree.needs, tree.occurrences, results, strict=settings.strict,
                                               patterns=settings.id_patterns))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", help="base revision (e.g. origin/main)")
    parser.add_argument("head", nargs="?", default=WORKTREE,
                        help=f"head revision, or {WORKTREE} for the working tree (default)")
    parser.add_argument("--root", type=Path, default=Path.cwd(),
                        help="repository root (default: the current directory)")
    parser.add_argument("--no-merge-base", dest="merge_base", action="store_false",
                        help="compare with the base's tip, not with where the head's branch left it")
    parser.add_argument("--output", "-o", type=Path, help="write the Markdown report here (default: stdout)")
    parser.add_argument("--violations", choices=("all", "new", "none"), default="all",
                        help="which violations at head to print on stderr (GitHub annotations under Actions)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    try:
        if args.base == WORKTREE:
            raise UsageError(f"the base must be a revision; {WORKTREE} is only allowed as head")
        commit, label = base_commit(root, args.base, args.head) if args.merge_base else \
            (resolve(root, args.base), f"`{args.base}` ({resolve(root, args.base)[:10]})")
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
    shown = {"all": head.evaluation.violations, "none": [],
             "new": [v for v in head.evaluation.violations if v in diff.new_violations]}[args.violations]
    for line in format_violations(shown):
        print(line, file=sys.stderr)
    if args.output:
        verdict = summary(len(head.evaluation.violations))
        print(f"{verdict} at head; report written to {args.output}", file=sys.stderr)
    return 1 if head.evaluation.violations else 0


if __name__ == "__main__":
    sys.exit(main())
