"""The Markdown block parser MyST uses (markdown-it-py with MyST's block plugins) and the fence patterns.

Shared by the source reader (dmtrace.core.reader), the reading of a need's text blocks (dmtrace.core.needtext)
and the git history's hunk attribution (dmtrace.core.history).
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import make_fence_rule
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.front_matter import front_matter_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin

# Line-based patterns of a fence opening, for the git history's hunk attribution (dmtrace.core.history).
FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,}|:{3,})(?P<info>.*)$")
# MyST reads `{name}` followed by white space or nothing as a directive; `{name}Title` is a code block's language.
DIRECTIVE_INFO = re.compile(r"^\{(?P<name>[A-Za-z][\w:.+-]*)\}(?:\s+(?P<argument>.*))?$", re.DOTALL)


@lru_cache(maxsize=1)
def block_parser() -> MarkdownIt:
    """markdown-it-py as `myst_parser.parsers.mdit.create_md_parser` sets it up (colon_fence and deflist enabled),
    block level only."""
    md = (
        MarkdownIt("commonmark")
        .enable("table")
        .use(front_matter_plugin)
        .use(myst_block_plugin)
        .use(footnote_plugin, inline=False, move_to_end=False, always_match_refs=True)
        .use(deflist_plugin)
    )
    colon_fence = make_fence_rule(markers=(":",), token_type="colon_fence", exact_match=False)
    md.block.ruler.before(
        "fence", "colon_fence", colon_fence, {"alt": ["paragraph", "reference", "blockquote", "list", "footnote_def"]}
    )
    md.disable("inline")
    return md
