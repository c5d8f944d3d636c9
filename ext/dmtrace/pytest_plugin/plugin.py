"""Pytest plugin: `@pytest.mark.verifies(...)` ties tests to the site's test cases and records them in JUnit XML."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dmtrace.core.model import Need
from dmtrace.core.nodeids import covers, missing, named_nodes
from dmtrace.core.reader import read_tree
from dmtrace.core.results import NODE_ID_PROPERTY, TEST_CASE_PROPERTY
from dmtrace.core.settings import SettingsError, load_settings

MARKER = "verifies"
_FINDINGS_KEY = pytest.StashKey[list[str]]()


@dataclass(frozen=True)
class SiteCatalogue:
    """The site's needs as the plugin needs them: which ids are test cases, and which nodes they name."""

    root: Path
    needs: dict[str, Need]
    strict: bool

    @classmethod
    def load(cls, root: Path, strict_option: bool) -> SiteCatalogue:
        settings = load_settings(root)
        tree = read_tree(root, settings.sources)
        return cls(root, tree.needs, strict_option or settings.strict)

    def tests(self) -> Iterator[Need]:
        return (need for need in self.needs.values() if need.type == "test")

    def why_not_a_test(self, test_id: str) -> str:
        """'' when `test_id` is a test case of the site, else the reason it is not."""
        found = self.needs.get(test_id)
        if found is None:
            return f"which is not a need of the site under {self.root}"
        return "" if found.type == "test" else f"which is a {found.type}, not a test case"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("trace", "requirement traceability")
    group.addoption(
        "--trace-root",
        default=None,
        metavar="DIR",
        help="site root holding conf.py and the needs (default: ini trace_root, else the rootdir)",
    )
    group.addoption(
        "--trace-strict",
        action="store_true",
        default=False,
        help="a `pytest` node id of a test case that is not collected is an error, not a warning",
    )
    parser.addini("trace_root", "site root for @pytest.mark.verifies, relative to the rootdir", default="")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}(*test_case_ids): the site's test cases (e.g. LVV-T123) that this test implements"
    )
    config.stash[_FINDINGS_KEY] = []


def _site_root(config: pytest.Config) -> Path:
    option = config.getoption("trace_root")
    if option:
        return Path(option).resolve()
    ini = str(config.getini("trace_root") or "")
    return (config.rootpath / ini).resolve() if ini else config.rootpath


def _location(item: pytest.Item) -> str:
    file, line, _ = item.location
    return f"{file}:{(line or 0) + 1}"


def _marked_ids(item: pytest.Item, catalogue: SiteCatalogue, errors: list[str]) -> list[str]:
    ids: list[str] = []
    node = item.nodeid.split("[", 1)[0]  # a marker is written once for all parametrizations: reported once
    for mark in item.iter_markers(MARKER):
        if mark.kwargs or not mark.args:
            errors.append(
                f"{_location(item)}: error: {node}: @pytest.mark.{MARKER} takes one or more "
                f"test case ids as strings, and nothing else [trace.pytest-marker]"
            )
        for value in mark.args:
            if not isinstance(value, str) or not value.strip():
                errors.append(
                    f"{_location(item)}: error: {node}: @pytest.mark.{MARKER} takes test case "
                    f"ids as strings, not {value!r} [trace.pytest-marker]"
                )
            elif reason := catalogue.why_not_a_test(value.strip()):
                errors.append(
                    f"{_location(item)}: error: {value.strip()}: @pytest.mark.{MARKER} on "
                    f"{node} names {value.strip()}, {reason} [trace.pytest-unknown-id]"
                )
            else:
                ids.append(value.strip())
    return ids


def _in_scope(config: pytest.Config, name: str) -> bool:
    """Whether this run was asked to collect `name`: a run of one file cannot judge another file's node ids."""
    file = (config.rootpath / name.split("::", 1)[0]).resolve()
    for arg in config.args:
        if "::" in arg:
            continue  # a run of chosen nodes says nothing about the rest of their file
        target = (config.invocation_params.dir / arg).resolve()
        if file == target or target in file.parents:
            return True
    return False


def _missing_node_lines(config: pytest.Config, catalogue: SiteCatalogue, node_ids: list[str]) -> list[str]:
    lines = []
    severity = "error" if catalogue.strict else "warning"
    for need in catalogue.tests():
        absent = [name for name in missing(named_nodes(need), node_ids) if _in_scope(config, name)]
        for name in absent:
            lines.append(
                f"{need.file}:{need.line}: {severity}: {need.id}: pytest node {name} is not in the "
                f"collected suite [trace.pytest-missing]"
            )
    return lines


@pytest.hookimpl(tryfirst=True)  # before -k / -m deselect: a deselected test still exists
def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    try:
        catalogue = SiteCatalogue.load(_site_root(config), config.getoption("trace_strict"))
    except (OSError, UnicodeDecodeError, SettingsError) as err:
        raise pytest.UsageError(f"traceability: cannot read the site's needs: {err}") from None
    errors: list[str] = []
    named_by_field = [(name, need.id) for need in catalogue.tests() for name in named_nodes(need)]
    for item in items:
        ids = _marked_ids(item, catalogue, errors)
        ids += [test_id for name, test_id in named_by_field if covers(name, item.nodeid)]
        item.user_properties.extend((TEST_CASE_PROPERTY, test_id) for test_id in dict.fromkeys(ids))
        item.user_properties.append((NODE_ID_PROPERTY, item.nodeid))
    missing_lines = _missing_node_lines(config, catalogue, [item.nodeid for item in items])
    if catalogue.strict:
        errors += missing_lines
    else:
        config.stash[_FINDINGS_KEY].extend(missing_lines)
    if errors:
        raise pytest.UsageError(
            "traceability: the tests do not match the site's test cases\n" + "\n".join(dict.fromkeys(errors))
        )


def pytest_report_collectionfinish(config: pytest.Config) -> list[str]:
    """Shows the warnings right under "collected N items"."""
    return config.stash.get(_FINDINGS_KEY, [])
