"""The trace domain: the per-document data the environment keeps between builds, with one typed accessor each."""

from __future__ import annotations

from collections.abc import Iterable, Set
from typing import Any, ClassVar

from sphinx.domains import Domain
from sphinx.environment import BuildEnvironment

from dmtrace.core.model import IdOccurrence, Violation

DATA_VERSION = 3  # raise whenever what the domain stores changes


class TraceDomain(Domain):
    """Per document: need id occurrences and the kind of trace page it is; per environment: last fingerprints."""

    name = "trace"
    label = "Traceability"
    data_version = DATA_VERSION
    initial_data: ClassVar[dict[str, Any]] = {
        "occurrences": {},  # docname -> the need ids its source defines, with their lines
        "problems": {},  # docname -> what the reader could not read in it (located)
        "aggregate_docs": set(),  # pages showing other pages' data (views, sphinx-needs tables)
        "milestone_index_docs": set(),  # pages holding {trace-milestones}
        "changelog_docs": set(),  # pages holding {trace-changelog}
        "need_fingerprints": {},  # source file -> hash of what its cards show, as of the last build
        "changelog_shown": {},  # docname (or the table key) -> hash of its change-log content, as of the last build
    }

    @property
    def occurrences(self) -> dict[str, list[IdOccurrence]]:
        return self.data["occurrences"]  # type: ignore[no-any-return]

    @property
    def problems(self) -> dict[str, list[Violation]]:
        return self.data["problems"]  # type: ignore[no-any-return]

    def all_problems(self) -> list[Violation]:
        return [problem for per_doc in self.problems.values() for problem in per_doc]

    @property
    def aggregate_docs(self) -> set[str]:
        return self.data["aggregate_docs"]  # type: ignore[no-any-return]

    @property
    def milestone_index_docs(self) -> set[str]:
        return self.data["milestone_index_docs"]  # type: ignore[no-any-return]

    @property
    def changelog_docs(self) -> set[str]:
        return self.data["changelog_docs"]  # type: ignore[no-any-return]

    def all_occurrences(self) -> Iterable[IdOccurrence]:
        return (occurrence for per_doc in self.occurrences.values() for occurrence in per_doc)

    def swap_fingerprints(self, key: str, current: dict[str, str]) -> set[str]:
        """Stores `current` under `key` and returns the keys whose fingerprint differs from the last build's."""
        previous: dict[str, str] = self.data[key]
        self.data[key] = current
        return {k for k in current.keys() | previous.keys() if current.get(k) != previous.get(k)}

    def clear_doc(self, docname: str) -> None:
        self.occurrences.pop(docname, None)
        self.problems.pop(docname, None)
        for key in ("aggregate_docs", "milestone_index_docs", "changelog_docs"):
            self.data[key].discard(docname)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["occurrences"]:
                self.occurrences[docname] = otherdata["occurrences"][docname]
            if docname in otherdata["problems"]:
                self.problems[docname] = otherdata["problems"][docname]
        for key in ("aggregate_docs", "milestone_index_docs", "changelog_docs"):
            self.data[key].update(otherdata[key] & set(docnames))

    def resolve_any_xref(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []  # the domain holds data; it defines no roles


def trace_domain(env: BuildEnvironment) -> TraceDomain:
    """The environment's trace domain (typed)."""
    domain = env.domains["trace"]
    assert isinstance(domain, TraceDomain)
    return domain
