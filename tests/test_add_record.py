"""scripts/add_record.py: the next sign-off snapshot, VCD export or campaign joins the records, no Markdown edited."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dmtrace.core.results import load_results
from dmtrace.core.signoff import load_signoff

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "add_record.py"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "results", tmp_path / "results")
    (tmp_path / "needs").mkdir()
    (tmp_path / "needs" / "edited.md").write_text("An author's edit.\n")
    return tmp_path


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args, "--root", str(site)], capture_output=True, text=True, check=False
    )


def test_a_new_signoff_snapshot_is_added_and_becomes_the_one_in_force(site: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("ve_id,status_2026_01_15\nDMS-REQ-0002-V-01,Verified\nDMS-REQ-0003-V-01,\n")
    done = run(site, "signoff", str(export), "--date", "2026-01-15", "--column", "status_2026_01_15")
    assert done.returncode == 0, done.stderr
    records = load_signoff(site / "results" / "signoff", site)
    newest = records.in_force()
    assert newest is not None and str(newest.date) == "2026-01-15"
    assert newest.statuses == {"DMS-REQ-0002-V-01": "Verified"}
    assert len(records.snapshots) == 3, "the earlier snapshots stay, as history"
    assert (site / "needs" / "edited.md").read_text() == "An author's edit.\n"
    again = run(site, "signoff", str(export), "--date", "2026-01-15", "--column", "status_2026_01_15")
    assert again.returncode == 1 and "never replaced" in again.stderr


def test_a_campaign_is_appended_undated_with_its_plan_and_words(site: Path, tmp_path: Path) -> None:
    export = tmp_path / "campaign.csv"
    export.write_text("test_case,title,execution,execution_status\nLVV-T1,T,LVV-E9,Initial Pass\n")
    before = len(load_results([site / "results" / "campaign_results.csv"], site).records)
    done = run(site, "campaign", str(export), "--plan", "LVV-P200", "--cycle", "LVV-R300", "--report", "DMTR-500")
    assert done.returncode == 0, done.stderr
    records = load_results([site / "results" / "campaign_results.csv"], site).records
    assert len(records) == before + 1
    added = records[-1]
    assert (added.test_id, added.when, added.provenance.word, added.provenance.plan) == (
        "LVV-T1",
        "",
        "Initial Pass",
        "LVV-P200",
    )


def test_a_bad_status_is_one_located_message(site: Path, tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_text("ve_id,status\nDMS-REQ-0002-V-01,Done\n")
    done = run(site, "signoff", str(export), "--date", "2026-02-01")
    assert done.returncode == 1
    assert (
        done.stderr == f"add_record: {export}:2: status 'Done' is not one of Not Covered, Covered, In "
        "Verification, Verified, Monitoring, Descoped\n"
    )
    assert not (site / "results" / "signoff" / "2026-02-01.csv").exists()
