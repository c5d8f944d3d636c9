"""Change log from git history: the commits that changed each need, on a page and in each requirement's card."""

from __future__ import annotations

import hashlib
import pickle
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective
from sphinx_needs.data import SphinxNeedsData

from .markup import NeedRef, Page, Row, Span, lines, table
from .model import NEED_TYPES, REQUIREMENT_TYPES
from .sources import DIRECTIVE_INFO, FENCE

HISTORY_PATHS = ("needs",)
# Each hunk header then names the last `:id:` line or fence line above the hunk, so a change deep inside a
# long need body is still attributed to its id without asking git for more context.
FUNCNAME = r"^(:id:.*|[ ]{0,3}(```|:::).*)$"
ID_LINE = re.compile(r"^:id:\s*(?P<id>\S+)\s*$")
HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@ ?(?P<context>.*)$")
RECORD, UNIT = "\x1e", "\x1f"
SHOWN_ON_CARD = 3
PAGES_KEY = "trace_changelog_pages"
SHOWN_KEY = "trace_changelog_shown"
HISTORY_CACHE = "trace_history.pickle"
CACHE_VERSION = 1  # raise when parse_log or FUNCNAME changes
TABLE_KEY = "\x00change-log table"  # beside the docnames in SHOWN_KEY; no docname looks like it


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


def parse_log(text: str, skip: frozenset[str] = frozenset()) -> dict[str, list[Commit]]:
    """Commits per id from `git log -p` output whose commit headers are RECORD sha UNIT date UNIT subject."""
    changes: dict[str, list[Commit]] = {}
    for record in text.split(RECORD)[1:]:
        header, _, patch = record.partition("\n")
        sha, date, subject = [*header.split(UNIT), "", ""][:3]
        if sha in skip:
            continue
        commit = Commit(sha, date, subject)
        for need_id in sorted(_hunk_ids(patch.splitlines())):
            changes.setdefault(need_id, []).append(commit)
    return changes


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False,
                          encoding="utf-8", errors="replace")


def read_history(root: Path, paths: tuple[str, ...] = HISTORY_PATHS) -> History:
    """One `git log -p` over the need sources; never raises: without git the history says why it is missing."""
    try:
        top = _git(root, "rev-parse", "--is-shallow-repository")
    except FileNotFoundError:
        return History(unavailable="git is not installed on the machine that built the site")
    if top.returncode != 0:
        return History(unavailable="the site was not built from a git checkout")
    with tempfile.NamedTemporaryFile("w", suffix=".gitattributes", delete=False) as attributes:
        attributes.write("*.md diff=traceneeds\n")
    try:
        log = _git(root, "-c", f"core.attributesFile={attributes.name}",
                   "-c", f"diff.traceneeds.xfuncname={FUNCNAME}", "-c", "core.quotePath=false",
                   "log", "-p", "--no-color", "--no-ext-diff", "--no-renames", "--date=short",
                   f"--format={RECORD}%H{UNIT}%ad{UNIT}%s", "--", *paths)
    finally:
        Path(attributes.name).unlink()
    if log.returncode != 0:
        return History(unavailable=f"git log failed: {log.stderr.strip()}")
    shallow = top.stdout.strip() == "true"
    return History(parse_log(log.stdout, _shallow_boundary(root) if shallow else frozenset()), shallow=shallow)


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
    try:
        with cache_file.open("rb") as cached:
            cached_key, history = pickle.load(cached)
        if cached_key == key and isinstance(history, History):
            return history
    except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError):
        pass  # no cache yet, or one from another version of this module: read the log
    history = read_history(root, paths)
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


def card_text(commits: list[Commit]) -> str:
    shown = "; ".join(f"{c.date} {c.subject} ({c.sha[:7]})" for c in commits[:SHOWN_ON_CARD])
    more = len(commits) - SHOWN_ON_CARD
    return shown + (f"; and {more} earlier (see the change log)" if more > 0 else "")


# --- Sphinx -------------------------------------------------------------------------------------------------


class changelog_placeholder(nodes.General, nodes.Element):  # noqa: N801 (docutils node naming)
    """Replaced by the change-log table once every need is known."""


class ChangelogDirective(SphinxDirective):
    """`{trace-changelog}`: the commits that changed each requirement and sub-requirement."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        # Not an aggregate page for `freshness`: `pages_to_rewrite` knows when its table changed.
        _store(self.env, PAGES_KEY, set()).add(self.env.docname)
        return [changelog_placeholder()]


def _store(env: BuildEnvironment, key: str, default: Any) -> Any:
    if not hasattr(env, key):
        setattr(env, key, default)
    return getattr(env, key)


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _store(env, PAGES_KEY, set()).discard(docname)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    _store(env, PAGES_KEY, set()).update(_store(other, PAGES_KEY, set()) & docnames)


def pages_to_rewrite(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """`env-updated`: the pages whose change-log content changed although their source did not.

    A new commit changes cards (their `changes` field) and the change-log page; a retitled or moved requirement
    changes the page's row. Any other edit leaves the page as it was, so it is not re-written.
    """
    history = _history(app)
    per_doc: dict[str, list[str]] = {}
    rows = [f"{history.unavailable}\x1f{history.shallow}"]
    for need_id, item in sorted(SphinxNeedsData(env).get_needs_mutable().items()):
        if item.get("docname") and item["type"] in REQUIREMENT_TYPES and need_id in history.changes:
            per_doc.setdefault(item["docname"], []).append(f"{need_id}\x1f{card_text(history.changes[need_id])}")
            rows.append(f"{need_id}\x1f{item['title']}\x1f{item['docname']}\x1f{history.changes[need_id]!r}")
    current = {doc: _digest(lines) for doc, lines in per_doc.items()}
    current[TABLE_KEY] = _digest(rows)
    previous: dict[str, str] = _store(env, SHOWN_KEY, {})
    setattr(env, SHOWN_KEY, current)
    changed = {doc for doc in current.keys() | previous.keys() if current.get(doc) != previous.get(doc)}
    if TABLE_KEY in changed:
        changed |= _store(env, PAGES_KEY, set())
    return sorted(changed & env.found_docs)


def _digest(lines: list[str]) -> str:
    return hashlib.sha1("\x1e".join(lines).encode()).hexdigest()


def load_history(app: Sphinx) -> None:
    history = cached_history(Path(app.srcdir), Path(app.doctreedir) / HISTORY_CACHE)
    app.trace_history = history  # type: ignore[attr-defined]


def _history(app: Sphinx) -> History:
    return getattr(app, "trace_history", None) or History(unavailable="the history was not read")


def write_changes(app: Sphinx, needs: Any) -> None:
    """`needs-before-sealing`: the computed field `changes` of each requirement, as shown on its card."""
    changes = _history(app).changes
    for need_id, item in needs.items():
        if item["type"] in REQUIREMENT_TYPES and need_id in changes:
            item["changes"] = card_text(changes[need_id])


def _paragraph(text: str) -> nodes.paragraph:
    return nodes.paragraph(text, text)


def _table(app: Sphinx, docname: str, rows: list[tuple[Any, list[Commit]]]) -> nodes.Node:
    page = Page(app.builder, docname, {item["id"]: item["docname"] for item, _ in rows})
    table_rows = (Row([[NeedRef(item["id"]), " ", Span(item["title"], "trace-title")],
                       lines([f"{c.date} {c.subject} ({c.sha[:7]})"] for c in commits)])
                  for item, commits in rows)
    return table(page, ["Requirement", "Commits"], table_rows, classes=["trace-changelog"], widths=[1, 3])


def render_changelog(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """`doctree-resolved`: fills each placeholder with the table (or says why there is no history)."""
    placeholders = list(doctree.findall(changelog_placeholder))
    if not placeholders:
        return
    history = _history(app)
    needs = SphinxNeedsData(app.env).get_needs_view()
    rows = [(needs[i], history.changes[i]) for i in sorted(history.changes)
            if i in needs and needs[i]["type"] in REQUIREMENT_TYPES]
    content: list[nodes.Node]
    if history.unavailable:
        content = [_paragraph(f"No change log: {history.unavailable}.")]
    elif not rows:
        content = [_paragraph("No commit in the history changed a requirement.")]
    else:
        content = [_table(app, docname, rows)]
        if history.shallow:
            content.insert(0, _paragraph("This build ran in a shallow clone: older commits are missing."))
    for placeholder in placeholders:
        placeholder.replace_self(content)


def register(app: Sphinx) -> None:
    app.add_node(changelog_placeholder)
    app.add_directive("trace-changelog", ChangelogDirective)
    app.connect("builder-inited", load_history)
    app.connect("needs-before-sealing", write_changes)
    app.connect("doctree-resolved", render_changelog)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-updated", pages_to_rewrite, priority=900)
