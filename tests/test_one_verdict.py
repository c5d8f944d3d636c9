"""One verdict: `make check` and the Sphinx build of one site print the same violations, construct by construct."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import Run, check, sphinx_build, write_site

REQ = "{fence}{{req}} {title}\n:id: {need_id}\n:priority: 2\n{fence}\n"
PAGES = {
    # A duplicate id inside a tilde fence and inside a block quote: both places named, in check and build.
    "needs/tilde.md": REQ.format(fence="~~~", title="Tilde", need_id="DMS-REQ-0001"),
    "needs/quoted.md": "Quoted:\n\n> "
    + REQ.format(fence="```", title="Quoted", need_id="DMS-REQ-0001").replace("\n", "\n> ").rstrip("> "),
    # A backtick in the title of a backtick fence: CommonMark reads no fence, so there is no need: said, not dropped.
    "needs/backtick.md": "Text.\n\n```{req} The `butler`\n:id: DMS-REQ-0002\n:priority: 2\n```\n",
    # An unknown option and a directive name close to a need type.
    "needs/options.md": "```{req} Refine typo\n:id: DMS-REQ-0003\n:priority: 2\n:refine: DMS-REQ-0001\n```\n",
    # A YAML option block.
    "needs/yaml.md": "```{req} YAML\n---\nid: DMS-REQ-0004\npriority: 2\n---\n```\n",
    # Needs in a folder Sphinx reads but trace_source_dirs leaves out.
    "other/outside.md": REQ.format(fence="```", title="Outside", need_id="DMS-REQ-0005"),
    # Directives nested too deep to read (docutils would recurse once per level).
    "needs/deep.md": "".join(f"{':' * (60 - i)}{{note}}\n" for i in range(50))
    + "".join(f"{':' * (11 + i)}\n" for i in range(50)),
}
INDEX_EXTRA = "\n```{toctree}\n:glob:\n\nother/*\n```\n"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Run, Run, Path]:
    root = write_site(tmp_path_factory.mktemp("verdict") / "site", PAGES)
    (root / "needs" / "bytes.md").write_bytes(b"# Bytes\n\nLatin-1 \xe9 here.\n")
    with (root / "index.md").open("a", encoding="utf-8") as index:
        index.write(INDEX_EXTRA)
    return check(root), sphinx_build(root, "-D", "trace_strict=0"), root


def _violations(run: Run) -> set[str]:
    return set(run.error_lines())


def test_check_and_build_fail_with_the_same_violations(runs: tuple[Run, Run, Path]) -> None:
    checked, built, _ = runs
    assert checked.returncode == 1
    assert built.returncode != 0
    assert "Traceback" not in built.stderr + checked.stderr
    assert _violations(checked) - {line for line in _violations(checked) if "bytes.md" in line} == _violations(
        built
    ) - {line for line in _violations(built) if "bytes.md" in line}


@pytest.mark.parametrize(
    "expected",
    [
        "needs/tilde.md:1: error: DMS-REQ-0001: DMS-REQ-0001 is defined twice: first at needs/quoted.md:3 "
        "[trace.duplicate-id]",
        "needs/backtick.md:3: error: {req} is not a directive here: a backtick fence's title may not hold a backtick "
        "(CommonMark); use ::: or ~~~ fences [trace.unreadable]",
        "needs/options.md:1: error: DMS-REQ-0003: unknown option :refine: of a req (the build refuses it too) "
        "[trace.unreadable]",
        "needs/yaml.md:1: error: a YAML option block (---) is not read by make check and make diff; write the options "
        "as :key: value lines [trace.unreadable]",
        "needs/deep.md:41: error: directives nested more than 20 deep are not read [trace.unreadable]",
    ],
)
def test_each_construct_is_one_located_message_in_check_and_build(runs: tuple[Run, Run, Path], expected: str) -> None:
    checked, built, _ = runs
    assert expected in _violations(checked), checked.stderr
    assert expected in _violations(built), built.stderr


def test_needs_outside_the_source_folders_are_reported_by_check_and_build(runs: tuple[Run, Run, Path]) -> None:
    checked, built, _ = runs
    expected = (
        "other/outside.md:1: error: DMS-REQ-0005: needs in a file outside trace_source_dirs are not read by make "
        "check and make diff: move the file into one of those folders, or add its folder to trace_source_dirs "
        "[trace.unreadable]"
    )
    assert expected in _violations(checked), checked.stderr
    assert expected in _violations(built), built.stderr


def test_bytes_that_are_not_utf8_are_located_in_check_and_build(runs: tuple[Run, Run, Path]) -> None:
    checked, built, root = runs
    assert [line for line in _violations(checked) if "bytes.md" in line] == [
        "needs/bytes.md:3: error: bytes that are not UTF-8 (b'\\xe9'); the file is not read [trace.unreadable]"
    ]
    assert f"{root / 'needs' / 'bytes.md'}:3" in built.stderr or "needs/bytes.md:3" in built.stderr, built.stderr
