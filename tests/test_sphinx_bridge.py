"""The computed fields the build writes into every need, as exported in needs.json."""

from __future__ import annotations

from pathlib import Path

from tests.support import exported_needs, sphinx_build, write_site

PAGE = """\
# Needs

```{req} Science Data Archive
:id: DMS-REQ-0003
:priority: 1a
```

```{test} Verify the archive
:id: LVV-T2297
:verifies: DMS-REQ-0003
```

```{test} Never run
:id: LVV-T9
:verifies: DMS-REQ-0003
```
"""


def test_computed_fields_for_requirements_and_test_cases(tmp_path: Path) -> None:
    root = write_site(
        tmp_path / "site",
        {"needs/a.md": PAGE},
        results=["results.csv"],
        files={"results.csv": "test_case,last_run,status,source\nLVV-T2297,2025-07-15,Passed,VCD\n"},
    )
    result = sphinx_build(root)
    assert result.returncode == 0, result.stderr
    needs = exported_needs(root)
    assert (needs["LVV-T2297"]["last_result"], needs["LVV-T2297"]["last_run"], needs["LVV-T2297"]["result_source"]) == (
        "passed",
        "2025-07-15",
        "results.csv",
    )
    assert (needs["LVV-T9"]["last_result"], needs["LVV-T9"]["last_run"]) == ("not run", None)
    assert (needs["DMS-REQ-0003"]["trace"], needs["DMS-REQ-0003"]["verification"]) == (
        "traced directly",
        "partially run",
    )
