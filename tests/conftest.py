"""Fixtures shared by the test directories: the sample tenant as data, and a session on a real emulator.

`tenant_users`/`tenant_frame` are data/tenant.json without a network; `own_users`/`own_frame` keep only the
certifications their people own. A directory that commits provides `emu` (a running `Emulator` on its own
tenant, module-scoped); `session` signs in through MSAL once per module and `graph` is that session, per
test, on an emulator reset to its seed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import certnb
from certnb.emulator.server import Emulator
from certnb.frame.build import build_frame
from certnb.session import Session

TENANT = Path(__file__).resolve().parents[1] / "data" / "tenant.json"
USER_EDITS = "46a57efc-33f8-4eec-a512-b90039ad6187"  # profileSourceAnnotation: "User initiated edits"


@pytest.fixture(scope="session")
def tenant_users() -> list[dict[str, Any]]:
    """The sample tenant's users, each with its certifications (contract §10 seed)."""
    users: list[dict[str, Any]] = json.loads(TENANT.read_text(encoding="utf-8"))["users"]
    return users


@pytest.fixture
def tenant_frame(tenant_users: list[dict[str, Any]]) -> pd.DataFrame:
    """The sample tenant as the typed certification frame, without a network."""
    return build_frame(tenant_users)


@pytest.fixture(scope="session")
def own_users(tenant_users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The sample tenant's users with only the certifications that come from their person alone
    (user-initiated edits): what staging's mechanics can edit in bulk without meeting values owned by an HR
    connector or Entra (those are refused when staged: tests/staging/test_owned.py)."""
    def own(c: dict[str, Any]) -> bool:
        return all(s.get("sourceId") == USER_EDITS for s in c.get("sources", []))

    return [{**user, "certifications": [c for c in user.get("certifications", []) if own(c)]}
            for user in tenant_users]


@pytest.fixture
def own_frame(own_users: list[dict[str, Any]]) -> pd.DataFrame:
    """`own_users` as the typed certification frame."""
    return build_frame(own_users)


@pytest.fixture(scope="module")
def session(emu: Emulator) -> Iterator[Session]:
    """One MSAL sign-in per module, allowed to write every user's profile (User.ReadWrite.All): tokens
    outlive emulator resets."""
    with certnb.connect(emulator=emu, write=True, all_users=True) as signed_in:
        yield signed_in


@pytest.fixture
def graph(emu: Emulator, session: Session) -> Session:
    """The session, on an emulator reset to the seed with no faults and zeroed statistics."""
    emu.reset()
    return session
