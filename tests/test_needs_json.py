"""dmtrace.glue.needs_json: the faster needs.json writer produces the bytes sphinx-needs' own writer produces."""

from __future__ import annotations

import json
from pathlib import Path

from sphinx_needs.needsfile import NeedsList

from dmtrace.glue import needs_json


def _needs_list(data: dict, outdir: Path) -> NeedsList:
    needs_list = NeedsList.__new__(NeedsList)  # the writer reads only these attributes
    needs_list.needs_list = data
    needs_list.outdir = str(outdir)
    needs_list._finalise = lambda: None  # type: ignore[method-assign]
    return needs_list


def test_the_export_is_byte_for_byte_what_sphinx_needs_writes(published_site: Path, tmp_path: Path) -> None:
    data = json.loads((published_site / "_build" / "html" / "needs.json").read_text(encoding="utf-8"))
    data["edge cases"] = {
        "ü → ✓": 'line\u2028separator </script> "quoted" \\ tab\t',
        "float": 1.5e-07,
        "int": 10**20,
        "none": None,
        "list": [True, False, [], {}],
        "b": 1,
        "a": 2,
    }
    (tmp_path / "original").mkdir()
    (tmp_path / "fast").mkdir()
    needs_json.ORIGINAL_WRITE_JSON(_needs_list(data, tmp_path / "original"))
    needs_json.write_json(_needs_list(data, tmp_path / "fast"))
    original = (tmp_path / "original" / "needs.json").read_bytes()
    assert len(original) > 1000
    assert (tmp_path / "fast" / "needs.json").read_bytes() == original
