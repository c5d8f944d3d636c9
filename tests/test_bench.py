"""`scripts/bench.py --quick` as a smoke test: every timed step succeeds and the table has its shape (no timings)."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

from tests.support import load_script

ROOT = Path(__file__).resolve().parent.parent
STEPS = ("plain", "full", "incremental", "check", "diff")
HEADER = "| N | step | median wall s | wall x (a) | median CPU s | CPU x (a) | peak MB | runs |"


bench = load_script("bench")


def test_quick_run_succeeds_and_prints_the_table(tmp_path: Path) -> None:
    out = tmp_path / "results.csv"
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    lines = done.stdout.splitlines()
    start = lines.index(HEADER)
    rows = [line.split(" | ") for line in lines[start + 2 : start + 2 + len(STEPS)]]
    assert [row[0] for row in rows] == ["| 1,000"] * len(STEPS)
    assert [row[1] for row in rows] == [bench.STEP_LABELS[step] for step in STEPS]
    diff_present = (ROOT / "scripts" / "trace_diff.py").is_file()
    for step, row in zip(STEPS, rows, strict=True):
        if step == "diff" and not diff_present:
            assert row[2:] == ["n/a"] * 5 + ["0 |"]
            continue
        wall, ratio, cpu, cpu_ratio, peak = (float(cell) for cell in row[2:7])
        assert wall > 0 and cpu > 0 and peak > 0 and ratio > 0 and cpu_ratio > 0
        assert row[7] == "1 |"
    assert rows[0][3] == "1.00"  # (a) is the reference

    recorded = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {r["step"] for r in recorded} == set(STEPS) - (set() if diff_present else {"diff"})
    assert all(r["returncode"] == "0" and r["n"] == "1000" for r in recorded)


def test_corpus_is_deterministic_and_in_catalogue_ratios() -> None:
    first, second = bench.generate(2000, seed=3), bench.generate(2000, seed=3)
    assert first == second
    items = [item for page in first.pages.values() for item in page]
    assert len(items) == 2000 == len(first.ids)
    counts = {kind: sum(item.directive == kind for item in items) for kind in ("req", "subreq", "test", "milestone")}
    assert counts == {"req": 507, "subreq": 657, "test": 721, "milestone": 115}
    reqs = [item for item in items if item.directive == "req"]
    share_1a = sum(item.options["priority"] == "1a" for item in reqs) / len(reqs)
    assert 0.18 < share_1a < 0.30  # 57 of 239 in the real catalogue
    assert any(item.options["refines"] for item in reqs)  # nested requirements
    verified = {target for item in items if item.directive == "test" for target in item.options["verifies"].split(", ")}
    p1a_subreqs = [item.id for item in items if item.directive == "subreq" and item.options["priority"] == "1a"]
    assert p1a_subreqs and set(p1a_subreqs) <= verified


def test_edit_priority_flips_one_line(tmp_path: Path) -> None:
    corpus = bench.generate(200, seed=1)
    site = bench.make_site(tmp_path / "site", corpus)
    before = {p: p.read_text(encoding="utf-8") for p in (site / "needs").rglob("*.md")}
    assert bench.edit_priority(site, corpus.edit_target) == "2"
    changed = [p for p, text in before.items() if p.read_text(encoding="utf-8") != text]
    assert len(changed) == 1
    old, new = before[changed[0]].splitlines(), changed[0].read_text(encoding="utf-8").splitlines()
    assert [(a, b) for a, b in zip(old, new, strict=True) if a != b] == [(":priority: 1b", ":priority: 2")]
    assert bench.edit_priority(site, corpus.edit_target) == "1b"
