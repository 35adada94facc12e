"""The package's imports form no cycle, file by file (the import-linter contracts in pyproject.toml pin
the layers).

A package's `__init__.py` only re-exports, so an import of a name from a package counts as an import of the
module that defines it. Every import that runs counts, at module level or inside a function; one under
`if TYPE_CHECKING:` (annotations only) does not run, and the layer contracts still see it.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import certnb

ROOT = Path(certnb.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _running(tree: ast.AST) -> list[ast.AST]:
    """Every node of `tree` outside `if TYPE_CHECKING:` blocks."""
    nodes, todo = [], [tree]
    while todo:
        node = todo.pop()
        nodes.append(node)
        for child in ast.iter_child_nodes(node):
            typing_only = isinstance(child, ast.If) and ast.unparse(child.test).endswith("TYPE_CHECKING")
            if typing_only:
                todo.extend(child.orelse)
            else:
                todo.append(child)
    return nodes


def _imports(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module → the certnb modules it imports (a name imported from a package: the module defining it)."""
    packages = {name for name, path in modules.items() if path.name == "__init__.py"}
    raw: dict[str, list[tuple[str, str | None]]] = {}
    for name, path in modules.items():
        here = name if name in packages else name.rpartition(".")[0]
        wanted: list[tuple[str, str | None]] = []
        for node in _running(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                wanted += [(alias.name, None) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                wanted += [(base, alias.name) for alias in node.names]
        raw[name] = [(m, n) for m, n in wanted if m.split(".")[0] == "certnb"]

    def resolve(module: str, attr: str | None, seen: frozenset[str] = frozenset()) -> set[str]:
        if attr is not None and f"{module}.{attr}" in modules:
            return {f"{module}.{attr}"}
        if module not in packages or attr is None or module in seen:
            return {module} if module in modules else set()
        for source, name in raw[module]:  # the package re-exports `attr` from one of its modules
            if name == attr:
                return resolve(source, name, seen | {module})
        return {module}

    graph = {}
    for name, wanted in raw.items():
        if name not in packages:
            targets = {target for module, attr in wanted for target in resolve(module, attr)}
            graph[name] = targets - packages - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_round_a_cycle() -> None:
    assert _cycles(_imports(_modules())) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _contracts() -> list[dict[str, object]]:
    pyproject = ROOT.parent / "pyproject.toml"
    return list(tomllib.loads(pyproject.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"])


def test_the_contracts_name_every_part_of_the_package() -> None:
    # A new top-level module outside the layers would be free to import anything: the contracts must grow.
    parts = {name.split(".")[1] for name in _modules() if name.count(".") >= 1}
    layers, apart = _contracts()[0], _contracts()[1]
    layered = {m.strip().split(".")[1] for layer in layers["layers"] for m in str(layer).split("|")}
    assert parts - layered == {"emulator", "pytest_plugin"}  # reached by URL; the test plugin on top
    assert set(apart["source_modules"]) == {"certnb.emulator"}
    assert {m.split(".")[1] for m in apart["forbidden_modules"]} == parts - {"emulator"}
