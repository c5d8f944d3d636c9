"""Two revisions of a site read from git objects (no checkout, no Sphinx), or the working tree, as diff sides.

Reads the need sources of each revision straight from git objects (`git ls-tree -z` and one `git cat-file
--batch` by blob id, so any file name is read whole), chosen by the same predicate as the working tree's
(`dmtrace.core.sources`), with the same reader: the cost does not grow with the length of the history.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path, PurePosixPath

from dmtrace.core.diff import Side
from dmtrace.core.evaluation import evaluate_results, evaluate_site
from dmtrace.core.gitobjects import batch_input, parse_batch
from dmtrace.core.normative_history import read_normative_history
from dmtrace.core.reader import read_sources, read_tree
from dmtrace.core.results import load_results
from dmtrace.core.settings import ProjectSettings, SettingsError, load_settings, parse_settings
from dmtrace.core.signoff import load_signoff
from dmtrace.core.sources import docname_order

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


def tree_entries(root: Path, commit: str) -> dict[str, str]:
    """Every file of the revision: path -> blob id (NUL-separated, so any file name is read whole)."""
    listed = git(root, "ls-tree", "-r", "-z", "--full-tree", commit).decode("utf-8", errors="surrogateescape")
    entries: dict[str, str] = {}
    for record in filter(None, listed.split("\0")):
        meta, _, path = record.partition("\t")
        mode, kind, blob = meta.split()
        if kind == "blob" and mode != "120000":  # a symbolic link's blob is its target's name, not its text
            entries[path] = blob
    return entries


def read_blobs(root: Path, blobs: dict[str, str]) -> dict[str, bytes]:
    """The contents of the named blobs (path -> blob id), read through one `git cat-file --batch` process."""
    if not blobs:
        return {}
    paths = list(blobs)
    out = git(root, "cat-file", "--batch", stdin=batch_input([blobs[p] for p in paths]))
    by_blob = parse_batch(out, [blobs[p] for p in paths])
    return {path: by_blob[blobs[path]] for path in paths if blobs[path] in by_blob}


def settings_at(root: Path, commit: str, entries: dict[str, str]) -> ProjectSettings:
    """The trace_* settings of conf.py at a revision, read as literals: an old conf.py is never executed."""
    conf = read_blobs(root, {"conf.py": entries["conf.py"]}).get("conf.py") if "conf.py" in entries else None
    if conf is None:
        return ProjectSettings(root=root)
    try:
        return parse_settings(conf, root, f"conf.py at {commit[:10]}")
    except SettingsError as err:
        raise UsageError(str(err)) from err


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
    entries = tree_entries(root, commit)
    settings = settings_at(root, commit, entries)
    named_paths = (
        ("trace_results", settings.results),
        ("trace_results_if_present", settings.results_if_present),
        ("trace_source_dirs", settings.source_dirs),
    )
    for setting, paths in named_paths:
        for path in paths:
            tree_path(path, setting, commit)
    listed = sorted(entries, key=docname_order)
    sources = settings.sources.select(listed)
    outside = settings.sources.select(listed, outside=True)
    tree = read_sources(
        read_blobs(root, {path: entries[path] for path in sources}).items(),
        read_blobs(root, {path: entries[path] for path in outside}).items(),
    )
    names = [tree_path(name, "trace_results", commit) for name in [*settings.results, *settings.results_if_present]]
    result_blobs = read_blobs(root, {name: entries[name] for name in names if name in entries})
    signoff_folder = tree_path(settings.signoff_dir, "trace_signoff_dir", commit).rstrip("/") + "/"
    signoff_blobs = read_blobs(root, {p: b for p, b in entries.items() if p.startswith(signoff_folder)})
    with tempfile.TemporaryDirectory(prefix="trace-diff-") as tmp:
        folder = Path(tmp)
        for name, data in {**result_blobs, **signoff_blobs}.items():
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        present = [n for n in settings.results_if_present if n in result_blobs]
        results = load_results([folder / n for n in [*settings.results, *present]], folder)
        signoff = load_signoff(folder / settings.signoff_dir, folder)
    normative = read_normative_history(root, settings.suspect_since, settings.source_dirs, head=commit, worktree=False)
    return Side(label, tree, evaluate_site(tree, results, settings, signoff, normative=normative))


def read_worktree(root: Path) -> Side:
    """The working tree, read exactly as `make check` reads it."""
    try:
        settings = load_settings(root)
    except SettingsError as err:
        raise UsageError(str(err)) from err
    tree = read_tree(root, settings.sources)
    results = evaluate_results(root, settings.result_names())
    signoff = load_signoff(root / settings.signoff_dir, root)
    normative = read_normative_history(root, settings.suspect_since, settings.source_dirs)
    return Side("working tree", tree, evaluate_site(tree, results, settings, signoff, normative=normative))
