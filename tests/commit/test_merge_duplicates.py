"""Merging the sample tenant's duplicates over a real socket: the dry run shows the keeper's PATCH and the
DELETEs of the others, the commit leaves one record with the filled values, and undo brings both back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

import certnb
from certnb.emulator.server import Emulator
from certnb.graph.urls import certifications_path
from certnb.session import Session

TENANT = Path(__file__).resolve().parents[2] / "data" / "tenant.json"
KENJI = "kenji.watanabe@contoso.example"
ARCHITECT = "Microsoft Certified: Azure Solutions Architect Expert"
KEEPER, OTHER = "06c41054-4f03-4019-a13f-8b9586bbc317", "bfbe68ea-bdc8-4657-9033-f2fd83f933ec"
WEB_URL = ("https://learn.microsoft.com/api/credentials/share/en-us/kenjiwatanabe/3A0D27CF4FD93B06"
           "?sharingId=1ce452bc-0670-408d-a00e-650a00a67f05")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """The sample tenant (data/tenant.json), whose audit finds six pairs of duplicates."""
    with Emulator(seed=str(TENANT)) as running:
        yield running


def kenji_id() -> str:
    users = json.loads(TENANT.read_text(encoding="utf-8"))["users"]
    return str(next(u["id"] for u in users if u["userPrincipalName"] == KENJI))


def patch(emu: Emulator, cert_id: str, body: dict[str, Any]) -> None:
    """Someone edits one of Kenji's records before the load (straight over HTTP)."""
    url = emu.graph_url + certifications_path(kenji_id(), cert_id)
    reply = httpx.patch(url, json=body, headers={"Authorization": f"Bearer {emu.access_token()}"},
                        verify=emu.verify(), timeout=10)
    assert reply.status_code == 200, reply.text


def architects(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[(frame["userPrincipalName"] == KENJI) & (frame["displayName"] == ARCHITECT)]


def test_merge_commit_reload_and_undo(emu: Emulator, graph: Session, tmp_path: Path) -> None:
    # The keeper lacks its web URL; the other lacks description and badge, and says another end date.
    patch(emu, KEEPER, {"webUrl": None})
    patch(emu, OTHER, {"description": None, "thumbnailUrl": None, "endDate": "2028-04-29"})
    df = graph.load(users="all")
    findings = df.certs.audit(asof="2026-11-30")
    staged = certnb.stage(df, journal=tmp_path / "merge.journal")

    merged = staged.merge_duplicates(findings, resolve={(OTHER[:8], "Expires"): "2028-04-29"})
    [group] = [g for g in merged if g.person.endswith(f"({KENJI})")]
    assert (group.keeper, group.others) == (KEEPER, (OTHER,))
    assert group.fills == {"webUrl": WEB_URL} and set(group.conflicts) == {"endDate"}
    assert len(merged) == 6 and merged.staged == 1 + 1 + 6  # two fields on Kenji's keeper, six deletes

    planned = graph.plan(staged)
    assert planned.methods == {"PATCH": 1, "DELETE": 6}
    text = str(planned)
    base = f"{graph.base_url}/users/{kenji_id()}/profile/certifications"
    assert f"PATCH {base}/{KEEPER}" in text and f"DELETE {base}/{OTHER}" in text
    request = text.split(f"PATCH {base}/{KEEPER}\nContent-Type: application/json\n\n")[1]
    body = json.loads(request.split("\n")[0])
    assert body == {"endDate": "2028-04-29", "webUrl": WEB_URL}

    result = graph.commit(staged)
    assert result.ok and set(result.table["outcome"]) == {"applied"}

    after = graph.load(users="all")
    [kept] = architects(after).to_dict("records")
    assert kept["id"] == KEEPER and kept["webUrl"] == WEB_URL
    assert kept["endDate"] == pd.Timestamp("2028-04-29")
    assert kept["description"] == "Design cloud and hybrid solutions."  # the keeper's own, kept
    assert "duplicate" not in set(after.certs.audit(asof="2026-11-30")["rule"])

    undone = graph.commit(result.undo())
    assert undone.ok
    back = architects(graph.load(users="all")).set_index("id")
    assert len(back) == 2 and pd.isna(back.loc[KEEPER, "webUrl"])
    assert back.loc[KEEPER, "endDate"] == pd.Timestamp("2027-04-29")
    [recreated] = [row for cert_id, row in back.iterrows() if cert_id != KEEPER]
    assert recreated["endDate"] == pd.Timestamp("2028-04-29") and pd.isna(recreated["description"])
    assert recreated["webUrl"] == WEB_URL
