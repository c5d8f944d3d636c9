"""What a commit did to each need it changed (added, re-prioritised, re-linked, re-worded...), read from its blobs."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from dmtrace.core.gitobjects import batch_input, parse_batch
from dmtrace.core.model import Need
from dmtrace.core.needtext import other_text
from dmtrace.core.reader import decode_source, parse_source

ARROW = "→"
ADDED, REMOVED, REPRIORITISED, RELINKED, REWORDED, CHANGED, EDITED = (
    "added",
    "removed",
    "re-prioritised",
    "re-linked",
    "re-worded",
    "changed",
    "edited",
)
# The order in which a commit's changes are listed; "edited": the directive changed, nothing a card shows did.
KINDS = (ADDED, REMOVED, REPRIORITISED, RELINKED, REWORDED, CHANGED, EDITED)
NULL_BLOB = "0" * 40
# The text a card shows, by part: a change to any of them re-words the need.
TEXT_PARTS = ("title", "specification", "discussion", "parameters", "text")

# What a commit touched: its sha, the need ids its patch changed, and (old blob, new blob) of each file it changed.
CommitPatch = tuple[str, frozenset[str], tuple[tuple[str, str], ...]]
Kinds = dict[str, dict[str, tuple["Change", ...]]]  # commit sha -> need id -> what the commit did to it


@dataclass(frozen=True)
class Change:
    """One thing a commit did to one need: its kind (one of KINDS) and what exactly (`1a → 1b`, `+LVV-T1`...)."""

    kind: str
    detail: str = ""

    def words(self) -> str:
        """As the change log and the card say it: `priority 1a → 1b`, `re-linked: milestone +A −B`, `added`."""
        if self.kind == REPRIORITISED:
            return f"priority {self.detail}"
        if self.kind == CHANGED:
            return self.detail
        return f"{self.kind}: {self.detail}" if self.detail else self.kind


def _value(text: str) -> str:
    return text or "none"


def _parameters(need: Need) -> tuple[tuple[str, str, str, bool, str], ...]:
    return tuple((p.name, p.value, p.unit, p.confirmed, p.description) for p in need.parameters)


def _text_parts(need: Need) -> tuple[object, ...]:
    return (
        " ".join(need.title.split()),
        " ".join(need.specification.split()),
        " ".join(need.discussion.split()),
        _parameters(need),
        " ".join(other_text(need.content).split()),
    )


def compare(old: Need | None, new: Need | None) -> tuple[Change, ...]:
    """What changed from `old` to `new` (None: the need was not there), in the order of KINDS."""
    if old is None or new is None:
        return (Change(ADDED),) if new is not None else (Change(REMOVED),) if old is not None else ()
    changes: list[Change] = []
    if old.priority != new.priority:
        changes.append(Change(REPRIORITISED, f"{_value(old.priority)} {ARROW} {_value(new.priority)}"))
    links = []
    for name in sorted(old.links.keys() | new.links.keys()):
        was, now = old.targets(name), new.targets(name)
        gained = [f"+{target}" for target in now if target not in was]
        lost = [f"\u2212{target}" for target in was if target not in now]
        if gained or lost:
            links.append(" ".join([name, *gained, *lost]))
    if links:
        changes.append(Change(RELINKED, "; ".join(links)))
    worded = [part for part, a, b in zip(TEXT_PARTS, _text_parts(old), _text_parts(new), strict=True) if a != b]
    if worded:
        changes.append(Change(REWORDED, ", ".join(worded)))
    for name in sorted(old.fields.keys() | new.fields.keys()):
        if name != "priority" and old.get(name) != new.get(name):
            changes.append(Change(CHANGED, f"{name} {_value(old.get(name))} {ARROW} {_value(new.get(name))}"))
    return tuple(changes) or (Change(EDITED),)


def read_blobs(root: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The contents of the blobs (by id) through one `git cat-file --batch`; {} when git fails."""
    wanted = sorted(set(blobs) - {NULL_BLOB})
    if not wanted:
        return {}
    try:
        done = subprocess.run(
            ["git", "-C", str(root), "cat-file", "--batch"],
            input=batch_input(wanted),
            capture_output=True,
            check=False,
        )
    except OSError:
        return {}
    if done.returncode != 0:
        return {}
    return parse_batch(done.stdout, wanted)


def _needs(data: bytes | None) -> dict[str, Need]:
    if data is None:
        return {}
    text, problems = decode_source(data, "blob")
    needs: dict[str, Need] = {}
    if not problems:
        for need in parse_source(text, "blob").needs:
            needs.setdefault(need.id, need)
    return needs


def classify(root: Path, commits: Sequence[CommitPatch]) -> Kinds:
    """Per commit, what it did to each need its patch changed: both sides of its files read from git objects."""
    contents = read_blobs(root, (blob for _, _, files in commits for pair in files for blob in pair))
    parsed: dict[str, dict[str, Need]] = {}

    def needs_in(blobs: Iterable[str]) -> dict[str, Need]:
        merged: dict[str, Need] = {}
        for blob in blobs:
            if blob not in parsed:
                parsed[blob] = _needs(contents.get(blob))
            for need_id, need in parsed[blob].items():
                merged.setdefault(need_id, need)
        return merged

    kinds: Kinds = {}
    for sha, ids, files in commits:
        if not ids:
            continue
        before, after = needs_in(old for old, _ in files), needs_in(new for _, new in files)
        kinds[sha] = {
            need_id: compare(before.get(need_id), after.get(need_id)) or (Change(EDITED),) for need_id in sorted(ids)
        }
    return kinds


def kinds_text(changes: Sequence[Change]) -> str:
    """A need's changes in one commit, as the card says them: `priority 1a → 1b, re-worded: title`."""
    return ", ".join(change.words() for change in changes)


def grouped(per_need: Mapping[str, Sequence[Change]]) -> list[tuple[str, list[tuple[str, Change]]]]:
    """One commit's changes grouped by kind, in the order of KINDS: (kind, [(need id, change)...])."""
    groups: dict[str, list[tuple[str, Change]]] = {}
    for need_id in sorted(per_need):
        for change in per_need[need_id]:
            groups.setdefault(change.kind, []).append((need_id, change))
    return [(kind, groups[kind]) for kind in KINDS if kind in groups]
