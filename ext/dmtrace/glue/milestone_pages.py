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
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

from dmtrace.core.evaluation import Evaluation
from dmtrace.core.model import natural_key
from dmtrace.glue.domain import trace_domain
from dmtrace.glue.downloads import page_downloads
from dmtrace.glue.milestone_plan import Plan
from dmtrace.glue.resolve import build_date, need_docs, view_scope
from dmtrace.glue.state import build_state
from dmtrace.views.context import RenderContext
from dmtrace.views.markup import text_html
from dmtrace.views.milestones import milestone_fingerprint, milestone_page_html, page_heading
from dmtrace.views.plans import plan_fingerprint, plan_page_html

# The need types that get a generated page each: milestones, and the test plans that serve them.
PAGE_TYPES = ("milestone", "plan")


def _fingerprint(ctx: RenderContext, need_id: str) -> str:
    need = ctx.need(need_id)
    return plan_fingerprint(ctx, need_id) if need and need.type == "plan" else milestone_fingerprint(ctx, need_id)


def _body(ctx: RenderContext, need_id: str) -> str:
    need = ctx.need(need_id)
    return plan_page_html(ctx, need_id) if need and need.type == "plan" else milestone_page_html(ctx, need_id)


logger = logging.getLogger(__name__)
# Characters a page name keeps as they are; every other one (`_` too, the escape) becomes `_XX` per UTF-8 byte.
PAGE_NAME_KEPT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-")
# Longer names are cut and end in `__` and a hash of the id (escaped names never hold `__`): below file-name limits.
PAGE_NAME_MAX = 120
SAFE_FOLDER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*$")
WRITTEN_FILE = "trace_milestone_pages.json"  # beside the doctrees: the fingerprints of the pages on disk


def page_name(milestone_id: str) -> str:
    """The file name (without suffix) of a milestone's page: the id itself when it is a plain name such as
    LDM-503-19a, else the id with each other character escaped. One id, one name, whatever the other ids are;
    two ids, two names (`_` is escaped too, so an escape is never read as written); never hidden, never a path."""
    parts = []
    for position, char in enumerate(milestone_id):
        if char in PAGE_NAME_KEPT and not (position == 0 and char == "."):
            parts.append(char)
        else:
            parts.extend(f"_{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    name = "".join(parts)
    if len(name) <= PAGE_NAME_MAX:
        return name
    digest = hashlib.sha256(milestone_id.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    cut = PAGE_NAME_MAX - len(digest) - 2
    # Not inside an escape: `_` and its two hex digits stay together.
    while "_" in name[max(cut - 2, 0) : cut]:
        cut -= 1
    return f"{name[:cut]}__{digest}"


def _scoped_context(
    app: Sphinx,
    evaluation: Evaluation,
    pagename: str,
    docs: dict[str, str],
    table_texts: list[list[list[str]]] | None = None,
) -> RenderContext:
    return RenderContext(
        app.builder,
        pagename,
        docs,
        evaluation.scoped(view_scope(app)),
        build_date(app),
        build_state(app).milestone_pages,
        table_texts=table_texts,
    )


def _html(app: Sphinx) -> StandaloneHTMLBuilder:
    """The HTML builder (milestone pages are planned for HTML builders only)."""
    assert isinstance(app.builder, StandaloneHTMLBuilder)
    return app.builder


def pages_folder(app: Sphinx) -> str | None:
    """`trace_milestone_pages_dir`, or None (no pages) when it is not a plain relative folder."""
    folder = str(app.config.trace_milestone_pages_dir).strip("/")
    if not SAFE_FOLDER.match(folder) or ".." in folder.split("/"):
        logger.warning(
            "trace_milestone_pages_dir = %r is not a relative folder such as docs/milestones; "
            "no milestone pages are written",
            app.config.trace_milestone_pages_dir,
            type="trace",
            subtype="config",
        )
        return None
    return folder


def plan_pages(app: Sphinx, env: BuildEnvironment) -> list[str]:
    """`env-updated` (after the rules): names the milestone pages and which of them to write."""
    evaluation = build_state(app).evaluation
    folder = pages_folder(app) if isinstance(app.builder, StandaloneHTMLBuilder) else None
    state = build_state(app)
    state.milestone_pages, state.milestone_plan = {}, None
    if evaluation is None or folder is None:
        return []
    # No need -> page map here: asking sphinx-needs for it would seal the needs before the environment is pickled.
    ctx = _scoped_context(app, evaluation, "", {})
    ids = sorted(
        (need_id for need_id, need in ctx.evaluation.graph.needs.items() if need.type in PAGE_TYPES), key=natural_key
    )
    pages = [f"{folder}/{page_name(milestone_id)}" for milestone_id in ids]
    # Before the fingerprints: a page's title (its neighbours show it) is found through this map.
    state.milestone_pages = dict(zip(ids, pages, strict=True))
    index = sorted(trace_domain(env).milestone_index_docs)
    plan = Plan(folder, pages, index[0] if index else None, {}, set())
    # Besides its content, a page shows the other pages, its neighbours' and parent's titles, the configuration
    # and the templates (Sphinx re-writes every document when those two change): computed once, hashed per page.
    shared = ["\x1f".join(ids), *_chrome(app), _title(app, plan.parent) if plan.parent else ""]
    for position, page in enumerate(pages):
        shown = [
            _fingerprint(ctx, ids[position]),
            *shared,
            *(_title(app, other) for other in plan.neighbours(position) if other),
        ]
        plan.fingerprints[page] = hashlib.sha1("\x1e".join(shown).encode()).hexdigest()
    written = _written(app)
    plan.to_write.update(page for page, print_ in plan.fingerprints.items() if written.get(page) != print_)
    state.milestone_plan = plan
    return []


def _chrome(app: Sphinx) -> list[str]:
    build_info = getattr(app.builder, "build_info", None)
    templates = getattr(app.builder, "templates", None)
    return [
        getattr(build_info, "config_hash", ""),
        getattr(build_info, "tags_hash", ""),
        repr(templates.newest_template_mtime() if templates else 0),
    ]


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
    plan = build_state(app).milestone_plan
    if exception is not None or plan is None:
        return
    path = _written_path(app)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps({"outdir": str(app.outdir), "pages": plan.fingerprints}), encoding="utf-8")
    temporary.replace(path)


def collect_pages(app: Sphinx) -> Iterator[tuple[str, dict[str, Any], str]]:
    """`html-collect-pages`: the milestone pages to write; removes the pages of milestones that no longer exist."""
    evaluation = build_state(app).evaluation
    plan = build_state(app).milestone_plan
    if evaluation is None or plan is None:
        return
    _remove_stale_pages(app, plan)
    docs = need_docs(app, evaluation)
    milestone_of = _milestone_of_page(app)
    for position, pagename in enumerate(plan.pages):
        if pagename not in plan.to_write and Path(_html(app).get_outfilename(pagename)).is_file():
            continue
        ctx = _scoped_context(app, evaluation, pagename, docs, table_texts=[])
        milestone = ctx.need(milestone_of.get(pagename, ""))
        if milestone is None:
            continue
        body = page_downloads(app, pagename, _body(ctx, milestone.id), ctx.table_texts or [])
        yield (
            pagename,
            _page_context(
                app,
                ctx,
                page_heading(milestone),
                body,
                plan.parent,
                *plan.neighbours(position),
            ),
            "page.html",
        )


def _page_context(
    app: Sphinx,
    ctx: RenderContext,
    heading: str,
    body: str,
    parent: str | None,
    previous: str | None,
    following: str | None,
) -> dict[str, Any]:
    """What `get_doc_context` gives the template for a document."""

    def relation(pagename: str | None) -> dict[str, str] | None:
        if pagename is None:
            return None
        return {"link": ctx.links.page_uri(pagename), "title": text_html(_title(app, pagename))}

    prev, next_ = relation(previous), relation(following)
    rellinks = list(_html(app).globalcontext.get("rellinks", []))
    if next_:
        rellinks.append((following, next_["title"], "N", "next"))
    if prev:
        rellinks.append((previous, prev["title"], "P", "previous"))
    parents = [relation(parent)] if parent else []
    return {
        "parents": parents,
        "prev": prev,
        "next": next_,
        "title": text_html(heading),
        "meta": None,
        "body": body,
        "metatags": "",
        "rellinks": rellinks,
        "sourcename": "",
        "toc": "",
        "display_toc": False,
        "page_source_suffix": "",
    }


def _title(app: Sphinx, pagename: str) -> str:
    """A document's title as text, or a milestone page's heading."""
    title = app.env.titles.get(pagename)
    if title is not None:
        return str(title.astext())
    evaluation = build_state(app).evaluation
    milestone_id = _milestone_of_page(app).get(pagename)
    milestone = evaluation.graph.needs.get(milestone_id) if evaluation and milestone_id else None
    return page_heading(milestone) if milestone else pagename


_reversed: tuple[dict[str, str], dict[str, str]] = ({}, {})


def _milestone_of_page(app: Sphinx) -> dict[str, str]:
    """Page name -> milestone id: this build's milestone id -> page map read backwards (once per map)."""
    global _reversed
    pages = build_state(app).milestone_pages
    if _reversed[0] is not pages:
        _reversed = (pages, {page: milestone_id for milestone_id, page in pages.items()})
    return _reversed[1]


def _remove_stale_pages(app: Sphinx, plan: Plan) -> None:
    """Deletes the pages of milestones that no longer exist; never a document's page."""
    keep = {Path(_html(app).get_outfilename(page)) for page in plan.pages}
    keep |= {Path(_html(app).get_outfilename(doc)) for doc in app.env.found_docs}
    outdir = Path(app.outdir)
    for stale in (outdir / plan.folder).glob(f"*{_html(app).out_suffix}"):
        if stale not in keep and stale.resolve().is_relative_to(outdir.resolve()):
            stale.unlink()
