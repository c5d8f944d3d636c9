"""One page per milestone, written at `html-collect-pages` from the build's evaluation (no source page each).

As Sphinx documents, the milestone pages cost a read, a pickled doctree and a resolve each: a quarter of a full
build at 5,000 needs. Here each is the theme's page template around HTML rendered from the evaluation, with the
breadcrumbs and previous / next links Sphinx gives a document. The pages to write are decided at `env-updated`
(before Sphinx pickles the environment): a page is written when what it shows changed or its file is missing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment

from . import freshness
from .checker import Evaluation
from .render import build_date, need_docs
from .render_context import RenderContext
from .render_matrix import natural_key
from .render_milestones import milestone_fingerprint, milestone_page_html, page_heading

SAFE_FILE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
PAGES_ATTR = "trace_milestone_docs"  # app attribute: the page names, in page order
TO_WRITE_ATTR = "trace_milestone_pages_to_write"
FINGERPRINTS_KEY = "trace_milestone_page_fingerprints"
INDEX_DOCS_KEY = "trace_milestone_index_docs"


def _scoped_context(app: Sphinx, evaluation: Evaluation, pagename: str, docs: dict[str, str]) -> RenderContext:
    return RenderContext(app.builder, pagename, docs, evaluation.scoped(app.config.trace_view_scope), build_date(app))


def plan_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """`env-updated` (after the rules): names the milestone pages and notes which ones changed since the last build."""
    evaluation: Evaluation | None = getattr(app, "trace_evaluation", None)
    if evaluation is None or app.builder.format != "html":
        setattr(app, PAGES_ATTR, [])
        return []
    # No need -> page map here: asking sphinx-needs for it would seal the needs before the environment is pickled.
    ctx = _scoped_context(app, evaluation, "", {})
    folder = app.config.trace_milestone_pages_dir.strip("/")
    ids = sorted((need_id for need_id, need in ctx.evaluation.graph.needs.items()
                  if need.type == "milestone" and SAFE_FILE_ID.match(need_id)), key=natural_key)
    pages = [f"{folder}/{milestone_id}" for milestone_id in ids]
    setattr(app, PAGES_ATTR, pages)
    # A page also shows its neighbours (previous / next) and links to the other pages that exist.
    every_page = hashlib.sha1("\x1f".join(ids).encode()).hexdigest()
    fingerprints = {page: f"{milestone_fingerprint(ctx, milestone_id)}:{every_page}:{sorted(_index_docs(env))}"
                    for page, milestone_id in zip(pages, ids, strict=True)}
    setattr(app, TO_WRITE_ATTR, freshness.changed_keys(env, FINGERPRINTS_KEY, fingerprints))
    return []


def collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """`html-collect-pages`: the milestone pages to write; removes the pages of milestones that no longer exist."""
    evaluation: Evaluation | None = getattr(app, "trace_evaluation", None)
    pages: list[str] = getattr(app, PAGES_ATTR, [])
    if evaluation is None or app.builder.format != "html":
        return
    _remove_stale_pages(app, pages)
    to_write: set[str] = getattr(app, TO_WRITE_ATTR, set())
    index = sorted(_index_docs(app.env))
    docs = need_docs(app, evaluation)
    for position, pagename in enumerate(pages):
        if pagename not in to_write and Path(app.builder.get_outfilename(pagename)).is_file():
            continue
        ctx = _scoped_context(app, evaluation, pagename, docs)
        milestone = ctx.need(pagename.rsplit("/", 1)[-1])
        if milestone is None:
            continue
        previous = pages[position - 1] if position else (index[0] if index else None)
        following = pages[position + 1] if position + 1 < len(pages) else None
        yield pagename, _page_context(app, ctx, page_heading(milestone), milestone_page_html(ctx, milestone.id),
                                      index[0] if index else None, previous, following), "page.html"


def _page_context(app: Sphinx, ctx: RenderContext, heading: str, body: str, parent: str | None,
                  previous: str | None, following: str | None) -> dict[str, Any]:
    """What `get_doc_context` gives the template for a document."""
    def relation(pagename: str | None) -> dict[str, str] | None:
        if pagename is None:
            return None
        return {"link": ctx.links.page_uri(pagename), "title": escape(_title(app, pagename), quote=False)}

    prev, next_ = relation(previous), relation(following)
    rellinks = list(app.builder.globalcontext.get("rellinks", []))
    if next_:
        rellinks.append((following, next_["title"], "N", "next"))
    if prev:
        rellinks.append((previous, prev["title"], "P", "previous"))
    parents = [relation(parent)] if parent else []
    return {"parents": parents, "prev": prev, "next": next_, "title": escape(heading, quote=False), "meta": None,
            "body": body, "metatags": "", "rellinks": rellinks, "sourcename": "", "toc": "", "display_toc": False,
            "page_source_suffix": ""}


def _title(app: Sphinx, pagename: str) -> str:
    """A document's title as text, or a milestone page's heading."""
    title = app.env.titles.get(pagename)
    if title is not None:
        return title.astext()
    evaluation: Evaluation = app.trace_evaluation  # type: ignore[attr-defined]
    milestone = evaluation.graph.needs.get(pagename.rsplit("/", 1)[-1])
    return page_heading(milestone) if milestone else pagename


def _remove_stale_pages(app: Sphinx, pages: list[str]) -> None:
    folder = Path(app.outdir) / app.config.trace_milestone_pages_dir.strip("/")
    current = {Path(app.builder.get_outfilename(page)).name for page in pages}
    if folder.is_dir():
        for stale in folder.glob(f"*{app.builder.out_suffix}"):
            if stale.name not in current:
                stale.unlink()


# The milestones index (the page with `{trace-milestones}`) is the milestone pages' parent in the breadcrumbs.

def _index_docs(env: BuildEnvironment) -> set[str]:
    if not hasattr(env, INDEX_DOCS_KEY):
        setattr(env, INDEX_DOCS_KEY, set())
    return getattr(env, INDEX_DOCS_KEY)


def note_index_doc(env: BuildEnvironment, docname: str) -> None:
    _index_docs(env).add(docname)


def purge(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    _index_docs(env).discard(docname)


def merge(app: Sphinx, env: BuildEnvironment, docnames: set[str], other: BuildEnvironment) -> None:
    _index_docs(env).update(_index_docs(other) & docnames)
