"""Types of the compiled walker (certnb/frame/_walk.c); see certnb.frame.walk."""

from typing import Any

class Unsupported(ValueError):
    """An input the compiled walker leaves to the Python one (a non-str key, an object of over 64 keys)."""

def walk(
    records: list[dict[str, Any]],
    spec: tuple[tuple[tuple[str, ...], tuple[int, ...], tuple[int, ...], int], ...],
    stand_ins: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    absent: object,
    listed: str,
    /,
) -> tuple[tuple[tuple[Any, ...], bytearray, list[tuple[Any, ...]]], ...]: ...
