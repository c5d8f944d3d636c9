#!/usr/bin/env python3
"""`make serve`: live preview. Builds the site as `make html` does, serves it, rebuilds on every save.

The server is sphinx-autobuild's (its Starlette app, file watcher and the script that reloads the open page);
what differs is how a rebuild runs. sphinx-autobuild starts `python -m sphinx build` for each change: a new
interpreter that imports Sphinx, sphinx-needs, MyST, the theme and the extension again (about 0.7 s on the real
catalogue, a third of a rebuild) and tears its objects down at exit. Here the server process imports, once, every
module the first build imported (except those of this checkout, so an edit of `ext/` counts at the next
rebuild), and each build runs in a fork of it that leaves with `os._exit`, like `scripts/sphinx_build.py`.

The build options are `make html`'s (the Makefile passes the same arguments); each build's warnings and rule
violations are printed in the terminal, and a failed build keeps the last pages served. PORT reaches this script
as TRACE_PORT (0: any free port); `_build`, `.git` and the virtualenv are not watched.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
import json
import os
import re
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

import watchfiles
from sphinx.cmd.build import get_parser
from sphinx.cmd.build import main as sphinx_main
from sphinx_autobuild.filter import IgnoreFilter
from sphinx_autobuild.middleware import JavascriptInjectorMiddleware
from sphinx_autobuild.server import RebuildServer
from sphinx_autobuild.utils import find_free_port
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, WebSocketRoute
from starlette.staticfiles import StaticFiles

DEFAULT_PORT = 8000
HOST = "127.0.0.1"
IGNORED = [".git", ".venv", "venv", "_build", ".mypy_cache", ".ruff_cache", ".pytest_cache", "__pycache__"]
# The fork runs the build on one thread of a process whose server threads stay behind; that is what it is for.
warnings.filterwarnings("ignore", message=r".*multi-threaded, use of fork\(\) may lead to deadlocks", module="")


class UsageError(Exception):
    """A bad PORT or build argument: one line, exit status 2."""


def say(message: str) -> None:
    print(f"serve: {message}", flush=True)


def port_from_environment() -> int:
    typed = os.environ.get("TRACE_PORT", "")
    if not typed:
        return DEFAULT_PORT
    if not re.fullmatch(r"[0-9]{1,5}", typed) or int(typed) > 65535:
        raise UsageError(f"PORT must be a number from 0 to 65535 (0: any free port), not {typed!r}")
    return int(typed)


class Builder:
    """One build with the given sphinx-build arguments, in a fork of this (warm) process."""

    def __init__(self, arguments: list[str], root: Path) -> None:
        self.arguments = arguments
        self.root = root

    def build(self, report_modules: bool = False) -> tuple[int, list[str]]:
        """The build's exit status, and (when asked) the modules it imported that do not belong to this checkout."""
        sys.stdout.flush()
        sys.stderr.flush()
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: build, report, leave without the interpreter's teardown
            os.close(reader)
            status = 1
            try:
                status = sphinx_main(self.arguments)
                if report_modules:
                    with os.fdopen(writer, "w") as pipe:
                        json.dump(self.imported_elsewhere(), pipe)
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(status)
        os.close(writer)
        with os.fdopen(reader) as pipe:
            text = pipe.read()
        _, wait_status = os.waitpid(pid, 0)
        return os.waitstatus_to_exitcode(wait_status), json.loads(text) if text else []

    def imported_elsewhere(self) -> list[str]:
        installed = [Path(p).resolve() for p in {sys.prefix, sys.base_prefix}]
        names = []
        for name, module in list(sys.modules.items()):
            where = getattr(module, "__file__", None)
            if not where:
                continue
            path = Path(where).resolve()
            if any(path.is_relative_to(p) for p in installed) or not path.is_relative_to(self.root):
                names.append(name)
        return names

    def __call__(self, *, changed_paths: Sequence[Path] = ()) -> None:
        if changed_paths:
            shown = ", ".join(sorted({relative(path, self.root) for path in changed_paths})[:5])
            say(f"changed: {shown}; rebuilding")
        started = time.perf_counter()
        status, _ = self.build()
        took = f"{time.perf_counter() - started:.1f} s"
        if status == 0:
            say(f"build succeeded in {took}; the page reloads")
        else:
            say(f"build failed in {took} (exit {status}); the lines above say why; the last pages written are served")


def relative(path: Path, root: Path) -> str:
    with contextlib.suppress(ValueError):
        return path.relative_to(root).as_posix()
    return path.as_posix()


def warm_up(names: list[str]) -> None:
    """Imports what a build imports, so that every fork starts with them (a module that fails is left out).

    They are then frozen out of the garbage collector's reach: no collection in a build rescans them.
    """
    for name in names:
        if name not in sys.modules and name != "__main__":
            with contextlib.suppress(Exception):
                importlib.import_module(name)
    gc.freeze()


class Watcher(RebuildServer):
    """sphinx-autobuild's watcher, with the build run in a thread of the server (a fork), not a process pool.

    The watcher says when it watches (the first empty batch of changes): an edit saved before that is not seen.
    """

    ready_message = ""

    async def watch(self) -> None:
        async for changes in watchfiles.awatch(
            *self.paths,
            watch_filter=lambda _, path: not self.ignore(path),
            rust_timeout=200,
            yield_on_timeout=True,
        ):
            if self.ready_message:
                say(self.ready_message)
                self.ready_message = ""
            if not changes:
                continue
            changed = [Path(path).resolve() for _, path in changes]
            await asyncio.to_thread(self.change_callback, changed_paths=changed)
            self.flag.set()


def main(argv: list[str]) -> int:
    try:
        port = port_from_environment()
        parsed = get_parser().parse_args(argv)
    except UsageError as err:
        print(f"serve: error: {err}", file=sys.stderr)
        return 2
    root = Path(parsed.sourcedir).resolve()
    outdir = Path(parsed.outputdir).resolve()
    outdir.mkdir(parents=True, exist_ok=True)
    port = port or find_free_port()
    url = f"{HOST}:{port}"
    builder = Builder(argv, root)
    say("first build")
    status, names = builder.build(report_modules=True)
    warm_up(names)
    say(f"first build {'succeeded' if status == 0 else f'failed (exit {status})'}")
    ignored = IgnoreFilter([*(root / name for name in IGNORED), outdir], [])
    watcher = Watcher([root], ignored, change_callback=builder)
    watcher.ready_message = f"watching for changes; serving on http://{url}/ (Ctrl+C stops)"
    app = Starlette(
        routes=[
            WebSocketRoute("/websocket-reload", watcher, name="reload"),
            Mount("/", app=StaticFiles(directory=outdir, html=True), name="static"),
        ],
        middleware=[Middleware(JavascriptInjectorMiddleware, ws_url=url)],
        lifespan=watcher.lifespan,
    )
    import uvicorn

    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.run(app, host=HOST, port=port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
