"""`make bench`: times plain sphinx-needs, the full build, an incremental rebuild, `make check` and the diff tool."""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# The real catalogue (data/rubin): 239 requirements, 310 verification elements, ~340 test cases, 54 milestones.
CATALOGUE = {"req": 239, "subreq": 310, "test": 340, "milestone": 54}
PRIORITY_WEIGHTS = {"1a": 57, "1b": 120, "2": 56, "3": 6}
NESTED_SHARE = 41 / 239
DESCOPED_SHARE = 5 / 239
OUTCOME_WEIGHTS = {"Passed": 60, "Pass w/Deviation": 10, "Failed": 5, "Not Executed": 10}
REQS_PER_PAGE = 20
TESTS_PER_PAGE = 50
MILESTONES_PER_PAGE = 60
WORDS = (
    "data",
    "image",
    "alert",
    "catalog",
    "calibration",
    "archive",
    "processing",
    "release",
    "pipeline",
    "science",
    "template",
    "photometry",
    "astrometry",
    "provenance",
    "query",
    "service",
    "transfer",
    "exposure",
    "coadd",
    "difference",
    "source",
    "object",
    "metadata",
    "latency",
    "throughput",
    "quality",
)
# Ids that look like needs: a docs page naming one the corpus lacks is replaced by a stub.
NEED_ID = re.compile(r"\b(?:DMS-REQ-\d{4}(?:-V-\d{2})?|LVV-T\d+|LDM-503-\w+)\b")

# VE statuses are sign-off records now (results/signoff), not a field; the draw stays so the seeded corpus is the
# one every earlier benchmark measured.
RETIRED_VE_STATUSES = ("Covered", "Verified", "In Verification")
SITE_CONF = '''"""Benchmark site: the repository's conf.py, run as if it stood here."""
__file__ = {conf!r}
exec(compile(open({repo_conf!r}, encoding="utf-8").read(), {repo_conf!r}, "exec"))
__file__ = {conf!r}
trace_results = ["results/campaign_results.csv"]
trace_results_if_present = []
'''
PLAIN_CONF_EXTRA = """# Plain sphinx-needs: the same needs configuration, without the project's extension.
extensions = [name for name in extensions if name != "dmtrace" and not name.startswith("dmtrace.")]
"""
PLAIN_INDEX = "# Benchmark corpus\n\n```{toctree}\n:glob:\n\n/needs/*/*\n```\n"
GENERATED_INDEX = "# Benchmark corpus\n\n```{toctree}\n:glob:\n\n*\n/needs/*/*\n```\n"


# ---------------------------------------------------------------------------------------------------- corpus


@dataclass
class Item:
    """One generated need, as it will be written in MyST."""

    directive: str
    id: str
    title: str
    options: dict[str, str] = field(default_factory=dict)
    body: str = ""

    def markdown(self) -> str:
        lines = [f"```{{{self.directive}}} {self.title}", f":id: {self.id}"]
        lines += [f":{key}: {value}" for key, value in self.options.items() if value]
        return "\n".join([*lines, "", self.body, "```", ""])


@dataclass
class Corpus:
    """The needs of one synthetic site, grouped into pages, and its campaign results."""

    pages: dict[str, list[Item]]
    results: list[tuple[str, str, str]]
    edit_target: str

    @property
    def ids(self) -> set[str]:
        return {item.id for items in self.pages.values() for item in items}


def type_counts(total: int) -> dict[str, int]:
    scale = total / sum(CATALOGUE.values())
    counts = {name: max(2, round(count * scale)) for name, count in CATALOGUE.items() if name != "test"}
    counts["test"] = total - sum(counts.values())
    return counts


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _title(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 5))).capitalize()


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def generate(total: int, seed: int = 0) -> Corpus:
    """A deterministic corpus of `total` needs in the catalogue's ratios; every active P1a item is traced."""
    rng = random.Random(seed)
    counts = type_counts(total)
    milestones = [Item("milestone", f"LDM-503-{i + 1:02d}", _title(rng)) for i in range(counts["milestone"])]
    for index, ms in enumerate(milestones):
        year, month = 2020 + index * 8 // len(milestones), rng.randint(1, 12)
        ms.options = {
            "due": f"{year}-{month:02d}-{rng.randint(1, 28):02d}",
            "completed": f"{year}-{month:02d}-{rng.randint(1, 28):02d}" if year < 2025 else "",
            "level": str(rng.randint(1, 3)),
            "wbs": f"02C.{rng.randint(1, 9):02d}",
            "after": milestones[index - 1].id if index and rng.random() < 0.6 else "",
        }
        ms.body = _sentence(rng, 12)

    reqs: list[Item] = []
    for index in range(counts["req"]):
        priority = _pick(rng, PRIORITY_WEIGHTS)
        descoped = priority != "1a" and rng.random() < DESCOPED_SHARE
        parent = reqs[rng.randrange(max(0, index - 10), index)].id if index and rng.random() < NESTED_SHARE else ""
        reqs.append(
            Item(
                "req",
                f"DMS-REQ-{index + 1:04d}",
                _title(rng),
                {
                    "priority": priority,
                    "status": "descoped" if descoped else "",
                    "refines": parent,
                    "milestone": rng.choice(milestones).id if rng.random() < 0.3 else "",
                    "section": f"1.{index // 20 + 1}.{index % 20 + 1}",
                    "priority_2019": rng.choice(("1a", "1b", "2", "")),
                    "lcrs": f"Added:LCR-{rng.randint(1000, 4000)}" if rng.random() < 0.2 else "",
                },
                _sentence(rng, 25),
            )
        )

    subs_per_req = [1] * len(reqs)
    for _ in range(counts["subreq"] - len(reqs)):
        subs_per_req[rng.randrange(len(reqs))] += 1
    subreqs: dict[str, list[Item]] = {}
    jira = 1
    for req, count in zip(reqs, subs_per_req, strict=True):
        subreqs[req.id] = []
        for number in range(1, count + 1):
            lowered = number > 1 and rng.random() < 0.3
            priority = _pick(rng, {"2": 3, "3": 1}) if lowered else req.options["priority"]
            subreqs[req.id].append(
                Item(
                    "subreq",
                    f"{req.id}-V-{number:02d}",
                    req.title + f" ({number})",
                    {
                        "priority": priority,
                        "status": req.options["status"],
                        "refines": req.id,
                        "jira": f"LVV-{jira}",
                    },
                    _sentence(rng, 15 + 0 * len(rng.choice(RETIRED_VE_STATUSES))),
                )
            )
            jira += 1

    all_subreqs = [s for group in subreqs.values() for s in group]
    must_verify = [s.id for s in all_subreqs if s.options["priority"] == "1a"]
    tests: list[Item] = []
    for index in range(counts["test"]):
        target = must_verify[index] if index < len(must_verify) else rng.choice(all_subreqs).id
        targets = [target] + ([rng.choice(all_subreqs).id] if rng.random() < 0.1 else [])
        tests.append(
            Item(
                "test",
                f"LVV-T{index + 1}",
                "Verify " + _title(rng).lower(),
                {
                    "verifies": ", ".join(dict.fromkeys(targets)),
                    "method": _pick(rng, {"test": 8, "analysis": 1, "inspection": 1}),
                    "spec": "LDM-639",
                },
                _sentence(rng, 20),
            )
        )
    results = [
        (
            t.id,
            f"{rng.randint(2018, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            _pick(rng, OUTCOME_WEIGHTS),
        )
        for t in tests
        if rng.random() < 0.85
    ]

    pages: dict[str, list[Item]] = {}
    for start in range(0, len(reqs), REQS_PER_PAGE):
        pages[f"needs/reqs/area-{start // REQS_PER_PAGE + 1:03d}.md"] = [
            item for req in reqs[start : start + REQS_PER_PAGE] for item in (req, *subreqs[req.id])
        ]
    for start in range(0, len(tests), TESTS_PER_PAGE):
        pages[f"needs/tests/tests-{start // TESTS_PER_PAGE + 1:03d}.md"] = tests[start : start + TESTS_PER_PAGE]
    for start in range(0, len(milestones), MILESTONES_PER_PAGE):
        pages[f"needs/milestones/milestones-{start // MILESTONES_PER_PAGE + 1:02d}.md"] = milestones[
            start : start + MILESTONES_PER_PAGE
        ]
    edit_target = next(r.id for r in reqs if r.options["priority"] == "1b" and not r.options["status"])
    return Corpus(pages, results, edit_target)


def write_sources(corpus: Corpus, site: Path) -> None:
    for page, items in corpus.pages.items():
        path = site / page
        path.parent.mkdir(parents=True, exist_ok=True)
        title = path.stem.replace("-", " ").capitalize()
        path.write_text(f"# {title}\n\n" + "\n".join(item.markdown() for item in items), encoding="utf-8")
    (site / "results").mkdir(exist_ok=True)
    with (site / "results" / "campaign_results.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("test_case", "last_run", "status", "source"))
        writer.writerows((test_id, when, status, "benchmark campaign") for test_id, when, status in corpus.results)


def _copy_docs(site: Path, known_ids: set[str], with_pages: bool) -> None:
    """The repository's docs/ (theme assets, bibliography and, for the project site, its aggregate pages)."""
    source = ROOT / "docs"
    if source.is_dir():
        shutil.copytree(source, site / "docs", ignore=shutil.ignore_patterns("_build", "__pycache__"))
    (site / "docs").mkdir(exist_ok=True)
    for page in sorted((site / "docs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        if not with_pages:
            page.unlink()
        elif set(NEED_ID.findall(text)) - known_ids:
            # A narrative page about real catalogue ids (the minutes): kept in the toctree, without its content.
            heading = next((line for line in text.splitlines() if line.startswith("# ")), "# Page")
            page.write_text(heading + "\n\nNot part of the benchmark corpus.\n", encoding="utf-8")
    index = site / "docs" / "index.md"
    if not with_pages:
        index.write_text(PLAIN_INDEX, encoding="utf-8")
    elif not index.is_file() or "Not part of the benchmark corpus" in index.read_text(encoding="utf-8"):
        index.write_text(GENERATED_INDEX, encoding="utf-8")


def make_site(site: Path, corpus: Corpus, plain: bool = False) -> Path:
    """A site in `site`: the corpus, the repository's conf.py and docs (project) or only sphinx-needs (plain)."""
    site.mkdir(parents=True, exist_ok=True)
    write_sources(corpus, site)
    _copy_docs(site, corpus.ids, with_pages=not plain)
    conf = SITE_CONF.format(root=str(ROOT), conf=str(site / "conf.py"), repo_conf=str(ROOT / "conf.py"))
    (site / "conf.py").write_text(conf + (PLAIN_CONF_EXTRA if plain else ""), encoding="utf-8")
    return site


def edit_priority(site: Path, need_id: str) -> str:
    """Flips one requirement's priority between 1b and 2 (a one-line edit); returns the new value."""
    for page in sorted((site / "needs").rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        marker = f":id: {need_id}\n"
        if marker not in text:
            continue
        head, tail = text.split(marker, 1)
        old = re.search(r"^:priority: (\S+)$", tail, flags=re.M)
        assert old is not None, need_id
        new = "2" if old[1] == "1b" else "1b"
        page.write_text(head + marker + tail[: old.start()] + f":priority: {new}" + tail[old.end() :], encoding="utf-8")
        return new
    raise KeyError(need_id)


# ---------------------------------------------------------------------------------------------------- timing


@dataclass(frozen=True)
class Run:
    """One timed command: wall time, CPU time and peak resident memory of the process tree, exit status."""

    seconds: float
    cpu_seconds: float
    max_rss_mb: float
    returncode: int


def timed(command: list[str], cwd: Path, log: Path) -> Run:
    """Runs `command`, measuring wall time and (via wait4) the peak RSS of it and the children it waited for."""
    with log.open("w", encoding="utf-8") as out:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, process.returncode)


def sphinx_html(site: Path, jobs: int = 1) -> list[str]:
    """What `make html` runs (the launcher that skips interpreter teardown), for the plain and project sites."""
    return [
        PYTHON,
        str(ROOT / "scripts" / "sphinx_build.py"),
        "-W",
        "--keep-going",
        "-q",
        "-b",
        "html",
        *(["-j", str(jobs)] if jobs > 1 else []),
        ".",
        "_build/html",
    ]


def trace_diff_command(site: Path, base: str, head: str) -> list[str] | None:
    """The diff tool's command for `site`, or None while the repository has no scripts/trace_diff.py."""
    script = ROOT / "scripts" / "trace_diff.py"
    if not script.is_file():
        return None
    return [PYTHON, str(script), base, head]


def _git(site: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost", *args],
        cwd=site,
        check=True,
        capture_output=True,
    )


@dataclass
class Bench:
    """The two sites of one corpus size and the steps timed on them."""

    size: int
    work: Path
    corpus: Corpus = field(init=False)
    plain: Path = field(init=False)
    project: Path = field(init=False)

    def __post_init__(self) -> None:
        self.corpus = generate(self.size, seed=self.size)
        self.plain = make_site(self.work / "plain", self.corpus, plain=True)
        self.project = make_site(self.work / "project", self.corpus)
        _git(self.project, "init", "-q")
        _git(self.project, "add", "-A")
        _git(self.project, "commit", "-q", "-m", "base")

    def steps(self) -> Iterator[tuple[str, Callable[[Path], Run | None]]]:
        yield "plain", lambda log: self._clean_build(self.plain, log)
        yield "full", lambda log: self._clean_build(self.project, log)
        yield "incremental", self._incremental
        yield (
            "check",
            lambda log: timed(
                [PYTHON, str(ROOT / "scripts" / "check.py"), "--root", str(self.project)], self.project, log
            ),
        )
        yield "diff", self._diff

    def _clean_build(self, site: Path, log: Path, jobs: int = 1) -> Run:
        shutil.rmtree(site / "_build", ignore_errors=True)
        return timed(sphinx_html(site, jobs), site, log)

    def _incremental(self, log: Path) -> Run:
        edit_priority(self.project, self.corpus.edit_target)
        return timed(sphinx_html(self.project), self.project, log)

    def _diff(self, log: Path) -> Run | None:
        _git(self.project, "add", "-A", "needs")
        _git(self.project, "commit", "-q", "--allow-empty", "-m", "edit")
        command = trace_diff_command(self.project, "HEAD~1", "HEAD")
        return timed(command, self.project, log) if command else None

    def parallel(self, log: Path) -> Run:
        return self._clean_build(self.project, log, jobs=2)


# ---------------------------------------------------------------------------------------------------- report

TIMED_STEPS = ("plain", "full", "incremental", "check", "diff")
CHECK_REPORT = re.compile(r"\((\d+) needs, ([\d.]+) s\)")
STEP_LABELS = {
    "plain": "(a) plain sphinx-needs HTML",
    "full": "(b) full build (`sphinx -W -b html`)",
    "incremental": "(c) incremental, one priority edited",
    "check": "(d) `make check`",
    "diff": "(e) trace diff HEAD~1 HEAD",
    "parallel": "(b) full build, `-j 2`",
}


@dataclass
class Table:
    """Every run, by corpus size and step."""

    runs: dict[tuple[int, str], list[Run]] = field(default_factory=dict)

    def add(self, size: int, step: str, run: Run | None) -> None:
        self.runs.setdefault((size, step), [])
        if run is not None:
            self.runs[(size, step)].append(run)

    def median(self, size: int, step: str, cpu: bool = False) -> float | None:
        runs = self.runs.get((size, step))
        return statistics.median(r.cpu_seconds if cpu else r.seconds for r in runs) if runs else None

    def targets(self) -> list[str]:
        """The issue's targets, each as measured (wall / CPU medians)."""
        lines = []
        sizes = sorted({size for size, _ in self.runs})

        def ratio(top: tuple[int, str], bottom: tuple[int, str]) -> str:
            cells = []
            for cpu in (False, True):
                a, b = self.median(*top, cpu=cpu), self.median(*bottom, cpu=cpu)
                cells.append(f"{a / b:.2f}" if a is not None and b else "n/a")
            return " / ".join(cells)

        for size in sizes:
            lines.append(
                f"N={size:,}: full/plain {ratio((size, 'full'), (size, 'plain'))} (target <= 1.10, stretch"
                f" 0.6); incremental/full {ratio((size, 'incremental'), (size, 'full'))} (target <= 0.25)"
            )
        if len(sizes) > 1:
            small, large = sizes[0], sizes[-1]
            lines.append(
                f"make check {large:,}/{small:,}: {ratio((large, 'check'), (small, 'check'))}"
                f" for {large / small:.0f}x the needs (linear or better)"
            )
        peak = max(
            (r.max_rss_mb for (_, step), runs in self.runs.items() if step == "full" for r in runs), default=None
        )
        if peak is not None:
            lines.append(f"peak memory of a full build: {peak:.0f} MB (target < 1,500 MB)")
        return ["ratios are wall / CPU medians", *lines]

    def failures(self) -> list[str]:
        return [
            f"N={size} {step}: exit {run.returncode}"
            for (size, step), runs in self.runs.items()
            for run in runs
            if run.returncode != 0
        ]

    def markdown(self) -> str:
        rows = [
            "| N | step | median wall s | wall x (a) | median CPU s | CPU x (a) | peak MB | runs |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for (size, step), runs in self.runs.items():
            cells = [f"{size:,}", STEP_LABELS[step]]
            for cpu in (False, True):
                seconds, plain = self.median(size, step, cpu), self.median(size, "plain", cpu)
                cells += [
                    f"{seconds:.2f}" if seconds is not None else "n/a",
                    f"{seconds / plain:.2f}" if seconds is not None and plain else "n/a",
                ]
            cells += [f"{max(r.max_rss_mb for r in runs):.0f}" if runs else "n/a", str(len(runs))]
            rows.append("| " + " | ".join(cells) + " |")
        return "\n".join(rows)

    def write_csv(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(("n", "step", "repeat", "seconds", "cpu_seconds", "max_rss_mb", "returncode"))
            for (size, step), runs in self.runs.items():
                for number, run in enumerate(runs, 1):
                    writer.writerow(
                        (
                            size,
                            step,
                            number,
                            f"{run.seconds:.3f}",
                            f"{run.cpu_seconds:.3f}",
                            f"{run.max_rss_mb:.1f}",
                            run.returncode,
                        )
                    )


def _show_log(log: Path, lines: int = 30) -> None:
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    print("\n".join(f"    | {line}" for line in tail), file=sys.stderr, flush=True)


def _record(table: Table, size: int, step: str, repeat: int, run: Run | None, work: Path) -> None:
    table.add(size, step, run)
    shown = (
        "n/a"
        if run is None
        else (f"{run.seconds:.2f} s ({run.cpu_seconds:.2f} s CPU), {run.max_rss_mb:.0f} MB, exit {run.returncode}")
    )
    log = work / f"{step}-{repeat}.log"
    reported = CHECK_REPORT.search(log.read_text(encoding="utf-8")) if step == "check" and log.is_file() else None
    if reported:
        shown += f"; in-process {reported[2]} s for {reported[1]} needs"
    print(f"  {step:<12} #{repeat + 1}: {shown}", flush=True)
    if run is not None and run.returncode:
        _show_log(log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smallest size only, one repeat (smoke test)")
    parser.add_argument("--sizes", default="1000,5000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step per size (medians reported)")
    parser.add_argument(
        "--steps", default=",".join(TIMED_STEPS), help="comma-separated steps to time (incremental needs full)"
    )
    parser.add_argument("--parallel-at", type=int, default=5000, help="also time one `-j 2` build at this size")
    parser.add_argument("--out", type=Path, default=ROOT / "_build" / "bench" / "results.csv", help="results CSV")
    parser.add_argument("--keep", action="store_true", help="keep the generated sites (path printed)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    steps = {s.strip() for s in args.steps.split(",") if s.strip()}
    if steps - set(TIMED_STEPS) or ("incremental" in steps and "full" not in steps):
        parser.error(f"--steps: choose among {', '.join(TIMED_STEPS)}; incremental needs full")
    if args.quick:
        sizes, args.repeat = sizes[:1], 1

    work = Path(tempfile.mkdtemp(prefix="trace-bench-"))
    table = Table()
    try:
        for size in sizes:
            bench = Bench(size, work / str(size))
            print(f"N={size:,}: {bench.corpus.pages.__len__()} pages in {bench.work}", flush=True)
            for repeat in range(args.repeat):
                for step, action in bench.steps():
                    if step in steps:
                        _record(table, size, step, repeat, action(bench.work / f"{step}-{repeat}.log"), bench.work)
            if size == args.parallel_at and not args.quick and "full" in steps:
                _record(table, size, "parallel", 0, bench.parallel(bench.work / "parallel-0.log"), bench.work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    table.write_csv(args.out)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nPython {sys.version.split()[0]}, {os.cpu_count()} cores, load average now {load}; results: {args.out}\n")
    print(table.markdown())
    print("\n" + "\n".join(f"- {line}" for line in table.targets()))
    for failure in table.failures():
        print(f"FAILED: {failure}", file=sys.stderr)
    return 1 if table.failures() else 0


if __name__ == "__main__":
    sys.exit(main())
