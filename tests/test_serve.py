"""`make serve` on a small site: the served page follows an edit of a requirement's title, and an edit that
breaks a rule prints the violation in the terminal. The server's process group is ended whatever happens."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import Site
from tests.support import ONE_VERIFIED_NEED as NEEDS
from tests.support import PYTHON, REPO, load_script

serving = load_script("bench_serve")  # its fetch and stop: the bench and the test talk to the server alike
fetch = serving.fetch
DEADLINE = 120  # seconds; generous for a loaded machine, never a timing assertion


def until(condition: Callable[[], object], what: str, log: Path) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"not within {DEADLINE} s: {what}; server output:\n{log.read_text(errors='replace')}")


@pytest.fixture
def served(site: Site, tmp_path: Path) -> Iterator[tuple[Site, str, Path]]:
    site.write("needs/needs.md", NEEDS)
    for name in ("scripts", "requirements.lock"):
        (site.root / name).symlink_to(REPO / name)
    venv = Path(PYTHON).parent.parent
    command = ["make", "--no-print-directory", "-f", str(REPO / "Makefile"), "-o", f"{venv}/.installed"]
    command += ["serve", f"VENV={venv}", "PORT=0"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_")} | {"NO_COLOR": "1"}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            command, cwd=site.root, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        found: list[str] = []

        def ready() -> bool:
            found[:] = re.findall(r"serving on (http://\S+/)", log.read_text(errors="replace"))
            return bool(found)

        until(ready, "the server watches and serves", log)
        yield site, found[0], log
    finally:
        serving.stop(server)


def test_the_served_page_follows_edits_and_violations_are_printed(served: tuple[Site, str, Path]) -> None:
    site, url, log = served
    page = url + "needs/needs.html"
    until(lambda: "Alert latency" in fetch(page), "the first build is served", log)

    site.write("needs/needs.md", NEEDS.replace("Alert latency", "Alert publication latency"))
    until(lambda: "Alert publication latency" in fetch(page), "the page shows the new title", log)

    site.write("needs/needs.md", NEEDS.replace(":verifies: DMS-REQ-0001", ":verifies: DMS-REQ-0404"))
    violation = re.compile(r"needs/needs\.md:\d+: error: LVV-T1: .*DMS-REQ-0404.*\[trace\.dangling-link\]")
    until(lambda: violation.search(log.read_text(errors="replace")), "the violation is printed", log)
    until(lambda: "serve: build failed" in log.read_text(errors="replace"), "the failed build is reported", log)
    assert fetch(url), "the server still serves after a failed build"
