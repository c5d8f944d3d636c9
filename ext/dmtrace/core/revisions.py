"""Two revisions of a site read from git objects (no checkout, no Sphinx), or the working tree, as diff sides.

Reads the Markdown under the source folders at each revision straight from git objects (`git ls-tree` and one
`git cat-file --batch`), with the fast source reader: the cost does not grow with the length of the history.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from dmtrace.core.diff import Side
from dmtrace.core.evaluation import evaluate, evaluate_results
from dmtrace.core.reader import SOURCE_SUFFIX, read_texts, read_tree
from dmtrace.core.results import load_results
from dmtrace.core.settings import ProjectSettings, SettingsError, load_settings, parse_settings

WORKTREE = "WORKTREE"


class UsageError(Exception):
    """A problem with a revision or the repository: one message (the diff tool's exit status 2)."""


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
        raise UsageError(
            f"unknown revision {revision!r} (not a commit in {root}; "
            f"for a pull request, fetch the base branch: git fetch origin main)"
        ) from err


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
        blobs[path] = out[position : position + size]
        position += size + 1
    return blobs


def _is_source(path: str, folder: str) -> bool:
    """The same files `dmtrace.core.reader.iter_source_files` reads from a working tree."""
    inner = path[len(folder) + 1 :].split("/")
    return path.endswith(SOURCE_SUFFIX) and not any(p.startswith((".", "_")) for p in inner[:-1])


def settings_at(root: Path, commit: str) -> ProjectSettings:
    """The trace_* settings of conf.py at a revision, read as literals: an old conf.py is never executed."""
    conf = read_blobs(root, commit, ["conf.py"]).get("conf.py")
    if conf is None:
        return ProjectSettings(root=root)
    try:
        return parse_settings(conf, root, f"conf.py at {commit[:10]}")
    except SettingsError as err:
        raise UsageError(str(err)) from err


def _texts(blobs: dict[str, bytes]) -> Iterator[tuple[str, str]]:
    for path in sorted(blobs):
        yield path, blobs[path].decode("utf-8", errors="replace")


def base_commit(root: Path, base: str, head: str) -> tuple[str, str]:
    """Where the head's branch left the base (as a pull request's diff counts), and how the report names it."""
    tip = resolve(root, base)
    head_commit = resolve(root, "HEAD" if head == WORKTREE else head)
    fork = subprocess.run(
        ["git", "-C", str(root), "merge-base", tip, head_commit], capture_output=True, text=True, check=False
    ).stdout.strip()
    if not fork or fork == tip:
        return tip, f"`{base}` ({tip[:10]})"
    return fork, f"`{base}` at the merge base ({fork[:10]})"


def tree_path(name: str, setting: str, commit: str) -> str:
    """A path named by a revision's conf.py, as a path inside that revision's tree; UsageError when it leaves it."""
    path = PurePosixPath(name)
    if not name or "\\" in name or path.is_absolute() or ".." in path.parts:
        raise UsageError(
            f"conf.py at {commit[:10]}: {setting} entry {name!r} is not a relative path inside the repository; "
            "a revision's settings are read only inside its own tree"
        )
    return path.as_posix()


def read_revision(root: Path, commit: str, label: str) -> Side:
    """A revision's needs and results, read from git objects; paths its conf.py names never leave its tree."""
    settings = settings_at(root, commit)
    named_paths = (
        ("trace_results", settings.results),
        ("trace_results_if_present", settings.results_if_present),
        ("trace_source_dirs", settings.source_dirs),
    )
    for setting, paths in named_paths:
        for path in paths:
            tree_path(path, setting, commit)
    listed = git(root, "ls-tree", "-r", "-z", "--name-only", commit, "--", *settings.source_dirs).decode().split("\0")
    sources = [p for p in listed for d in settings.source_dirs if p.startswith(d + "/") and _is_source(p, d)]
    tree = read_texts(_texts(read_blobs(root, commit, sources)))
    names = [*settings.results, *settings.results_if_present]
    result_blobs = read_blobs(root, commit, names)
    with tempfile.TemporaryDirectory(prefix="trace-diff-") as tmp:
        folder = Path(tmp)
        for name, data in result_blobs.items():
            target = folder / tree_path(name, "trace_results", commit)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        present = [n for n in settings.results_if_present if n in result_blobs]
        results = load_results([folder / n for n in [*settings.results, *present]], folder)
    evaluation = evaluate(tree.needs, tree.occurrences, results, strict=settings.strict, patterns=settings.id_patterns)
    return Side(label, tree, evaluation)


def read_worktree(root: Path) -> Side:
    """The working tree, read exactly as `make check` reads it."""
    try:
        settings = load_settings(root)
    except SettingsError as err:
        raise UsageError(str(err)) from err
    tree = read_tree(root, settings.source_dirs)
    results = evaluate_results(root, settings.result_names())
    return Side(
        "working tree",
        tree,
        evaluate(tree.needs, tree.occurrences, results, strict=settings.strict, patterns=settings.id_patterns),
    )
