"""The commit package's modules import one another in one direction only: the order its docstring lists
them in, top to bottom (so no file cycle, such as the old outcome.py → undo.py → audit_log.py → outcome.py).
Read from the source (AST): imports inside functions and under TYPE_CHECKING count too."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import certnb.commit

FOLDER = Path(certnb.commit.__file__).parent


def commit_imports(path: Path) -> set[str]:
    """The commit modules a file imports (their file stems)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
            [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        found |= {n.split(".")[2] for n in names if n.startswith("certnb.commit.")}
    return found


def test_modules_import_only_those_listed_below_them() -> None:
    listed = re.findall(r"^    (\w+)\.py ", certnb.commit.__doc__ or "", flags=re.MULTILINE)
    modules = sorted(p.stem for p in FOLDER.glob("*.py") if p.stem != "__init__")
    assert sorted(listed) == modules  # the docstring lists every module, once
    upward = [
        f"{name}.py imports {other}.py, listed above it"
        for rank, name in enumerate(listed)
        for other in sorted(commit_imports(FOLDER / f"{name}.py"))
        if other not in listed[rank + 1:]
    ]
    assert upward == []
