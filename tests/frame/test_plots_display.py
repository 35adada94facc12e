"""Charts show in Jupyter as PNG even when neither pyplot nor `%matplotlib inline` was loaded first."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell

from certnb.frame.build import build_frame


@pytest.fixture
def shell() -> Iterator[InteractiveShell]:
    shell = InteractiveShell.instance()
    try:
        yield shell
    finally:
        InteractiveShell.clear_instance()


def test_a_returned_chart_formats_as_png(shell: InteractiveShell) -> None:
    frame = build_frame([{"id": "u1", "userPrincipalName": "a@x", "certifications": [
        {"id": "c1", "displayName": "AZ-104", "startDate": "2025-01-01", "endDate": "2026-12-12"}]}])
    for chart in (frame.certs.histogram, frame.certs.timeline):
        data, _ = shell.display_formatter.format(chart(asof="2026-11-30"))
        assert data["image/png"][:4] == b"\x89PNG" or str(data["image/png"]).startswith("iVBOR")
