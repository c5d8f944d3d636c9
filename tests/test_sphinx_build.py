"""scripts/sphinx_build.py (what `make html` runs): Sphinx's exit status and messages reach the caller intact."""

from __future__ import annotations

from pathlib import Path

from tests.support import PYTHON, REPO, run, write_site

LAUNCHER = str(REPO / "scripts" / "sphinx_build.py")
TRACED = {
    "needs/reqs.md": """\
    # Requirements

    ```{req} Raw images
    :id: DMS-REQ-0001
    :priority: 2
    ```
    """
}
UNTRACED = {"needs/reqs.md": TRACED["needs/reqs.md"].replace(":priority: 2", ":priority: 1a")}


def _build(root: Path) -> tuple[int, str]:
    done = run([PYTHON, LAUNCHER, "-W", "--keep-going", "-b", "html", ".", "_build/html"], root)
    return done.returncode, done.stdout + done.stderr


def test_a_clean_site_exits_0_with_sphinx_output(tmp_path: Path) -> None:
    status, output = _build(write_site(tmp_path / "site", TRACED))
    assert status == 0, output
    assert "build succeeded" in output
    assert (tmp_path / "site" / "_build" / "html" / "needs" / "reqs.html").is_file()


def test_a_violation_exits_1_with_the_located_message(tmp_path: Path) -> None:
    status, output = _build(write_site(tmp_path / "site", UNTRACED))
    assert status == 1
    assert "needs/reqs.md:3: error: DMS-REQ-0001:" in output and "[trace.untraced]" in output
    assert "build finished with problems" in output
