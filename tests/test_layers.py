"""The package's layers, read from its imports: the core needs no Sphinx, no layer imports a higher one, no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "ext" / "dmtrace"
# A layer may import itself and the layers listed for it, never another.
ALLOWED = {
    "core": {"core"},
    "views": {"core", "views"},
    "glue": {"core", "views", "glue"},
    "pytest_plugin": {"core", "pytest_plugin"},
}
FORBIDDEN_IN_CORE = ("sphinx", "sphinx_needs", "docutils", "myst_parser", "pytest", "_pytest")
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module `path` imports, at any depth of the file (TYPE_CHECKING blocks and functions included)."""
    found: set[str] = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _internal_imports(name: str) -> set[str]:
    return {imported for imported in _imports(MODULES[name]) if imported in MODULES and imported != name}


def test_the_package_has_the_four_layers() -> None:
    layers = {name.split(".")[1] for name in MODULES if name.count(".") >= 1}
    assert layers == set(ALLOWED)


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.startswith("dmtrace.core")))
def test_the_core_imports_no_sphinx_docutils_or_pytest(name: str) -> None:
    third_party = {imported.split(".")[0] for imported in _imports(MODULES[name])}
    assert not third_party & set(FORBIDDEN_IN_CORE), f"{name} imports {sorted(third_party & set(FORBIDDEN_IN_CORE))}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.count(".") >= 2))
def test_each_layer_imports_only_the_layers_below_it(name: str) -> None:
    layer = name.split(".")[1]
    wrong = {imported for imported in _internal_imports(name) if imported.split(".")[1] not in ALLOWED[layer]}
    assert not wrong, f"{name} ({layer}) imports {sorted(wrong)}"


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the directed graph as a path that ends where it starts, or [] (iterative depth-first search)."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(graph):
        if state.get(start):
            continue
        stack = [(start, iter(sorted(graph.get(start, ()))))]
        path = [start]
        state[start] = 1
        while stack:
            node, targets = stack[-1]
            target = next(targets, None)
            if target is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(target) == 1:
                return [*path[path.index(target) :], target]
            elif not state.get(target):
                state[target] = 1
                path.append(target)
                stack.append((target, iter(sorted(graph.get(target, ())))))
    return []


def test_no_import_cycle() -> None:
    graph = {name: _internal_imports(name) - {"dmtrace"} for name in MODULES}
    cycle = find_cycle(graph)
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_cycles_and_only_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) in (["a", "b", "c", "a"],)
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []
    assert find_cycle({"x": {"x"}}) == ["x", "x"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_each_module_has_a_docstring_and_stays_short(name: str) -> None:
    text = MODULES[name].read_text(encoding="utf-8")
    assert ast.get_docstring(ast.parse(text)), f"{name} has no module docstring"
    assert len(text.splitlines()) <= MAX_LINES, f"{name} has {len(text.splitlines())} lines (at most {MAX_LINES})"
