"""Source text in GitHub Markdown: escaped as typed, and short word-level diffs of two versions."""

from __future__ import annotations

import difflib

WORD_CONTEXT = 3
MAX_DIFF_WORDS = 40

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|~#"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"})


def md(text: str) -> str:
    """Text from the sources, escaped so that GitHub Markdown shows it as typed."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def word_diff(old: str, new: str, context: int = WORD_CONTEXT, limit: int = MAX_DIFF_WORDS) -> str:
    """A short inline diff: ~~removed~~ **added** words with a little context; '' when the words are equal."""
    a, b = old.split(), new.split()
    if a == b:
        return ""
    parts: list[str] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            head = words[:context] if index > 0 else []
            tail = words[-context:] if index < len(opcodes) - 1 else []
            if len(words) > len(head) + len(tail):
                parts.extend([*map(md, head), "…", *map(md, tail)])
            else:
                parts.extend(map(md, words))
            continue
        if i2 > i1:
            parts.append(f"~~{md(' '.join(a[i1:i2]))}~~")
        if j2 > j1:
            parts.append(f"**{md(' '.join(b[j1:j2]))}**")
    text = " ".join(p for p in parts if p)
    words = text.split(" ")
    return text if len(words) <= limit else " ".join(words[:limit]) + " …"
