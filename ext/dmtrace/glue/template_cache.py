"""Keeps the theme's compiled Jinja templates between builds (a bytecode cache beside the doctrees).

Sphinx compiles every template of the theme again in each process: about 0.15 s of every build, a few per cent
of an incremental one. Jinja keys each cached template by its name and a checksum of its source, so an edited
template is compiled again.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from sphinx.application import Sphinx

CACHE_DIR = "trace_jinja_cache"


def install(app: Sphinx) -> None:
    """`builder-inited`: gives the builder's template environment a bytecode cache (HTML builders only)."""
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is None or environment.bytecode_cache is not None:
        return
    folder = Path(app.doctreedir) / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    environment.bytecode_cache = FileSystemBytecodeCache(str(folder))
