"""The catalogue importer: re-running it reproduces the committed sources; malformed rows get one precise message."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "import_rubin.py"
# The importer's default: the reference data committed with the repository.
DATA = ROOT / "data" / "rubin"
GENERATED_DIRS = ("needs/requirements", "needs/tests", "needs/milestones")
RESULTS = "results/campaign_results.csv"


@pytest.fixture(autouse=True, scope="module")
def reference_data() -> None:
    """The data is committed with the repository: without it every test here fails (never skips), so CI notices."""
    if not DATA.is_dir():
        pytest.fail(
            f"reference data missing: {DATA} is part of the repository (git checkout -- data/rubin)", pytrace=False
        )


def run_import(data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(data), "--out", str(out), *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )


def files_under(root: Path) -> dict[str, bytes]:
    found = {
        p.relative_to(root).as_posix(): p.read_bytes()
        for folder in GENERATED_DIRS
        for p in sorted((root / folder).rglob("*.md"))
    }
    found[RESULTS] = (root / RESULTS).read_bytes()
    return found


def test_reimport_reproduces_the_committed_files_byte_for_byte(tmp_path: Path) -> None:
    done = run_import(DATA, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "239 requirements, 310 verification elements, 341 test cases, 54 milestones" in done.stdout
    imported, committed = files_under(tmp_path), files_under(ROOT)
    assert sorted(imported) == sorted(committed)
    differing = [name for name in imported if imported[name] != committed[name]]
    assert differing == []


def test_by_default_the_importer_reads_the_data_committed_with_the_repository(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert files_under(tmp_path) == files_under(ROOT)


def test_every_data_file_has_its_provenance_written_beside_it() -> None:
    provenance = (DATA / "PROVENANCE.txt").read_text(encoding="utf-8")
    csv_files = sorted(p.name for p in DATA.glob("*.csv"))
    assert csv_files, f"no CSV files in {DATA}"
    assert [name for name in csv_files if name not in provenance] == []


def test_every_generated_page_says_it_is_now_the_source_of_truth(tmp_path: Path) -> None:
    assert run_import(DATA, tmp_path).returncode == 0
    for name, text in files_under(tmp_path).items():
        if name.endswith(".md"):
            lines = text.decode().splitlines()
            assert lines[0].startswith("# ") and "source of truth" in lines[2], name


def test_an_edited_file_is_not_overwritten(tmp_path: Path) -> None:
    assert run_import(DATA, tmp_path).returncode == 0
    page = tmp_path / "needs" / "milestones" / "project.md"
    page.write_text(page.read_text() + "\nAn author's edit.\n")
    again = run_import(DATA, tmp_path)
    assert again.returncode == 1
    assert f"{page}: differs from the import" in again.stderr
    assert page.read_text().endswith("An author's edit.\n")


def corrupt(tmp_path: Path, name: str, row_id: str, column: str, value: str) -> tuple[Path, int]:
    """A copy of the data where one cell of the row starting with `row_id` holds `value`; returns dir and line."""
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    path = data / name
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    line = next(i for i, text in enumerate(lines) if text.startswith(row_id + ","))
    cells = lines[line].rstrip("\n").split(",")
    assert len(cells) == len(header), "pick a row without quoted commas"
    cells[header.index(column)] = value
    lines[line] = ",".join(cells) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    return data, line + 1


@pytest.mark.parametrize(
    ("name", "row_id", "column", "value", "problem"),
    [
        ("dms_requirements.csv", "DMS-REQ-0034", "priority", "1c", "'1c' is not a priority (1a, 1b, 2, 3)"),
        (
            "dms_requirements.csv",
            "DMS-REQ-0398",
            "parent",
            "DMS-REQ-9999",
            "DMS-REQ-9999 is not a requirement in this file",
        ),
        ("verification_elements.csv", "LVV-3", "ve_id", "", "empty is not a verification element id DMS-REQ-0002-V-NN"),
        (
            "vcd_lse61_2025-12-18.csv",
            "DMS-REQ-0002",
            "last_run",
            "2018-13-04",
            "'2018-13-04' is not an ISO date or empty",
        ),
        ("milestones.csv", "LDM-503-19a", "due_date", "2025-02-30", "'2025-02-30' is not an ISO date"),
        (
            "ldm503_19a_campaign_LVV-P117.csv",
            "LVV-T83",
            "execution_status",
            "Passed-ish",
            "'Passed-ish' is not an execution status (Pass, Pass w/ Deviation, Initial Pass, Fail, Not Executed)",
        ),
    ],
)
def test_a_malformed_cell_gets_one_message_naming_file_row_and_column(
    tmp_path: Path, name: str, row_id: str, column: str, value: str, problem: str
) -> None:
    data, line = corrupt(tmp_path, name, row_id, column, value)
    out = tmp_path / "out"
    done = run_import(data, out)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [f"{(data / name).as_posix()}:{line}: column {column}: {problem}"]
    assert "Traceback" not in done.stderr
    assert not out.exists(), "nothing is written when the input is malformed"


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "milestones.csv").unlink()
    done = run_import(data, tmp_path / "out")
    assert done.returncode == 1
    assert done.stderr.strip() == f"{(data / 'milestones.csv').as_posix()}: file not found"


def test_a_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "ldm639_test_cases.csv").write_bytes(b"test_case,title,status\nLVV-T1,caf\xe9,Draft\n")
    done = run_import(data, tmp_path / "out")
    assert done.returncode == 1
    label = (data / "ldm639_test_cases.csv").as_posix()
    assert done.stderr.strip() == f"{label}: not UTF-8 text (invalid continuation byte)"
