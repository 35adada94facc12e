"""Staging imports nothing above it (STYLE §16): not commit, not the session, not the views — not even inside
a function or under TYPE_CHECKING. Read from the source (AST), so an import that never runs counts too."""

from __future__ import annotations

import ast
from pathlib import Path

import certnb.staging

ABOVE = ("certnb.commit", "certnb.session", "certnb.connect", "certnb.widgets", "certnb.demo", "certnb.cli")


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in a file, and of every string naming a certnb module above."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." * node.level + (node.module or "")))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith(ABOVE):
            found.append((node.lineno, node.value))  # importlib.import_module("certnb.commit...")
    return found


def test_staging_never_imports_a_layer_above() -> None:
    folder = Path(certnb.staging.__file__).parent
    modules = sorted(folder.glob("*.py"))
    assert len(modules) > 10  # the scan saw the package
    upward = [
        f"{path.name}:{line} imports {name}"
        for path in modules
        for line, name in imported(path)
        if name.startswith(".") or name == "certnb" or name.startswith(tuple(f"{m}." for m in ABOVE) + ABOVE)
    ]
    assert upward == []
