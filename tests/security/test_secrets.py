"""Secrets never print (STYLE §6): after a full run with real tokens from the emulator, no access token,
refresh token, id token or client secret appears in any repr, log record, exception, journal, audit log,
result table, notebook display or committed notebook.

The run: MSAL device-code sign-in with a token cache file, load, stage (journaled), commit (audited), undo,
an expired token renewed mid-session, errors of each kind. The tokens are read from the session's MSAL cache
(every access, refresh and id token it ever held) and grepped for, whole and by their signature part.
"""

from __future__ import annotations

import io
import logging
import re
import stat
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msal
import pandas as pd
import pytest

import certnb
from certnb.commit.plan import plan as plan_of
from certnb.emulator.server import Emulator
from certnb.errors import AppOnlyNotSupported, CertnbError

ROOT = Path(__file__).resolve().parents[2]
SECRET = "Zm9yZ2V0LW1lLW5vdA~client.secret_value-1234"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")
SEED = {
    "tenant": {"id": "tenant-secrets", "domain": "contoso.example"},
    "defaultUser": "adele@contoso.example",
    "users": [
        {"id": "u-adele", "userPrincipalName": "adele@contoso.example", "displayName": "Adele",
         "certifications": [{"id": f"c{k}", "displayName": f"Cert {k}", "startDate": "2025-01-01",
                             "endDate": "2026-06-30"} for k in range(25)]},
        {"id": "u-bob", "userPrincipalName": "bob@contoso.example", "displayName": "Bob",
         "certifications": [{"id": "c-bob", "displayName": "CKA", "endDate": "2026-06-30"}]},
    ],
}


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    """Every log record of every logger (certnb, httpx, httpcore, msal, uvicorn), at DEBUG."""
    text = io.StringIO()
    handler = logging.StreamHandler(text)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield text
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def cached_secrets(app: Any) -> set[str]:
    """Every token MSAL's cache holds: access, refresh and id tokens."""
    found = set()
    for kind in (msal.TokenCache.CredentialType.ACCESS_TOKEN, msal.TokenCache.CredentialType.REFRESH_TOKEN,
                 msal.TokenCache.CredentialType.ID_TOKEN):
        for entry in app.token_cache.search(kind):
            found.add(str(entry["secret"]))
    return found


def needles(secrets: set[str]) -> set[str]:
    """The secrets, and for JWTs also their signature part (enough to spot a token cut or re-wrapped)."""
    found = set(secrets)
    for secret in secrets:
        parts = secret.split(".")
        if len(parts) == 3 and len(parts[2]) >= 16:
            found.add(parts[2])
    return found


def describe(error: BaseException) -> str:
    return "\n".join([str(error), repr(error), *traceback.format_exception(error),
                      repr({k: v for k, v in vars(error).items()})])


def test_no_secret_in_any_artefact(
    tmp_path: Path, captured_logs: io.StringIO, capfd: pytest.CaptureFixture[str]
) -> None:
    cache_path = tmp_path / "cache" / "msal_cache.bin"
    journal = tmp_path / "edits.journal"
    texts: list[str] = []
    errors: list[BaseException] = []
    with Emulator(SEED) as emu:
        graph = certnb.connect(emulator=emu, write=True, all_users=True, token_cache=cache_path)
        tokens = graph._transport.auth.source  # type: ignore[attr-defined]
        held = {tokens._access_token}
        frame = graph.load(users="all")
        staged = certnb.stage(frame, journal=journal)
        staged.set(frame["userId"] == "u-adele", endDate=pd.Timestamp("2027-06-30"))
        emu.app.identity.expire_access_tokens()  # the commit renews the token silently mid-session
        result = graph.commit(staged)
        held.add(tokens._access_token)
        assert result.ok, result.counts
        undo = result.undo(journal=tmp_path / "undo.journal")
        plan = plan_of(undo)
        texts += [repr(graph), repr(graph._transport.auth), repr(tokens), repr(staged), repr(result),
                  result._repr_html_(), result.table.to_csv(), staged.diff()._repr_html_(), repr(plan),
                  plan._repr_html_(), repr(undo), repr(emu), repr(emu.app.identity), repr(frame),
                  frame.to_csv(), repr(graph.pacer), repr(tokens.cache_file)]
        staged.journal.export(tmp_path / "journal-export.csv")

        # Errors of each kind a session can meet.
        reader = certnb.connect(emulator=emu, scopes=["User.Read"])
        held.add(reader._transport.auth.source._access_token)  # type: ignore[attr-defined]
        with pytest.raises(CertnbError) as denied:
            reader.patch("/me/profile/certifications/c0", {"displayName": "x"})
        errors.append(denied.value)
        reader.close()
        emu.app.identity.revoke_refresh_tokens()
        emu.app.identity.expire_access_tokens()
        with pytest.raises(CertnbError) as expired:
            graph.load(users="all")
        errors.append(expired.value)
        with pytest.raises(AppOnlyNotSupported) as app_only:
            certnb.connect(emulator=emu, client_secret=SECRET)
        errors.append(app_only.value)
        with pytest.raises(AppOnlyNotSupported) as app_only_env:
            certnb.connect(emulator=emu, environ={"CERTNB_CLIENT_SECRET": SECRET})
        errors.append(app_only_env.value)
        held |= cached_secrets(tokens.app)
        graph.close()

    secrets = needles({s for s in held if s} | {SECRET})
    assert len(secrets) >= 4  # at least two access tokens, a refresh token, the client secret
    texts += [describe(e) for e in errors]
    texts.append(captured_logs.getvalue())
    out, err = capfd.readouterr()
    texts += [out, err]
    files = [p for p in tmp_path.rglob("*") if p.is_file() and p != cache_path]
    assert any(p.name.endswith(".audit.jsonl") for p in files), files
    assert any(p.name.startswith("edits.journal") for p in files), files
    blobs = {str(p): p.read_bytes().decode("utf-8", "replace") for p in files}
    blobs.update({f"text {n}": text for n, text in enumerate(texts)})

    leaks = {where: sorted(s[:12] + "…" for s in secrets if s in blob) for where, blob in blobs.items()}
    assert {where: found for where, found in leaks.items() if found} == {}
    assert {where: JWT.findall(blob)[:1] for where, blob in blobs.items() if JWT.search(blob)} == {}

    # The cache file does hold tokens: it must be private to the user.
    assert stat.S_IMODE(cache_path.stat().st_mode) == 0o600
    assert any(s in cache_path.read_text(encoding="utf-8") for s in secrets)  # the scan would see them


def test_committed_notebooks_hold_no_token() -> None:
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    for notebook in notebooks:
        text = notebook.read_text(encoding="utf-8")
        assert not JWT.search(text), notebook.name
        assert not re.search(r"(?i)bearer\s+[A-Za-z0-9._-]{20,}", text), notebook.name
