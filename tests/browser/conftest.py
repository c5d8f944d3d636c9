"""Browser test fixtures: fixture and real sites built into temp dirs, served on localhost, headless Chromium."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.publish_site import REPO

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 15_000

playwright_api = pytest.importorskip("playwright.sync_api")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def serve() -> Iterator[callable]:
    """serve(directory) -> base URL of a localhost server for that directory (stopped at session end)."""
    servers: list[ThreadingHTTPServer] = []

    def start(directory: Path) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def fixture_site(published_site: Path, serve: callable) -> str:
    return serve(published_site / "_build" / "html")


@pytest.fixture(scope="session")
def real_site(tmp_path_factory: pytest.TempPathFactory, serve: callable) -> str:
    """The repository's own site, built from a copy so the working tree's _build is left alone."""
    copy = tmp_path_factory.mktemp("real") / "repo"
    shutil.copytree(
        REPO,
        copy,
        ignore=shutil.ignore_patterns("_build", ".venv", ".git", "__pycache__", "_milestones", ".pytest_cache"),
    )
    out = copy / "_build" / "html"
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(copy), str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert (out / "docs" / "index.html").is_file(), run.stdout + run.stderr
    return serve(out)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make system installs it)")
    with playwright_api.sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A 1280x800 page that records console errors and failed requests in `page.trace_errors`."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    tab.on(
        "console",
        lambda message: (
            errors.append(f"{message.type}: {message.text}") if message.type in ("error", "warning") else None
        ),
    )
    tab.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    tab.on("requestfailed", lambda request: errors.append(f"requestfailed: {request.url}"))
    tab.on(
        "response",
        lambda response: errors.append(f"HTTP {response.status}: {response.url}") if response.status >= 400 else None,
    )
    tab.trace_errors = errors
    yield tab
    context.close()
