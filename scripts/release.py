#!/usr/bin/env python3
"""`make release TAG=...` and `make verify-release TAG=...`: a frozen, citable issue of the verification record.

A release builds the site from the committed tree alone (a detached `git worktree` of HEAD under
`_build/release/`, so an untracked or ignored file such as `_build/results/pytest.xml` never counts), with
SOURCE_DATE_EPOCH set to the commit's date, and writes `_build/release/<TAG>/`:

- `site.tar.gz`: the HTML site, entries sorted, times set to SOURCE_DATE_EPOCH, no owners (the same bytes for the
  same commit);
- `needs.json`: the build's export;
- `MANIFEST.json`: the sha256 of every file of the commit (sources, results, reference data, configuration, the
  tool), of `site.tar.gz`, of `needs.json` and of every file inside the archive.

It then creates the annotated tag TAG on HEAD; the tag's message names the manifest's sha256. `--verify` re-checks
a release: the manifest against the hash the tag names, every input against the tag's tree (blobs hashed from
git objects), the archive and needs.json against the manifest, and each file inside the archive; every mismatch
is one line naming its path. TAG reaches the script as TRACE_TAG (make), never through a shell.

Exit status: 0 done (or everything matches), 1 a mismatch or a failed build, 2 a refusal (no or bad TAG, an
existing tag, a dirty working tree, no release to verify).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

from dmtrace.core.gitobjects import batch_input, parse_batch

ROOT = Path(__file__).resolve().parent.parent
SPHINX_BUILD = Path(__file__).resolve().parent / "sphinx_build.py"
ARCHIVE = "site.tar.gz"
NEEDS = "needs.json"
MANIFEST = "MANIFEST.json"
PREFIX = "site/"
KINDS = (
    ("needs/", "source"),
    ("docs/", "source"),
    ("results/", "results"),
    ("data/", "reference data"),
    ("ext/", "tool"),
    ("scripts/", "tool"),
    ("tests/", "tool"),
)
CONFIGURATION = {"conf.py", "pyproject.toml", "requirements.lock", "Makefile"}


class RefusalError(Exception):
    """Why a release or a re-check cannot start: one line, exit status 2."""


def git(root: Path, *args: str, check: bool = True) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise RefusalError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def kind_of(path: str) -> str:
    if path in CONFIGURATION:
        return "configuration"
    return next((kind for prefix, kind in KINDS if path.startswith(prefix)), "other")


def valid_tag(root: Path, tag: str) -> str:
    if not tag:
        raise RefusalError("TAG is required, e.g. make release TAG=v1.0")
    if (
        tag.startswith("-")
        or subprocess.run(
            ["git", "-C", str(root), "check-ref-format", f"refs/tags/{tag}"], capture_output=True, check=False
        ).returncode
    ):
        raise RefusalError(f"{tag!r} is not a valid tag name (git check-ref-format)")
    return tag


def tag_exists(root: Path, tag: str) -> bool:
    done = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", "--quiet", f"refs/tags/{tag}"], capture_output=True
    )
    return done.returncode == 0


def tree_blobs(root: Path, revision: str) -> dict[str, bytes]:
    """Every file of a revision (path -> contents), read from git objects; a symbolic link's blob is its target."""
    listed = git(root, "ls-tree", "-r", "-z", "--full-tree", revision)
    entries: dict[str, str] = {}
    for record in filter(None, listed.split("\0")):
        meta, _, path = record.partition("\t")
        _, kind, blob = meta.split()
        if kind == "blob":
            entries[path] = blob
    if not entries:
        return {}
    paths = sorted(entries)
    out = subprocess.run(
        ["git", "-C", str(root), "cat-file", "--batch"],
        input=batch_input([entries[p] for p in paths]),
        capture_output=True,
        check=True,
    ).stdout
    by_blob = parse_batch(out, [entries[p] for p in paths])
    return {path: by_blob[entries[path]] for path in paths}


def site_archive(html: Path, epoch: int) -> bytes:
    """The HTML site as a tar.gz whose bytes depend only on the files' paths and contents."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for path in sorted(p for p in html.rglob("*") if p.is_file() and ".doctrees" not in p.parts):
            data = path.read_bytes()
            info = tarfile.TarInfo(PREFIX + path.relative_to(html).as_posix())
            info.size, info.mtime, info.mode = len(data), epoch, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=epoch) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def archive_members(data: bytes) -> dict[str, str]:
    """sha256 of every file inside an archive, by its path inside it."""
    members: dict[str, str] = {}
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for info in tar:
            extracted = tar.extractfile(info) if info.isfile() else None
            if extracted is not None:
                members[info.name] = sha256(extracted.read())
    return members


def build_site(root: Path, commit: str, epoch: int, work: Path) -> Path:
    """The site of the commit, built in a detached worktree of it; the HTML folder."""
    tree, html = work / "tree", work / "html"
    git(root, "worktree", "add", "--quiet", "--detach", str(tree), commit)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACE_")}
        env["SOURCE_DATE_EPOCH"] = str(epoch)
        command = [sys.executable, str(SPHINX_BUILD), "-W", "--keep-going", "-q", "-E", "-b", "html"]
        command += ["-d", str(work / "doctrees"), str(tree), str(html)]
        done = subprocess.run(command, cwd=tree, env=env, check=False)
        if done.returncode != 0:
            raise SystemExit(f"release: the build of {commit[:10]} failed (exit {done.returncode}); no tag was made")
    finally:
        git(root, "worktree", "remove", "--force", str(tree), check=False)
        git(root, "worktree", "prune", check=False)
    return html


def release(root: Path, tag: str, out: Path) -> int:
    valid_tag(root, tag)
    if tag_exists(root, tag):
        raise RefusalError(f"tag {tag} already exists; a release is never re-made (choose a new TAG)")
    dirty = git(root, "status", "--porcelain", "--untracked-files=normal")
    if dirty.strip():
        first = dirty.splitlines()[0][3:]
        raise RefusalError(f"the working tree has uncommitted changes ({first} ...); commit or stash them first")
    commit = git(root, "rev-parse", "--verify", "HEAD^{commit}").strip()
    epoch = int(git(root, "log", "-1", "--format=%ct", commit).strip())
    target = out / tag
    work = out / f".{tag.replace('/', '_')}.work"
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        html = build_site(root, commit, epoch, work)
        archive = site_archive(html, epoch)
        needs = (html / NEEDS).read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    inputs = {path: {"sha256": sha256(data), "kind": kind_of(path)} for path, data in tree_blobs(root, commit).items()}
    manifest = {
        "tag": tag,
        "commit": commit,
        "source_date_epoch": epoch,
        "inputs": inputs,
        "outputs": {ARCHIVE: sha256(archive), NEEDS: sha256(needs)},
        "site": archive_members(archive),
    }
    text = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()
    target.mkdir(parents=True)
    (target / ARCHIVE).write_bytes(archive)
    (target / NEEDS).write_bytes(needs)
    (target / MANIFEST).write_bytes(text)
    digest = sha256(text)
    message = f"Release {tag}\n\nmanifest sha256: {digest}\n{len(inputs)} inputs; {ARCHIVE} sha256: {sha256(archive)}\n"
    subprocess.run(["git", "-C", str(root), "tag", "-a", "-F", "-", tag, commit], input=message.encode(), check=True)
    shown = target.relative_to(root) if target.is_relative_to(root) else target
    print(f"release: tagged {tag} at {commit[:10]}; {shown}")
    print(f"release: manifest sha256 {digest} ({len(inputs)} inputs, {len(manifest['site'])} files in {ARCHIVE})")
    return 0


def verify(root: Path, tag: str, out: Path) -> int:
    valid_tag(root, tag)
    if not tag_exists(root, tag):
        raise RefusalError(f"no tag {tag}")
    target = out / tag
    if not (target / MANIFEST).is_file():
        raise RefusalError(f"no {MANIFEST} in {target} (make release writes it; copy a published release there)")
    named = re.search(r"manifest sha256: ([0-9a-f]{64})", git(root, "cat-file", "-p", f"refs/tags/{tag}"))
    problems: list[str] = []
    text = (target / MANIFEST).read_bytes()
    if named is None:
        problems.append(f"{tag}: the tag names no manifest sha256 (not made by make release)")
    elif sha256(text) != named.group(1):
        problems.append(f"{MANIFEST}: sha256 {sha256(text)} differs from {named.group(1)}, named by the tag")
    try:
        manifest = json.loads(text)
    except ValueError as err:
        print(f"verify-release: {MANIFEST}: not JSON ({err})")
        return 1
    commit = git(root, "rev-parse", "--verify", f"refs/tags/{tag}^{{commit}}").strip()
    if manifest.get("commit") != commit:
        problems.append(f"{MANIFEST}: names commit {manifest.get('commit')}, the tag points at {commit}")
    listed = {path: entry.get("sha256") for path, entry in manifest.get("inputs", {}).items()}
    actual = {path: sha256(data) for path, data in tree_blobs(root, commit).items()}
    problems += compare(listed, actual, f"the tree of {tag}")
    outputs = manifest.get("outputs", {})
    members: dict[str, str] = {}
    for name in (ARCHIVE, NEEDS):
        path = target / name
        if not path.is_file():
            problems.append(f"{name}: missing from {target}")
        elif sha256(path.read_bytes()) != outputs.get(name):
            problems.append(f"{name}: sha256 {sha256(path.read_bytes())} differs from the manifest's")
    if (target / ARCHIVE).is_file():
        try:
            members = archive_members((target / ARCHIVE).read_bytes())
        except (tarfile.TarError, OSError, EOFError) as err:
            problems.append(f"{ARCHIVE}: cannot be read ({err})")
        else:
            problems += compare(manifest.get("site", {}), members, ARCHIVE)
    for problem in problems:
        print(f"verify-release: {problem}")
    if problems:
        print(f"verify-release: {tag}: {len(problems)} mismatch(es)")
        return 1
    print(f"verify-release: {tag}: {len(listed)} inputs, {ARCHIVE} ({len(members)} files) and {NEEDS} match")
    return 0


def compare(listed: dict[str, str], actual: dict[str, str], where: str) -> list[str]:
    problems = []
    for path in sorted(listed.keys() | actual.keys()):
        if path not in actual:
            problems.append(f"{path}: in the manifest, not in {where}")
        elif path not in listed:
            problems.append(f"{path}: in {where}, not in the manifest")
        elif listed[path] != actual[path]:
            problems.append(f"{path}: sha256 {actual[path]} in {where} differs from {listed[path]} in the manifest")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tag", nargs="?", help="the tag (default: TRACE_TAG, which make sets from TAG)")
    parser.add_argument("--verify", action="store_true", help="re-check a release instead of making one")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: here)")
    parser.add_argument("--dir", type=Path, help="folder of releases (default: ROOT/_build/release)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    tag = args.tag if args.tag is not None else os.environ.get("TRACE_TAG", "")
    out = (args.dir or root / "_build" / "release").resolve()
    name = "verify-release" if args.verify else "release"
    try:
        return verify(root, tag, out) if args.verify else release(root, tag, out)
    except RefusalError as err:
        print(f"{name}: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
