"""A need's normative content (what verification depends on) and its fingerprint: title, specification (or, for a
test case, its procedure text), priority, status and the links it refines or verifies; not the discussion,
whitespace or Markdown formatting."""

from __future__ import annotations

import hashlib
import re

from dmtrace.core.model import Need

FINGERPRINT_LENGTH = 12
# Markdown formatting that leaves the words as they are: emphasis, code spans, link targets, heading marks.
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_ROLE = re.compile(r"\{[A-Za-z0-9:_-]+\}`([^`]*)`")
_MARKS = re.compile(r"(?<!\w)[*_]{1,3}|[*_]{1,3}(?!\w)|`+|^#+\s*|^>\s*", re.MULTILINE)
# Test cases: their text is their procedure, i.e. the body (without the blocks that only explain).
DEFAULT_STATUS = "active"


def plain_words(text: str) -> str:
    """The words of Markdown text: formatting marks, link targets and white space dropped."""
    text = _ROLE.sub(r"\1", _LINK.sub(r"\1", text))
    return " ".join(_MARKS.sub("", text).split())


def normative_content(need: Need) -> tuple[tuple[str, str], ...]:
    """The parts of a need that a verification depends on, each as plain words."""
    parameters = ""
    if need.type == "test":
        text = need.content
        links = ("verifies", sorted(need.targets("verifies")))
    else:
        # The specification block; a requirement written without one: its whole body.
        text = need.specification or need.content
        links = ("refines", sorted(need.targets("refines")))
    parameters = " ".join(f"{p.name}={p.value}{p.unit}" for p in need.parameters)
    return (
        ("title", plain_words(need.title)),
        ("text", plain_words(text)),
        ("priority", need.get("priority")),
        ("status", need.get("status") or DEFAULT_STATUS),
        (links[0], " ".join(links[1])),
        ("parameters", parameters),
    )


def fingerprint(need: Need) -> str:
    """The first FINGERPRINT_LENGTH hex digits of the SHA-256 of the need's normative content."""
    parts = "\x1e".join(f"{name}\x1f{value}" for name, value in normative_content(need))
    return hashlib.sha256(parts.encode("utf-8", "surrogatepass")).hexdigest()[:FINGERPRINT_LENGTH]
