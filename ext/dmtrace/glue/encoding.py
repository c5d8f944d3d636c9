"""Reading sources whose bytes are not UTF-8: Sphinx would stop with "Encoding error!" and a traceback.

The build reads documents through a codec that decodes UTF-8 (a byte-order mark dropped) and replaces bytes that
are not UTF-8; the reader then reports the file and line of the first such byte (`trace.unreadable`), exactly as
`make check` does, and the build fails with that one message.
"""

from __future__ import annotations

import codecs
import encodings.utf_8_sig
from typing import Any

from sphinx.application import Sphinx

CODEC = "dmtrace-utf-8-sig"


class _LenientDecoder(encodings.utf_8_sig.IncrementalDecoder):
    """UTF-8 (a byte-order mark dropped) whatever error handling is asked for: bad bytes become U+FFFD."""

    def __init__(self, errors: str = "strict") -> None:
        super().__init__("replace")


def _search(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != CODEC:
        return None
    utf8 = codecs.lookup("utf-8-sig")

    def decode(data: Any, errors: str = "strict") -> tuple[str, int]:
        return utf8.decode(data, "replace")

    return codecs.CodecInfo(
        utf8.encode,
        decode,
        incrementalencoder=utf8.incrementalencoder,
        incrementaldecoder=_LenientDecoder,
        streamwriter=utf8.streamwriter,
        name=CODEC,
    )


def register() -> None:
    """Registers the codec once per process (codec search functions cannot be removed)."""
    try:
        codecs.lookup(CODEC)
    except LookupError:
        codecs.register(_search)


def read_leniently(app: Sphinx, env: Any, docnames: list[str]) -> None:
    """`env-before-read-docs`: documents are read with the lenient codec when the project reads UTF-8."""
    if str(env.settings.get("input_encoding", "")).lower().replace("_", "-") in ("utf-8", "utf-8-sig", "utf8"):
        env.settings["input_encoding"] = CODEC
