"""Fixtures of the commit tests: an emulator on the commit tenant (`session`, `graph`: tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from commit_tenant import seed

from certnb.emulator.server import Emulator


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A running emulator on the commit tenant, 2 certifications per page (so lists need nextLinks)."""
    with Emulator(seed=seed(), page_size=2) as running:
        yield running
