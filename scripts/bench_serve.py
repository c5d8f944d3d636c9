#!/usr/bin/env python3
"""Save-to-page time of `make serve` on the real catalogue (docs/performance.md, "Live preview").

Clones this repository (its committed state, with its history) into a temporary folder, starts
`make serve PORT=0` there with this checkout's virtualenv, waits for the first build, then, RUNS times: rewrites
one requirement's title in its Markdown file and polls the served page (every 20 ms) until it shows the new
title. The time from the file's write to the first response that holds the new title is one measure; the median
is reported. The server's process group is ended at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "needs/requirements/section-1-1.md"
PAGE = "needs/requirements/section-1-1.html"
TITLE = "Data Availability"


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def wait_for(predicate: object, deadline: float, step: float = 0.02) -> bool:
    assert callable(predicate)
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def start(site: Path, log: Path) -> subprocess.Popen[bytes]:
    venv = Path(sys.executable).parent.parent
    command = ["make", "--no-print-directory", "-o", f"{venv}/.installed", "serve", f"VENV={venv}", "PORT=0"]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=site, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(server: subprocess.Popen[bytes]) -> None:
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def measure(site: Path, log: Path, runs: int) -> list[float]:
    server = start(site, log)
    try:
        found: list[str] = []

        def served() -> bool:
            found[:] = re.findall(r"serving on (http://\S+/)", log.read_text(errors="replace"))
            return bool(found)

        if not wait_for(served, time.monotonic() + 300, 0.2):
            raise SystemExit(f"bench_serve: the server did not start; its output:\n{log.read_text()}")
        url = found[0] + PAGE
        if not wait_for(lambda: bool(fetch(url)), time.monotonic() + 60, 0.1):
            raise SystemExit(f"bench_serve: {url} does not answer")
        source = site / SOURCE
        original = source.read_text(encoding="utf-8")
        times = []
        for run in range(1, runs + 1):
            title = f"{TITLE} (edit {run})"
            edited = original.replace(f"```{{req}} {TITLE}\n", f"```{{req}} {title}\n", 1)
            assert edited != original, f"{SOURCE} has no requirement titled {TITLE!r}"
            builds = log.read_text(errors="replace").count("serve: build ")
            source.write_text(edited, encoding="utf-8")
            written = time.perf_counter()
            if not wait_for(lambda t=title: t in fetch(url), time.monotonic() + 120):
                raise SystemExit(f"bench_serve: the page never showed {title!r}; server output:\n{log.read_text()}")
            times.append(time.perf_counter() - written)
            print(f"run {run}: {times[-1]:.2f} s", flush=True)
            # The next edit waits for this build's last line, and a moment for the watcher to settle.
            wait_for(lambda n=builds: log.read_text(errors="replace").count("serve: build ") > n, time.monotonic() + 60)
            time.sleep(1.0)
        return times
    finally:
        stop(server)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="edits timed (median reported)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy (path printed)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="trace-bench-serve-"))
    try:
        site = work / "site"
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(site)], check=True)
        times = measure(site, work / "serve.log", args.runs)
        print(
            f"save to refreshed page, {len(times)} edits of a requirement title in {SOURCE}: "
            f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f})"
        )
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
