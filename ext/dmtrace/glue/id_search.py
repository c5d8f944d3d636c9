"""Search by id: an index of every need id (and milestone page) that the search page puts first when a query names
one, whole or in part (`DMS-REQ-0293`, `0293`, `LVV-T98`, `LDM-503-19a`)."""

from __future__ import annotations

import json
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html import StandaloneHTMLBuilder

from dmtrace.core.model import natural_key
from dmtrace.glue.resolve import need_docs
from dmtrace.glue.state import build_state

INDEX_FILE = "trace_ids.js"


def write_index(app: Sphinx, exception: Exception | None) -> None:
    """`build-finished`: `_static/trace_ids.js` defines TRACE_IDS = [[id, title, url relative to the root], ...]."""
    builder = app.builder
    evaluation = build_state(app).evaluation
    if exception is not None or evaluation is None or not isinstance(builder, StandaloneHTMLBuilder):
        return
    docs = need_docs(app, evaluation)
    pages = build_state(app).milestone_pages
    entries = []
    for need_id in sorted(evaluation.graph.needs, key=natural_key):
        need = evaluation.graph.needs[need_id]
        if need_id in pages:
            url = builder.get_target_uri(pages[need_id])
        elif need_id in docs:
            url = f"{builder.get_target_uri(docs[need_id])}#{need_id}"
        else:
            continue
        entries.append([need_id, need.title, url])
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    text = "window.TRACE_IDS = " + json.dumps(entries, ensure_ascii=False, separators=(",", ":")) + ";\n"
    (static / INDEX_FILE).write_text(text, encoding="utf-8")


def register(app: Sphinx) -> None:
    app.connect("build-finished", write_index, priority=400)
