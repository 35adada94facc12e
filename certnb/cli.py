"""The `certnb` command line."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `certnb` console script."""
    return 0
