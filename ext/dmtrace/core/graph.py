"""Link indexes over a set of needs: children, verifying tests and back links, computed once per build."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property

from dmtrace.core.model import REQUIREMENT_TYPES, Need


@dataclass(frozen=True)
class NeedGraph:
    """The needs and, for each id, who links to it by each link type."""

    needs: Mapping[str, Need]
    incoming: Mapping[str, Mapping[str, list[str]]]

    @classmethod
    def build(cls, needs: Mapping[str, Need]) -> NeedGraph:
        incoming: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for need in needs.values():
            for link, targets in need.links.items():
                for target in targets:
                    incoming[target][link].append(need.id)
        return cls(needs, incoming)

    @cached_property
    def requirements_by_priority(self) -> dict[str, list[Need]]:
        """Requirements and sub-requirements per priority value, in id order of the needs mapping."""
        grouped: dict[str, list[Need]] = defaultdict(list)
        for need in self.needs.values():
            if need.type in REQUIREMENT_TYPES:
                grouped[need.priority].append(need)
        return dict(grouped)

    def linked_from(self, need_id: str, link: str) -> list[str]:
        """Ids of the needs whose `link` points at `need_id` (existing needs only)."""
        by_link = self.incoming.get(need_id)
        if not by_link:
            return []
        return [source for source in by_link.get(link, []) if source in self.needs]

    def children(self, need_id: str) -> list[Need]:
        return [self.needs[i] for i in self.linked_from(need_id, "refines")]

    def tests(self, need_id: str) -> list[Need]:
        return [self.needs[i] for i in self.linked_from(need_id, "verifies")]

    def parent(self, need: Need) -> Need | None:
        for target in need.targets("refines"):
            if target in self.needs:
                return self.needs[target]
        return None

    def cycles(self, link: str) -> list[list[str]]:
        """The needs tied into cycles by `link`, one list per strongly connected component (two or more needs, or one
        that links to itself), each list and the lists ordered by id. Every target of every need is followed (links
        to needs that do not exist are ignored); iterative Tarjan, linear in needs plus links, no recursion."""
        needs = self.needs
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        found: list[list[str]] = []
        for root in needs:
            if root in index:
                continue
            index[root] = low[root] = len(index)
            stack.append(root)
            on_stack.add(root)
            work: list[tuple[str, Iterator[str]]] = [(root, iter(needs[root].targets(link)))]
            while work:
                node, targets = work[-1]
                for target in targets:
                    if target not in needs:
                        continue
                    if target not in index:
                        index[target] = low[target] = len(index)
                        stack.append(target)
                        on_stack.add(target)
                        work.append((target, iter(needs[target].targets(link))))
                        break
                    if target in on_stack:
                        low[node] = min(low[node], index[target])
                else:  # every target of `node` done: close it
                    work.pop()
                    if work:
                        parent = work[-1][0]
                        low[parent] = min(low[parent], low[node])
                    if low[node] != index[node]:
                        continue
                    component: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in needs[node].targets(link):
                        found.append(sorted(component))
        return sorted(found, key=lambda component: component[0])
