"""The change-log table: each requirement with the commits that changed it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from docutils import nodes
from sphinx.builders import Builder

from dmtrace.core.history import Commit, commit_text
from dmtrace.views.markup import NeedRef, Page, Row, Span, lines, table


def changelog_table(builder: Builder, docname: str, rows: Sequence[tuple[Any, list[Commit]]]) -> nodes.Node:
    """One row per requirement (`rows`: a need item with its commits, newest first)."""
    page = Page(builder, docname, {item["id"]: item["docname"] for item, _ in rows})
    table_rows = (
        Row(
            [
                [NeedRef(item["id"]), " ", Span(item["title"], "trace-title")],
                lines([commit_text(c)] for c in commits),
            ]
        )
        for item, commits in rows
    )
    return table(page, ["Requirement", "Commits"], table_rows, classes=["trace-changelog"], widths=[1, 3])
