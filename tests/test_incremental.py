"""An incremental `make html` publishes exactly what a clean build of the same sources publishes."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import load_script

ROOT = Path(__file__).resolve().parent.parent
SIZE = 300


bench = load_script("bench")


def build(site: Path, outdir: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-b", "html", ".", outdir], cwd=site, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def needs_export(outdir: Path) -> dict:
    data = json.loads((outdir / "needs.json").read_text(encoding="utf-8"))
    data.pop("created", None)
    for version in data["versions"].values():
        version.pop("created", None)
    return data


def pages(outdir: Path) -> dict[str, str]:
    return {
        path.relative_to(outdir).as_posix(): path.read_text(encoding="utf-8") for path in sorted(outdir.rglob("*.html"))
    }


def assert_same_as_clean(site: Path, label: str) -> None:
    """Builds the edited sources from scratch into another output folder and compares both publications."""
    incremental, clean = site / "_build" / "html", site / "_build" / f"clean-{label}"
    build(site, str(clean.relative_to(site)))
    assert needs_export(incremental) == needs_export(clean), f"{label}: needs.json differs"
    got, want = pages(incremental), pages(clean)
    assert got.keys() == want.keys()
    stale = [name for name in want if got[name] != want[name]]
    assert not stale, f"{label}: pages differ from a clean build: {stale}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = bench.generate(SIZE, seed=7)
    path = bench.make_site(tmp_path_factory.mktemp("incremental") / "site", corpus)
    build(path, "_build/html")
    path.joinpath(".edit_target").write_text(corpus.edit_target, encoding="utf-8")
    return path


def test_priority_edit(site: Path) -> None:
    target = site.joinpath(".edit_target").read_text(encoding="utf-8")
    bench.edit_priority(site, target)
    log = build(site, "_build/html")
    assert "1 changed" in log  # a real incremental build: one page re-read
    assert_same_as_clean(site, "priority")


def test_relinked_test_case(site: Path) -> None:
    """Moving a test case to another requirement changes 'verified by' and statuses on other pages."""
    page = sorted((site / "needs" / "tests").glob("*.md"))[0]
    text = page.read_text(encoding="utf-8")
    first = re.search(r"^:verifies: (\S+)$", text, flags=re.M)
    assert first is not None
    page.write_text(text.replace(first[0], ":verifies: DMS-REQ-0001-V-01", 1), encoding="utf-8")
    build(site, "_build/html")
    assert_same_as_clean(site, "relink")


def test_result_removed(site: Path) -> None:
    """A results file is no page: dropping a result must still reach the test case and what it verifies."""
    results = site / "results" / "campaign_results.csv"
    lines = results.read_text(encoding="utf-8").splitlines(keepends=True)
    results.write_text("".join(lines[:1] + lines[2:]), encoding="utf-8")
    build(site, "_build/html")
    assert_same_as_clean(site, "result")
