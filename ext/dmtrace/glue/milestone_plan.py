"""This build's plan of milestone pages: where they go, in which order, and which of them to write."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Plan:
    """This build's milestone pages: where, which (in page order), their parent, and which of them to write."""

    folder: str
    pages: list[str]
    parent: str | None
    fingerprints: dict[str, str]
    to_write: set[str]

    def neighbours(self, position: int) -> tuple[str | None, str | None]:
        """(previous, next) of a page: the parent before the first page, then the pages in id order."""
        previous = self.pages[position - 1] if position else self.parent
        following = self.pages[position + 1] if position + 1 < len(self.pages) else None
        return previous, following
