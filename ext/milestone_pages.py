"""One page per milestone, written at `html-collect-pages` from the build's evaluation (no source page each).

As Sphinx documents, the milestone pages cost a read, a pickled doctree and a resolve each: a quarter of a full
build at 5,000 needs. Here each is the theme's page template around HTML rendered from the evaluation, with the
breadcrumbs and previous / next links Sphinx gives a document. A page is written when a fingerprint of what it
shows (content, neighbours, configuration, templates) differs from the one recorded after the last successful
build, or when its file is missing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from html import escape
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from .checker import Evaluation
from .directives import milestone_index_docs
from .render import build_date, need_docs
from .render_context import RenderContext
from .render_matrix import natural_key
from .render_milestones import milestone_fingerprint, milestone_page_html, page_heading

logger = logging.getLogger(__name__)
SAFE_FILE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
SAFE_FOLDER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$")
PAGES_ATTR = "trace_milestone_docs"  # builder attribute: the page names, in page order
PLAN_ATTR = "trace_milestone_plan"  # builder attribute: (fingerprints now, pages to write)
WRITTEN_FILE = "trace_milestone_pages.json"  # beside the doctrees: the fingerprints of the pages on disk


def _scoped_context(app: Sphinx, evaluation: Evaluation, pagename: str, docs: dict[str, str]) -> RenderContext:
    return RenderContext(app.builder, pagename, docs, evaluation.scoped(app.config.trace_view_scope), build_date(app))


def pages_folder(app: Sphinx) -> str | None:
    """`trace_milestone_pages_dir`, or None (no pages) when it is not a plain relative folder."""
    folder = str(app.config.trace_milestone_pages_dir).strip("/")
    if not SAFE_FOLDER.match(folder) or ".." in folder.split("/"):
        logger.warning("trace_milestone_pages_dir = %r is not a relative folder such as docs/milestones; "
                       "no milestone pages are written", app.config.trace_milestone_pages_dir,
                       type="trace", subtype="config")
        return None
    return folder


def plan_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """`env-updated` (after the rules): names the milestone pages and which of them to write."""
    evaluation: Evaluation | None = getattr(app, "trace_evaluation", None)
    folder = pages_folder(app) if app.builder.format == "html" else None
    if evaluation is None or folder is None:
        setattr(app.builder, PAGES_ATTR, [])
        return []
    # No need -> page map here: asking sphinx-needs for it would seal the needs before the environment is pickled.
    ctx = _scoped_context(app, evaluation, "", {})
    ids = sorted((need_id for need_id, need in ctx.evaluation.graph.needs.items()
                  if need.type == "milestone" and SAFE_FILE_ID.match(need_id)), key=natural_key)
    pages = [f"{folder}/{milestone_id}" for milestone_id in ids]
    setattr(app.builder, PAGES_ATTR, pages)
    fingerprints = {page: _fingerprint(app, ctx, pages, position) for position, page in enumerate(pages)}
    written = _written(app)
    setattr(app.builder, PLAN_ATTR, (fingerprints, {p for p, f in fingerprints.items() if written.get(p) != f}))
    return []


def _fingerprint(app: Sphinx, ctx: RenderContext, pages: list[str], position: int) -> str:
    """What the page shows: its content, its neighbours' and parent's titles, the other pages, the configuration
    and the templates (Sphinx re-writes every document when those two change)."""
    shown = [milestone_fingerprint(ctx, pages[position].rsplit("/", 1)[-1]),
             "\x1f".join(page.rsplit("/", 1)[-1] for page in pages),
             *(_title(app, page) for page in _neighbours(app, pages, position) if page)]
    build_info = getattr(app.builder, "build_info", None)
    templates = getattr(app.builder, "templates", None)
    shown += [getattr(build_info, "config_hash", ""), getattr(build_info, "tags_hash", ""),
              repr(templates.newest_template_mtime() if templates else 0)]
    return hashlib.sha1("\x1e".join(shown).encode()).hexdigest()


def _neighbours(app: Sphinx, pages: list[str], position: int) -> tuple[str | None, str | None, str | None]:
    """(parent, previous, next) of a page: the milestones index, then the milestone pages in id order."""
    index = sorted(milestone_index_docs(app.env))
    parent = index[0] if index else None
    previous = pages[position - 1] if position else parent
    following = pages[position + 1] if position + 1 < len(pages) else None
    return parent, previous, following


def _written_path(app: Sphinx) -> Path:
    return Path(app.doctreedir) / WRITTEN_FILE


def _written(app: Sphinx) -> dict[str, str]:
    try:
        recorded = json.loads(_written_path(app).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(recorded, dict) or recorded.get("outdir") != str(app.outdir):
        return {}  # another output folder, or not ours
    pages = recorded.get("pages")
    return pages if isinstance(pages, dict) else {}


def record_written(app: Sphinx, exception: Exception | None) -> None:
    """`build-finished`: the pages on disk now match this build's fingerprints (only after a build that ended)."""
    plan: tuple[dict[str, str], set[str]] | None = getattr(app.builder, PLAN_ATTR, None)
    if exception is not None or plan is None:
        return
    path = _written_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"outdir": str(app.outdir), "pages": plan[0]}), encoding="utf-8")
    temporary.replace(path)


def collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """`html-collect-pages`: the milestone pages to write; removes the pages of milestones that no longer exist."""
    evaluation: Evaluation | None = getattr(app, "trace_evaluation", None)
    pages: list[str] = getattr(app.builder, PAGES_ATTR, [])
    plan: tuple[dict[str, str], set[str]] = getattr(app.builder, PLAN_ATTR, ({}, set()))
    if evaluation is None or app.builder.format != "html" or pages_folder(app) is None:
        return
    _remove_stale_pages(app, pages)
    docs = need_docs(app, evaluation)
    for position, pagename in enumerate(pages):
        if pagename not in plan[1] and Path(app.builder.get_outfilename(pagename)).is_file():
            continue
        ctx = _scoped_context(app, evaluation, pagename, docs)
        milestone = ctx.need(pagename.rsplit("/", 1)[-1])
        if milestone is None:
            continue
        parent, previous, following = _neighbours(app, pages, position)
        yield pagename, _page_context(app, ctx, page_heading(milestone), milestone_page_html(ctx, milestone.id),
                                      parent, previous, following), "page.html"


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
    evaluation: Evaluation | None = getattr(app, "trace_evaluation", None)
    milestone = evaluation.graph.needs.get(pagename.rsplit("/", 1)[-1]) if evaluation else None
    return page_heading(milestone) if milestone else pagename


def _remove_stale_pages(app: Sphinx, pages: list[str]) -> None:
    """Deletes the pages of milestones that no longer exist; never a document's page."""
    folder = pages_folder(app)
    if folder is None:
        return
    keep = {Path(app.builder.get_outfilename(page)) for page in pages}
    keep |= {Path(app.builder.get_outfilename(doc)) for doc in app.env.found_docs}
    outdir = Path(app.outdir)
    for stale in (outdir / folder).glob(f"*{app.builder.out_suffix}"):
        if stale not in keep and stale.resolve().is_relative_to(outdir.resolve()):
            stale.unlink()
