"""dmtrace: requirement traceability for Sphinx and sphinx-needs; `setup()` wires the Sphinx glue together.

The layers, each a folder: `core` (model, reader, rules, evaluation, diff: no Sphinx), `views` (tables, cards,
charts, milestone pages, from an evaluation), `glue` (Sphinx events, directives, domain, build state) and
`pytest_plugin`. Importing this package imports no Sphinx: `make check`, `make diff` and the pytest plugin use
the core alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__version__ = "0.2.0"
# Raise whenever what the environment stores changes (the domain's data, the needs' computed fields).
ENV_VERSION = 3


def setup(app: Sphinx) -> dict[str, Any]:
    from dmtrace.glue.extension import wire

    wire(app)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True, "env_version": ENV_VERSION}
