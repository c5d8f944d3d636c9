"""Pytest node ids as a test case's `pytest` field names them: splitting the field and matching run node ids."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dmtrace.core.model import Need

FIELD = "pytest"
_SEPARATORS = re.compile(r"[\s,;]+")


def named_nodes(need: Need) -> list[str]:
    """The node ids a test need's `pytest` field names, in the order written."""
    return [name for name in _SEPARATORS.split(need.get(FIELD)) if name]


def covers(name: str, node_id: str) -> bool:
    """True when `name` is the node itself, or a module, class or function that `node_id` lies in or parametrizes."""
    if node_id == name:
        return True
    rest = node_id[len(name) :] if node_id.startswith(name) else ""
    return rest.startswith(("::", "["))


def missing(names: Iterable[str], node_ids: Iterable[str]) -> list[str]:
    """The names that cover none of `node_ids`."""
    ran = list(node_ids)
    return [name for name in names if not any(covers(name, node) for node in ran)]
