"""Accessibility mends of the HTML docutils writes: a bibliography's entries are the items of its list."""

from __future__ import annotations

from typing import Any

from sphinx.application import Sphinx

# docutils wraps citations in a role="list" box but gives each the deprecated role doc-biblioentry, which is no list
# item: assistive technology (and axe-core's aria-required-children) then finds a list without items.
BIBLIOENTRY = ' role="doc-biblioentry"'
LIST_ITEM = ' role="listitem"'


def mend_body(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    """`html-page-context`: each citation of a citation list is a list item."""
    body = context.get("body")
    if isinstance(body, str) and BIBLIOENTRY in body:
        context["body"] = body.replace(BIBLIOENTRY, LIST_ITEM)


def register(app: Sphinx) -> None:
    app.connect("html-page-context", mend_body)
