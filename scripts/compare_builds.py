"""Builds a git revision and the working tree at one fixed SOURCE_DATE_EPOCH and compares the sites file by file.

`python scripts/compare_builds.py REV` prints every file that differs (for needs.json: which keys), and exits 1
when any page differs. This is how a refactoring shows that it changed no output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import filecmp
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Files that name the extension and its version, and so differ across a rename by design.
SKIPPED = {".buildinfo", ".doctrees"}


def build(source: Path, out: Path, epoch: str) -> None:
    """Builds with SOURCE_DATE_EPOCH, and trace_today its date: revisions older than SOURCE_DATE_EPOCH support count
    days from trace_today only."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
    today = dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    command = [
        sys.executable,
        str(source / "scripts" / "sphinx_build.py"),
        "-q",
        "-W",
        "--keep-going",
        "-b",
        "html",
        "-D",
        f"trace_today={today}",
    ]
    done = subprocess.run([*command, ".", str(out)], cwd=source, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"compare_builds: the build of {source} failed:\n{done.stderr}")


def files(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file() and not SKIPPED & set(p.parts)}


def json_differences(old: Any, new: Any, path: str = "") -> list[str]:
    """The key paths where two JSON values differ."""
    if isinstance(old, dict) and isinstance(new, dict):
        found: list[str] = []
        for key in sorted(old.keys() | new.keys()):
            if key not in old or key not in new:
                found.append(f"{path}/{key} ({'added' if key in new else 'removed'})")
            else:
                found += json_differences(old[key], new[key], f"{path}/{key}")
        return found
    return [] if old == new else [path or "/"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="the revision to compare the working tree with (e.g. HEAD~3)")
    parser.add_argument("--epoch", default="1795910400", help="SOURCE_DATE_EPOCH for both builds")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="compare-builds-") as tmp:
        worktree, base_out, head_out = Path(tmp) / "base", Path(tmp) / "base-html", Path(tmp) / "head-html"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", "--", str(worktree), args.revision],
            check=True,
        )
        try:
            build(worktree, base_out, args.epoch)
            build(ROOT, head_out, args.epoch)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)
        old, new = files(base_out), files(head_out)
        differing = sorted(n for n in old & new if not filecmp.cmp(base_out / n, head_out / n, shallow=False))
        for name in sorted(old - new):
            print(f"only in {args.revision}: {name}")
        for name in sorted(new - old):
            print(f"only in the working tree: {name}")
        for name in differing:
            detail = ""
            if name.endswith(".json"):
                keys = json_differences(
                    json.loads((base_out / name).read_text()), json.loads((head_out / name).read_text())
                )
                detail = ": " + ", ".join(keys[:10])
            print(f"differs: {name}{detail}")
        pages = [n for n in [*differing, *(old ^ new)] if n.endswith(".html")]
        print(
            f"{len(old & new)} files in both; {len(differing)} differ ({len(pages)} pages); "
            f"{len(old ^ new)} in one build only"
        )
        return 1 if pages else 0


if __name__ == "__main__":
    sys.exit(main())
