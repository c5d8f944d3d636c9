"""Reproducible output: SOURCE_DATE_EPOCH fixes the build date and needs.json's times; needs.json names its fields'
version."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest

from dmtrace.core.builddate import SourceDateError, source_datetime
from dmtrace.glue import needs_json
from dmtrace.glue.resolve import build_date

# 2026-11-29T00:00:00Z, computed by hand: 20,786 days after 1970-01-01 times 86,400 s.
EPOCH = str(20_786 * 86_400)


def _app(today: str = "") -> Any:
    return cast(Any, SimpleNamespace(config=SimpleNamespace(trace_today=today)))


def test_source_date_epoch_is_the_build_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    assert source_datetime() == dt.datetime(2026, 11, 29, tzinfo=dt.UTC)
    assert build_date(_app()) == dt.date(2026, 11, 29)
    assert build_date(_app("2025-01-02")) == dt.date(2025, 1, 2), "trace_today still wins"


def test_without_source_date_epoch_the_build_date_is_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert source_datetime() is None
    before = dt.date.today()
    assert build_date(_app()) in (before, dt.date.today())


@pytest.mark.parametrize("value", ["yesterday", "1e9", "99999999999999999999"])
def test_an_unreadable_source_date_epoch_is_refused(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    with pytest.raises(SourceDateError, match="SOURCE_DATE_EPOCH"):
        source_datetime()


def test_needs_json_times_come_from_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    data: dict[str, Any] = {"created": "2026-01-01T10:11:12.131415", "versions": {"": {"created": "x", "needs": {}}}}
    needs_json.stamp(data)
    assert data["created"] == data["versions"][""]["created"] == "2026-11-29T00:00:00"
    assert data["trace_fields_version"] == needs_json.COMPUTED_FIELDS_VERSION


def test_the_published_needs_json_names_its_computed_fields_version(published_site: Path) -> None:
    exported = json.loads((published_site / "_build" / "html" / "needs.json").read_text(encoding="utf-8"))
    assert exported["trace_fields_version"] == 4
    (version,) = exported["versions"].values()
    assert any("verification" in need for need in version["needs"].values())
