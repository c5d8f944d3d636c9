"""`make release TAG=...` and `make verify-release TAG=...` in a small git repository: the tag, the archive and the
manifest are made, a re-check passes, a changed file in the archive or the manifest fails it by name, a dirty tree
and an existing tag are refused, the release is reproducible, and `make diff BASE=<tag>` compares with it."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Site
from tests.support import GIT_ENV, PYTHON, REPO, git
from tests.support import ONE_VERIFIED_NEED as NEEDS

RESULTS = "test_case,last_run,status,source\nLVV-T1,2026-01-05,Passed,campaign\n"


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture(scope="module")
def released(site_factory: Callable[[str], Site]) -> Site:
    """A committed site with results and reference data, released as v1.0."""
    site = site_factory("release")
    site.configure(results=["results/campaign.csv"])
    site.write("needs/needs.md", NEEDS)
    site.write("results/campaign.csv", RESULTS)
    site.write("data/reference.txt", "reference data\n")
    site.write(".gitignore", "_build/\n")
    for name in ("scripts", "requirements.lock"):  # what Site.make links, committed so the tree stays clean
        (site.root / name).symlink_to(REPO / name)
    git(site.root, "init", "-q", "--initial-branch=main")
    commit_all(site.root, "first issue")
    done = make(site, "release", TAG="v1.0")
    assert done.returncode == 0, done.stdout + done.stderr
    return site


def make(site: Site, target: str, **variables: str) -> subprocess.CompletedProcess[str]:
    venv = Path(PYTHON).parent.parent
    command = ["make", "--no-print-directory", "-f", str(REPO / "Makefile"), "-o", f"{venv}/.installed", target]
    command += [f"VENV={venv}", *(f"{key}={value}" for key, value in variables.items())]
    env = {**os.environ, **GIT_ENV, "NO_COLOR": "1"}
    env = {k: v for k, v in env.items() if not k.startswith("TRACE_")}
    return subprocess.run(command, cwd=site.root, env=env, capture_output=True, text=True, timeout=600)


def verify(site: Site, folder: Path) -> subprocess.CompletedProcess[str]:
    command = [PYTHON, str(REPO / "scripts" / "release.py"), "--verify", "v1.0", "--dir", str(folder)]
    return subprocess.run(command, cwd=site.root, env={**os.environ, **GIT_ENV}, capture_output=True, text=True)


def copy_release(site: Site, tmp_path: Path) -> Path:
    folder = tmp_path / "releases"
    shutil.copytree(site.root / "_build" / "release", folder)
    return folder


def test_release_tags_and_writes_archive_needs_and_manifest(released: Site) -> None:
    folder = released.root / "_build" / "release" / "v1.0"
    assert sorted(p.name for p in folder.iterdir()) == ["MANIFEST.json", "needs.json", "site.tar.gz"]
    assert git(released.root, "cat-file", "-t", "v1.0").strip() == "tag"  # annotated
    manifest_bytes = (folder / "MANIFEST.json").read_bytes()
    manifest = json.loads(manifest_bytes)
    assert manifest["commit"] == git(released.root, "rev-parse", "HEAD").strip()
    needs_md = (released.root / "needs" / "needs.md").read_bytes()
    assert manifest["inputs"]["needs/needs.md"] == {"sha256": hashlib.sha256(needs_md).hexdigest(), "kind": "source"}
    assert manifest["inputs"]["results/campaign.csv"]["kind"] == "results"
    assert manifest["inputs"]["data/reference.txt"]["kind"] == "reference data"
    assert manifest["inputs"]["conf.py"]["kind"] == "configuration"
    message = git(released.root, "cat-file", "-p", "v1.0")
    assert f"manifest sha256: {hashlib.sha256(manifest_bytes).hexdigest()}" in message
    with tarfile.open(folder / "site.tar.gz") as tar:
        names = tar.getnames()
    assert "site/needs/needs.html" in names and "site/needs.json" in names
    assert not any(".doctrees" in name for name in names)
    assert json.loads((folder / "needs.json").read_text())["versions"]


def test_verify_release_passes(released: Site) -> None:
    done = make(released, "verify-release", TAG="v1.0")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verify-release: v1.0:" in done.stdout and "match" in done.stdout


def test_a_changed_file_in_the_archive_is_named(released: Site, tmp_path: Path) -> None:
    folder = copy_release(released, tmp_path)
    archive = folder / "v1.0" / "site.tar.gz"
    packed = io.BytesIO()
    with tarfile.open(archive) as source, tarfile.open(fileobj=packed, mode="w:gz") as target:
        for info in source:
            data = source.extractfile(info).read() if info.isfile() else b""  # type: ignore[union-attr]
            if info.name == "site/needs/needs.html":
                data = data.replace(b"Alert latency", b"Alert latency (edited)")
                info.size = len(data)
            target.addfile(info, io.BytesIO(data))
    archive.write_bytes(packed.getvalue())
    done = verify(released, folder)
    assert done.returncode == 1
    assert "verify-release: site/needs/needs.html: sha256 " in done.stdout
    assert "verify-release: site.tar.gz: sha256 " in done.stdout


def test_a_changed_manifest_is_named(released: Site, tmp_path: Path) -> None:
    folder = copy_release(released, tmp_path)
    manifest_path = folder / "v1.0" / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["inputs"]["results/campaign.csv"]["sha256"] = "0" * 64
    manifest_path.write_text(json.dumps(manifest))
    done = verify(released, folder)
    assert done.returncode == 1
    assert "verify-release: MANIFEST.json: sha256 " in done.stdout  # not the one the tag names
    assert "verify-release: results/campaign.csv: sha256 " in done.stdout


def test_dirty_tree_existing_tag_and_bad_names_are_refused(released: Site) -> None:
    done = make(released, "release", TAG="v1.0")
    assert done.returncode == 2
    assert "release: error: tag v1.0 already exists" in done.stderr
    for bad in ("v1..0", "v1;touch injected", "$(touch injected)"):
        done = make(released, "release", TAG=bad)
        assert f"release: error: {bad!r} is not a valid tag name" in done.stderr
    assert not (released.root / "injected").exists()
    done = make(released, "release")
    assert "release: error: TAG is required" in done.stderr
    notes = released.write("needs/notes.md", "# Notes\n")
    try:
        done = make(released, "release", TAG="v2.0")
        assert done.returncode == 2
        assert "release: error: the working tree has uncommitted changes (needs/notes.md" in done.stderr
        assert "Traceback" not in done.stderr
        assert git(released.root, "tag", "--list", "v2.0").strip() == ""
    finally:
        notes.unlink()


def test_diff_with_the_release_tag(released: Site) -> None:
    released.write("needs/more.md", "```{req} Another\n:id: DMS-REQ-0002\n:priority: 2\n```\n")
    try:
        done = make(released, "diff", BASE="v1.0")
        assert done.returncode == 0, done.stderr
        assert "`v1.0`" in done.stdout and "DMS-REQ-0002" in done.stdout
    finally:
        (released.root / "needs" / "more.md").unlink()


def test_the_release_is_reproducible(released: Site, tmp_path: Path) -> None:
    folder = released.root / "_build" / "release" / "v1.0"
    before = {name: (folder / name).read_bytes() for name in ("site.tar.gz", "needs.json", "MANIFEST.json")}
    git(released.root, "tag", "-d", "v1.0")
    try:
        done = make(released, "release", TAG="v1.0")
        assert done.returncode == 0, done.stderr
    finally:
        after = {name: (folder / name).read_bytes() for name in before}
    assert after == before
