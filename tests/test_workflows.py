"""The CI workflow and the pre-commit configuration: schema-valid, and they run what the project promises.

Workflow files are validated against SchemaStore's GitHub workflow schema (tests/data, Apache-2.0, as vendored
by check-jsonschema 0.39) with jsonschema_rs: keys, trigger and permission names, job and step shapes. A schema
cannot see whether `needs:` names a job or `steps.X` names a step, nor what the `run:` lines do: the structural
tests below check those for this project's workflow.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from tests.support import GIT_ENV

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
SCHEMA = ROOT / "tests" / "data" / "github-workflow.schema.json"
CI = ROOT / ".github" / "workflows" / "ci.yml"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)


class WorkflowLoader(yaml.SafeLoader):
    """YAML as GitHub reads it (1.2 core booleans): `on:` is a key, not the boolean true of YAML 1.1."""


WorkflowLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
WorkflowLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=WorkflowLoader)


@pytest.fixture(scope="module")
def validator() -> jsonschema_rs.Validator:
    return jsonschema_rs.validator_for(json.loads(SCHEMA.read_text(encoding="utf-8")))


def errors(validator: jsonschema_rs.Validator, document: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message[:200]}" for e in validator.iter_errors(document)]


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    return job.get("steps", [])


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield str(key)
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)


def test_there_is_a_workflow() -> None:
    assert CI in WORKFLOWS


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_github_workflow_schema(path: Path, validator: jsonschema_rs.Validator) -> None:
    assert errors(validator, load(path)) == []


def test_schema_rejects_what_github_rejects(validator: jsonschema_rs.Validator) -> None:
    """The validator is not vacuous: a misspelt key, a bad permission, a step with both uses and run fail."""
    workflow = load(CI)
    assert errors(validator, workflow) == []
    job = workflow["jobs"]["checks"]
    for broken_job in (
        {**job, "runs_on": job["runs-on"]},
        {**job, "permissions": {"pages": "admin"}},
        {**job, "steps": [{"uses": "actions/checkout@v4", "run": "make check"}]},
    ):
        assert errors(validator, {**workflow, "jobs": {"checks": broken_job}}), broken_job
    assert errors(validator, {**workflow, "on": {"pull_requests": None}})


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_references_resolve_and_actions_are_pinned(path: Path) -> None:
    workflow = load(path)
    jobs = workflow["jobs"]
    for name, job in jobs.items():
        needed = job.get("needs", [])
        for other in [needed] if isinstance(needed, str) else needed:
            assert other in jobs, f"{name} needs unknown job {other}"
        step_ids = {step["id"] for step in steps(job) if "id" in step}
        for text in strings(job):
            assert text.count("${{") == text.count("}}"), f"{name}: unbalanced expression in {text!r}"
            for expression in EXPRESSION.findall(text):
                for step_id in re.findall(r"\bsteps\.([\w-]+)", expression):
                    assert step_id in step_ids, f"{name}: {expression} names no step"
        for step in steps(job):
            if "uses" in step:
                assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+", step["uses"]), step["uses"]


def _step(job: dict[str, Any], pattern: str) -> dict[str, Any]:
    found = [s for s in steps(job) if any(re.search(pattern, s.get(key, "")) for key in ("run", "uses"))]
    assert len(found) == 1, f"expected one step matching {pattern!r}, found {len(found)}"
    return found[0]


def test_pull_requests_run_check_test_and_the_diff_into_the_job_summary() -> None:
    workflow = load(CI)
    assert "pull_request" in workflow["on"]
    job = workflow["jobs"]["checks"]
    assert "pull_request" in job["if"]
    assert re.fullmatch(r"python:3\.13(-[\w.]+)?", job["container"]), "Python 3.13"
    assert _step(job, r"actions/checkout@")["with"]["fetch-depth"] == 0
    assert re.search(r"apt-get install .*\bchromium\b.*\bgraphviz\b", _step(job, r"apt-get install")["run"])
    order = [_step(job, pattern) for pattern in (r"^make check$", r"^make test$", r"make -s diff")]
    assert [steps(job).index(s) for s in order] == sorted(steps(job).index(s) for s in order)
    diff = order[2]
    assert diff["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert 'BASE="origin/$BASE_REF" HEAD=HEAD' in diff["run"]
    assert "--output $GITHUB_STEP_SUMMARY" in diff["run"]
    for later in order[1:]:
        assert later["if"] in ("${{ !cancelled() }}", "${{ always() }}"), "runs even when make check failed"


def test_main_builds_the_site_and_deploys_it_to_pages() -> None:
    workflow = load(CI)
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    build, deploy = workflow["jobs"]["build-site"], workflow["jobs"]["deploy"]
    assert _step(build, r"actions/checkout@")["with"]["fetch-depth"] == 0, "the change log reads the history"
    make_html = _step(build, r"^make html$")
    upload = _step(build, r"actions/upload-pages-artifact@")
    assert steps(build).index(make_html) < steps(build).index(upload)
    assert upload["with"]["path"] == "_build/html"
    assert deploy["needs"] == "build-site"
    assert "refs/heads/main" in deploy["if"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert _step(deploy, r"actions/deploy-pages@")["id"] == "deployment"


REQ = "```{req} Alert latency\n:id: DMS-REQ-0398\n:priority: 1a\n```\n"
TEST = "```{test} Alert timing\n:id: LVV-T30\n:verifies: DMS-REQ-0398\n```\n"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, env={**os.environ, **GIT_ENV}, check=True, capture_output=True)


def test_the_diff_step_runs_as_written_and_fills_the_summary(tmp_path: Path) -> None:
    """The workflow's own `run:` line, on a clone whose pull request leaves a P1a item untraced."""
    for part in ("Makefile", "ext", "scripts"):
        copy = shutil.copytree if (ROOT / part).is_dir() else shutil.copy
        copy(ROOT / part, tmp_path / part)
    (tmp_path / "needs").mkdir()
    (tmp_path / "needs" / "alerts.md").write_text(REQ + "\n" + TEST)
    _git(tmp_path, "init", "--quiet", "--initial-branch=main")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "--quiet", "-m", "base")
    _git(tmp_path, "update-ref", "refs/remotes/origin/main", "HEAD")
    (tmp_path / "needs" / "alerts.md").write_text(REQ)
    _git(tmp_path, "commit", "--quiet", "-am", "Remove LVV-T30")

    summary = tmp_path / "step_summary.md"
    run = _step(load(CI)["jobs"]["checks"], r"make -s diff")["run"]
    env = {**os.environ, "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary), "BASE_REF": "main"}
    # This test's interpreter stands in for the .venv that `make check` set up earlier in the job.
    command = run.replace("make -s diff", f"make -s diff PY={sys.executable} STAMP=")
    done = subprocess.run(
        ["bash", "-e", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode != 0, "an untraced P1a item fails the step"
    assert "::error" not in done.stderr, "make check already annotated the violations"
    report = summary.read_text(encoding="utf-8")
    assert report.startswith("## Traceability: `origin/main` (")
    assert "**Rules fail at head: 1 violation** (1 new; base had 0)." in report
    assert (
        "- **DMS-REQ-0398** (P1a) Alert latency: traced directly, not run → **untraced** `needs/alerts.md:1`" in report
    )


def test_pre_commit_runs_make_check_on_changed_markdown_only() -> None:
    config = load(PRE_COMMIT)
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    hooks = {hook["id"]: hook for hook in repo["hooks"]}
    hook = hooks["trace-check"]
    assert set(hook) <= {"id", "name", "description", "entry", "language", "files", "pass_filenames"}
    assert (hook["entry"], hook["language"], hook["pass_filenames"]) == ("make check", "system", False)
    files = re.compile(hook["files"])
    for path in ("needs/dms/alerts.md", "needs/a/b/c.md", "docs/authoring.md"):
        assert files.search(path), path
    for path in (
        "README.md",
        "ext/diff.py",
        "needs/dms/alerts.md.orig",
        "results/campaign_results.csv",
        "tests/needs/x.md",
    ):
        assert not files.search(path), path


def test_pre_commit_runs_ruff_and_mypy_from_the_venv_without_downloading() -> None:
    (repo,) = load(PRE_COMMIT)["repos"]
    assert repo["repo"] == "local", "a remote hook repository would be downloaded"
    entries = {hook["id"]: (hook["entry"], hook["language"]) for hook in repo["hooks"]}
    assert entries["ruff-check"] == (".venv/bin/ruff check --force-exclude", "system")
    assert entries["ruff-format"] == (".venv/bin/ruff format --check --force-exclude", "system")
    assert entries["mypy"] == (".venv/bin/mypy", "system")
