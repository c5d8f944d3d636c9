"""The commits that changed each need and what each did to it, from one `git log -p --raw`, cached per HEAD."""

from __future__ import annotations

import pickle
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from dmtrace.core.blocks import DIRECTIVE_INFO, FENCE
from dmtrace.core.changekinds import Change, CommitPatch, Kinds, classify, kinds_text
from dmtrace.core.model import NEED_TYPES

HISTORY_PATHS = ("needs",)
# Each hunk header then names the last `:id:` line or fence line above the hunk, so a change deep inside a
# long need body is still attributed to its id without asking git for more context.
FUNCNAME = r"^(:id:.*|[ ]{0,3}(```|:::).*)$"
ID_LINE = re.compile(r"^:id:\s*(?P<id>\S+)\s*$")
RAW = re.compile(r"^:\d+ \d+ (?P<old>[0-9a-f]{40,64}) (?P<new>[0-9a-f]{40,64}) [A-Z]")
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@ ?(?P<context>.*)$")
RECORD, UNIT = "\x1e", "\x1f"
# A commit header starts a line: RECORD, then the sha (hex) and UNIT. A subject may hold RECORD or UNIT itself.
COMMIT_START = re.compile(r"(?:\A|\n)\x1e(?=[0-9a-f]+\x1f)")
SHOWN_ON_CARD = 3
SUBJECT_ON_CARD = 90
HISTORY_CACHE = "trace_history.pickle"
CACHE_VERSION = 3  # raise when parse_log, FUNCNAME or what dmtrace.core.changekinds computes changes
# What a commit line shows for each control character: its Unicode control picture (NUL -> U+2400, ESC -> U+241B,
# DEL -> U+2421), a space for a tab, U+FFFD for the C1 controls, line separators and bidirectional overrides.
_VISIBLE: dict[int, str] = {
    **{code: chr(0x2400 + code) for code in range(0x20)},
    0x09: " ",
    0x7F: "\u2421",
    **dict.fromkeys((*range(0x80, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)), "\ufffd"),
}


@dataclass(frozen=True)
class Commit:
    sha: str
    date: str
    subject: str


@dataclass
class History:
    """Commits per need id, newest first; `unavailable` says why there is none (no git, not a checkout)."""

    changes: dict[str, list[Commit]] = field(default_factory=dict)
    unavailable: str = ""
    shallow: bool = False
    commits: list[Commit] = field(default_factory=list)  # every commit that changed a need, newest first
    kinds: Kinds = field(default_factory=dict)  # commit sha -> need id -> what the commit did to it

    def of(self, need_id: str) -> dict[str, tuple[Change, ...]]:
        """What each commit that changed `need_id` did to it: sha -> changes."""
        return {c.sha: self.kinds.get(c.sha, {}).get(need_id, ()) for c in self.changes.get(need_id, [])}


class _Block:
    """Where a diff walk stands: inside a need block or not, its id once seen, a change seen before the id."""

    def __init__(self, context: str) -> None:
        self.inside, self.need_id, self.pending = False, "", False
        for _ in self.see(context, changed=False):
            pass

    def see(self, line: str, changed: bool) -> Iterator[str]:
        """Feeds one line of a hunk (without its marker); yields the ids this line changes."""
        fence = FENCE.match(line)
        if fence:
            directive = DIRECTIVE_INFO.match(fence["info"].strip())
            if directive and directive["name"] in NEED_TYPES:
                self.inside, self.need_id, self.pending = True, "", changed
                return
            if not fence["info"].strip() and self.inside:
                if changed and self.need_id:
                    yield self.need_id
                self.inside, self.need_id, self.pending = False, "", False
                return
        id_line = ID_LINE.match(line)
        if id_line:
            self.inside, self.need_id = True, id_line["id"]
            if changed or self.pending:
                self.pending = False
                yield self.need_id
            return
        if changed and self.inside:
            if self.need_id:
                yield self.need_id
            else:
                self.pending = True


def _hunk_ids(lines: Iterable[str]) -> set[str]:
    """The need ids a commit's patch changes."""
    found: set[str] = set()
    block: _Block | None = None
    for line in lines:
        if line.startswith("@@"):
            header = HUNK.match(line)
            block = _Block(header["context"] if header else "")
        elif block is not None and line[:1] in (" ", "+", "-"):
            found.update(block.see(line[1:], changed=line[0] != " "))
        elif line.startswith("diff --git"):
            block = None
    return found


def parse_commits(text: str, skip: frozenset[str] = frozenset()) -> list[tuple[Commit, CommitPatch]]:
    """Each commit of `git log -p --raw` output (headers RECORD sha UNIT date UNIT subject), newest first, with the
    need ids its patch changes and the (old, new) blob ids of the files it changes; commits in `skip` left out."""
    found: list[tuple[Commit, CommitPatch]] = []
    for record in COMMIT_START.split(text)[1:]:
        header, _, patch = record.partition("\n")
        sha, date, subject = [*header.split(UNIT, 2), "", ""][:3]
        if sha in skip:
            continue
        # Control characters in a subject (git keeps them) would break the change-log row and the card's text.
        commit = Commit(sha, visible(date), visible(subject))
        # Lines end at "\n" (and "\r\n"): str.splitlines would also cut at form feeds and other controls in a line.
        lines = [line.removesuffix("\r") for line in patch.split("\n")]
        files = []
        for line in lines:
            if line.startswith("diff --git"):
                break  # the raw lines come before the patch
            raw = RAW.match(line)
            if raw:
                files.append((raw["old"], raw["new"]))
        found.append((commit, (sha, frozenset(_hunk_ids(lines)), tuple(files))))
    return found


def parse_log(text: str, skip: frozenset[str] = frozenset()) -> dict[str, list[Commit]]:
    """Commits per id from `git log -p` output whose commit headers are RECORD sha UNIT date UNIT subject."""
    changes: dict[str, list[Commit]] = {}
    for commit, (_, ids, _) in parse_commits(text, skip):
        for need_id in sorted(ids):
            changes.setdefault(need_id, []).append(commit)
    return changes


def _git(root: Path, *args: str, keep_carriage_returns: bool = False) -> subprocess.CompletedProcess[str]:
    """git's output as text; with `keep_carriage_returns`, a "\r" (in a commit subject, say) is not made a line end."""
    if not keep_carriage_returns:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            check=False,
            encoding="utf-8",
            errors="replace",
        )
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    return subprocess.CompletedProcess(
        done.args, done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    )


def read_history(root: Path, paths: tuple[str, ...] = HISTORY_PATHS, known: Kinds | None = None) -> History:
    """One `git log -p --raw` over the need sources, then one `git cat-file --batch` for the blobs of the commits
    not in `known` (what an earlier read found); never raises: without git the history says why it is missing."""
    try:
        top = _git(root, "rev-parse", "--is-shallow-repository")
    except FileNotFoundError:
        return History(unavailable="git is not installed on the machine that built the site")
    if top.returncode != 0:
        return History(unavailable="the site was not built from a git checkout")
    with tempfile.NamedTemporaryFile("w", suffix=".gitattributes", delete=False) as attributes:
        attributes.write("*.md diff=traceneeds\n")
    try:
        log = _git(
            root,
            "-c",
            f"core.attributesFile={attributes.name}",
            "-c",
            f"diff.traceneeds.xfuncname={FUNCNAME}",
            "-c",
            "core.quotePath=false",
            "log",
            "-p",
            "--raw",
            "--no-abbrev",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            "--date=short",
            f"--format={RECORD}%H{UNIT}%ad{UNIT}%s",
            "--",
            *paths,
            keep_carriage_returns=True,
        )
    finally:
        Path(attributes.name).unlink()
    if log.returncode != 0:
        return History(unavailable=f"git log failed: {log.stderr.strip()}")
    shallow = top.stdout.strip() == "true"
    commits = parse_commits(log.stdout, _shallow_boundary(root) if shallow else frozenset())
    changes: dict[str, list[Commit]] = {}
    for commit, (_, ids, _) in commits:
        for need_id in sorted(ids):
            changes.setdefault(need_id, []).append(commit)
    known = known or {}
    kinds = classify(root, [patch for _, patch in commits if patch[1] and patch[0] not in known])
    kinds.update({sha: known[sha] for _, (sha, ids, _) in commits if ids and sha in known})
    listed = [commit for commit, (_, ids, _) in commits if ids]
    return History(changes, shallow=shallow, commits=listed, kinds=kinds)


def cached_history(root: Path, cache_file: Path, paths: tuple[str, ...] = HISTORY_PATHS) -> History:
    """`read_history`, kept in `cache_file` while HEAD stays the same (uncommitted edits do not change the log)."""
    try:
        head = _git(root, "rev-parse", "HEAD", "--is-shallow-repository")
    except FileNotFoundError:
        return read_history(root, paths)
    if head.returncode != 0:
        return read_history(root, paths)
    shallow_file = _shallow_file(root)
    # A deepened clone keeps HEAD; a new version of this module may read the log differently.
    key = (CACHE_VERSION, head.stdout, paths, shallow_file.read_text() if shallow_file.is_file() else "")
    known: Kinds = {}
    try:
        with cache_file.open("rb") as cached:
            cached_key, history = pickle.load(cached)
        if cached_key == key and isinstance(history, History):
            return history
        if cached_key[0] == CACHE_VERSION and cached_key[2] == paths and isinstance(history, History):
            known = history.kinds  # what a commit did does not change when HEAD moves: classify only new commits
    except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError):
        pass  # no cache yet, or one from another version of this module: read the log
    history = read_history(root, paths, known)
    if not history.unavailable:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache_file.with_suffix(".tmp")
        with temporary.open("wb") as cache:
            pickle.dump((key, history), cache)
        temporary.replace(cache_file)
    return history


def _shallow_file(root: Path) -> Path:
    """Git's list of the commits a shallow clone stops at (absent in a full clone)."""
    path = _git(root, "rev-parse", "--git-path", "shallow").stdout.strip()
    return Path(path) if Path(path).is_absolute() else root / path


def _shallow_boundary(root: Path) -> frozenset[str]:
    """The oldest commits of a shallow clone: their patch shows every need as added, which says nothing."""
    shallow_file = _shallow_file(root)
    return frozenset(shallow_file.read_text().split()) if shallow_file.is_file() else frozenset()


def visible(text: str) -> str:
    """`text` with every control character replaced by a visible placeholder (see _VISIBLE)."""
    return text.translate(_VISIBLE)


def _shortened(commit: Commit) -> Commit:
    if len(commit.subject) <= SUBJECT_ON_CARD:
        return commit
    return Commit(commit.sha, commit.date, commit.subject[: SUBJECT_ON_CARD - 1].rstrip() + "…")


def commit_text(commit: Commit, changes: tuple[Change, ...] = ()) -> str:
    """One commit as the change log and the cards show it: date, subject, short sha, then what it did to the need
    (`: priority 1a → 1b`); nothing left unprintable."""
    did = f": {kinds_text(changes)}" if changes else ""
    return visible(f"{commit.date} {commit.subject} ({commit.sha[:7]}){did}")


def card_text(commits: list[Commit], kinds: dict[str, tuple[Change, ...]] | None = None) -> str:
    """The latest commits as a card shows them, each with what it did (`kinds`: sha -> changes of this need); each
    subject cut at SUBJECT_ON_CARD characters (the change-log page has it whole)."""
    kinds = kinds or {}
    shown = "; ".join(commit_text(_shortened(c), kinds.get(c.sha, ())) for c in commits[:SHOWN_ON_CARD])
    more = len(commits) - SHOWN_ON_CARD
    return shown + (f"; and {more} earlier (see the change log)" if more > 0 else "")
