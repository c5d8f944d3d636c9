"""Git objects read in one `git cat-file --batch`: what to send it, and its answer split per object asked for."""

from __future__ import annotations

from collections.abc import Sequence


def batch_input(names: Sequence[str]) -> bytes:
    """The request: one object name per line (a blob id, or `revision:path`)."""
    return "".join(f"{name}\n" for name in names).encode()


def parse_batch(out: bytes, names: Sequence[str]) -> dict[str, bytes]:
    """`git cat-file --batch`'s answer for `names`, asked in that order: name -> contents. An object git reports
    missing (or ambiguous) is left out; a cut-off answer ends the reading."""
    contents: dict[str, bytes] = {}
    position = 0
    for name in names:
        end = out.find(b"\n", position)
        if end < 0:
            break
        header = out[position:end].split()
        position = end + 1
        if len(header) != 3:  # "<name> missing", "<name> ambiguous"
            continue
        size = int(header[2])
        contents[name] = out[position : position + size]
        position += size + 1
    return contents
