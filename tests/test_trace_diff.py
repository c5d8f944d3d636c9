"""scripts/trace_diff.py on a temporary git repository holding two commits of a small fixture site."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support import git

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "trace_diff.py"


def need(directive: str, title: str, *options: str, body: str = "") -> str:
    lines = [f"```{{{directive}}} {title}", *options]
    if body:
        lines += ["", body]
    return "\n".join([*lines, "```", ""])


BASE_REQS = "\n".join(
    [
        "# Requirements",
        "",
        need("req", "Provenance", ":id: DMS-REQ-0066", ":priority: 1a", body="The DMS shall record provenance."),
        need("req", "Alert latency", ":id: DMS-REQ-0398", ":priority: 1a"),
        need("req", "Selection of Datasets", ":id: DMS-REQ-0293", ":priority: 1a"),
        need("req", "Archive metadata", ":id: DMS-REQ-0100", ":priority: 2"),
    ]
)
HEAD_REQS = "\n".join(
    [
        "# Requirements",
        "",
        need(
            "req",
            "Provenance",
            ":id: DMS-REQ-0066",
            ":priority: 1a",
            body="The DMS shall record provenance and provide services to re-create data products.",
        ),
        need(
            "subreq",
            "Record information to support re-creation",
            ":id: DMS-REQ-0066-V-01",
            ":priority: 1a",
            ":refines: DMS-REQ-0066",
        ),
        need(
            "subreq",
            "Provide services for re-creation",
            ":id: DMS-REQ-0066-V-02",
            ":priority: 2",
            ":refines: DMS-REQ-0066",
        ),
        need("req", "Alert latency", ":id: DMS-REQ-0398", ":priority: 1b"),
        need("req", "Selection of Datasets", ":id: DMS-REQ-0293", ":priority: 1a"),
        need("req", "Archive metadata", ":id: DMS-REQ-0100", ":priority: 2"),
    ]
)
BASE_TESTS = "\n".join(
    [
        "# Test cases",
        "",
        need("test", "Provenance records", ":id: LVV-T20", ":verifies: DMS-REQ-0066"),
        need("test", "Alert timing", ":id: LVV-T30", ":verifies: DMS-REQ-0398"),
        need("test", "Dataset selection", ":id: LVV-T11", ":verifies: DMS-REQ-0293"),
        need("test", "Dataset selection by query", ":id: LVV-T12", ":verifies: DMS-REQ-0293"),
        need("test", "Metadata archive", ":id: LVV-T40", ":verifies: DMS-REQ-0100"),
    ]
)
HEAD_TESTS = "\n".join(
    [
        "# Test cases",
        "",
        need("test", "Provenance records", ":id: LVV-T20", ":verifies: DMS-REQ-0066-V-01"),
        need("test", "Dataset selection", ":id: LVV-T11", ":verifies: DMS-REQ-0293"),
        need("test", "Metadata archive", ":id: LVV-T40", ":verifies: DMS-REQ-0100"),
    ]
)
CSV_HEADER = "test_case,last_run,status,source\n"
BASE_RESULTS = CSV_HEADER + "".join(
    f"{t},2026-01-05,Passed,campaign\n" for t in ("LVV-T20", "LVV-T30", "LVV-T11", "LVV-T12", "LVV-T40")
)
HEAD_RESULTS = (
    CSV_HEADER
    + "".join(f"{t},2026-01-05,Passed,campaign\n" for t in ("LVV-T20", "LVV-T11"))
    + "LVV-T40,2026-11-19,Failed,campaign\n"
)
CONF = 'trace_results = ["results/campaign_results.csv"]\n'
COVERAGE_NOTE = (
    "Requirements of the DM catalogue only (`req` needs whose id matches `trace_signoff_scope`, by default "
    "`^DMS-REQ-`; not their verification elements), counted as `make report` counts them. Active ones: traced and "
    "verified by the tool's own measure, evidence from their test cases' last runs, sign-off from the snapshot in "
    "force; descoped ones in their own column. Definitions: `docs/traceability/definitions.md`."
)
COVERAGE_HEADER = (
    "| Priority | Active requirements | Traced | Verified | Untraced | Evidence: Fully Verified "
    "| Evidence: With Failures | Sign-off: Fully Verified | Descoped |"
)


def write_site(repo: Path, reqs: str, tests: str, results: str) -> None:
    for name, text in {
        "conf.py": CONF,
        "docs/index.md": "# Index\n",
        "needs/dms/reqs.md": reqs,
        "needs/dms/tests.md": tests,
        "results/campaign_results.csv": results,
    }.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "--quiet", "--initial-branch=main")
    write_site(tmp_path, BASE_REQS, BASE_TESTS, BASE_RESULTS)
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "--quiet", "-m", "Base catalogue")
    git(tmp_path, "switch", "--quiet", "-c", "split-0066")
    write_site(tmp_path, HEAD_REQS, HEAD_TESTS, HEAD_RESULTS)
    git(tmp_path, "commit", "--quiet", "-am", "Split DMS-REQ-0066, drop DMS-REQ-0398 to 1b")
    return tmp_path


def run_diff(repo: Path, *args: str, github: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    if github:
        env["GITHUB_ACTIONS"] = "true"
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--root", str(repo), *args], capture_output=True, text=True, env=env, check=False
    )


def short(repo: Path, revision: str) -> str:
    return git(repo, "rev-parse", revision)[:10]


def test_report_lists_split_reprioritisation_and_removed_test(repo: Path) -> None:
    done = run_diff(repo, "main", "split-0066")
    expected = textwrap.dedent(f"""\
        ## Traceability: `main` ({short(repo, "main")}) → `split-0066` ({short(repo, "split-0066")})

        **Rules pass at head** (base had 0 violations).

        9 → 9 needs: 3 became untraced or unverified, 2 added, 2 removed, 1 re-prioritised, 3 re-linked, 1 text changed.

        ### Became untraced or unverified (3)

        - **DMS-REQ-0398** (P1b) Alert latency: traced directly, verified → **untraced** `needs/dms/reqs.md:22`
        - **DMS-REQ-0066-V-02** (P2) Provide services for re-creation: new → **untraced** `needs/dms/reqs.md:16`
        - **DMS-REQ-0100** (P2) Archive metadata: traced directly, verified → **traced directly, failing** \
`needs/dms/reqs.md:32`

        ### Added (2)

        - **DMS-REQ-0066-V-01** (subreq, P1a) Record information to support re-creation `needs/dms/reqs.md:10`
        - **DMS-REQ-0066-V-02** (subreq, P2) Provide services for re-creation `needs/dms/reqs.md:16`

        ### Removed (2)

        - **LVV-T12** (test) Dataset selection by query (was `needs/dms/tests.md:18`)
        - **LVV-T30** (test) Alert timing (was `needs/dms/tests.md:8`)

        ### Re-prioritised (1)

        - **DMS-REQ-0398** Alert latency: 1a → **1b** `needs/dms/reqs.md:22`

        ### Re-linked (3)

        - **DMS-REQ-0066**: tests lost LVV-T20; children gained DMS-REQ-0066-V-01, DMS-REQ-0066-V-02
        - **DMS-REQ-0293**: tests lost LVV-T12
        - **DMS-REQ-0398**: tests lost LVV-T30

        ### Text changed (1)

        - **DMS-REQ-0066**: body: … DMS shall record ~~provenance.~~ **provenance and provide services to \
re-create data products.**

        ### Coverage per priority (DM requirements, base → head)

        {COVERAGE_NOTE}

        {COVERAGE_HEADER}
        | --- | --- | --- | --- | --- | --- | --- | --- | --- |
        | 1a | 3 → 2 | 3 → 2 | 3 → 2 | 0 | 3 → 2 | 0 | 0 | 0 |
        | 1b | 0 → 1 | 0 | 0 | 0 → 1 | 0 | 0 | 0 | 0 |
        | 2 | 1 | 1 | 1 → 0 | 0 | 1 → 0 | 0 → 1 | 0 | 0 |
        | 3 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |
        | Total | 4 | 4 → 3 | 4 → 2 | 0 → 1 | 4 → 2 | 0 → 1 | 0 | 0 |
        """)
    # The table counts DM requirements (`req`), as make report does, no longer their verification elements: P1a
    # goes 3 → 2 as DMS-REQ-0398 moves to 1b (the new DMS-REQ-0066-V-01 is no requirement), P2 stays 1 (the
    # untraced DMS-REQ-0066-V-02 is a VE; its requirement is traced at P1a through V-01). The evidence columns follow
    # the last runs (LVV-T40 failed on head), and nothing is signed off: the fixture has no sign-off snapshot.
    assert done.stdout == expected
    assert (done.returncode, done.stderr) == (0, "")


def untrace_0293(repo: Path) -> None:
    """Removes the last test of a P1a requirement from the working tree (its campaign record stays)."""
    tests = repo / "needs/dms/tests.md"
    tests.write_text(
        tests.read_text().replace(need("test", "Dataset selection", ":id: LVV-T11", ":verifies: DMS-REQ-0293"), "")
    )


UNTRACED = "DMS-REQ-0293: DMS-REQ-0293 (priority 1a) has no verifying test and no P1a children [trace.untraced]"
UNKNOWN = "LVV-T11: results name test case LVV-T11, which does not exist [trace.results-unknown-id]"


def test_working_tree_that_breaks_a_rule_fails_and_lists_the_violations_first(repo: Path) -> None:
    untrace_0293(repo)
    done = run_diff(repo, "split-0066", "WORKTREE")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"needs/dms/reqs.md:27: error: {UNTRACED}",
        f"results/campaign_results.csv:3: error: {UNKNOWN}",
    ]
    head = done.stdout.split("\n### Removed")[0]
    assert head == textwrap.dedent(f"""\
        ## Traceability: `split-0066` ({short(repo, "split-0066")}) → working tree

        **Rules fail at head: 2 violations** (2 new; base had 0).

        9 → 8 needs: 1 became untraced or unverified, 1 removed, 1 re-linked.

        Violations at head:

        - `needs/dms/reqs.md:27` DMS-REQ-0293: DMS-REQ-0293 (priority 1a) has no verifying test and no P1a \
children `[trace.untraced]` (new)
        - `results/campaign_results.csv:3` LVV-T11: results name test case LVV-T11, which does not exist \
`[trace.results-unknown-id]` (new)

        ### Became untraced or unverified (1)

        - **DMS-REQ-0293** (P1a) Selection of Datasets: traced directly, verified → **untraced** \
`needs/dms/reqs.md:27`
        """)


def test_violations_are_github_annotations_under_actions(repo: Path) -> None:
    untrace_0293(repo)
    done = run_diff(repo, "split-0066", github=True)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"::error file=needs/dms/reqs.md,line=27,title=trace.untraced::{UNTRACED}",
        f"::error file=results/campaign_results.csv,line=3,title=trace.results-unknown-id::{UNKNOWN}",
    ]


def test_only_new_violations_are_annotated_on_request(repo: Path) -> None:
    untrace_0293(repo)
    git(repo, "commit", "--quiet", "-am", "Drop LVV-T11")
    (repo / "needs/dms/reqs.md").write_text(
        HEAD_REQS.replace(":id: DMS-REQ-0100\n:priority: 2", ":id: DMS-REQ-0100\n:priority: 7")
    )
    done = run_diff(repo, "HEAD", "--violations", "new")
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "needs/dms/reqs.md:32: error: DMS-REQ-0100: priority '7' is not one of 1a, 1b, 2, 3 [trace.field-value]"
    ]
    assert "**Rules fail at head: 3 violations** (1 new; base had 2)." in done.stdout
    assert run_diff(repo, "HEAD", "--violations", "none").stderr == ""


def test_output_file_gets_the_report_and_stdout_stays_empty(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    target = tmp_path_factory.mktemp("out") / "summary.md"
    done = run_diff(repo, "main", "split-0066", "--output", str(target))
    assert done.returncode == 0
    assert done.stdout == ""
    assert target.read_text(encoding="utf-8") == run_diff(repo, "main", "split-0066").stdout
    assert done.stderr == f"traceability: all rules pass at head; report written to {target}\n"


def test_identical_revisions_report_no_change(repo: Path) -> None:
    done = run_diff(repo, "split-0066", "WORKTREE")
    assert done.returncode == 0
    assert "9 → 9 needs: no need changed." in done.stdout
    assert "\n### " + "Added" not in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-branch", "main"], "unknown revision 'no-such-branch'"),
        (["main", "HEAD~5"], "unknown revision 'HEAD~5'"),
        (["WORKTREE", "main"], "the base must be a revision; WORKTREE is only allowed as head"),
    ],
)
def test_bad_revision_is_one_clear_message_and_status_2(repo: Path, args: list[str], message: str) -> None:
    done = run_diff(repo, *args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(f"trace_diff: error: {message}")


def test_outside_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    write_site(tmp_path, BASE_REQS, BASE_TESTS, BASE_RESULTS)
    done = run_diff(tmp_path, "main")
    assert (done.returncode, done.stderr) == (2, f"trace_diff: error: {tmp_path} is not a git repository\n")


def test_a_revision_conf_py_is_read_as_literals_not_executed(repo: Path) -> None:
    """Settings at a revision come from conf.py's literals: code in an old conf.py never runs."""
    (repo / "conf.py").write_text('import no_such_module\ntrace_results = ["results/other.csv"]\n')
    (repo / "results/other.csv").write_text(CSV_HEADER + "LVV-T99,2026-01-05,Passed,campaign\n")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "Other results file")
    done = run_diff(repo, "split-0066", "HEAD")
    assert done.returncode == 1
    assert done.stderr == (
        "results/other.csv:2: error: LVV-T99: results name test case LVV-T99, which does not "
        "exist [trace.results-unknown-id]\n"
    )


def test_base_is_where_the_branch_left_it_like_a_pull_request(repo: Path) -> None:
    """A requirement added on main after the branch was cut is not reported as removed by the branch."""
    git(repo, "switch", "--quiet", "main")
    (repo / "needs/dms/later.md").write_text(need("req", "Later", ":id: DMS-REQ-0500", ":priority: 3"))
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "Later requirement on main")
    git(repo, "switch", "--quiet", "split-0066")
    fork = git(repo, "merge-base", "main", "split-0066")[:10]

    done = run_diff(repo, "main", "split-0066")
    assert done.stdout.startswith(f"## Traceability: `main` at the merge base ({fork}) → `split-0066` (")
    assert "DMS-REQ-0500" not in done.stdout
    tips = run_diff(repo, "main", "split-0066", "--no-merge-base")
    assert tips.stdout.startswith(f"## Traceability: `main` ({short(repo, 'main')}) → `split-0066` (")
    assert "- **DMS-REQ-0500** (req, P3) Later (was `needs/dms/later.md:1`)" in tips.stdout


@pytest.mark.parametrize("escape", ["absolute", "../escaped.csv", "results/../../escaped.csv"])
def test_a_revision_conf_py_cannot_make_the_diff_write_outside_its_tree(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, escape: str
) -> None:
    """A results path from a revision's conf.py is refused when it leaves that revision's tree: nothing is written."""
    outside = tmp_path_factory.mktemp("outside") / "escaped.csv"
    name = str(outside) if escape == "absolute" else escape
    (repo / "conf.py").write_text(f"trace_results = [{name!r}]\n")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "Results outside the tree")
    done = run_diff(repo, "HEAD", "HEAD")
    assert done.returncode == 2
    assert done.stderr == (
        f"trace_diff: error: conf.py at {short(repo, 'HEAD')}: trace_results entry {name!r} is not a relative "
        "path inside the repository; a revision's settings are read only inside its own tree\n"
    )
    assert not outside.exists()
    assert not (repo.parent / "escaped.csv").exists()


def test_an_annotated_assignment_in_conf_py_is_read_like_a_plain_one(repo: Path) -> None:
    """`trace_results: list[str] = [...]` is a setting too, for the diff as for make check (one reader)."""
    (repo / "conf.py").write_text('trace_results: list[str] = ["results/other.csv"]\n')
    (repo / "results/other.csv").write_text(CSV_HEADER + "LVV-T99,2026-01-05,Passed,campaign\n")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "Annotated setting")
    done = run_diff(repo, "split-0066", "HEAD")
    assert done.returncode == 1
    assert "results/other.csv:2: error: LVV-T99: results name test case LVV-T99" in done.stderr


def test_a_file_name_with_a_newline_does_not_derail_the_revision_reader(repo: Path) -> None:
    """Blobs are read by id, so the files after a name holding a newline are read whole; that file itself is no
    document for Sphinx (its glob patterns do not match a newline), so it is no source for the diff either."""
    (repo / "needs/dms/odd\nname.md").write_text("```{req} Odd file\n:id: DMS-REQ-0777\n:priority: 3\n```\n")
    (repo / "needs/dms/zz.md").write_text("```{req} After it\n:id: DMS-REQ-0779\n:priority: 3\n```\n")
    (repo / "needs/_private").mkdir()
    (repo / "needs/_private/under.md").write_text("```{req} Underscored\n:id: DMS-REQ-0778\n:priority: 3\n```\n")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "Odd names")
    done = run_diff(repo, "HEAD~1", "HEAD")
    added = done.stdout.split("### Added (2)", 1)[1].split("###", 1)[0]
    assert "DMS-REQ-0778" in added and "DMS-REQ-0779" in added, done.stdout + done.stderr
    assert "DMS-REQ-0777" not in done.stdout


def test_coverage_counts_dm_requirements_by_evidence_and_signoff(repo: Path) -> None:
    """The coverage table counts what `make report` counts: sign-off from the snapshot in force (both VEs of
    DMS-REQ-0066 Verified: the requirement is Fully Verified), descoped requirements in their own column only, and
    the project's own TRACE-REQ items (outside the DM catalogue) not at all."""
    (repo / "results/signoff").mkdir()
    (repo / "results/signoff/2026-11-01.csv").write_text(
        "ve_id,status\nDMS-REQ-0066-V-01,Verified\nDMS-REQ-0066-V-02,Verified\n", encoding="utf-8"
    )
    reqs = HEAD_REQS.replace(":id: DMS-REQ-0100\n:priority: 2", ":id: DMS-REQ-0100\n:priority: 2\n:status: descoped")
    (repo / "needs/dms/reqs.md").write_text(reqs + need("req", "Own", ":id: TRACE-REQ-001", ":priority: 3"))
    (repo / "conf.py").write_text(CONF + 'trace_id_patterns = {"req": [r"^DMS-REQ-\\d{4}$", r"^TRACE-REQ-\\d{3}$"]}\n')
    done = run_diff(repo, "split-0066", "WORKTREE")
    table = done.stdout.split(COVERAGE_HEADER + "\n")[1].splitlines()[1:]
    assert table == [
        "| 1a | 2 | 2 | 2 | 0 | 2 | 0 | 0 → 1 | 0 |",
        "| 1b | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 |",
        "| 2 | 1 → 0 | 1 → 0 | 0 | 0 | 0 | 1 → 0 | 0 | 0 → 1 |",
        "| 3 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "| Total | 4 → 3 | 3 → 2 | 2 | 1 | 2 | 1 → 0 | 0 → 1 | 0 → 1 |",
    ], done.stdout + done.stderr
