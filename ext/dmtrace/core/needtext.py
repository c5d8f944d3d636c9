"""A requirement's own text: the `{specification}` (normative) and `{discussion}` blocks directly in its body, and
its parameters (`{parameter} NAME` blocks with `:value:`, `:unit:`, `:confirmed:` and the description as body).

Both read paths take the text from here: the source reader (`make check`, `make diff`) from the need's body in
the Markdown, the build from sphinx-needs' copy of the same body; the build writes it into needs.json.
"""

from __future__ import annotations

import re
from functools import lru_cache

from dmtrace.core.blocks import DIRECTIVE_INFO, block_parser
from dmtrace.core.model import Parameter

# The text directives, with the heading each block shows on the page (one place: glue registers these names).
TEXT_BLOCKS: dict[str, str] = {"specification": "Specification", "discussion": "Discussion"}
PARAMETER = "parameter"
PARAMETER_OPTIONS = ("value", "unit", "confirmed")
BODY_BLOCKS = frozenset({*TEXT_BLOCKS, PARAMETER})
OPTION = re.compile(r"^:(?P<key>[A-Za-z_][\w-]*):(?:[ \t]+(?P<value>.*))?$")
Block = tuple[str, str, str, tuple[int, int]]  # kind, argument, content, line range in the body


@lru_cache(maxsize=4096)
def _blocks(body: str) -> tuple[Block, ...]:
    """(kind, argument, content, line range in the body) of each text or parameter block directly in the body."""
    if not any(f"{{{name}}}" in body for name in BODY_BLOCKS):
        return ()  # most needs have none: no parse
    found = []
    for token in block_parser().parse(body):
        if token.type not in ("fence", "colon_fence") or token.level != 0 or token.map is None:
            continue
        directive = DIRECTIVE_INFO.match(token.info.strip())
        if directive is not None and directive["name"] in BODY_BLOCKS:
            argument = (directive["argument"] or "").strip()
            found.append((directive["name"], argument, token.content, (token.map[0], token.map[1])))
    return tuple(found)


def text_parts(body: str) -> dict[str, str]:
    """The text of each text block that is a direct child of a need's body (not inside a list, quote or other
    directive), stripped; two blocks of one kind are joined by a blank line. Kinds the body lacks are absent."""
    found: dict[str, list[str]] = {}
    for kind, _, content, _ in _blocks(body):
        if kind in TEXT_BLOCKS and content.strip():
            found.setdefault(kind, []).append(content.strip())
    return {name: "\n\n".join(texts) for name, texts in found.items()}


def other_text(body: str) -> str:
    """The body without its text and parameter blocks (notes and the like), stripped: what `make diff` calls the
    body (it reports the specification, the discussion and the parameters apart)."""
    blocks = _blocks(body)
    if not blocks:
        return body.strip()
    lines = body.split("\n")
    dropped = {number for _, _, _, (start, end) in blocks for number in range(start, end)}
    kept = "\n".join(text for number, text in enumerate(lines) if number not in dropped)
    return "\n\n".join(part.strip() for part in kept.split("\n\n") if part.strip())


def parameters(body: str) -> tuple[Parameter, ...]:
    """The need's `{parameter}` blocks, in order: the argument is the name; `:confirmed: no` marks a value the
    current edition does not confirm; the body is the description (white space runs as one space)."""
    found = []
    for kind, argument, content, _ in _blocks(body):
        if kind != PARAMETER:
            continue
        options, description = _options(content)
        found.append(
            Parameter(
                name=argument,
                value=options.get("value", ""),
                unit=options.get("unit", ""),
                description=" ".join(description.split()),
                confirmed=options.get("confirmed", "yes").strip().lower() not in ("no", "false"),
            )
        )
    return tuple(found)


def _options(content: str) -> tuple[dict[str, str], str]:
    """A block's `:key: value` lines and the text after them."""
    lines = content.split("\n")
    options: dict[str, str] = {}
    used = 0
    while used < len(lines) and (match := OPTION.match(lines[used].strip())) and not lines[used].startswith(":::"):
        options[match["key"]] = (match["value"] or "").strip()
        used += 1
    return options, "\n".join(lines[used:])
