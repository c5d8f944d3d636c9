"""The normative changes of each need since a starting revision, read from git once: which commits (and the working
tree) changed a need's normative content, and every version of that content since (for review fingerprints)."""

from __future__ import annotations

import datetime as dt
import pickle
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dmtrace.core.gitobjects import batch_input, parse_batch
from dmtrace.core.normative import fingerprint
from dmtrace.core.reader import decode_source, parse_source

# A commit that only imports or regenerates data says so in its message: such commits are no changes.
REGENERATED_TRAILER = "Trace-Regenerated"
WORKTREE = ""  # the sha of an uncommitted change
RECORD, UNIT = "\x1e", "\x1f"
CACHE_VERSION = 1  # raise when what is cached, or how it is read, changes
CACHE_FILE = "trace_normative.pickle"  # in the build's doctree folder, or _build for make check


@dataclass(frozen=True)
class NormativeChange:
    """A commit (or the working tree) that changed a need's normative content."""

    need_id: str
    sha: str  # WORKTREE for an uncommitted change
    at: dt.datetime  # committer date, UTC; the reading time for the working tree
    subject: str

    def text(self) -> str:
        where = f"commit {self.sha[:10]}" if self.sha else "uncommitted change"
        return f"{where} of {self.at.date().isoformat()}" + (f" ({self.subject})" if self.subject else "")


@dataclass
class NormativeHistory:
    """Normative changes per need id (oldest first) since `since`; every fingerprint each need had since then."""

    since: str = ""
    changes: dict[str, list[NormativeChange]] = field(default_factory=dict)
    versions: dict[str, set[str]] = field(default_factory=dict)
    unavailable: str = ""  # why changes could not be read (then nothing is called suspect)
    ignored: tuple[str, ...] = ()  # regenerating commits left out

    @property
    def known(self) -> bool:
        return bool(self.since) and not self.unavailable


def _git(root: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(root), *args], input=data, capture_output=True, check=False)


def _text(done: subprocess.CompletedProcess[bytes]) -> str:
    return done.stdout.decode("utf-8", "replace")


def _blobs(root: Path, specs: Sequence[str]) -> dict[str, bytes]:
    """`rev:path` -> the blob's bytes (absent when the path does not exist there), with one `git cat-file --batch`."""
    if not specs:
        return {}
    return parse_batch(_git(root, "cat-file", "--batch", data=batch_input(specs)).stdout, specs)


def _fingerprints(data: bytes | None, path: str) -> dict[str, str]:
    if data is None:
        return {}
    text, problems = decode_source(data, path)
    if problems:
        return {}
    return {need.id: fingerprint(need) for need in parse_source(text, path).needs if need.id}


def _utc(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.strip()).astimezone(dt.UTC)


def read_normative_history(
    root: Path,
    since: str,
    source_dirs: Iterable[str],
    now: dt.datetime | None = None,
    head: str = "HEAD",
    worktree: bool = True,
    cache: Path | None = None,
) -> NormativeHistory:
    """The normative changes in the need sources under `source_dirs` from `since` to `head`, and (`worktree`)
    the uncommitted ones. The committed part is kept in `cache` while `head` and `since` name the same commits.
    Never raises: without git, a starting point or the history back to it, `unavailable` says why."""
    if not since:
        return NormativeHistory(unavailable="no starting point is configured (trace_suspect_since in conf.py)")
    dirs = tuple(d.strip("/") or "." for d in source_dirs)
    try:
        shallow = _text(_git(root, "rev-parse", "--is-shallow-repository")).strip() == "true"
    except FileNotFoundError:
        return NormativeHistory(since, unavailable="git is not installed")
    start = _git(root, "rev-parse", "--verify", "--quiet", f"{since}^{{commit}}")
    tip = _git(root, "rev-parse", "--verify", "--quiet", f"{head}^{{commit}}")
    if start.returncode != 0 or tip.returncode != 0:
        if shallow:
            why = f"this is a shallow clone without the starting point {since} (run git fetch --unshallow)"
        else:
            why = f"the starting point {since} is not a commit of this repository"
        return NormativeHistory(since, unavailable=why)
    key = (CACHE_VERSION, _text(start).strip(), _text(tip).strip(), dirs)
    history = _cached(cache, key)
    if history is None:
        history = _committed(root, since, dirs, head)
        if cache is not None and not history.unavailable:
            _store(cache, key, history)
    if worktree and not history.unavailable:
        _add_worktree(history, root, dirs, now or dt.datetime.now(dt.UTC))
    return history


def _cached(cache: Path | None, key: tuple[object, ...]) -> NormativeHistory | None:
    if cache is None:
        return None
    try:
        with cache.open("rb") as handle:
            stored_key, history = pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError):
        return None
    return history if stored_key == key and isinstance(history, NormativeHistory) else None


def _store(cache: Path, key: tuple[object, ...], history: NormativeHistory) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            pickle.dump((key, history), handle)
        temporary.replace(cache)
    except OSError:
        pass  # a read-only build folder: the history is read again next time


def _committed(root: Path, since: str, dirs: tuple[str, ...], head: str) -> NormativeHistory:
    """The committed normative changes from `since` to `head` (one git log, one cat-file)."""
    log = _git(
        root,
        "log",
        "--reverse",
        "--first-parent",
        "--no-renames",
        f"--format={RECORD}%H{UNIT}%cI{UNIT}%s{UNIT}%(trailers:key={REGENERATED_TRAILER},valueonly,separator=%x2C)",
        "--name-only",
        f"{since}..{head}",
        "--",
        *dirs,
    )
    if log.returncode != 0:
        return NormativeHistory(since, unavailable=f"git log failed: {log.stderr.decode('utf-8', 'replace').strip()}")
    commits: list[tuple[str, dt.datetime, str, bool, list[str]]] = []
    for record in _text(log).split(RECORD)[1:]:
        header, _, names = record.partition("\n")
        sha, stamp, subject, trailer = [*header.split(UNIT), "", "", ""][:4]
        files = [n for n in names.split("\n") if n.endswith(".md")]
        commits.append((sha, _utc(stamp), subject, bool(trailer.strip()), files))
    specs = [spec for sha, _, _, _, files in commits for f in files for spec in (f"{sha}^:{f}", f"{sha}:{f}")]
    blobs = _blobs(root, specs)
    history = NormativeHistory(since)
    history.ignored = tuple(sha for sha, _, _, regenerated, _ in commits if regenerated)
    for sha, at, subject, regenerated, files in commits:
        for path in files:
            before = _fingerprints(blobs.get(f"{sha}^:{path}"), path)
            after = _fingerprints(blobs.get(f"{sha}:{path}"), path)
            _record(history, before, after, None if regenerated else (sha, at, subject))
    return history


def _add_worktree(history: NormativeHistory, root: Path, dirs: tuple[str, ...], moment: dt.datetime) -> None:
    """The uncommitted changes, dated `moment` (paths in git's answers are relative to the repository's top)."""
    changed_files = _worktree_files(root, dirs)
    if not changed_files:
        return
    top = Path(_text(_git(root, "rev-parse", "--show-toplevel")).strip() or root)
    blobs = _blobs(root, [f"HEAD:{f}" for f in changed_files])
    for path in changed_files:
        try:
            current = (top / path).read_bytes() if (top / path).is_file() else None
        except OSError:
            current = None
        _record(
            history,
            _fingerprints(blobs.get(f"HEAD:{path}"), path),
            _fingerprints(current, path),
            (WORKTREE, moment, ""),
        )


def _record(
    history: NormativeHistory,
    before: dict[str, str],
    after: dict[str, str],
    change: tuple[str, dt.datetime, str] | None,
) -> None:
    for need_id, print_ in before.items():
        history.versions.setdefault(need_id, set()).add(print_)
    for need_id, print_ in after.items():
        history.versions.setdefault(need_id, set()).add(print_)
        if change is not None and before.get(need_id) != print_:
            sha, at, subject = change
            history.changes.setdefault(need_id, []).append(NormativeChange(need_id, sha, at, subject))


def _worktree_files(root: Path, dirs: Sequence[str]) -> list[str]:
    """Need sources that differ from HEAD in the working tree (modified, added, untracked; not deleted)."""
    done = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", *dirs)
    found = []
    for entry in _text(done).split("\0"):
        if len(entry) > 3 and entry.endswith(".md") and "D" not in entry[:2]:
            found.append(entry[3:])
    return found
